"""Values up the admin-unit tree, for unit groups and by level.

Rules:

- A data element's value at a unit is the **sum of the values reported in its subtree**, the unit
  itself included (as DHIS2 aggregates). Counts and stock figures of different units add up.
- An indicator at a unit is computed from the **rolled-up data elements** — numerator and
  denominator are summed first, then divided — never as an average of the children's ratios.
  Two districts with 10 beds per 1,000 elderly of 1,000 and 30 per 1,000 of 3,000 make
  (10 + 90) × 1000 / 4000 = 25, not (10 + 30) / 2 = 20.
- A missing value is not a zero: it is left out of the sum, and every rolled-up value says how
  many of the units expected to report did (``reported`` / ``expected``, by default the leaves of
  the tree; pass the units a data set is assigned to) and how many direct children have any
  value in their subtree. A unit none of whose subtree reported has no value (``None``).
- With ``matched=True`` an indicator counts only units that reported **every** data element of
  its formula, so that numerator and denominator cover the same units (a community that reported
  beds but not its elderly population does not inflate the ratio). Use it when all the elements
  are reported at the same level; with the default ``matched=False`` each element is summed on
  its own (needed when, say, the population is known per grid and beds per street).
- A unit group (urban / rural, western districts, functional zones) is the union of the subtrees
  of its units; a unit that falls under two of them counts once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from django.utils.translation import gettext as _

from .errors import TreeError
from .expressions import IndicatorFormula, IndicatorValue

T = TypeVar("T")


@dataclass(frozen=True)
class UnitTree:
    """The admin-unit tree as plain data: the parent of each unit code (``None`` for a root)."""

    parent_of: Mapping[str, str | None]
    levels: Mapping[str, str]
    children_of: Mapping[str, tuple[str, ...]]
    order: tuple[str, ...]  # parents before children (breadth first from the roots)
    depth_of: Mapping[str, int]

    @classmethod
    def from_parent_map(
        cls, parent_of: Mapping[str, str | None], levels: Mapping[str, str] | None = None
    ) -> UnitTree:
        """Check the map (known parents, no cycles) and index it."""
        parents = {
            str(code): (str(parent) if parent else None) for code, parent in parent_of.items()
        }
        children: dict[str, list[str]] = {code: [] for code in parents}
        roots: list[str] = []
        for code, parent in parents.items():
            if parent is None:
                roots.append(code)
            elif parent not in parents:
                raise TreeError(
                    _("Unit %(code)s has parent %(parent)s, which is not in the tree.")
                    % {"code": code, "parent": parent},
                    field="parent",
                )
            else:
                children[parent].append(code)
        order: list[str] = []
        depth: dict[str, int] = {}
        queue = sorted(roots)
        for root in queue:
            depth[root] = 0
        position = 0
        while position < len(queue):
            code = queue[position]
            position += 1
            order.append(code)
            for child in sorted(children[code]):
                depth[child] = depth[code] + 1
                queue.append(child)
        if len(order) != len(parents):
            stuck = sorted(set(parents) - set(order))
            raise TreeError(
                _("The units %(codes)s form a cycle: none of them leads to a root.")
                % {"codes": ", ".join(stuck[:10])},
                field="parent",
            )
        unit_levels = {str(code): str(level) for code, level in (levels or {}).items()}
        unknown = sorted(set(unit_levels) - set(parents))
        if unknown:
            raise TreeError(
                _("Levels are given for units not in the tree: %(codes)s.")
                % {"codes": ", ".join(unknown[:10])},
                field="level",
            )
        return cls(
            parent_of=parents,
            levels=unit_levels,
            children_of={code: tuple(sorted(kids)) for code, kids in children.items()},
            order=tuple(order),
            depth_of=depth,
        )

    def __contains__(self, code: object) -> bool:
        return code in self.parent_of

    def __len__(self) -> int:
        return len(self.parent_of)

    def roots(self) -> list[str]:
        return [code for code in self.order if self.parent_of[code] is None]

    def children(self, code: str) -> tuple[str, ...]:
        self._check(code)
        return self.children_of[code]

    def ancestors(self, code: str) -> list[str]:
        """Parent, grandparent, … up to the root."""
        self._check(code)
        found = []
        parent = self.parent_of[code]
        while parent is not None:
            found.append(parent)
            parent = self.parent_of[parent]
        return found

    def subtree(self, code: str) -> list[str]:
        """The unit and all its descendants, parents first."""
        self._check(code)
        found = [code]
        position = 0
        while position < len(found):
            found.extend(self.children_of[found[position]])
            position += 1
        return found

    def leaves(self) -> list[str]:
        return [code for code in self.order if not self.children_of[code]]

    def units_at_level(self, level: str) -> list[str]:
        return [code for code in self.order if self.levels.get(code) == level]

    def _check(self, code: str) -> None:
        if code not in self.parent_of:
            raise TreeError(_("Unit %(code)s is not in the tree.") % {"code": code}, field="unit")


@dataclass(frozen=True)
class RolledValue:
    """A data element's value at a unit (or group) with the reporting completeness behind it."""

    value: float | None
    reported: int  # expected units in the subtree that reported a value
    expected: int  # units in the subtree expected to report
    children_reported: int = 0  # direct children with a value somewhere in their subtree
    children: int = 0  # direct children

    @property
    def completeness(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    @property
    def is_complete(self) -> bool:
        return self.reported == self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reported": self.reported,
            "expected": self.expected,
            "completeness": self.completeness,
            "children_reported": self.children_reported,
            "children": self.children,
        }


@dataclass(frozen=True)
class RolledIndicator:
    """An indicator at a unit (or group): value, the summed numerator and denominator, why not."""

    value: float | None
    numerator: float | None
    denominator: float | None
    reason: str | None
    elements: Mapping[str, RolledValue] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        """Expected units that reported (the least among the formula's elements)."""
        return min((rolled.reported for rolled in self.elements.values()), default=0)

    @property
    def expected(self) -> int:
        return max((rolled.expected for rolled in self.elements.values()), default=0)

    @property
    def completeness(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "reason": self.reason,
            "reported": self.reported,
            "expected": self.expected,
            "elements": {code: rolled.as_dict() for code, rolled in self.elements.items()},
        }


def _clean_values(tree: UnitTree, values: Mapping[str, float | None]) -> dict[str, float]:
    cleaned: dict[str, float] = {}
    for unit, value in values.items():
        if unit not in tree:
            raise TreeError(
                _("A value is given for unit %(code)s, which is not in the tree.") % {"code": unit},
                field="unit",
            )
        if value is None:
            continue
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            continue
        cleaned[unit] = number
    return cleaned


def _expected_set(tree: UnitTree, expected: Collection[str] | None) -> set[str]:
    if expected is None:
        return set(tree.leaves())
    units = set(expected)
    unknown = sorted(units - set(tree.parent_of))
    if unknown:
        raise TreeError(
            _("Units expected to report are not in the tree: %(codes)s.")
            % {"codes": ", ".join(unknown[:10])},
            field="unit",
        )
    return units


def rollup_element(
    tree: UnitTree,
    values: Mapping[str, float | None],
    *,
    expected: Collection[str] | None = None,
) -> dict[str, RolledValue]:
    """Sum one data element's reported values up the tree; every unit of the tree gets a result."""
    cleaned = _clean_values(tree, values)
    expecting = _expected_set(tree, expected)
    total: dict[str, float] = {}
    has_value: dict[str, bool] = {}
    reported: dict[str, int] = {}
    expected_count: dict[str, int] = {}
    result: dict[str, RolledValue] = {}
    for unit in reversed(tree.order):
        kids = tree.children_of[unit]
        own = cleaned.get(unit)
        total[unit] = (own or 0.0) + sum(total[kid] for kid in kids)
        has_value[unit] = own is not None or any(has_value[kid] for kid in kids)
        reported[unit] = int(unit in expecting and own is not None) + sum(
            reported[kid] for kid in kids
        )
        expected_count[unit] = int(unit in expecting) + sum(expected_count[kid] for kid in kids)
        result[unit] = RolledValue(
            value=total[unit] if has_value[unit] else None,
            reported=reported[unit],
            expected=expected_count[unit],
            children_reported=sum(1 for kid in kids if has_value[kid]),
            children=len(kids),
        )
    return {unit: result[unit] for unit in tree.order}


def _matched_values(
    tree: UnitTree, codes: Sequence[str], element_values: Mapping[str, Mapping[str, float | None]]
) -> dict[str, dict[str, float | None]]:
    """Keep, for every element, only the units that reported all of ``codes``."""
    cleaned = {code: _clean_values(tree, element_values.get(code, {})) for code in codes}
    complete = set.intersection(*(set(values) for values in cleaned.values())) if codes else set()
    return {
        code: {unit: value for unit, value in values.items() if unit in complete}
        for code, values in cleaned.items()
    }


def rollup_indicator(
    tree: UnitTree,
    formula: IndicatorFormula,
    element_values: Mapping[str, Mapping[str, float | None]],
    *,
    expected: Collection[str] | None = None,
    matched: bool = False,
) -> dict[str, RolledIndicator]:
    """An indicator at every unit: its elements summed up the tree, then the formula evaluated.

    ``element_values`` maps each data-element code to its reported values per unit; an element
    the formula uses but that is absent counts as not reported anywhere.
    """
    codes = formula.codes
    source = (
        _matched_values(tree, codes, element_values)
        if matched
        else {code: dict(element_values.get(code, {})) for code in codes}
    )
    rolled = {code: rollup_element(tree, source[code], expected=expected) for code in codes}
    result: dict[str, RolledIndicator] = {}
    for unit in tree.order:
        per_element = {code: rolled[code][unit] for code in codes}
        value = formula.evaluate({code: per_element[code].value for code in codes})
        result[unit] = _indicator(value, per_element)
    return result


def _indicator(value: IndicatorValue, elements: Mapping[str, RolledValue]) -> RolledIndicator:
    return RolledIndicator(
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        reason=value.reason,
        elements=dict(elements),
    )


def group_units(tree: UnitTree, group: Iterable[str]) -> list[str]:
    """The union of the subtrees of ``group``'s units (each unit once, tree order)."""
    members: set[str] = set()
    for unit in group:
        if unit not in members:
            members.update(tree.subtree(unit))
    return [unit for unit in tree.order if unit in members]


def aggregate_group(
    tree: UnitTree,
    group: Collection[str],
    values: Mapping[str, float | None],
    *,
    expected: Collection[str] | None = None,
) -> RolledValue:
    """One data element summed over a unit group (nested members counted once)."""
    cleaned = _clean_values(tree, values)
    expecting = _expected_set(tree, expected)
    members = group_units(tree, group)
    member_set = set(members)
    present = [cleaned[unit] for unit in members if unit in cleaned]
    # The group's own "children": its members whose parent is outside it.
    tops = [unit for unit in members if tree.parent_of[unit] not in member_set]
    tops_with_value = sum(1 for top in tops if any(unit in cleaned for unit in tree.subtree(top)))
    return RolledValue(
        value=float(sum(present)) if present else None,
        reported=sum(1 for unit in members if unit in expecting and unit in cleaned),
        expected=sum(1 for unit in members if unit in expecting),
        children_reported=tops_with_value,
        children=len(tops),
    )


def indicator_for_group(
    tree: UnitTree,
    group: Collection[str],
    formula: IndicatorFormula,
    element_values: Mapping[str, Mapping[str, float | None]],
    *,
    expected: Collection[str] | None = None,
    matched: bool = False,
) -> RolledIndicator:
    """An indicator over a unit group: elements summed over the group, then the formula."""
    codes = formula.codes
    source = (
        _matched_values(tree, codes, element_values)
        if matched
        else {code: dict(element_values.get(code, {})) for code in codes}
    )
    per_element = {
        code: aggregate_group(tree, group, source[code], expected=expected) for code in codes
    }
    value = formula.evaluate({code: per_element[code].value for code in codes})
    return _indicator(value, per_element)


def indicator_by_groups(
    tree: UnitTree,
    groups: Mapping[str, Collection[str]],
    formula: IndicatorFormula,
    element_values: Mapping[str, Mapping[str, float | None]],
    *,
    expected: Collection[str] | None = None,
    matched: bool = False,
) -> dict[str, RolledIndicator]:
    """:func:`indicator_for_group` for each named group (``{"urban": {...}, "rural": {...}}``)."""
    return {
        name: indicator_for_group(
            tree, members, formula, element_values, expected=expected, matched=matched
        )
        for name, members in groups.items()
    }


def slice_by_level(rolled: Mapping[str, T], tree: UnitTree, level: str) -> dict[str, T]:
    """The results of the units at ``level`` (``"district"``, ``"street"`` …), in tree order."""
    return {unit: rolled[unit] for unit in tree.units_at_level(level) if unit in rolled}


def slice_by_units(rolled: Mapping[str, T], units: Iterable[str]) -> dict[str, T]:
    return {unit: rolled[unit] for unit in units if unit in rolled}


def rollup_array(
    tree: UnitTree, units: Sequence[str], matrix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Roll many columns (element × period) up the tree at once.

    ``matrix`` has one row per code of ``units`` (which must be exactly the tree's units, any
    order) and NaN where nothing was reported. Returns ``(sums, counts)`` in the same row order:
    ``sums`` is NaN where no unit of the subtree reported, ``counts`` is the number of units of
    the subtree that reported (the unit itself included).
    """
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2 or values.shape[0] != len(units):
        raise TreeError(
            _("The matrix needs one row per unit: %(rows)s rows for %(units)s units.")
            % {"rows": values.shape[0] if values.ndim else 0, "units": len(units)},
            field="matrix",
        )
    if len(set(units)) != len(units) or set(units) != set(tree.parent_of):
        raise TreeError(_("The rows must name every unit of the tree exactly once."), field="units")
    row_of = {unit: row for row, unit in enumerate(units)}
    reported = ~np.isnan(values)
    sums = np.where(reported, values, 0.0)
    counts = reported.astype(np.int64)
    by_depth: dict[int, list[str]] = {}
    for unit in tree.order:
        if tree.parent_of[unit] is not None:
            by_depth.setdefault(tree.depth_of[unit], []).append(unit)
    for depth in sorted(by_depth, reverse=True):
        children = np.fromiter((row_of[unit] for unit in by_depth[depth]), dtype=np.int64)
        parents = np.fromiter(
            (row_of[tree.parent_of[unit]] for unit in by_depth[depth]),  # type: ignore[index]
            dtype=np.int64,
        )
        np.add.at(sums, parents, sums[children])
        np.add.at(counts, parents, counts[children])
    sums[counts == 0] = np.nan
    return sums, counts
