"""Equalisation (均等化): how unequal an indicator is across units, and whether gaps close.

Input: an indicator's value ``y_i`` per unit (``None`` = no value; such units are left out and
listed in ``detail["excluded"]``) and, optionally, a weight ``p_i`` per unit — the population
the value refers to (for "beds per 1,000 elderly" the elderly population, for "volunteers as a
share of residents" the residents). Without weights every unit counts the same (``p_i = 1``).

Formulas (n units with values, ``P = Σ p_i``, ``q_i = p_i / P``):

- **max/min ratio** = ``max y_i / min y_i`` (unweighted; needs y ≥ 0 and min > 0).
- **coefficient of variation** (CV) = σ / μ with the **population** standard deviation
  (divide by n, not n − 1): ``μ = Σ q_i y_i``, ``σ = sqrt(Σ q_i (y_i − μ)²)``. Without weights
  ``q_i = 1/n``, i.e. ``numpy.std(y) / numpy.mean(y)``. Needs μ > 0.
- **Theil index T** (GE(1)): the unit's share of the total "amount" ``s_i = p_i y_i / Σ p_j y_j``
  against its population share ``q_i``:
  ``T = Σ s_i ln(s_i / q_i) = Σ q_i (y_i / μ) ln(y_i / μ)``, a term with ``y_i = 0`` counting 0.
  0 means perfect equality; the maximum is ``ln(1 / q_min)``. Needs y ≥ 0 and μ > 0.
- **Theil decomposition** over groups g that partition the units (urban / rural):
  ``T = T_between + T_within``, ``T_between = Σ_g S_g ln(S_g / Q_g)``,
  ``T_within = Σ_g S_g T_g`` with ``S_g = Σ_{i∈g} s_i``, ``Q_g = Σ_{i∈g} q_i`` and ``T_g`` the Theil
  index inside group g.
- **gap** between two group figures a and b (urban vs rural, registered vs floating population):
  difference ``a − b``, ratio ``a / b``.

Every metric returns a :class:`Metric`: a value, or ``None`` with a reason code
(``too_few_units``, ``negative_value``, ``zero_minimum``, ``non_positive_mean``,
``missing_weight``, ``ungrouped_units``), and the details behind it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .fitting import linear_fit
from .periods import Period, parse_period

TOO_FEW_UNITS = "too_few_units"
NEGATIVE_VALUE = "negative_value"
ZERO_MINIMUM = "zero_minimum"
NON_POSITIVE_MEAN = "non_positive_mean"
MISSING_WEIGHT = "missing_weight"
UNGROUPED_UNITS = "ungrouped_units"
NO_VALUE = "no_value"

Direction = Literal["narrowing", "widening", "stable"]


@dataclass(frozen=True)
class Metric:
    value: float | None
    reason: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason, "detail": dict(self.detail)}


@dataclass(frozen=True)
class _Prepared:
    units: list[str]
    values: list[float]
    weights: list[float]  # q_i, summing to 1
    excluded: list[str]
    raw_weights: list[float] = field(default_factory=list)  # p_i as given
    reason: str | None = None
    bad_units: list[str] = field(default_factory=list)


def _prepare(
    values: Mapping[str, float | None],
    populations: Mapping[str, float | None] | None,
    *,
    minimum_units: int = 2,
) -> _Prepared:
    units: list[str] = []
    numbers: list[float] = []
    excluded: list[str] = []
    for unit in sorted(values):
        value = values[unit]
        if value is None or not math.isfinite(float(value)):
            excluded.append(unit)
            continue
        units.append(unit)
        numbers.append(float(value))
    if populations is None:
        raw_weights = [1.0] * len(units)
    else:
        missing = [
            unit
            for unit in units
            if populations.get(unit) is None
            or not math.isfinite(float(populations[unit]))  # type: ignore[arg-type]
            or float(populations[unit]) <= 0  # type: ignore[arg-type]
        ]
        if missing:
            return _Prepared(units, numbers, [], excluded, reason=MISSING_WEIGHT, bad_units=missing)
        raw_weights = [float(populations[unit]) for unit in units]  # type: ignore[arg-type]
    if len(units) < minimum_units:
        return _Prepared(units, numbers, [], excluded, reason=TOO_FEW_UNITS)
    total = math.fsum(raw_weights)
    return _Prepared(
        units,
        numbers,
        [weight / total for weight in raw_weights],
        excluded,
        raw_weights=raw_weights,
    )


def _mean(prepared: _Prepared) -> float:
    """Σ p_i y_i / Σ p_i, summed exactly (equal values give exactly their value)."""
    pairs = zip(prepared.raw_weights, prepared.values, strict=True)
    return math.fsum(p * y for p, y in pairs) / math.fsum(prepared.raw_weights)


def _failed(prepared: _Prepared, reason: str | None = None, **detail: Any) -> Metric:
    info: dict[str, Any] = {"units": len(prepared.units), "excluded": prepared.excluded}
    if prepared.bad_units:
        info["bad_units"] = prepared.bad_units
    info.update(detail)
    return Metric(None, reason or prepared.reason, info)


def max_min_ratio(values: Mapping[str, float | None]) -> Metric:
    """``max / min`` of the units' values (detail names both units)."""
    prepared = _prepare(values, None)
    if prepared.reason:
        return _failed(prepared)
    negative = [u for u, v in zip(prepared.units, prepared.values, strict=True) if v < 0]
    if negative:
        return _failed(prepared, NEGATIVE_VALUE, bad_units=negative)
    pairs = list(zip(prepared.units, prepared.values, strict=True))
    high_unit, high = max(pairs, key=lambda pair: (pair[1], pair[0]))
    low_unit, low = min(pairs, key=lambda pair: (pair[1], pair[0]))
    detail = {
        "units": len(pairs),
        "excluded": prepared.excluded,
        "max_unit": high_unit,
        "max": high,
        "min_unit": low_unit,
        "min": low,
    }
    if low == 0:
        return Metric(None, ZERO_MINIMUM, detail)
    return Metric(high / low, None, detail)


def weighted_mean(
    values: Mapping[str, float | None], populations: Mapping[str, float | None] | None = None
) -> Metric:
    """μ = Σ q_i y_i (the plain mean without populations)."""
    prepared = _prepare(values, populations, minimum_units=1)
    if prepared.reason:
        return _failed(prepared)
    return Metric(
        _mean(prepared), None, {"units": len(prepared.units), "excluded": prepared.excluded}
    )


def coefficient_of_variation(
    values: Mapping[str, float | None], populations: Mapping[str, float | None] | None = None
) -> Metric:
    """σ / μ with the population standard deviation (weighted by ``populations`` if given)."""
    prepared = _prepare(values, populations)
    if prepared.reason:
        return _failed(prepared)
    pairs = list(zip(prepared.weights, prepared.values, strict=True))
    mean = _mean(prepared)
    if mean <= 0:
        return _failed(prepared, NON_POSITIVE_MEAN, mean=mean)
    variance = math.fsum(q * (y - mean) ** 2 for q, y in pairs)
    deviation = math.sqrt(variance)
    return Metric(
        deviation / mean,
        None,
        {
            "units": len(pairs),
            "excluded": prepared.excluded,
            "mean": mean,
            "standard_deviation": deviation,
            "weighted": populations is not None,
        },
    )


def _theil(values: list[float], weights: list[float]) -> float:
    """Σ q_i (y_i/μ) ln(y_i/μ) for weights q summing to 1."""
    mean = math.fsum(q * y for q, y in zip(weights, values, strict=True))
    if all(y == values[0] for y in values):
        return 0.0
    terms = [
        q * (y / mean) * math.log(y / mean) for q, y in zip(weights, values, strict=True) if y > 0
    ]
    return max(math.fsum(terms), 0.0)  # rounding can leave -1e-17 for near-equal values


def theil_index(
    values: Mapping[str, float | None], populations: Mapping[str, float | None] | None = None
) -> Metric:
    """Theil's T = Σ q_i (y_i/μ) ln(y_i/μ) (population-weighted when ``populations`` is given)."""
    prepared = _prepare(values, populations)
    if prepared.reason:
        return _failed(prepared)
    negative = [u for u, v in zip(prepared.units, prepared.values, strict=True) if v < 0]
    if negative:
        return _failed(prepared, NEGATIVE_VALUE, bad_units=negative)
    mean = _mean(prepared)
    if mean <= 0:
        return _failed(prepared, NON_POSITIVE_MEAN, mean=mean)
    shares = {
        unit: q * y / mean
        for unit, q, y in zip(prepared.units, prepared.weights, prepared.values, strict=True)
    }
    return Metric(
        _theil(prepared.values, prepared.weights),
        None,
        {
            "units": len(prepared.units),
            "excluded": prepared.excluded,
            "mean": mean,
            "weighted": populations is not None,
            "maximum": math.log(1 / min(prepared.weights)),
            "shares": shares,
        },
    )


@dataclass(frozen=True)
class TheilDecomposition:
    total: Metric
    between: float | None
    within: float | None
    groups: Mapping[str, Mapping[str, float | None]]  # per group: share S_g, weight Q_g, T_g

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total.as_dict(),
            "between": self.between,
            "within": self.within,
            "groups": {name: dict(info) for name, info in self.groups.items()},
        }


def theil_decomposition(
    values: Mapping[str, float | None],
    groups: Mapping[str, Collection[str]],
    populations: Mapping[str, float | None] | None = None,
) -> TheilDecomposition:
    """Split Theil's T into the part between ``groups`` and the part within them."""
    total = theil_index(values, populations)
    if total.value is None:
        return TheilDecomposition(total, None, None, {})
    prepared = _prepare(values, populations)
    group_of: dict[str, str] = {}
    for name, members in groups.items():
        for unit in members:
            group_of.setdefault(unit, name)
    ungrouped = [unit for unit in prepared.units if unit not in group_of]
    if ungrouped:
        failed = Metric(None, UNGROUPED_UNITS, {"bad_units": ungrouped})
        return TheilDecomposition(failed, None, None, {})
    mean = _mean(prepared)
    between = 0.0
    within = 0.0
    info: dict[str, dict[str, float | None]] = {}
    for name in groups:
        in_group = [
            (q, y)
            for unit, q, y in zip(prepared.units, prepared.weights, prepared.values, strict=True)
            if group_of[unit] == name
        ]
        if not in_group:
            info[name] = {"share": None, "weight": None, "theil": None}
            continue
        weight = sum(q for q, _y in in_group)
        share = math.fsum(q * y for q, y in in_group) / mean
        group_values = [y for _q, y in in_group]
        group_weights = [q / weight for q, _y in in_group]
        group_theil = _theil(group_values, group_weights) if share > 0 else 0.0
        if share > 0:
            between += share * math.log(share / weight)
        within += share * group_theil
        info[name] = {"share": share, "weight": weight, "theil": group_theil}
    return TheilDecomposition(total, between, within, info)


@dataclass(frozen=True)
class Gap:
    """The gap between two group figures (``a`` the first group, e.g. urban; ``b`` rural)."""

    a: float | None
    b: float | None
    difference: float | None
    ratio: float | None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "difference": self.difference,
            "ratio": self.ratio,
            "reason": self.reason,
        }


def group_gap(a: float | None, b: float | None) -> Gap:
    """Difference ``a − b`` and ratio ``a / b`` (no ratio when b is 0)."""
    if a is None or b is None:
        return Gap(a, b, None, None, NO_VALUE)
    difference = a - b
    if b == 0:
        return Gap(a, b, difference, None, ZERO_MINIMUM)
    return Gap(a, b, difference, a / b)


@dataclass(frozen=True)
class EqualisationSummary:
    units: int
    mean: Metric
    max_min_ratio: Metric
    coefficient_of_variation: Metric
    theil: Metric

    def metric(self, name: str) -> Metric:
        return {
            "max_min_ratio": self.max_min_ratio,
            "coefficient_of_variation": self.coefficient_of_variation,
            "theil": self.theil,
            "mean": self.mean,
        }[name]

    def as_dict(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "mean": self.mean.as_dict(),
            "max_min_ratio": self.max_min_ratio.as_dict(),
            "coefficient_of_variation": self.coefficient_of_variation.as_dict(),
            "theil": self.theil.as_dict(),
        }


def summarise(
    values: Mapping[str, float | None], populations: Mapping[str, float | None] | None = None
) -> EqualisationSummary:
    """All metrics for one indicator and period (CV and Theil weighted when populations given)."""
    return EqualisationSummary(
        units=sum(1 for value in values.values() if value is not None),
        mean=weighted_mean(values, populations),
        max_min_ratio=max_min_ratio(values),
        coefficient_of_variation=coefficient_of_variation(values, populations),
        theil=theil_index(values, populations),
    )


TREND_METRICS = ("max_min_ratio", "coefficient_of_variation", "theil")


@dataclass(frozen=True)
class EqualisationTrend:
    periods: tuple[str, ...]
    summaries: tuple[EqualisationSummary, ...]
    slopes: Mapping[str, float | None]  # change per period of each metric (least squares)
    directions: Mapping[str, Direction | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": list(self.periods),
            "summaries": [summary.as_dict() for summary in self.summaries],
            "slopes": dict(self.slopes),
            "directions": dict(self.directions),
        }


def equalisation_trend(
    series: Mapping[str, Mapping[str, float | None]] | Mapping[Period, Mapping[str, float | None]],
    populations: Mapping[str, Mapping[str, float | None]]
    | Mapping[Period, Mapping[str, float | None]]
    | None = None,
    *,
    tolerance: float = 0.02,
) -> EqualisationTrend:
    """The metrics per period and whether each gap narrows or widens.

    ``series`` maps period codes (one period type) to the values per unit; ``populations``, when
    given, maps the same periods to the weights per unit. The slope is the least-squares change
    per period; a metric is ``stable`` when the fitted change over the whole span is within
    ``tolerance`` (2 %) of the metric's mean level, ``narrowing`` when it falls and ``widening``
    when it rises (lower means more equal for all three metrics).
    """
    ordered = sorted((parse_period(key), key) for key in series)
    weights_by_period = (
        {parse_period(key): value for key, value in populations.items()} if populations else {}
    )
    summaries = []
    for period, key in ordered:
        weights = weights_by_period.get(period) if populations else None
        summaries.append(summarise(series[key], weights))  # type: ignore[index]
    slopes: dict[str, float | None] = {}
    directions: dict[str, Direction | None] = {}
    for name in TREND_METRICS:
        points: list[tuple[float, float]] = []
        for (period, _key), summary in zip(ordered, summaries, strict=True):
            value = summary.metric(name).value
            if value is not None:
                points.append((float(period.ordinal), value))
        fit = linear_fit([x for x, _y in points], [y for _x, y in points])
        if fit is None:
            slopes[name] = None
            directions[name] = None
            continue
        slopes[name] = fit.slope
        span = points[-1][0] - points[0][0]
        level = sum(abs(y) for _x, y in points) / len(points)
        change = fit.slope * span
        if abs(change) <= tolerance * level:
            directions[name] = "stable"
        else:
            directions[name] = "narrowing" if change < 0 else "widening"
    return EqualisationTrend(
        periods=tuple(period.code for period, _key in ordered),
        summaries=tuple(summaries),
        slopes=slopes,
        directions=directions,
    )
