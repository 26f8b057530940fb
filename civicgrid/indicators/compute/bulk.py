"""Whole-table computations with numpy: every unit × every period of many indicators at once.

The same rules as :mod:`.periods` and :mod:`.rollup` (the tests check that both paths give the
same numbers), for a full refresh of the precomputed aggregates and for the benchmarks:

1. :func:`convert_array` — a matrix of one data element (rows = units, columns = periods of one
   type, NaN = not reported) to a coarser period type with the element's aggregation;
2. :func:`rollup_array` (in :mod:`.rollup`) — the columns summed up the unit tree;
3. :func:`indicator_arrays` — the formula evaluated on the rolled-up matrices, giving the
   numerator, the denominator and the value of every unit × period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from .errors import PeriodError
from .expressions import IndicatorFormula
from .periods import Aggregation, Period, PeriodType, parse_period
from .rollup import UnitTree, rollup_array


def convert_array(
    values: np.ndarray,
    periods: Sequence[Period | str],
    *,
    to: PeriodType | str,
    aggregation: Aggregation | str,
) -> tuple[list[Period], np.ndarray, np.ndarray]:
    """Columns of ``periods`` (one type, finer or equal to ``to``) combined per coarser period.

    Returns ``(coarse_periods, values, reported)``: the coarser periods in order, their values
    (NaN where no sub-period reported) and how many sub-periods reported per cell.
    """
    matrix = np.asarray(values, dtype=float)
    parsed = [parse_period(period) for period in periods]
    if matrix.ndim != 2 or matrix.shape[1] != len(parsed):
        raise PeriodError(
            _("The matrix needs one column per period: %(columns)s columns for %(periods)s.")
            % {"columns": matrix.shape[1] if matrix.ndim == 2 else 0, "periods": len(parsed)},
            field="periods",
        )
    if len({period.period_type for period in parsed}) > 1:
        raise PeriodError(
            _("The columns mix period types; convert each type apart."), field="periods"
        )
    target = PeriodType(to)
    how = Aggregation(aggregation)
    groups: dict[Period, list[int]] = {}
    for column, period in enumerate(parsed):
        groups.setdefault(period.parent(target), []).append(column)
    coarse = sorted(groups)
    out = np.full((matrix.shape[0], len(coarse)), np.nan)
    reported = np.zeros((matrix.shape[0], len(coarse)), dtype=np.int64)
    for index, period in enumerate(coarse):
        columns = sorted(groups[period], key=lambda column: parsed[column].sort_key())
        block = matrix[:, columns]
        present = ~np.isnan(block)
        count = present.sum(axis=1)
        reported[:, index] = count
        if how is Aggregation.SUM:
            combined = np.where(present, block, 0.0).sum(axis=1)
        elif how is Aggregation.AVERAGE:
            with np.errstate(invalid="ignore", divide="ignore"):
                combined = np.where(present, block, 0.0).sum(axis=1) / count
        else:  # LAST: the latest reported column of each row
            last = np.where(present, np.arange(len(columns)), -1).max(axis=1)
            combined = block[np.arange(block.shape[0]), np.maximum(last, 0)]
        out[:, index] = np.where(count > 0, combined, np.nan)
    return coarse, out, reported


@dataclass(frozen=True)
class IndicatorArrays:
    """An indicator over units × columns (rows in the order of the units given)."""

    numerator: np.ndarray
    denominator: np.ndarray | None
    value: np.ndarray


def indicator_arrays(
    tree: UnitTree,
    units: Sequence[str],
    formula: IndicatorFormula,
    element_matrices: Mapping[str, np.ndarray],
    *,
    rolled: Mapping[str, np.ndarray] | None = None,
) -> IndicatorArrays:
    """Roll the formula's element matrices up ``tree`` and evaluate the formula cell by cell.

    ``element_matrices`` maps element codes to matrices (rows = ``units``, NaN = missing); an
    element the formula uses but that is absent counts as reported nowhere. ``rolled`` may hold
    element matrices already rolled up (shared by many indicators; see :func:`rollup_elements`).
    """
    sums = dict(rolled or {})
    shape: tuple[int, ...] | None = None
    for matrix in list(element_matrices.values()) + list(sums.values()):
        shape = np.asarray(matrix).shape
        break
    for code in formula.codes:
        if code in sums:
            continue
        if code in element_matrices:
            sums[code] = rollup_array(tree, units, element_matrices[code])[0]
        else:
            sums[code] = np.full(shape or (len(units), 1), np.nan)
    numerator = formula.numerator.evaluate_arrays(sums, missing=formula.missing)
    if formula.denominator is None:
        return IndicatorArrays(numerator, None, formula.factor * numerator)
    denominator = formula.denominator.evaluate_arrays(sums, missing=formula.missing)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = formula.factor * numerator / denominator
    value[~np.isfinite(value)] = np.nan
    return IndicatorArrays(numerator, denominator, value)


def rollup_elements(
    tree: UnitTree, units: Sequence[str], element_matrices: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Every element matrix rolled up the tree once (for many indicators sharing elements)."""
    return {code: rollup_array(tree, units, matrix)[0] for code, matrix in element_matrices.items()}
