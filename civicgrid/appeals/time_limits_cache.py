"""The time limits (办理时限) kept briefly per process, for intake on every request.

:func:`current_time_limits` answers as :func:`civicgrid.appeals.selectors.time_limits_for`
does, from all :class:`TimeLimit` rows read at most every
``CIVICGRID_TIME_LIMITS_CHECK_SECONDS`` (default 5; the tests use 0 = the selector, one query
every call). A changed time limit therefore applies to new appeals within that many seconds in
every process; :func:`invalidate_time_limits` makes this process read them again at once (and
again when the current transaction commits).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import transaction

from .models import Category, TimeLimit
from .selectors import DEFAULT_HANDLING_DAYS, DEFAULT_SIGN_FOR_DAYS, time_limits_for

DEFAULT_CHECK_SECONDS = 5.0

_lock = threading.Lock()
# (appeal type, category id or None for the type's default) -> (sign-for days, handling days)
_cached: dict[tuple[str, int | None], tuple[int, int]] | None = None
_loaded_at = 0.0


def invalidate_time_limits() -> None:
    """Forget the kept rows now and again when the current transaction commits."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    global _cached
    with _lock:
        _cached = None


def _rows(interval: float) -> dict[tuple[str, int | None], tuple[int, int]]:
    global _cached, _loaded_at
    with _lock:
        now = time.monotonic()
        if _cached is None or now - _loaded_at >= interval:
            _cached = {
                (appeal_type, category_id): (sign_for_days, handling_days)
                for appeal_type, category_id, sign_for_days, handling_days in (
                    TimeLimit.objects.values_list(
                        "appeal_type", "category_id", "sign_for_days", "handling_days"
                    )
                )
            }
            _loaded_at = now
        return _cached


def current_time_limits(appeal_type: str, category: Category | None) -> tuple[int, int]:
    """(sign-for days, handling days) as :func:`time_limits_for` gives them: the category's
    own row, else its parent's, …, else the type's default row, else the built-in default;
    from rows at most ``CIVICGRID_TIME_LIMITS_CHECK_SECONDS`` old."""
    interval = float(
        getattr(settings, "CIVICGRID_TIME_LIMITS_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
    )
    if interval <= 0:
        return time_limits_for(appeal_type, category)
    rows = _rows(interval)
    node = category
    while node is not None:
        if (appeal_type, node.pk) in rows:
            return rows[(appeal_type, node.pk)]
        node = node.parent
    if (appeal_type, None) in rows:
        return rows[(appeal_type, None)]
    return DEFAULT_SIGN_FOR_DAYS, DEFAULT_HANDLING_DAYS[appeal_type]
