"""Indicator values from the precomputed aggregates: series, unit comparisons, pivots and
equalisation metrics — always limited to the user's data scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from civicgrid.territory.models import AdminUnit

from ..compute.equalisation import (
    EqualisationSummary,
    EqualisationTrend,
    equalisation_trend,
    summarise,
)
from ..compute.periods import parse_period
from ..models import AggregateRefresh, Indicator, IndicatorAggregate
from .access import unit_codes_filter


@dataclass(frozen=True)
class AggregatePoint:
    period: str
    period_start: Any
    value: float | None
    numerator: float | None
    denominator: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


@dataclass(frozen=True)
class UnitValue:
    code: str
    name: str
    level: str
    value: float | None
    numerator: float | None
    denominator: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


def aggregates_visible_to(user: Any) -> QuerySet[IndicatorAggregate]:
    """The aggregate rows of the units in ``user``'s scope."""
    condition = unit_codes_filter(user)
    if condition is None:
        return IndicatorAggregate.objects.none()
    return IndicatorAggregate.objects.filter(condition)


def aggregate_series(
    user: Any, *, indicator: Indicator, unit_code: str, period_type: str = "yearly"
) -> list[AggregatePoint]:
    """The indicator's values at one unit over time (oldest first); empty outside the scope."""
    rows = (
        aggregates_visible_to(user)
        .filter(indicator=indicator, unit_code=unit_code, period_type=period_type)
        .order_by("period_start")
        .values_list("period", "period_start", "value", "numerator", "denominator")
    )
    return [AggregatePoint(*row) for row in rows]


def aggregate_units(
    user: Any,
    *,
    indicator: Indicator,
    period: str,
    level: str | None = None,
    parent_code: str | None = None,
) -> list[UnitValue]:
    """The indicator in one period for the units of ``level`` (under ``parent_code``) in scope,
    by code: district comparison, choropleth maps."""
    rows = aggregates_visible_to(user).filter(indicator=indicator, period=period)
    if level:
        rows = rows.filter(level=level)
    if parent_code:
        rows = rows.filter(unit__parent__code=parent_code)
    return [
        UnitValue(code, name, level_, value, numerator, denominator)
        for code, name, level_, value, numerator, denominator in rows.order_by(
            "unit_code"
        ).values_list("unit_code", "unit__name", "level", "value", "numerator", "denominator")
    ]


def latest_values(
    user: Any, *, unit_code: str, indicators: Iterable[Indicator], period_type: str = "yearly"
) -> dict[int, list[AggregatePoint]]:
    """All points of several indicators at one unit in one query (the cockpit's tiles and
    sparklines): ``{indicator id: [points oldest first]}``."""
    ids = [indicator.pk for indicator in indicators]
    rows = (
        aggregates_visible_to(user)
        .filter(indicator_id__in=ids, unit_code=unit_code, period_type=period_type)
        .order_by("indicator_id", "period_start")
        .values_list("indicator_id", "period", "period_start", "value", "numerator", "denominator")
    )
    found: dict[int, list[AggregatePoint]] = defaultdict(list)
    for indicator_id, period, start, value, numerator, denominator in rows:
        found[indicator_id].append(AggregatePoint(period, start, value, numerator, denominator))
    return dict(found)


def aggregate_series_many(
    user: Any,
    *,
    unit_code: str,
    period_type: str = "yearly",
    indicator_codes: Iterable[str] | None = None,
) -> dict[str, list[AggregatePoint]]:
    """The series of many indicators (all visible ones when ``indicator_codes`` is ``None``) at
    one unit, in one query: ``{indicator code: [points oldest first]}``."""
    rows = aggregates_visible_to(user).filter(
        unit_code=unit_code, period_type=period_type, indicator__is_active=True
    )
    if indicator_codes is not None:
        rows = rows.filter(indicator__code__in=list(indicator_codes))
    found: dict[str, list[AggregatePoint]] = defaultdict(list)
    for code, period, start, value, numerator, denominator in rows.order_by(
        "indicator__code", "period_start"
    ).values_list("indicator__code", "period", "period_start", "value", "numerator", "denominator"):
        found[code].append(AggregatePoint(period, start, value, numerator, denominator))
    return dict(found)


def periods_with_values(user: Any, *, period_type: str = "yearly") -> list[str]:
    """The periods of ``period_type`` that have aggregates in the user's scope, oldest first."""
    rows = (
        aggregates_visible_to(user)
        .filter(period_type=period_type)
        .values_list("period", "period_start")
        .distinct()
        .order_by("period_start")
    )
    seen: dict[str, None] = {}
    for period, _start in rows:
        seen.setdefault(period, None)
    return list(seen)


def aggregate_pivot(
    user: Any,
    *,
    indicator_codes: Sequence[str],
    periods: Sequence[str],
    unit_codes: Sequence[str] | None = None,
    level: str | None = None,
) -> list[dict[str, Any]]:
    """Rows ``indicator × unit × period`` (export-ready, sorted) for the pivot table."""
    rows = aggregates_visible_to(user).filter(
        indicator__code__in=list(indicator_codes), period__in=list(periods)
    )
    if unit_codes is not None:
        rows = rows.filter(unit_code__in=list(unit_codes))
    if level:
        rows = rows.filter(level=level)
    return [
        {
            "indicator": code,
            "indicator_name": name,
            "unit": unit_code,
            "unit_name": unit_name,
            "level": unit_level,
            "period": period,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
        }
        for code, name, unit_code, unit_name, unit_level, period, value, numerator, denominator in (
            rows.order_by(
                "indicator__sort_order", "indicator__code", "unit_code", "period_start"
            ).values_list(
                "indicator__code",
                "indicator__name",
                "unit_code",
                "unit__name",
                "level",
                "period",
                "value",
                "numerator",
                "denominator",
            )
        )
    ]


def _weights(rows: Iterable[UnitValue], weighting: str) -> dict[str, float | None] | None:
    if weighting != "denominator":
        return None
    return {row.code: row.denominator for row in rows}


def equalisation_for(
    user: Any,
    *,
    indicator: Indicator,
    period: str,
    level: str = "district",
    parent_code: str | None = None,
    weighting: str = "",
) -> tuple[list[UnitValue], EqualisationSummary]:
    """Gaps between the units of ``level`` for one period: max/min ratio, coefficient of
    variation, Theil index (``weighting="denominator"`` weights each unit by the indicator's
    denominator there — its population for per-capita indicators)."""
    rows = aggregate_units(
        user, indicator=indicator, period=period, level=level, parent_code=parent_code
    )
    values = {row.code: row.value for row in rows}
    return rows, summarise(values, _weights(rows, weighting))


def equalisation_overview(
    user: Any,
    *,
    period: str,
    level: str = "district",
    weighting: str = "",
    indicators: Iterable[Indicator] | None = None,
) -> dict[int, tuple[list[UnitValue], EqualisationSummary]]:
    """:func:`equalisation_for` of many indicators (all active ones by default) in one query:
    ``{indicator id: (rows, summary)}`` for the equalisation page's overview."""
    rows = aggregates_visible_to(user).filter(
        # The period type too, so that the (indicator, period type, level, period) index is
        # read by its whole prefix for each indicator.
        period=period,
        period_type=parse_period(period).period_type.value,
        level=level,
        indicator__is_active=True,
    )
    wanted = None
    if indicators is not None:
        wanted = [indicator.pk for indicator in indicators]
        rows = rows.filter(indicator__in=wanted)
    grouped: dict[int, list[UnitValue]] = defaultdict(list)
    for indicator_id in wanted or ():
        grouped[indicator_id] = []  # no value: an empty summary, as equalisation_for gives
    for indicator_id, code, name, unit_level, value, numerator, denominator in rows.order_by(
        "indicator_id", "unit_code"
    ).values_list(
        "indicator_id", "unit_code", "unit__name", "level", "value", "numerator", "denominator"
    ):
        grouped[indicator_id].append(
            UnitValue(code, name, unit_level, value, numerator, denominator)
        )
    return {
        indicator_id: (
            units,
            summarise({u.code: u.value for u in units}, _weights(units, weighting)),
        )
        for indicator_id, units in grouped.items()
    }


def equalisation_series(
    user: Any,
    *,
    indicator: Indicator,
    period_type: str = "yearly",
    level: str = "district",
    parent_code: str | None = None,
    weighting: str = "",
) -> EqualisationTrend | None:
    """The metrics per period and whether each gap narrows or widens (``None`` without data)."""
    rows = aggregates_visible_to(user).filter(
        indicator=indicator, period_type=period_type, level=level
    )
    if parent_code:
        rows = rows.filter(unit__parent__code=parent_code)
    series: dict[str, dict[str, float | None]] = defaultdict(dict)
    weights: dict[str, dict[str, float | None]] = defaultdict(dict)
    for period, code, value, denominator in rows.values_list(
        "period", "unit_code", "value", "denominator"
    ):
        series[period][code] = value
        weights[period][code] = denominator
    if not series:
        return None
    return equalisation_trend(series, weights if weighting == "denominator" else None)


def unit_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(AdminUnit.objects.filter(code__in=list(codes)).values_list("code", "name"))


def last_refresh() -> AggregateRefresh | None:
    return AggregateRefresh.objects.order_by("-at").first()
