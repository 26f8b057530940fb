"""Readable appeal numbers (工单编号) given out in blocks: city code + date + 6-digit daily
sequence, from the same per city-day counter as intake (``AppealNumberSequence``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
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
