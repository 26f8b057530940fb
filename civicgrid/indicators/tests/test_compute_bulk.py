"""The numpy whole-table path gives the same numbers as the unit-by-unit path."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.indicators.compute.bulk import convert_array, indicator_arrays, rollup_elements
from civicgrid.indicators.compute.errors import PeriodError
from civicgrid.indicators.compute.expressions import IndicatorFormula
from civicgrid.indicators.compute.periods import convert_series, period_range
from civicgrid.indicators.compute.rollup import UnitTree, rollup_indicator

MONTHS = period_range("201501", "201612")


def test_convert_array_by_hand() -> None:
    nan = np.nan
    # one unit, Jan–Jun 2015: 5, 7, —, 4, —, —
    row = np.array([[5.0, 7.0, nan, 4.0, nan, nan]])
    months = MONTHS[:6]
    periods, summed, reported = convert_array(row, months, to="quarterly", aggregation="sum")
    assert [p.code for p in periods] == ["2015Q1", "2015Q2"]
    assert summed.tolist() == [[12.0, 4.0]]
    assert reported.tolist() == [[2, 1]]
    _periods, last, _reported = convert_array(row, months, to="quarterly", aggregation="last")
    assert last.tolist() == [[7.0, 4.0]]
    _periods, mean, _reported = convert_array(row, months, to="yearly", aggregation="average")
    assert mean[0, 0] == pytest.approx(16 / 3)  # (5 + 7 + 4) / 3 reported months
    empty = convert_array(
        np.array([[nan, nan, nan]]), MONTHS[:3], to="quarterly", aggregation="sum"
    )
    assert math.isnan(empty[1][0, 0])
    with pytest.raises(PeriodError):
        convert_array(row, months[:5], to="yearly", aggregation="sum")
    with pytest.raises(PeriodError):
        convert_array(np.ones((1, 2)), ["2015", "2015Q1"], to="yearly", aggregation="sum")


@settings(max_examples=40)
@given(st.data())
def test_convert_array_matches_convert_series(data: st.DataObject) -> None:
    cells = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=24, max_size=24))
    aggregation = data.draw(st.sampled_from(["sum", "last", "average"]))
    target = data.draw(st.sampled_from(["quarterly", "yearly"]))
    row = np.array([[np.nan if c is None else float(c) for c in cells]])
    periods, values, reported = convert_array(row, MONTHS, to=target, aggregation=aggregation)
    series = {month.code: cell for month, cell in zip(MONTHS, cells, strict=True)}
    expected = convert_series(series, to=target, aggregation=aggregation)
    for index, period in enumerate(periods):
        one = expected[period]
        if one.value is None:
            assert math.isnan(values[0, index])
        else:
            assert values[0, index] == pytest.approx(one.value)
        assert reported[0, index] == one.reported


@st.composite
def cases(draw: st.DrawFn) -> tuple[UnitTree, list[str], dict[str, np.ndarray]]:
    size = draw(st.integers(1, 25))
    parents: dict[str, str | None] = {"u0": None}
    for index in range(1, size):
        parents[f"u{index}"] = f"u{draw(st.integers(0, index - 1))}"
    tree = UnitTree.from_parent_map(parents)
    units = list(parents)
    columns = draw(st.integers(1, 4))

    def matrix(low: int) -> np.ndarray:
        cells = draw(
            st.lists(
                st.one_of(st.none(), st.integers(low, 500)),
                min_size=size * columns,
                max_size=size * columns,
            )
        )
        return np.array([np.nan if c is None else float(c) for c in cells]).reshape(size, columns)

    return tree, units, {"n": matrix(0), "d": matrix(0), "e": matrix(0)}


@settings(max_examples=40)
@given(cases())
def test_indicator_arrays_match_rollup_indicator(
    case: tuple[UnitTree, list[str], dict[str, np.ndarray]],
) -> None:
    tree, units, matrices = case
    formula = IndicatorFormula.from_texts("#{n} + #{e}", "#{d}", kind="per_thousand")
    rolled = rollup_elements(tree, units, matrices)
    arrays = indicator_arrays(tree, units, formula, matrices, rolled=rolled)
    for column in range(matrices["n"].shape[1]):
        values = {
            code: {
                unit: (None if np.isnan(matrix[row, column]) else float(matrix[row, column]))
                for row, unit in enumerate(units)
            }
            for code, matrix in matrices.items()
        }
        expected = rollup_indicator(tree, formula, values)
        for row, unit in enumerate(units):
            one = expected[unit]
            got = arrays.value[row, column]
            if one.value is None:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(one.value)
            if one.numerator is None:
                assert math.isnan(arrays.numerator[row, column])
            else:
                assert arrays.numerator[row, column] == pytest.approx(one.numerator)
