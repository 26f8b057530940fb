"""The statistics rollup (统计日汇总): :class:`StatisticsFact` rows rebuilt from the appeals.

:func:`refresh_statistics` is set-based: one ``INSERT … SELECT … GROUP BY`` per grouping
(dimension), whatever the number of appeals; working days are an ordinal join with
:class:`StatisticsWorkday` (``ordinal(replied on) - ordinal(accepted on)``), so no working-day
arithmetic runs per appeal in Python. The figure definitions are those of
:mod:`civicgrid.appeals.selectors.statistics` (docs/adr/0004-statistics.md); tests check that
rollup and direct computation from the records agree.

* ``full=True`` (or no refresh before, or an administrator changed the calendar): all facts are
  rebuilt.
* otherwise only the acceptance days of appeals changed (``updated_at``) since the previous
  refresh started, minus a safety margin, are rebuilt. Every workflow service bumps
  ``updated_at``; data written behind the services' back (bulk loads, SQL) needs ``full``.

Everything runs in one transaction: readers see the old or the new facts, never a mix.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from civicgrid.core.workdays import working_day_flags

from . import clock
from .models import (
    Appeal,
    AppealStatus,
    StatisticsFact,
    StatisticsRefresh,
    StatisticsWorkday,
)
from .selectors.statistics import REPLIED_STATUSES, ROLLUP_DIMENSIONS, SATISFIED_VALUES

SAFETY_MARGIN = dt.timedelta(minutes=10)
DAYS_PER_STATEMENT = 400


@dataclass(frozen=True)
class RefreshReport:
    mode: str  # "full" or "incremental"
    days: int  # acceptance days rebuilt (0 for full: every day)
    facts: int  # fact rows written
    calendar_days: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _key_sql(dimension: str) -> str:
    """SQL of a dimension's group key over ``a`` (appeals) and ``c`` (its category)."""
    return {
        "district": "SUBSTR(a.admin_unit_code, 1, 6)",
        "street": "SUBSTR(a.admin_unit_code, 1, 9)",
        "grid": "a.admin_unit_code",
        "department": "COALESCE(CAST(a.lead_department_id AS TEXT), '')",
        "category": "COALESCE(CAST(COALESCE(c.parent_id, a.category_id) AS TEXT), '')",
        "subcategory": "COALESCE(CAST(a.category_id AS TEXT), '')",
        "channel": "a.channel",
        "type": "a.appeal_type",
    }[dimension]


def _insert_sql(dimension: str, day_filter: str) -> tuple[str, list[Any]]:
    quote = connection.ops.quote_name
    replied_on, replied_params = connection.ops.datetime_cast_date_sql(
        "a.replied_at", (), settings.TIME_ZONE
    )
    invalid = [AppealStatus.CANCELLED.value, AppealStatus.MERGED.value]
    valid = "a.status NOT IN (%s, %s)"
    replied = f"{valid} AND a.status IN ({', '.join(['%s'] * len(REPLIED_STATUSES))})"
    replied += " AND a.replied_at IS NOT NULL"
    replied_params_list = [*invalid, *REPLIED_STATUSES]
    on_time = "(a.handling_deadline IS NULL OR wr.day <= a.handling_deadline)"
    late = "wr.day > a.handling_deadline"
    key = _key_sql(dimension)
    join_category = (
        f"LEFT JOIN {quote('appeals_category')} c ON c.id = a.category_id"
        if dimension == "category"
        else ""
    )
    # Only fixed SQL fragments and quoted table names are formatted in; values are parameters.
    sql = f"""
        INSERT INTO {quote(StatisticsFact._meta.db_table)} (
            day, street_code, dimension, {quote("key")}, received, cancelled, merged, replied,
            replied_on_time, replied_late, handling_working_days, rated, satisfied,
            replied_ever, reopened
        )
        SELECT
            a.accepted_on, SUBSTR(a.admin_unit_code, 1, 9), %s, {key},
            SUM(CASE WHEN {valid} THEN 1 ELSE 0 END),
            SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END),
            SUM(CASE WHEN {replied} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {replied} AND {on_time} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {replied} AND {late} THEN 1 ELSE 0 END),
            SUM(CASE WHEN {replied} THEN wr.ordinal - wa.ordinal ELSE 0 END),
            SUM(CASE WHEN {valid} AND a.satisfaction <> '' THEN 1 ELSE 0 END),
            SUM(CASE WHEN {valid} AND a.satisfaction IN (%s, %s) THEN 1 ELSE 0 END),
            SUM(CASE WHEN {valid} AND a.replied_at IS NOT NULL THEN 1 ELSE 0 END),
            SUM(CASE WHEN {valid} AND a.reopen_count > 0 THEN 1 ELSE 0 END)
        FROM {quote(Appeal._meta.db_table)} a
        {join_category}
        LEFT JOIN {quote(StatisticsWorkday._meta.db_table)} wa ON wa.day = a.accepted_on
        LEFT JOIN {quote(StatisticsWorkday._meta.db_table)} wr ON wr.day = {replied_on}
        WHERE {day_filter}
        GROUP BY a.accepted_on, SUBSTR(a.admin_unit_code, 1, 9), {key}
    """  # noqa: S608
    params: list[Any] = [
        dimension,
        *invalid,  # received
        AppealStatus.CANCELLED.value,
        AppealStatus.MERGED.value,
        *replied_params_list,  # replied
        *replied_params_list,  # on time
        *replied_params_list,  # late
        *replied_params_list,  # handling days
        *invalid,  # rated
        *invalid,
        *SATISFIED_VALUES,  # satisfied
        *invalid,  # replied ever
        *invalid,  # reopened
    ]
    # the replied-on expression's own parameters (PostgreSQL: the time zone) come with the
    # join, after the SELECT list; the caller's WHERE parameters follow
    return sql, [*params, *replied_params]


MONTHLY_PREFIX = "M"  # monthly rows: dimension "Mdistrict" … on the first day of the month


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _rebuild_months(cursor: Any, months: list[dt.date] | None) -> None:
    """Monthly rows (sums of the daily rows of each month); ``None``: every month."""
    if months == []:
        return
    table = connection.ops.quote_name(StatisticsFact._meta.db_table)
    month_sql, month_params = connection.ops.date_trunc_sql("month", "day", ())
    counts = (
        "received, cancelled, merged, replied, replied_on_time, replied_late, "
        "handling_working_days, rated, satisfied, replied_ever, reopened"
    )
    sums = ", ".join(f"SUM({name})" for name in counts.split(", "))
    key = connection.ops.quote_name("key")
    ranges = [(month, _next_month(month)) for month in months or []]
    where = " OR ".join(["(day >= %s AND day < %s)"] * len(ranges)) if ranges else "1 = 1"
    bounds = [value for pair in ranges for value in pair]
    cursor.execute(
        f"DELETE FROM {table} WHERE dimension LIKE %s AND ({where})",  # noqa: S608
        [f"{MONTHLY_PREFIX}%", *bounds],
    )
    cursor.execute(
        f"""
        INSERT INTO {table} (day, street_code, dimension, {key}, {counts})
        SELECT {month_sql}, street_code, %s || dimension, {key}, {sums}
        FROM {table}
        WHERE dimension NOT LIKE %s AND ({where})
        GROUP BY {month_sql}, street_code, dimension, {key}
        """,  # noqa: S608
        [*month_params, MONTHLY_PREFIX, f"{MONTHLY_PREFIX}%", *bounds, *month_params],
    )


def _rebuild_calendar(today: dt.date) -> tuple[int, bool]:
    """Make :class:`StatisticsWorkday` cover every acceptance and reply date (and ``today``).

    Returns (days in the table, whether a stored working-day flag changed — then every fact
    must be rebuilt)."""
    bounds = Appeal.objects.aggregate(
        first=Min("accepted_on"), last=Max("accepted_on"), replied=Max("replied_at")
    )
    first = bounds["first"] or today
    last = max(
        [
            day
            for day in (
                today,
                bounds["last"],
                timezone.localdate(bounds["replied"]) if bounds["replied"] else None,
            )
            if day is not None
        ]
    )
    first = min(first, today)
    flags = working_day_flags(first, last)
    stored = dict(StatisticsWorkday.objects.values_list("day", "is_working_day"))
    changed = any(stored[day] != flag for day, flag in flags.items() if day in stored)
    covered = bool(stored) and min(stored) <= first and max(stored) >= last
    if not changed and covered:
        return len(stored), False
    rows = []
    ordinal = 0
    for day, flag in sorted(flags.items()):
        ordinal += 1 if flag else 0
        rows.append(StatisticsWorkday(day=day, ordinal=ordinal, is_working_day=flag))
    StatisticsWorkday.objects.all().delete()
    StatisticsWorkday.objects.bulk_create(rows, batch_size=1000)
    return len(rows), changed


def _chunks(days: list[dt.date]) -> Iterable[list[dt.date]]:
    for index in range(0, len(days), DAYS_PER_STATEMENT):
        yield days[index : index + DAYS_PER_STATEMENT]


def refresh_statistics(*, full: bool = False, today: dt.date | None = None) -> RefreshReport:
    """Rebuild the statistics facts (all, or the days whose appeals changed); see the module."""
    started = time.perf_counter()
    today = today or clock.today()
    now = timezone.now()
    with transaction.atomic():
        state, _created = StatisticsRefresh.objects.select_for_update().get_or_create(pk=1)
        calendar_days, calendar_changed = _rebuild_calendar(today)
        full = full or calendar_changed or state.started_at is None
        table = connection.ops.quote_name(StatisticsFact._meta.db_table)
        with connection.cursor() as cursor:
            if full:
                StatisticsFact.objects.all().delete()
                days: list[dt.date] = []
                for dimension in ROLLUP_DIMENSIONS:
                    sql, params = _insert_sql(dimension, "1 = 1")
                    cursor.execute(sql, params)
            else:
                assert state.started_at is not None
                days = sorted(
                    set(
                        Appeal.objects.filter(updated_at__gte=state.started_at - SAFETY_MARGIN)
                        .order_by()
                        .values_list("accepted_on", flat=True)
                        .distinct()
                    )
                )
                for chunk in _chunks(days):
                    placeholders = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {table} WHERE day IN ({placeholders})", chunk)  # noqa: S608
                    for dimension in ROLLUP_DIMENSIONS:
                        sql, params = _insert_sql(dimension, f"a.accepted_on IN ({placeholders})")
                        cursor.execute(sql, [*params, *chunk])
            _rebuild_months(cursor, None if full else sorted({_month_start(d) for d in days}))
        facts = (
            StatisticsFact.objects.count()
            if full
            else (StatisticsFact.objects.filter(day__in=days).count() if days else 0)
        )
        state.started_at = now
        state.refreshed_at = timezone.now()
        state.save()
    return RefreshReport(
        mode="full" if full else "incremental",
        days=len(days),
        facts=facts,
        calendar_days=calendar_days,
        seconds=round(time.perf_counter() - started, 3),
    )
