"""Reporting periods in DHIS2's codes: a year ``2015``, a quarter ``2015Q1``, a month ``201503``.

A :class:`Period` covers whole days from :attr:`Period.start` to :attr:`Period.end`
(both inclusive). A year contains its quarters and months, a quarter its three months
(:meth:`Period.contains`).

Converting a finer series to a coarser period (months → quarter or year, quarters → year) needs
to know what the figure measures, so the aggregation is always explicit (:class:`Aggregation`):

- ``sum`` — a count of events in the period (a flow): appeals closed in March + April + …;
- ``last`` — a stock figure measured at a moment: residents, beds, registered volunteers. The
  value of the year is the value of its latest sub-period that has one (December if reported,
  else November …), never the sum of twelve monthly head-counts;
- ``average`` — the mean of the sub-periods that have a value (an average stock over the year).

Every converted value says how many sub-periods reported out of how many were expected, so a
year built from 9 of 12 months is never mistaken for a complete one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from .errors import PeriodError


class PeriodType(StrEnum):
    YEARLY = "yearly"  # 年: 2015
    QUARTERLY = "quarterly"  # 季: 2015Q1
    MONTHLY = "monthly"  # 月: 201503


class Aggregation(StrEnum):
    """How sub-period values combine into a coarser period (see the module docstring)."""

    SUM = "sum"  # counts / flows
    LAST = "last"  # stock figures at a moment
    AVERAGE = "average"  # mean of the reported sub-periods


# Months per period of each type; also the order from coarse to fine.
MONTHS_PER_PERIOD = {PeriodType.YEARLY: 12, PeriodType.QUARTERLY: 3, PeriodType.MONTHLY: 1}
EARLIEST_YEAR = 1900
LATEST_YEAR = 2199

_YEARLY = re.compile(r"(?P<year>[0-9]{4})")
_QUARTERLY = re.compile(r"(?P<year>[0-9]{4})Q(?P<quarter>[0-9])")
_MONTHLY = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})")


@dataclass(frozen=True)
class Period:
    """A year, quarter or month; ``index`` is 1 for a year, 1–4 for a quarter, 1–12 for a month."""

    period_type: PeriodType
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if not EARLIEST_YEAR <= self.year <= LATEST_YEAR:
            raise PeriodError(
                _("Year %(year)s is outside %(first)s–%(last)s.")
                % {"year": self.year, "first": EARLIEST_YEAR, "last": LATEST_YEAR},
                field="period",
            )
        count = 12 // MONTHS_PER_PERIOD[self.period_type]
        if not 1 <= self.index <= count:
            raise PeriodError(
                _("Period index %(index)s is outside 1–%(count)s.")
                % {"count": count, "index": self.index},
                field="period",
            )

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def yearly(cls, year: int) -> Period:
        return cls(PeriodType.YEARLY, year, 1)

    @classmethod
    def quarterly(cls, year: int, quarter: int) -> Period:
        return cls(PeriodType.QUARTERLY, year, quarter)

    @classmethod
    def monthly(cls, year: int, month: int) -> Period:
        return cls(PeriodType.MONTHLY, year, month)

    # -- properties ---------------------------------------------------------------------------
    @property
    def code(self) -> str:
        if self.period_type is PeriodType.YEARLY:
            return f"{self.year:04d}"
        if self.period_type is PeriodType.QUARTERLY:
            return f"{self.year:04d}Q{self.index}"
        return f"{self.year:04d}{self.index:02d}"

    @property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_PER_PERIOD[self.period_type] + 1

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_PER_PERIOD[self.period_type] - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.last_month
        if last == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last + 1, 1) - dt.timedelta(days=1)

    @property
    def ordinal(self) -> int:
        """Consecutive number among periods of the same type (for trends and ranges)."""
        return self.year * (12 // MONTHS_PER_PERIOD[self.period_type]) + self.index - 1

    # -- relations ----------------------------------------------------------------------------
    def contains(self, other: Period) -> bool:
        """True when ``other`` lies wholly inside this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def is_finer_than(self, period_type: PeriodType) -> bool:
        return MONTHS_PER_PERIOD[self.period_type] < MONTHS_PER_PERIOD[period_type]

    def parent(self, period_type: PeriodType) -> Period:
        """The period of ``period_type`` that contains this one (itself for the same type)."""
        if MONTHS_PER_PERIOD[period_type] < MONTHS_PER_PERIOD[self.period_type]:
            raise PeriodError(
                _("Period %(code)s is longer than the period type asked for.")
                % {"code": self.code},
                field="period",
            )
        return period_of_date(self.start, period_type)

    def children(self, period_type: PeriodType) -> list[Period]:
        """The periods of ``period_type`` inside this one, in order."""
        size = MONTHS_PER_PERIOD[period_type]
        if size > MONTHS_PER_PERIOD[self.period_type]:
            raise PeriodError(
                _("Period %(code)s is shorter than the period type asked for.")
                % {"code": self.code},
                field="period",
            )
        first = (self.first_month - 1) // size + 1
        last = (self.last_month - 1) // size + 1
        return [Period(period_type, self.year, index) for index in range(first, last + 1)]

    def months(self) -> list[Period]:
        return self.children(PeriodType.MONTHLY)

    def shifted(self, steps: int) -> Period:
        per_year = 12 // MONTHS_PER_PERIOD[self.period_type]
        year, index = divmod(self.ordinal + steps, per_year)
        return Period(self.period_type, year, index + 1)

    def next(self) -> Period:
        return self.shifted(1)

    def previous(self) -> Period:
        return self.shifted(-1)

    # -- ordering: by start date, the longer period first when two start together -----------
    def sort_key(self) -> tuple[dt.date, int]:
        return (self.start, -MONTHS_PER_PERIOD[self.period_type])

    def __lt__(self, other: Period) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: Period) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: Period) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: Period) -> bool:
        return self.sort_key() >= other.sort_key()

    def __str__(self) -> str:
        return self.code


def parse_period(code: str | Period) -> Period:
    """Read a period code; raise :class:`PeriodError` saying which formats are accepted."""
    if isinstance(code, Period):
        return code
    return _parse_code(str(code))


@functools.lru_cache(maxsize=4096)
def _parse_code(code: str) -> Period:
    # Cached: roll-ups parse the same few hundred codes millions of times. Errors are not cached.
    text = code.strip().upper()
    if match := _YEARLY.fullmatch(text):
        return _build(text, PeriodType.YEARLY, int(match["year"]), 1)
    if match := _QUARTERLY.fullmatch(text):
        return _build(text, PeriodType.QUARTERLY, int(match["year"]), int(match["quarter"]))
    if match := _MONTHLY.fullmatch(text):
        return _build(text, PeriodType.MONTHLY, int(match["year"]), int(match["month"]))
    raise PeriodError(
        _(
            "Period “%(code)s” is not valid: write a year (2015), a quarter (2015Q1) "
            "or a month (201503)."
        )
        % {"code": code},
        field="period",
    )


def _build(text: str, period_type: PeriodType, year: int, index: int) -> Period:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        message = _(
            "Period “%(code)s” is not valid: the year must lie between %(first)s and %(last)s."
        )
    elif period_type is PeriodType.QUARTERLY and not 1 <= index <= 4:
        message = _("Period “%(code)s” is not valid: quarters are Q1 to Q4 (e.g. 2015Q1).")
    elif period_type is PeriodType.MONTHLY and not 1 <= index <= 12:
        message = _("Period “%(code)s” is not valid: months are 01 to 12 (e.g. 201503).")
    else:
        return Period(period_type, year, index)
    raise PeriodError(
        message % {"code": text, "first": EARLIEST_YEAR, "last": LATEST_YEAR}, field="period"
    )


def is_valid_period(code: str) -> bool:
    try:
        parse_period(code)
    except PeriodError:
        return False
    return True


def period_of_date(day: dt.date, period_type: PeriodType | str) -> Period:
    """The period of ``period_type`` that contains ``day``."""
    kind = PeriodType(period_type)
    return Period(kind, day.year, (day.month - 1) // MONTHS_PER_PERIOD[kind] + 1)


def period_range(first: str | Period, last: str | Period) -> list[Period]:
    """All periods from ``first`` to ``last`` inclusive (both of the same type)."""
    start, end = parse_period(first), parse_period(last)
    if start.period_type is not end.period_type:
        raise PeriodError(
            _("A range runs between periods of one type: %(first)s and %(last)s differ.")
            % {"first": start.code, "last": end.code},
            field="period",
        )
    if end < start:
        raise PeriodError(
            _("The range ends (%(last)s) before it starts (%(first)s).")
            % {"first": start.code, "last": end.code},
            field="period",
        )
    return list(iter_periods(start, end))


def iter_periods(first: Period, last: Period) -> Iterator[Period]:
    current = first
    while current <= last:
        yield current
        current = current.next()


@dataclass(frozen=True)
class ConvertedValue:
    """A coarser period's value built from sub-periods, with how many of them reported."""

    period: Period
    value: float | None
    reported: int  # sub-periods with a value
    expected: int  # sub-periods the period has
    aggregation: Aggregation
    source_codes: tuple[str, ...]  # the sub-periods used, in order

    @property
    def is_complete(self) -> bool:
        return self.reported == self.expected

    @property
    def completeness(self) -> float:
        return self.reported / self.expected if self.expected else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "value": self.value,
            "reported": self.reported,
            "expected": self.expected,
            "aggregation": self.aggregation.value,
            "source_periods": list(self.source_codes),
        }


def convert_series(
    values: Mapping[str, float | None] | Mapping[Period, float | None],
    *,
    to: PeriodType | str,
    aggregation: Aggregation | str,
) -> dict[Period, ConvertedValue]:
    """Combine a finer series (keys: period codes or Periods) into periods of type ``to``.

    Keys may mix types as long as none is coarser than ``to``; a key of type ``to`` passes through
    as it is (expected 1). Missing sub-periods (absent keys or ``None``) are left out and counted.
    Only periods with at least one key appear in the result.
    """
    target = PeriodType(to)
    how = Aggregation(aggregation)
    buckets: dict[Period, list[tuple[Period, float]]] = {}
    sizes: dict[Period, set[PeriodType]] = {}
    for key, value in values.items():
        period = parse_period(key)
        parent = period.parent(target)
        buckets.setdefault(parent, [])
        sizes.setdefault(parent, set()).add(period.period_type)
        if value is not None:
            buckets[parent].append((period, float(value)))
    result: dict[Period, ConvertedValue] = {}
    for parent in sorted(buckets):
        kinds = sizes[parent]
        if len(kinds) > 1:
            raise PeriodError(
                _("Period %(code)s has values of several period types; convert each type apart.")
                % {"code": parent.code},
                field="period",
            )
        (kind,) = kinds
        expected = MONTHS_PER_PERIOD[target] // MONTHS_PER_PERIOD[kind]
        reported = sorted(buckets[parent], key=lambda item: item[0].sort_key())
        result[parent] = ConvertedValue(
            period=parent,
            value=_combine([value for _period, value in reported], how),
            reported=len(reported),
            expected=expected,
            aggregation=how,
            source_codes=tuple(period.code for period, _value in reported),
        )
    return result


def _combine(values: list[float], how: Aggregation) -> float | None:
    if not values:
        return None
    if how is Aggregation.SUM:
        return float(sum(values))
    if how is Aggregation.LAST:
        return values[-1]
    return float(sum(values)) / len(values)
