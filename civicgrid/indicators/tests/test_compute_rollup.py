"""Roll-up up the admin-unit tree: the issue's "small tree with known numbers".

The tree (codes shortened; levels as in CivicGrid)::

    4404 city
    ├── 440402 district 香洲
    │   ├── 440402001 street S1
    │   │   ├── C_A community: beds 30, elderly 1,000
    │   │   └── C_B community: beds 10, elderly   500
    │   └── 440402002 street S2
    │       └── C_C community: beds 45, elderly 1,500
    └── 440403 district 斗门
        └── 440403001 street S3
            ├── C_D community: beds 12, elderly   800
            └── C_E community: beds —  (not reported), elderly 400

Indicator "elderly-care beds per 1,000 elderly" = 1000 × beds / elderly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.indicators.compute.errors import TreeError
from civicgrid.indicators.compute.expressions import DIVISION_BY_ZERO, IndicatorFormula
from civicgrid.indicators.compute.rollup import (
    UnitTree,
    aggregate_group,
    group_units,
    indicator_by_groups,
    indicator_for_group,
    rollup_array,
    rollup_element,
    rollup_indicator,
    slice_by_level,
)

PARENTS = {
    "4404": None,
    "440402": "4404",
    "440403": "4404",
    "440402001": "440402",
    "440402002": "440402",
    "440403001": "440403",
    "C_A": "440402001",
    "C_B": "440402001",
    "C_C": "440402002",
    "C_D": "440403001",
    "C_E": "440403001",
}
LEVELS = {
    "4404": "city",
    "440402": "district",
    "440403": "district",
    "440402001": "street",
    "440402002": "street",
    "440403001": "street",
    **{code: "community" for code in ("C_A", "C_B", "C_C", "C_D", "C_E")},
}
BEDS = {"C_A": 30, "C_B": 10, "C_C": 45, "C_D": 12, "C_E": None}
ELDERLY = {"C_A": 1000, "C_B": 500, "C_C": 1500, "C_D": 800, "C_E": 400}
VALUES = {"beds": BEDS, "elderly": ELDERLY}


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return UnitTree.from_parent_map(PARENTS, LEVELS)


@pytest.fixture(scope="module")
def formula() -> IndicatorFormula:
    return IndicatorFormula.from_texts("#{beds}", "#{elderly}", kind="per_thousand")


def test_ratio_indicator_at_every_level_against_the_hand_calculation(
    tree: UnitTree, formula: IndicatorFormula
) -> None:
    rolled = rollup_indicator(tree, formula, VALUES)
    expected = {
        # communities: 1000 × beds / elderly
        "C_A": (30, 1000, 30.0),  # 1000 × 30 / 1000 = 30
        "C_B": (10, 500, 20.0),  # 1000 × 10 / 500 = 20
        "C_C": (45, 1500, 30.0),  # 1000 × 45 / 1500 = 30
        "C_D": (12, 800, 15.0),  # 1000 × 12 / 800 = 15
        # streets: numerator and denominator summed first, then divided
        "440402001": (40, 1500, 1000 * 40 / 1500),  # (30 + 10) / (1000 + 500) = 26.667,
        #                                           not the mean of 30 and 20 (= 25)
        "440402002": (45, 1500, 30.0),  # 45 / 1500
        "440403001": (12, 1200, 10.0),  # beds 12 (C_E did not report); elderly 800 + 400
        # districts
        "440402": (85, 3000, 1000 * 85 / 3000),  # (40 + 45) / (1500 + 1500) = 28.333
        "440403": (12, 1200, 10.0),
        # city
        "4404": (97, 4200, 1000 * 97 / 4200),  # (85 + 12) / (3000 + 1200) = 23.095
    }
    for unit, (numerator, denominator, value) in expected.items():
        result = rolled[unit]
        assert result.numerator == numerator, unit
        assert result.denominator == denominator, unit
        assert result.value == pytest.approx(value), unit
    assert rolled["440402001"].value == pytest.approx(26.666667, abs=1e-6)
    assert rolled["440402"].value == pytest.approx(28.333333, abs=1e-6)
    assert rolled["4404"].value == pytest.approx(23.095238, abs=1e-6)
    # The community that did not report beds has no value, and says why.
    assert rolled["C_E"].value is None
    assert rolled["C_E"].reason == "missing_value"


def test_completeness_counts_the_communities_that_reported(
    tree: UnitTree, formula: IndicatorFormula
) -> None:
    beds = rollup_element(tree, BEDS)
    # Expected reporters are the leaves (5 communities); C_E did not report beds.
    assert (beds["4404"].reported, beds["4404"].expected) == (4, 5)
    assert beds["4404"].completeness == pytest.approx(0.8)
    assert (beds["440403001"].reported, beds["440403001"].expected) == (1, 2)
    assert (beds["440402"].reported, beds["440402"].expected) == (3, 3)
    assert beds["440402"].is_complete
    assert (beds["4404"].children_reported, beds["4404"].children) == (2, 2)
    rolled = rollup_indicator(tree, formula, VALUES)
    assert (rolled["4404"].reported, rolled["4404"].expected) == (4, 5)
    assert rolled["4404"].elements["elderly"].reported == 5


def test_matched_roll_up_counts_only_units_that_reported_both(
    tree: UnitTree, formula: IndicatorFormula
) -> None:
    rolled = rollup_indicator(tree, formula, VALUES, matched=True)
    # C_E reported elderly but not beds, so its 400 elderly leave the denominator too:
    assert rolled["440403001"].value == pytest.approx(15.0)  # 1000 × 12 / 800
    assert rolled["4404"].denominator == 3800  # 1000 + 500 + 1500 + 800
    assert rolled["4404"].value == pytest.approx(1000 * 97 / 3800)  # 25.526
    assert rolled["440402"].value == pytest.approx(1000 * 85 / 3000)  # unchanged


def test_values_reported_above_the_leaves_are_included_once(tree: UnitTree) -> None:
    # A street reports its own figure (e.g. a street-run home) beside its communities'.
    rolled = rollup_element(tree, {"C_A": 1, "C_B": 2, "440402001": 10})
    assert rolled["440402001"].value == 13.0
    assert rolled["4404"].value == 13.0
    assert rolled["440403"].value is None  # nothing reported under 斗门
    assert rolled["440403"].reported == 0


def test_expected_units_can_be_the_data_set_assignment(tree: UnitTree) -> None:
    rolled = rollup_element(
        tree, {"440402001": 5, "440403001": 7}, expected={"440402001", "440402002", "440403001"}
    )
    assert (rolled["4404"].value, rolled["4404"].reported, rolled["4404"].expected) == (12, 2, 3)
    assert (rolled["440402"].reported, rolled["440402"].expected) == (1, 2)


def test_groups_urban_rural_and_functional_zone(tree: UnitTree, formula: IndicatorFormula) -> None:
    groups = {"urban": {"440402"}, "rural": {"440403"}, "mixed": {"440402001", "C_D", "C_A"}}
    results = indicator_by_groups(tree, groups, formula, VALUES)
    assert results["urban"].value == pytest.approx(1000 * 85 / 3000)
    assert results["rural"].value == pytest.approx(1000 * 12 / 1200)
    # C_A lies inside 440402001: counted once. beds 30 + 10 + 12 = 52; elderly 1000 + 500 + 800.
    assert results["mixed"].numerator == 52
    assert results["mixed"].denominator == 2300
    assert group_units(tree, groups["mixed"]) == ["440402001", "C_A", "C_B", "C_D"]
    beds = aggregate_group(tree, {"440403"}, BEDS)
    assert (beds.value, beds.reported, beds.expected) == (12.0, 1, 2)
    assert indicator_for_group(tree, {"C_E"}, formula, VALUES).value is None


def test_slice_by_level(tree: UnitTree, formula: IndicatorFormula) -> None:
    rolled = rollup_indicator(tree, formula, VALUES)
    districts = slice_by_level(rolled, tree, "district")
    assert list(districts) == ["440402", "440403"]
    assert districts["440403"].value == pytest.approx(10.0)
    assert list(slice_by_level(rolled, tree, "street")) == ["440402001", "440402002", "440403001"]


def test_division_by_zero_at_a_unit_does_not_stop_the_roll_up(
    tree: UnitTree, formula: IndicatorFormula
) -> None:
    rolled = rollup_indicator(tree, formula, {"beds": {"C_A": 3, "C_D": 1}, "elderly": {"C_A": 0}})
    assert rolled["C_A"].reason == DIVISION_BY_ZERO
    assert rolled["C_D"].reason == "missing_value"
    assert rolled["4404"].reason == DIVISION_BY_ZERO


def test_tree_errors() -> None:
    with pytest.raises(TreeError):
        UnitTree.from_parent_map({"a": None, "b": "x"})
    with pytest.raises(TreeError):
        UnitTree.from_parent_map({"r": None, "a": "b", "b": "a"})
    tree = UnitTree.from_parent_map({"r": None, "a": "r"})
    with pytest.raises(TreeError):
        rollup_element(tree, {"zz": 1})
    with pytest.raises(TreeError):
        rollup_element(tree, {"a": 1}, expected={"zz"})
    assert tree.ancestors("a") == ["r"]
    assert tree.subtree("r") == ["r", "a"]


def test_rollup_array_matches_rollup_element(tree: UnitTree) -> None:
    units = sorted(PARENTS)
    matrix = np.array(
        [[np.nan if BEDS.get(u) is None else BEDS[u], ELDERLY.get(u, np.nan)] for u in units],
        dtype=float,
    )
    sums, counts = rollup_array(tree, units, matrix)
    beds = rollup_element(tree, BEDS)
    elderly = rollup_element(tree, ELDERLY)
    for row, unit in enumerate(units):
        for column, rolled in enumerate((beds, elderly)):
            value = rolled[unit].value
            if value is None:
                assert np.isnan(sums[row, column])
            else:
                assert sums[row, column] == value
    assert counts[units.index("4404")].tolist() == [4, 5]
    with pytest.raises(TreeError):
        rollup_array(tree, units[:-1], matrix[:-1])


# -- properties on random trees -------------------------------------------------------------
@st.composite
def trees_with_values(draw: st.DrawFn) -> tuple[UnitTree, dict[str, int | None], dict[str, int]]:
    size = draw(st.integers(1, 40))
    parents: dict[str, str | None] = {"u0": None}
    for index in range(1, size):
        parents[f"u{index}"] = f"u{draw(st.integers(0, index - 1))}"
    tree = UnitTree.from_parent_map(parents)
    numerators = {unit: draw(st.one_of(st.none(), st.integers(0, 1000))) for unit in tree.leaves()}
    denominators = {unit: draw(st.integers(1, 5000)) for unit in tree.leaves()}
    return tree, numerators, denominators


@settings(max_examples=60)
@given(trees_with_values())
def test_counts_roll_up_to_the_sum_of_the_leaves(
    case: tuple[UnitTree, dict[str, int | None], dict[str, int]],
) -> None:
    tree, numerators, _denominators = case
    rolled = rollup_element(tree, numerators)
    for unit in tree.order:
        below = [numerators[u] for u in tree.subtree(unit) if numerators.get(u) is not None]
        assert rolled[unit].value == (sum(below) if below else None)  # type: ignore[arg-type]
        kids = [rolled[kid].value for kid in tree.children(unit) if rolled[kid].value is not None]
        if kids:
            assert rolled[unit].value == sum(kids)  # type: ignore[arg-type]


@settings(max_examples=60)
@given(trees_with_values())
def test_ratio_at_the_root_is_total_numerator_over_total_denominator(
    case: tuple[UnitTree, dict[str, int | None], dict[str, int]],
) -> None:
    tree, numerators, denominators = case
    formula = IndicatorFormula.from_texts("#{n}", "#{d}", kind="percentage")
    rolled = rollup_indicator(tree, formula, {"n": numerators, "d": denominators})
    root = tree.roots()[0]
    reported = [value for value in numerators.values() if value is not None]
    if not reported:
        assert rolled[root].value is None
        return
    assert rolled[root].value == pytest.approx(100 * sum(reported) / sum(denominators.values()))
    matched = rollup_indicator(tree, formula, {"n": numerators, "d": denominators}, matched=True)
    paired = sum(denominators[u] for u, value in numerators.items() if value is not None)
    assert matched[root].value == pytest.approx(100 * sum(reported) / paired)
