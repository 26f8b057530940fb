"""Equalisation metrics against values computed by hand, cross-checked with numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.indicators.compute.equalisation import (
    MISSING_WEIGHT,
    NEGATIVE_VALUE,
    TOO_FEW_UNITS,
    ZERO_MINIMUM,
    coefficient_of_variation,
    equalisation_trend,
    group_gap,
    max_min_ratio,
    summarise,
    theil_decomposition,
    theil_index,
)

# Four districts, equal weights: y = 1, 1, 2, 4.
FOUR = {"A": 1.0, "B": 1.0, "C": 2.0, "D": 4.0}
# Three districts with populations: y = 10, 20, 40 with p = 2, 1, 1.
THREE = {"X": 10.0, "Y": 20.0, "Z": 40.0}
THREE_POPULATION = {"X": 2.0, "Y": 1.0, "Z": 1.0}


def numpy_cv(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Independent formula: weighted population standard deviation over the weighted mean."""
    mean = np.average(values, weights=weights)
    return float(np.sqrt(np.average((values - mean) ** 2, weights=weights)) / mean)


def numpy_theil(values: np.ndarray, weights: np.ndarray) -> float:
    """Independent formula: T = Σ s_i ln(s_i / q_i) with income shares s and population shares q."""
    q = weights / weights.sum()
    amounts = values * weights
    s = amounts / amounts.sum()
    positive = s > 0
    return float(np.sum(s[positive] * np.log(s[positive] / q[positive])))


def test_max_min_ratio_by_hand() -> None:
    result = max_min_ratio(FOUR)
    assert result.value == 4.0  # 4 / 1
    assert (result.detail["max_unit"], result.detail["min_unit"]) == ("D", "A")
    assert max_min_ratio(THREE).value == 4.0  # 40 / 10; populations do not enter


def test_coefficient_of_variation_unweighted_by_hand() -> None:
    # mean = (1 + 1 + 2 + 4) / 4 = 2; deviations −1, −1, 0, 2; squares 1, 1, 0, 4;
    # population variance = 6 / 4 = 1.5; σ = √1.5 = 1.224745; CV = 1.224745 / 2 = 0.612372
    result = coefficient_of_variation(FOUR)
    assert result.value == pytest.approx(0.612372, abs=1e-6)
    assert result.value == pytest.approx(math.sqrt(1.5) / 2)
    assert result.detail["mean"] == 2.0
    assert result.value == pytest.approx(numpy_cv(np.array([1.0, 1.0, 2.0, 4.0])))
    # numpy's population std (ddof=0), not the sample std (ddof=1 would give 0.707107)
    assert result.value == pytest.approx(np.std([1, 1, 2, 4]) / np.mean([1, 1, 2, 4]))


def test_coefficient_of_variation_weighted_by_hand() -> None:
    # q = 2/4, 1/4, 1/4; μ = 0.5×10 + 0.25×20 + 0.25×40 = 5 + 5 + 10 = 20
    # σ² = 0.5×(10−20)² + 0.25×(20−20)² + 0.25×(40−20)² = 50 + 0 + 100 = 150
    # CV = √150 / 20 = 12.247449 / 20 = 0.612372 (the same as replicating X twice: 10,10,20,40)
    result = coefficient_of_variation(THREE, THREE_POPULATION)
    assert result.value == pytest.approx(0.612372, abs=1e-6)
    assert result.value == pytest.approx(
        numpy_cv(np.array([10.0, 20.0, 40.0]), np.array([2.0, 1.0, 1.0]))
    )
    assert result.detail["weighted"] is True


def test_theil_index_unweighted_by_hand() -> None:
    # μ = 2; y/μ = 0.5, 0.5, 1, 2; T = ¼ [0.5 ln 0.5 + 0.5 ln 0.5 + 1 ln 1 + 2 ln 2]
    #   = ¼ [−ln 2 + 2 ln 2] = ln 2 / 4 = 0.173287
    result = theil_index(FOUR)
    assert result.value == pytest.approx(0.173287, abs=1e-6)
    assert result.value == pytest.approx(math.log(2) / 4)
    assert result.value == pytest.approx(numpy_theil(np.array([1.0, 1, 2, 4]), np.ones(4)))
    assert result.detail["maximum"] == pytest.approx(math.log(4))  # ln(1 / q_min)


def test_theil_index_weighted_by_hand() -> None:
    # shares of the amount p·y: 20, 20, 40 of 80 → s = 0.25, 0.25, 0.5; q = 0.5, 0.25, 0.25
    # T = 0.25 ln(0.25/0.5) + 0.25 ln(0.25/0.25) + 0.5 ln(0.5/0.25)
    #   = −0.25 ln 2 + 0 + 0.5 ln 2 = 0.25 ln 2 = 0.173287
    result = theil_index(THREE, THREE_POPULATION)
    assert result.value == pytest.approx(0.173287, abs=1e-6)
    assert result.detail["shares"] == pytest.approx({"X": 0.25, "Y": 0.25, "Z": 0.5})
    assert result.value == pytest.approx(
        numpy_theil(np.array([10.0, 20.0, 40.0]), np.array([2.0, 1.0, 1.0]))
    )


def test_theil_decomposition_by_hand() -> None:
    # urban {A, B} (1, 1), rural {C, D} (2, 4); s = 0.125, 0.125, 0.25, 0.5
    # S_urban = 0.25, Q_urban = 0.5; S_rural = 0.75, Q_rural = 0.5
    # between = 0.25 ln(0.5) + 0.75 ln(1.5) = −0.173287 + 0.304099 = 0.130812
    # T_rural = ½ [(2/3) ln(2/3) + (4/3) ln(4/3)] = ½ [−0.270310 + 0.383576] = 0.056633
    # within = 0.25 × 0 + 0.75 × 0.056633 = 0.042475; total 0.173287 = ln 2 / 4
    split = theil_decomposition(FOUR, {"urban": {"A", "B"}, "rural": {"C", "D"}})
    assert split.between == pytest.approx(0.130812, abs=1e-6)
    assert split.within == pytest.approx(0.042475, abs=1e-6)
    assert split.groups["rural"]["theil"] == pytest.approx(0.056633, abs=1e-6)
    assert split.groups["urban"]["theil"] == 0.0
    assert split.between + split.within == pytest.approx(split.total.value)  # type: ignore[operator]
    ungrouped = theil_decomposition(FOUR, {"urban": {"A", "B"}})
    assert ungrouped.total.reason == "ungrouped_units"


def test_equal_values_have_no_inequality() -> None:
    same = {"A": 7.0, "B": 7.0, "C": 7.0}
    summary = summarise(same)
    assert summary.max_min_ratio.value == 1.0
    assert summary.coefficient_of_variation.value == 0.0
    assert summary.theil.value == 0.0


def test_reasons_instead_of_wrong_numbers() -> None:
    assert max_min_ratio({"A": 0.0, "B": 3.0}).reason == ZERO_MINIMUM
    assert max_min_ratio({"A": 3.0}).reason == TOO_FEW_UNITS
    assert theil_index({"A": -1.0, "B": 3.0}).reason == NEGATIVE_VALUE
    missing = theil_index({"A": 1.0, "B": 3.0}, {"A": 10.0})
    assert (missing.reason, missing.detail["bad_units"]) == (MISSING_WEIGHT, ["B"])
    with_gap = max_min_ratio({"A": 1.0, "B": None, "C": 2.0})
    assert (with_gap.value, with_gap.detail["excluded"]) == (2.0, ["B"])
    assert coefficient_of_variation({"A": 0.0, "B": 0.0}).reason == "non_positive_mean"
    # A zero value is allowed in Theil (its term counts 0): y = 0, 2 → μ = 1, T = ½·2·ln 2 = ln 2
    assert theil_index({"A": 0.0, "B": 2.0}).value == pytest.approx(math.log(2))


def test_group_gap_urban_rural_and_registered_floating() -> None:
    gap = group_gap(28.3, 10.0)
    assert gap.difference == pytest.approx(18.3)
    assert gap.ratio == pytest.approx(2.83)
    assert group_gap(5.0, 0.0).ratio is None
    assert group_gap(None, 3.0).reason == "no_value"


def test_trend_over_periods_narrows_when_gaps_close() -> None:
    series = {
        "2012": {"A": 10.0, "B": 40.0},
        "2013": {"A": 15.0, "B": 40.0},
        "2014": {"A": 20.0, "B": 40.0},
        "2015": {"A": 30.0, "B": 40.0},
    }
    trend = equalisation_trend(series)
    assert trend.periods == ("2012", "2013", "2014", "2015")
    # max/min: 4, 2.667, 2, 1.333 → slope by least squares:
    # x̄ = 1.5, ȳ = 2.5; Σ(x−x̄)(y−ȳ) = (−1.5)(1.5) + (−0.5)(0.1667) + (0.5)(−0.5) + (1.5)(−1.1667)
    #   = −2.25 − 0.0833 − 0.25 − 1.75 = −4.3333; Σ(x−x̄)² = 5; slope = −0.866667
    assert trend.slopes["max_min_ratio"] == pytest.approx(-0.866667, abs=1e-6)
    assert trend.directions == {
        "max_min_ratio": "narrowing",
        "coefficient_of_variation": "narrowing",
        "theil": "narrowing",
    }
    flat = equalisation_trend({"2012": {"A": 1.0, "B": 2.0}, "2013": {"A": 2.0, "B": 4.0}})
    assert flat.directions["max_min_ratio"] == "stable"
    assert equalisation_trend({"2012": {"A": 1.0, "B": 2.0}}).slopes["theil"] is None


# -- properties -----------------------------------------------------------------------------
positive_values = st.lists(
    st.floats(0.1, 1e6, allow_nan=False, allow_infinity=False), min_size=2, max_size=30
)


@given(positive_values, st.floats(0.01, 1000))
def test_metrics_do_not_change_when_all_values_scale(values: list[float], factor: float) -> None:
    base = {f"u{i}": v for i, v in enumerate(values)}
    scaled = {unit: v * factor for unit, v in base.items()}
    for metric in (max_min_ratio, coefficient_of_variation, theil_index):
        assert metric(scaled).value == pytest.approx(metric(base).value, rel=1e-6, abs=1e-9)  # type: ignore[operator]


@given(positive_values, st.data())
def test_theil_and_cv_agree_with_numpy_and_stay_in_bounds(
    values: list[float], data: st.DataObject
) -> None:
    weights = data.draw(
        st.lists(st.integers(1, 100_000), min_size=len(values), max_size=len(values))
    )
    units = {f"u{i}": v for i, v in enumerate(values)}
    populations = {f"u{i}": float(w) for i, w in enumerate(weights)}
    theil = theil_index(units, populations)
    assert theil.value is not None
    expected = numpy_theil(np.array(values), np.array(weights, dtype=float))
    assert theil.value == pytest.approx(max(expected, 0.0), rel=1e-6, abs=1e-9)
    assert 0.0 <= theil.value <= theil.detail["maximum"] + 1e-9
    cv = coefficient_of_variation(units, populations)
    assert cv.value == pytest.approx(
        numpy_cv(np.array(values), np.array(weights, dtype=float)), rel=1e-6, abs=1e-9
    )


@given(st.lists(st.integers(1, 1000), min_size=2, max_size=8), st.data())
def test_a_population_weight_equals_replicating_the_unit(
    values: list[int], data: st.DataObject
) -> None:
    weights = data.draw(st.lists(st.integers(1, 4), min_size=len(values), max_size=len(values)))
    weighted = {f"u{i}": float(v) for i, v in enumerate(values)}
    populations = {f"u{i}": float(w) for i, w in enumerate(weights)}
    replicated = {
        f"u{i}_{copy}": float(v)
        for i, (v, w) in enumerate(zip(values, weights, strict=True))
        for copy in range(w)
    }
    assert theil_index(weighted, populations).value == pytest.approx(
        theil_index(replicated).value, rel=1e-9, abs=1e-12
    )
    assert coefficient_of_variation(weighted, populations).value == pytest.approx(
        coefficient_of_variation(replicated).value, rel=1e-9, abs=1e-12
    )
