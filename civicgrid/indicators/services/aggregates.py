"""Refreshing the precomputed aggregates (指标汇总值) the dashboards read.

Called by the services that change what counts — approval and return of submissions, imports
as approved, recompute of computed elements, changed indicator formulas — never by signals.

What counts: computed values (no submission) and values of submissions approved at least at the
first level above the reporter. For every affected indicator and period the element values are

1. taken per unit for the period itself, or built from its sub-periods with the element's
   aggregation (``sum`` / ``last`` / ``average``, :func:`compute.periods.convert_series`);
2. attributed to the nearest unit of the tree city → district → street → community (a value
   at a grid counts for its community);
3. rolled up the tree for all units and periods at once (:func:`compute.rollup.rollup_array`)
   and the formula evaluated on the sums (``IndicatorFormula.evaluate_arrays``): ratios come
   from the summed numerator and denominator, never from averaged child ratios.

The rows of the affected (indicator, period) pairs are replaced in one transaction.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from civicgrid.territory.models import AdminLevel, AdminUnit

from ..compute.bulk import convert_array
from ..compute.errors import ComputeError
from ..compute.expressions import IndicatorFormula
from ..compute.periods import MONTHS_PER_PERIOD, Period, PeriodType, parse_period
from ..compute.rollup import UnitTree, rollup_array
from ..models import (
    APPROVED_STATUSES,
    AggregateRefresh,
    DataElement,
    DataValue,
    Indicator,
    IndicatorAggregate,
)

TREE_LEVELS = (AdminLevel.CITY, AdminLevel.DISTRICT, AdminLevel.STREET, AdminLevel.COMMUNITY)
_COARSER = {
    PeriodType.MONTHLY: (PeriodType.QUARTERLY, PeriodType.YEARLY),
    PeriodType.QUARTERLY: (PeriodType.YEARLY,),
    PeriodType.YEARLY: (),
}


@dataclass
class RefreshResult:
    indicators: int = 0
    periods: list[str] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)  # indicator code -> why


def counted_values_q() -> Q:
    """The data values that count in aggregates: computed ones and approved reports."""
    return Q(submission__isnull=True) | Q(submission__status__in=list(APPROVED_STATUSES))


@dataclass(frozen=True)
class _Tree:
    tree: UnitTree
    ids: dict[str, int]
    levels: dict[str, str]
    lengths: tuple[int, ...]

    def attribute(self, code: str) -> str | None:
        """The unit of the tree a value at ``code`` counts for (itself or an ancestor)."""
        if code in self.ids:
            return code
        for length in self.lengths:
            if length < len(code) and code[:length] in self.ids:
                return code[:length]
        return None


def _load_tree() -> _Tree:
    rows = list(
        AdminUnit.objects.filter(level__in=TREE_LEVELS).values_list(
            "pk", "code", "level", "parent__code"
        )
    )
    codes = {code for _pk, code, _level, _parent in rows}
    parents = {code: (parent if parent in codes else None) for _pk, code, _l, parent in rows}
    levels = {code: str(level) for _pk, code, level, _parent in rows}
    tree = UnitTree.from_parent_map(parents, levels)
    lengths = tuple(sorted({len(code) for code in codes}, reverse=True))
    return _Tree(
        tree=tree, ids={code: pk for pk, code, _l, _p in rows}, levels=levels, lengths=lengths
    )


def _with_parents(periods: Iterable[Period]) -> set[Period]:
    found: set[Period] = set()
    for period in periods:
        found.add(period)
        for coarser in _COARSER[period.period_type]:
            found.add(period.parent(coarser))
    return found


def _sources(period: Period) -> list[str]:
    """The period's code and those of its finer sub-periods (values that build it)."""
    codes = [period.code]
    for finer in (PeriodType.QUARTERLY, PeriodType.MONTHLY):
        if MONTHS_PER_PERIOD[finer] < MONTHS_PER_PERIOD[period.period_type]:
            codes.extend(child.code for child in period.children(finer))
    return codes


def _element_matrix(
    series_by_unit: dict[str, dict[Period, float]],
    aggregation: str,
    row_of: dict[str, int],
    col_of: dict[Period, int],
    shape: tuple[int, int],
) -> np.ndarray:
    """One element's values, units × target periods (NaN = none): a period's own value, else
    built from its sub-periods with the element's aggregation (:func:`compute.bulk.
    convert_array`; months first, then quarters)."""
    matrix = np.full(shape, np.nan)
    finer_cells: dict[PeriodType, list[tuple[int, Period, float]]] = defaultdict(list)
    for unit, series in series_by_unit.items():
        row = row_of[unit]
        for period, value in series.items():
            column = col_of.get(period)
            if column is not None:
                matrix[row, column] = value
            if period.period_type != PeriodType.YEARLY:
                finer_cells[period.period_type].append((row, period, value))
    target_types = {period.period_type for period in col_of}
    for finer in (PeriodType.MONTHLY, PeriodType.QUARTERLY):
        cells = finer_cells.get(finer)
        if not cells:
            continue
        periods = sorted({period for _row, period, _value in cells})
        index = {period: column for column, period in enumerate(periods)}
        source = np.full((shape[0], len(periods)), np.nan)
        for row, period, value in cells:
            source[row, index[period]] = value
        for coarser in (PeriodType.QUARTERLY, PeriodType.YEARLY):
            if (
                coarser not in target_types
                or MONTHS_PER_PERIOD[coarser] <= MONTHS_PER_PERIOD[finer]
            ):
                continue
            coarse, values, _reported = convert_array(
                source, periods, to=coarser, aggregation=aggregation
            )
            for position, period in enumerate(coarse):
                column = col_of.get(period)
                if column is None:
                    continue
                fill = np.isnan(matrix[:, column]) & ~np.isnan(values[:, position])
                matrix[fill, column] = values[fill, position]
    return matrix


_COLUMNS = (
    "indicator_id",
    "unit_id",
    "unit_code",
    "level",
    "period",
    "period_type",
    "period_start",
    "numerator",
    "denominator",
    "value",
    "refreshed_at",
)


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Write aggregate rows with one COPY on PostgreSQL, batched INSERTs elsewhere (model
    instances would cost more than the roll-up itself at city scale)."""
    if not rows:
        return
    table = IndicatorAggregate._meta.db_table
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(_COLUMNS))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 constants
        for start in range(0, len(rows), 5000):
            cursor.executemany(statement, rows[start : start + 5000])


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


@transaction.atomic
def aggregates_refresh(
    *,
    reason: str,
    element_ids: Iterable[int] | None = None,
    periods: Iterable[str] | None = None,
    indicator_ids: Iterable[int] | None = None,
) -> RefreshResult:
    """Recompute the aggregates touched by a change of ``element_ids`` in ``periods`` (their
    quarters and years included); all indicators / all periods with data when not given."""
    started = time.monotonic()
    result = RefreshResult()
    indicators = list(Indicator.objects.filter(is_active=True))
    if indicator_ids is not None:
        wanted = set(indicator_ids)
        indicators = [i for i in indicators if i.pk in wanted]
    elements = {e.code: e for e in DataElement.objects.all()}
    formulas: dict[int, IndicatorFormula] = {}
    for indicator in indicators:
        try:
            formulas[indicator.pk] = IndicatorFormula.from_texts(
                indicator.numerator, indicator.denominator, kind=indicator.kind
            )
        except ComputeError as error:
            result.skipped[indicator.code] = str(error.message)
    if element_ids is not None:
        changed = {e.code for e in elements.values() if e.pk in set(element_ids)}
        indicators = [
            i for i in indicators if i.pk in formulas and changed & set(formulas[i.pk].codes)
        ]
    else:
        indicators = [i for i in indicators if i.pk in formulas]
    if not indicators:
        return result
    used_codes = {code for i in indicators for code in formulas[i.pk].codes if code in elements}
    used_ids = [elements[code].pk for code in used_codes]
    if periods is not None:
        targets = _with_parents(parse_period(code) for code in periods)
    else:
        present = (
            DataValue.objects.filter(counted_values_q(), element_id__in=used_ids)
            .values_list("period", flat=True)
            .order_by()
            .distinct()
        )
        targets = _with_parents(parse_period(code) for code in present)
    if not targets:
        return result
    source_codes = sorted({code for period in targets for code in _sources(period)})
    tree = _load_tree()
    units = list(tree.tree.order)
    row_of = {unit: row for row, unit in enumerate(units)}
    ordered = sorted(targets)
    col_of = {period: column for column, period in enumerate(ordered)}
    # element code -> unit -> period -> value (values of one tree unit summed)
    values: dict[str, dict[str, dict[Period, float]]] = defaultdict(lambda: defaultdict(dict))
    parsed: dict[str, Period] = {}
    rows = (
        DataValue.objects.filter(
            counted_values_q(), element_id__in=used_ids, period__in=source_codes
        )
        .values_list("element__code", "unit_code", "period", "value")
        .order_by()
    )
    for code, unit_code, period_code, value in rows.iterator(chunk_size=20000):
        unit = tree.attribute(unit_code)
        if unit is None:
            continue
        period = parsed.get(period_code)
        if period is None:
            period = parsed[period_code] = parse_period(period_code)
        series = values[code][unit]
        series[period] = series.get(period, 0.0) + float(value)
    shape = (len(units), len(ordered))
    now = timezone.now()
    new_rows: list[tuple[Any, ...]] = []
    for indicator in indicators:
        formula = formulas[indicator.pk]
        codes = [code for code in formula.codes if code in elements]
        if not any(values.get(code) for code in codes):
            continue
        sums = {
            code: rollup_array(
                tree.tree,
                units,
                _element_matrix(
                    values.get(code, {}), elements[code].aggregation, row_of, col_of, shape
                ),
            )[0]
            for code in codes
        }
        for code in formula.codes:
            sums.setdefault(code, np.full(shape, np.nan))
        numerators = formula.numerator.evaluate_arrays(sums, missing=formula.missing)
        numerators = np.broadcast_to(np.asarray(numerators, dtype=float), shape)
        denominators = (
            np.broadcast_to(
                np.asarray(
                    formula.denominator.evaluate_arrays(sums, missing=formula.missing), dtype=float
                ),
                shape,
            )
            if formula.denominator is not None
            else np.full(shape, np.nan)
        )
        results = np.broadcast_to(np.asarray(formula.evaluate_arrays(sums), dtype=float), shape)
        present = ~(np.isnan(numerators) & np.isnan(denominators))
        for row, column in zip(*np.nonzero(present), strict=True):
            unit = units[row]
            period = ordered[column]
            new_rows.append(
                (
                    indicator.pk,
                    tree.ids[unit],
                    unit,
                    tree.levels[unit],
                    period.code,
                    period.period_type.value,
                    period.start,
                    _finite(numerators[row, column]),
                    _finite(denominators[row, column]),
                    _finite(results[row, column]),
                    now,
                )
            )
    IndicatorAggregate.objects.filter(
        indicator__in=indicators, period__in=[p.code for p in ordered]
    ).delete()
    _insert(new_rows)
    result.indicators = len(indicators)
    result.periods = [p.code for p in ordered]
    result.rows = len(new_rows)
    result.seconds = round(time.monotonic() - started, 3)
    AggregateRefresh.objects.create(
        reason=reason[:40],
        indicators=result.indicators,
        periods=result.periods[:200],
        rows=result.rows,
        seconds=result.seconds,
    )
    return result


def refresh_for_values(*, reason: str, element_ids: Iterable[int], periods: Iterable[str]) -> Any:
    """Shorthand used by the reporting services."""
    return aggregates_refresh(reason=reason, element_ids=list(element_ids), periods=list(periods))
