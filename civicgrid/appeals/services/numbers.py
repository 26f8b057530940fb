"""Readable appeal numbers (工单编号) given out in blocks: city code + date + 6-digit daily
sequence, from the same per city-day counter as intake (``AppealNumberSequence``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ..models import AppealNumberSequence


@transaction.atomic
def appeal_numbers_reserve(*, city_code: str, day: dt.date, count: int) -> list[str]:
    """``count`` consecutive numbers of ``day`` for ``city_code`` (one locked counter update)."""
    if count <= 0:
        return []
    sequence, _created = AppealNumberSequence.objects.select_for_update().get_or_create(
        city_code=city_code, day=day
    )
    AppealNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    sequence.refresh_from_db(fields=["last"])
    first = sequence.last - count + 1
    return [f"{city_code}{day:%Y%m%d}{n:06d}" for n in range(first, sequence.last + 1)]


@transaction.atomic
def appeal_numbers_reserve_days(
    *, city_code: str, counts: dict[dt.date, int]
) -> dict[dt.date, int]:
    """Reserve ``counts[day]`` consecutive numbers on each day for ``city_code`` at once.

    Returns the first sequence number reserved per day (the numbers are ``first … first +
    count - 1``, formatted by :func:`appeal_number`). Days without a counter row get theirs in one
    multi-row INSERT; each day that already has one takes its block with one ``UPDATE …
    RETURNING`` (the row stays locked until the transaction commits, as in intake). Should a
    concurrent intake create a day's row first, the INSERT fails as a whole and every day then
    goes through its ``UPDATE`` (creating its row when still missing).
    """
    wanted = {day: count for day, count in counts.items() if count > 0}
    if not wanted:
        return {}
    existing: set[dt.date] = set()
    days = sorted(wanted)
    for start in range(0, len(days), 500):
        existing.update(
            AppealNumberSequence.objects.filter(
                city_code=city_code, day__in=days[start : start + 500]
            ).values_list("day", flat=True)
        )
    first: dict[dt.date, int] = {}
    missing = [day for day in days if day not in existing]
    if missing:
        try:
            with transaction.atomic():
                AppealNumberSequence.objects.bulk_create(
                    [
                        AppealNumberSequence(city_code=city_code, day=day, last=wanted[day])
                        for day in missing
                    ],
                    batch_size=500,
                )
            first.update((day, 1) for day in missing)
        except IntegrityError:
            existing.update(missing)
    for day in days:
        if day not in first:
            last = _take(city_code, day, wanted[day])
            first[day] = last - wanted[day] + 1
    return first


def appeal_number(city_code: str, day: dt.date, sequence: int) -> str:
    """City code + date + 6-digit daily sequence, e.g. 440420261122000001."""
    return f"{city_code}{day:%Y%m%d}{sequence:06d}"


def _take(city_code: str, day: dt.date, count: int) -> int:
    """Add ``count`` to the day's counter (creating it when missing); the new ``last``."""
    table = connection.ops.quote_name(AppealNumberSequence._meta.db_table)
    sql = (
        f"UPDATE {table} SET last = last + %s "  # noqa: S608 - the table name is the model's
        "WHERE city_code = %s AND day = %s RETURNING last"
    )
    params: list[Any] = [count, city_code, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    AppealNumberSequence.objects.create(city_code=city_code, day=day, last=count)
                return count
            except IntegrityError:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    return int(row[0])
