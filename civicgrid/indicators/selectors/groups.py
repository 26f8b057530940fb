"""Equalisation between groups, from the precomputed aggregates (docs/adr/0008-indicator-groups.md).

* **Unit groups** (urban / rural, regions such as 西部地区, functional zones such as 横琴新区): an
  indicator for a group sums the numerators and the denominators of the group's units and then
  divides (:func:`civicgrid.indicators.compute.rollup.indicator_for_group`) — ratios are never
  averaged. A unit's aggregate already holds its whole subtree, so only the group's *top* units
  (those without another member above them) are summed. A group is computed only when every one of
  its top units is in the user's data scope; otherwise its value is ``None`` (``complete=False``)
  rather than a figure for part of it. Groups of one kind are compared pairwise (the first two by
  order: difference and ratio); a kind with a single group is compared with the rest of the city
  (the city's numerator and denominator minus the group's). The Theil index of the units of a
  level is split into the part between the groups and the part within them (units in no group of
  the kind form the group "rest of the city").
* **Population comparisons**: the indicator for registered residents and the one for the floating
  population side by side per period and unit, with their gap (difference and ratio).

Admin-unit codes are hierarchical (a unit's code starts with its parents' codes), as the data
scopes assume (:func:`civicgrid.indicators.selectors.access.unit_codes_filter`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.territory.models import AdminLevel

from ..compute.equalisation import Gap, TheilDecomposition, group_gap, theil_decomposition
from ..compute.expressions import IndicatorFormula
from ..compute.rollup import UnitTree, indicator_for_group
from ..models import Indicator, PopulationComparison, UnitGroup, UnitGroupKind
from .access import covers
from .values import aggregates_visible_to

REST = "__rest__"


@dataclass(frozen=True)
class GroupValue:
    """An indicator over one group (or the rest of the city) in one period."""

    code: str
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    reported: int  # top units with a value
    expected: int  # top units of the group
    complete: bool  # every top unit is in the user's scope

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "reported": self.reported,
            "expected": self.expected,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class GroupPeriod:
    period: str
    groups: list[GroupValue]
    gap: Gap | None  # groups[0] against groups[1]
    decomposition: TheilDecomposition | None  # of the level's units, by group

    @property
    def between_share(self) -> float | None:
        """The part of the Theil index that lies between the groups (0..1)."""
        decomposition = self.decomposition
        if decomposition is None or decomposition.between is None:
            return None
        total = decomposition.total.value
        if not total:
            return None
        return decomposition.between / total


@dataclass(frozen=True)
class GroupComparison:
    indicator: Indicator
    kind: str
    level: str
    sides: list[tuple[str, str]]  # (code, name) in order; REST for the rest of the city
    periods: list[GroupPeriod] = field(default_factory=list)

    def as_rows(self) -> list[dict[str, Any]]:
        """One row per period (export-ready)."""
        rows = []
        for item in self.periods:
            row: dict[str, Any] = {"period": item.period}
            for index, value in enumerate(item.groups[:2]):
                row[f"group_{index}"] = value.name
                row[f"value_{index}"] = value.value
            gap = item.gap
            row["difference"] = gap.difference if gap else None
            row["ratio"] = gap.ratio if gap else None
            decomposition = item.decomposition
            row["theil"] = decomposition.total.value if decomposition else None
            row["between"] = decomposition.between if decomposition else None
            row["within"] = decomposition.within if decomposition else None
            row["between_share"] = item.between_share
            rows.append(row)
        return rows


def unit_groups(*, kind: str | None = None) -> QuerySet[UnitGroup]:
    """The active unit groups (definitions: visible to every staff user), ordered."""
    groups = UnitGroup.objects.filter(is_active=True).prefetch_related("units")
    if kind:
        groups = groups.filter(kind=kind)
    return groups.order_by("kind", "sort_order", "code")


def group_kinds() -> list[str]:
    """The kinds that have at least one active group, in the order of their definition
    (urban / rural first: the gap the equalisation plan speaks of most)."""
    kinds = set(UnitGroup.objects.filter(is_active=True).values_list("kind", flat=True).distinct())
    return [kind for kind in UnitGroupKind.values if kind in kinds]


def _tops(codes: Iterable[str]) -> list[str]:
    """The codes not inside another one of them."""
    ordered = sorted(set(codes), key=lambda code: (len(code), code))
    tops: list[str] = []
    for code in ordered:
        if not any(code.startswith(top) for top in tops):
            tops.append(code)
    return tops


def _formula(indicator: Indicator) -> IndicatorFormula:
    return IndicatorFormula.from_texts(
        "#{N}", "#{D}" if indicator.denominator else "", factor=float(indicator.factor)
    )


def _group_value(
    code: str,
    name: str,
    tops: list[str],
    formula: IndicatorFormula,
    numerators: dict[str, float | None],
    denominators: dict[str, float | None],
    complete: bool,
) -> GroupValue:
    if not complete:
        return GroupValue(code, name, None, None, None, 0, len(tops), False)
    tree = UnitTree.from_parent_map(dict.fromkeys(tops))
    values = {"N": {top: numerators.get(top) for top in tops}}
    if "D" in formula.codes:
        values["D"] = {top: denominators.get(top) for top in tops}
    rolled = indicator_for_group(tree, tops, formula, values, expected=tops, matched=True)
    return GroupValue(
        code,
        name,
        rolled.value,
        rolled.numerator,
        rolled.denominator,
        rolled.reported,
        len(tops),
        True,
    )


def _rest_value(
    city: tuple[float | None, float | None] | None,
    group: GroupValue,
    formula: IndicatorFormula,
) -> GroupValue:
    """The rest of the city: the city's numerator and denominator minus the group's."""
    name = _("Rest of the city")
    if city is None or group.numerator is None or city[0] is None:
        return GroupValue(REST, name, None, None, None, 0, 0, city is not None)
    numerator = city[0] - group.numerator
    denominator = None
    if "D" in formula.codes:
        if city[1] is None or group.denominator is None:
            return GroupValue(REST, name, None, None, None, 0, 0, True)
        denominator = city[1] - group.denominator
    values: dict[str, float | None] = {"N": numerator}
    if denominator is not None:
        values["D"] = denominator
    result = formula.evaluate(values)
    return GroupValue(REST, name, result.value, numerator, denominator, 1, 1, True)


def group_comparisons(
    user: Any,
    *,
    indicators: Sequence[Indicator],
    kind: str,
    level: str = AdminLevel.DISTRICT,
    period_type: str = "yearly",
    weighting: str = "",
) -> dict[int, GroupComparison]:
    """For each indicator: its value per group of ``kind`` and period, the gap between the first
    two groups (or the group and the rest of the city), and the Theil decomposition of the units
    of ``level`` by group (weighted by the denominator with ``weighting="denominator"``).

    Two queries for any number of indicators (the groups, the aggregates)."""
    groups = list(unit_groups(kind=kind))
    if not groups or not indicators:
        return {}
    declared = {group.code: _tops(unit.code for unit in group.units.all()) for group in groups}
    all_tops = sorted({code for tops in declared.values() for code in tops})
    complete = {
        group.code: all(covers(user, code) for code in declared[group.code]) for group in groups
    }
    rows = (
        aggregates_visible_to(user)
        .filter(indicator__in=[indicator.pk for indicator in indicators], period_type=period_type)
        .filter(Q(unit_code__in=all_tops) | Q(level=level) | Q(level=AdminLevel.CITY))
        .values_list("indicator_id", "period", "unit_code", "level", "numerator", "denominator")
    )
    # indicator → period → unit → (numerator, denominator)
    found: dict[int, dict[str, dict[str, tuple[float | None, float | None]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    city_code: dict[int, dict[str, str]] = defaultdict(dict)
    level_units: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for indicator_id, period, code, unit_level, numerator, denominator in rows:
        found[indicator_id][period][code] = (numerator, denominator)
        if unit_level == AdminLevel.CITY:
            city_code[indicator_id][period] = code
        if unit_level == level:
            level_units[indicator_id][period].append(code)
    result: dict[int, GroupComparison] = {}
    for indicator in indicators:
        formula = _formula(indicator)
        sides = [(group.code, group.name) for group in groups]
        if len(groups) == 1:
            sides.append((REST, _("Rest of the city")))
        comparison = GroupComparison(indicator, kind, level, sides)
        periods = found.get(indicator.pk, {})
        for period in sorted(periods):
            by_unit = periods[period]
            numerators = {code: pair[0] for code, pair in by_unit.items()}
            denominators = {code: pair[1] for code, pair in by_unit.items()}
            values = [
                _group_value(
                    group.code,
                    group.name,
                    declared[group.code],
                    formula,
                    numerators,
                    denominators,
                    complete[group.code],
                )
                for group in groups
            ]
            if len(groups) == 1:
                city = city_code[indicator.pk].get(period)
                values.append(_rest_value(by_unit.get(city) if city else None, values[0], formula))
            gap = group_gap(values[0].value, values[1].value)
            comparison.periods.append(
                GroupPeriod(
                    period,
                    values,
                    gap,
                    _decomposition(
                        indicator,
                        formula,
                        level_units[indicator.pk].get(period, []),
                        by_unit,
                        declared,
                        weighting,
                    ),
                )
            )
        result[indicator.pk] = comparison
    return result


def _decomposition(
    indicator: Indicator,
    formula: IndicatorFormula,
    units: list[str],
    by_unit: dict[str, tuple[float | None, float | None]],
    declared: dict[str, list[str]],
    weighting: str,
) -> TheilDecomposition | None:
    if not units:
        return None
    values: dict[str, float | None] = {}
    for code in units:
        numerator, denominator = by_unit[code]
        point: dict[str, float | None] = {"N": numerator}
        if "D" in formula.codes:
            point["D"] = denominator
        values[code] = formula.evaluate(point).value
    members: dict[str, list[str]] = {}
    for group_code, tops in declared.items():
        members[group_code] = [code for code in units if any(code.startswith(top) for top in tops)]
    grouped = {code for codes in members.values() for code in codes}
    members[REST] = [code for code in units if code not in grouped]
    populations = None
    if weighting == "denominator":
        populations = {code: by_unit[code][1] for code in units}
    return theil_decomposition(values, members, populations)


def group_comparison(
    user: Any,
    *,
    indicator: Indicator,
    kind: str,
    level: str = AdminLevel.DISTRICT,
    period_type: str = "yearly",
    weighting: str = "",
) -> GroupComparison | None:
    """:func:`group_comparisons` of one indicator (``None`` without groups of ``kind``)."""
    return group_comparisons(
        user,
        indicators=[indicator],
        kind=kind,
        level=level,
        period_type=period_type,
        weighting=weighting,
    ).get(indicator.pk)


# ---------------------------------------------------------------------------------------------
# Registered residents vs the floating population
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationGap:
    """The two indicators at one unit in one period and their gap (registered − floating,
    registered / floating)."""

    period: str
    unit_code: str
    unit_name: str
    registered: float | None
    floating: float | None
    gap: Gap

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "unit": self.unit_code,
            "unit_name": self.unit_name,
            "registered": self.registered,
            "floating": self.floating,
            **{f"gap_{key}": value for key, value in self.gap.as_dict().items()},
        }


def population_comparisons() -> QuerySet[PopulationComparison]:
    """The active comparisons (definitions: visible to every staff user)."""
    return (
        PopulationComparison.objects.filter(is_active=True)
        .select_related("indicator", "registered", "floating")
        .order_by("sort_order", "code")
    )


def population_gaps(
    user: Any,
    *,
    comparison: PopulationComparison,
    unit_codes: Iterable[str] | None = None,
    level: str | None = None,
    period_type: str = "yearly",
) -> list[PopulationGap]:
    """Registered vs floating per period and unit (of ``unit_codes`` or of ``level``) in the
    user's scope, by unit then period (one query)."""
    rows = aggregates_visible_to(user).filter(
        indicator_id__in=[comparison.registered_id, comparison.floating_id],
        period_type=period_type,
    )
    if unit_codes is not None:
        rows = rows.filter(unit_code__in=list(unit_codes))
    if level:
        rows = rows.filter(level=level)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    order: dict[tuple[str, str], Any] = {}
    for indicator_id, code, name, period, start, value in rows.values_list(
        "indicator_id", "unit_code", "unit__name", "period", "period_start", "value"
    ):
        key = (code, period)
        entry = pairs.setdefault(key, {"name": name})
        entry["registered" if indicator_id == comparison.registered_id else "floating"] = value
        order[key] = start
    gaps = []
    for code, period in sorted(pairs, key=lambda key: (key[0], order[key])):
        entry = pairs[(code, period)]
        registered, floating = entry.get("registered"), entry.get("floating")
        gaps.append(
            PopulationGap(
                period, code, entry["name"], registered, floating, group_gap(registered, floating)
            )
        )
    return gaps


def unit_group_members(groups: Iterable[UnitGroup]) -> dict[str, list[tuple[str, str]]]:
    """Each group's declared units as (code, name), for showing what a group is."""
    return {
        group.code: sorted((unit.code, unit.name) for unit in group.units.all()) for group in groups
    }


def population_comparison_of(code: str) -> PopulationComparison | None:
    return population_comparisons().filter(code=code).first()
