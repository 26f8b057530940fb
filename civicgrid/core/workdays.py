"""工作日: working days on the official Chinese calendar, adjusted workdays (调休) included.

Source of truth, per date:

1. a :class:`~civicgrid.core.models.CalendarDay` row (entered by an administrator) wins;
2. otherwise the bundled ``chinese_calendar`` package data, for the years it covers;
3. otherwise, in a year an administrator has *published* (:class:`CalendarYear` with
   ``is_published=True``), Monday to Friday are working days and weekends are not.

Any other year is unknown: the functions raise :class:`CalendarUnknownYearError` instead of
guessing, because a deadline computed on a guessed calendar is silently wrong. Callers that
must not stop working in December before next year's arrangement is out (intake, dispatch:
the hotline keeps taking appeals) pass ``provisional=True`` to :func:`add_working_days`: an
unknown year then counts Monday to Friday (administrators' overrides still apply), and the
caller records which years were guessed (:func:`unknown_years`) so that it is not silent.

Each public function reads the database overrides for the date range it needs in one query
(a long walk may need a second, larger window); published years are read only when a date
lies outside the years the package covers.

With ``CIVICGRID_CALENDAR_CHECK_SECONDS`` above 0 (default 5; the tests use 0 = no cache) the
process instead keeps all overrides and published years in memory and checks at most that
often whether they changed (count and latest ``updated_at`` of both tables, two aggregate
queries), so busy callers such as intake read no calendar rows per call. The services and
admin pages that edit the calendar call :func:`invalidate_calendar`, so the editing process
sees the change at once and the other processes within the check interval.

``datetime.datetime`` values are refused: a deadline must be computed on the local (Asia/Shanghai)
date, and converting an aware UTC datetime silently would give the wrong day around midnight.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext

from .errors import DomainError
from .models import CalendarDay, CalendarYear

ONE_DAY = dt.timedelta(days=1)
DEFAULT_CHECK_SECONDS = 5.0

_lock = threading.Lock()
_cached: tuple[dict[dt.date, bool], frozenset[int]] | None = None
_cached_key: tuple[Any, ...] | None = None
_checked_at = 0.0


def invalidate_calendar() -> None:
    """Forget this process's calendar cache now and again when the current transaction
    commits (call it after changing :class:`CalendarDay` or :class:`CalendarYear` rows)."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    global _cached, _cached_key
    with _lock:
        _cached = None
        _cached_key = None


def _database_key() -> tuple[Any, ...]:
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (days["n"], days["last"], years["n"], years["last"])


def _cached_calendar() -> tuple[dict[dt.date, bool], frozenset[int]] | None:
    """All overrides and the published years, kept per process; ``None`` when caching is off."""
    global _cached, _cached_key, _checked_at
    interval = float(getattr(settings, "CIVICGRID_CALENDAR_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))
    if interval <= 0:
        return None
    with _lock:
        now = time.monotonic()
        if _cached is not None and now - _checked_at < interval:
            return _cached
        key = _database_key()
        _checked_at = now
        if _cached is None or key != _cached_key:
            overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
            published = frozenset(
                CalendarYear.objects.filter(is_published=True).values_list("year", flat=True)
            )
            _cached = (overrides, published)
            _cached_key = key
        return _cached


class CalendarUnknownYearError(DomainError):
    """The official holiday arrangement of a year is neither bundled nor entered and published."""

    code = "calendar_unknown_year"

    def __init__(self, year: int) -> None:
        message = gettext(
            "The official holiday arrangement for %(year)s has not been entered yet; "
            "an administrator must add it under Holidays."
        ) % {"year": year}
        super().__init__(message, details={"year": year})
        self.year = year


@lru_cache(maxsize=1)
def bundled_years() -> range:
    """The years the installed ``chinese_calendar`` package has official data for."""
    known_dates = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return range(min(known_dates).year, max(known_dates).year + 1)


def _check_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"working-day functions take a local datetime.date, not {day!r}")
    return day


class _Calendar:
    """The calendar for one call: database overrides loaded by window, bundled data otherwise."""

    def __init__(self, *, provisional: bool = False) -> None:
        self._provisional = provisional
        self._overrides: dict[dt.date, bool] = {}
        self._loaded_from: dt.date | None = None
        self._loaded_to: dt.date | None = None
        self._known_years: dict[int, bool] = {}
        cached = _cached_calendar()
        if cached is not None:
            # Everything is in memory: every date counts as loaded, no query per call.
            self._overrides, published = cached
            self._loaded_from, self._loaded_to = dt.date.min, dt.date.max
            self._known_years = dict.fromkeys(published, True)

    def load(self, first: dt.date, last: dt.date) -> None:
        """Make sure overrides for ``first..last`` are loaded (one query for the missing part)."""
        if first > last:
            first, last = last, first
        if self._loaded_from is not None and self._loaded_to is not None:
            if self._loaded_from <= first and last <= self._loaded_to:
                return
            first = min(first, self._loaded_from)
            last = max(last, self._loaded_to)
        rows = CalendarDay.objects.filter(date__range=(first, last)).values_list(
            "date", "is_working_day"
        )
        self._overrides = dict(rows)
        self._loaded_from, self._loaded_to = first, last
        uncovered = [
            year
            for year in range(first.year, last.year + 1)
            if year not in bundled_years() and year not in self._known_years
        ]
        if uncovered:
            published = set(
                CalendarYear.objects.filter(year__in=uncovered, is_published=True).values_list(
                    "year", flat=True
                )
            )
            for year in uncovered:
                self._known_years[year] = year in published

    def is_loaded(self, day: dt.date) -> bool:
        return (
            self._loaded_from is not None
            and self._loaded_to is not None
            and self._loaded_from <= day <= self._loaded_to
        )

    def is_working_day(self, day: dt.date) -> bool:
        if not self.is_loaded(day):
            self.load(day, day)
        year = day.year
        if (
            year not in bundled_years()
            and not self._known_years.get(year, False)
            and not self._provisional
        ):
            raise CalendarUnknownYearError(year)
        override = self._overrides.get(day)
        if override is not None:
            return override
        if year in bundled_years():
            # Same rule as chinese_calendar.is_workday(), without its per-call range scan.
            if day in chinese_calendar.workdays:
                return True
            if day in chinese_calendar.holidays:
                return False
        return day.weekday() < 5


def _shift(day: dt.date, delta: dt.timedelta) -> dt.date:
    """``day + delta`` clamped to the representable dates (the year check then refuses it)."""
    try:
        return day + delta
    except OverflowError:
        return dt.date.max if delta > dt.timedelta(0) else dt.date.min


def _window_days(count: int) -> int:
    """Calendar days that very probably hold ``count`` working days (5 of 7, plus holidays)."""
    return count * 3 // 2 + 30


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day (工作日), adjusted working weekends included."""
    day = _check_date(day)
    return _Calendar().is_working_day(day)


def add_working_days(start: dt.date, n: int, *, provisional: bool = False) -> dt.date:
    """The ``n``-th working day after ``start`` (before it when ``n`` is negative).

    ``start`` itself is never counted for ``n != 0``: 2026-09-30 + 1 is 2026-10-08, and a
    Saturday ``start`` + 1 is the next working day. ``n == 0`` returns ``start`` when it is a
    working day and otherwise the next working day (the day work on it can begin).

    With ``provisional=True`` a year whose arrangement is unknown counts Monday to Friday
    instead of raising :class:`CalendarUnknownYearError`; see :func:`unknown_years`.
    """
    start = _check_date(start)
    calendar = _Calendar(provisional=provisional)
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    window = dt.timedelta(days=_window_days(max(remaining, 1)))
    calendar.load(start, _shift(start, window if n >= 0 else -window))
    day = start
    if n == 0:
        while not _is_working(calendar, day, step, window):
            day += step
        return day
    while remaining:
        day += step
        if _is_working(calendar, day, step, window):
            remaining -= 1
    return day


def _is_working(
    calendar: _Calendar, day: dt.date, step: dt.timedelta, window: dt.timedelta
) -> bool:
    if not calendar.is_loaded(day):
        # The first window was too short (long holiday runs): load a bigger one in one go.
        calendar.load(day, _shift(day, step * (window // ONE_DAY) * 2))
    return calendar.is_working_day(day)


def unknown_years(first: dt.date, last: dt.date) -> list[int]:
    """The years from ``first`` to ``last`` whose official arrangement is neither bundled nor
    published (a deadline in them computed with ``provisional=True`` is a guess)."""
    first, last = _check_date(first), _check_date(last)
    if last < first:
        first, last = last, first
    years = [year for year in range(first.year, last.year + 1) if year not in bundled_years()]
    if not years:
        return []
    cached = _cached_calendar()
    if cached is not None:
        published: set[int] | frozenset[int] = cached[1]
    else:
        published = set(
            CalendarYear.objects.filter(year__in=years, is_published=True).values_list(
                "year", flat=True
            )
        )
    return [year for year in years if year not in published]


def working_days_between(first: dt.date, last: dt.date) -> int:
    """The number of working days ``d`` with ``first < d <= last``; negative when ``last < first``.

    For a working day ``a``: ``working_days_between(a, add_working_days(a, n)) == n``.
    """
    first, last = _check_date(first), _check_date(last)
    if last < first:
        return -working_days_between(last, first)
    if last == first:
        return 0
    calendar = _Calendar()
    calendar.load(first + ONE_DAY, last)
    count = 0
    day = first + ONE_DAY
    while day <= last:
        if calendar.is_working_day(day):
            count += 1
        day += ONE_DAY
    return count


def working_day_flags(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    """Whether each day from ``first`` to ``last`` (both included) is a working day, read with
    one calendar query (for bulk users such as the statistics calendar)."""
    first, last = _check_date(first), _check_date(last)
    calendar = _Calendar()
    if last < first:
        return {}
    calendar.load(first, last)
    flags: dict[dt.date, bool] = {}
    day = first
    while day <= last:
        flags[day] = calendar.is_working_day(day)
        day += ONE_DAY
    return flags
