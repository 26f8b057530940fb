"""Benchmark: the indicators cockpit (指标驾驶舱) over 200 indicators × 1,300 units × 60 months.

    .venv/bin/python bench/indicators_cockpit.py [--indicators 200] [--units 1300]
        [--districts 5] [--streets 60] [--months 60] [--targets 100] [--requests 20]
        [--database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_indicators_cockpit]
        [--no-data-values] [--keep] [--reuse]

Tiny run to check the script works (a few seconds):

    .venv/bin/python bench/indicators_cockpit.py --indicators 6 --units 40 --districts 2 \\
        --streets 6 --months 24 --targets 4 --requests 3

1. (re)creates the scratch PostgreSQL database of ``--database-url`` (dropped at the end unless
   ``--keep``; ``--reuse`` keeps a database a previous ``--keep`` run filled with the same
   sizes), migrates it and imports a synthetic city tree with the territory service: one city,
   ``--districts`` districts, ``--streets`` streets and communities up to ``--units`` units;
2. defines the data elements (a numerator per indicator, ten population elements as
   denominators), ``--indicators`` indicators (percentage, per 1,000, per 10,000, count) and
   ``--targets`` targets (half city-wide, half for each district) with the indicators services;
3. generates monthly values for every community (trends per district, ~2 % missing) from
   2012-01 on and loads them with COPY as data values (``--no-data-values``: skipped);
4. fills the precomputed aggregates (every unit × month, quarter and year) with the compute
   package's numpy path (``compute.bulk``: the same rules as ``aggregates_refresh``) and COPY;
5. times ``aggregates_refresh`` for ONE changed value (one element, one month: the month, its
   quarter and year of the indicators using it are recomputed from the data values) and checks
   that the service's figures equal the bulk path's;
6. times ``--requests`` calls of each cockpit case — the web pages (city cockpit, district view,
   pivot, equalisation) and API calls with the Django test client as a city-wide leader, and the
   selectors behind them — in this process.

Prints one JSON line: {"indicators", "units", "months", "aggregate_rows", "data_values",
"p50_ms", "p95_ms", "max_ms" (pages and API calls), "selectors_p95_ms", "cases": {case: {"p50_ms",
"p95_ms", "kind"}}, "skipped" (API paths not built: 404), "failed" (other answers than 200),
"fill_seconds", "refresh_one_change_seconds", "refresh_matches",
"database", "cpus"}. Target (issue 6): p95 under 300 ms per page or API call. The machine may be
shared while it runs, so the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

CITY = "4404"
FIRST_MONTH = (2012, 1)
POPULATIONS = 10  # denominator elements shared by the indicators
KINDS = ("percentage", "per_thousand", "per_ten_thousand", "count")
TODAY = dt.date(2016, 6, 30)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--units", type=int, default=1300, help="units city→community (1,300)")
    parser.add_argument("--districts", type=int, default=5)
    parser.add_argument("--streets", type=int, default=60)
    parser.add_argument("--months", type=int, default=60, help="months from 2012-01 (60)")
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--requests", type=int, default=20, help="timed calls per case")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/civicgrid_bench_indicators_cockpit",
        help="a scratch PostgreSQL database: dropped and created (never name one you need)",
    )
    parser.add_argument("--no-data-values", action="store_true", help="aggregates only")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database if filled")
    options = parser.parse_args(argv)
    communities = options.units - 1 - options.districts - options.streets
    if (
        options.districts < 1
        or options.streets < options.districts
        or communities < options.streets
    ):
        parser.error("need districts ≥ 1, streets ≥ districts and a community per street")
    return options


# -- database -----------------------------------------------------------------------------
def _database(url: str, *, drop: bool, create: bool) -> bool:
    """Drop and/or create the scratch database; True when it exists afterwards."""
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name or parsed.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("--database-url must be postgres://user@host:port/NAME")
    with psycopg.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = bool(
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )
        if drop and exists:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = False
        if create and not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            exists = True
    return exists


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


# -- synthetic city -----------------------------------------------------------------------
def _territory(options: argparse.Namespace) -> None:
    """City → districts → streets → communities through the territory import service."""
    from civicgrid.territory.services import divisions_import

    communities = options.units - 1 - options.districts - options.streets
    rows = [(CITY, "珠海市", "city", "")]
    districts = [f"{CITY}{index + 2:02d}" for index in range(options.districts)]
    rows += [(code, f"第{n + 1}区", "district", CITY) for n, code in enumerate(districts)]
    streets: list[str] = []
    for index in range(options.streets):
        district = districts[index % len(districts)]
        code = f"{district}{index // len(districts) + 1:03d}"
        streets.append(code)
        rows.append((code, f"第{index + 1}街道", "street", district))
    for index in range(communities):
        street = streets[index % len(streets)]
        code = f"{street}{index // len(streets) + 1:03d}"
        rows.append((code, f"第{index + 1}社区", "community", street))
    with tempfile.NamedTemporaryFile(
        "w", suffix=".csv", encoding="utf-8", newline="", delete=False
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "level", "parent_code"])
        writer.writerows(rows)
        path = Path(handle.name)
    try:
        report = divisions_import(actor=None, path=path, city_codes={CITY})
    finally:
        path.unlink()
    if report.errors:
        raise SystemExit(f"territory import failed: {report.errors[:3]}")


def _definitions(options: argparse.Namespace) -> None:
    from civicgrid.indicators.models import Indicator
    from civicgrid.indicators.services.definitions import (
        element_create,
        indicator_create,
        target_create,
    )
    from civicgrid.territory.models import AdminUnit

    for index in range(POPULATIONS):
        element_create(
            actor=None,
            code=f"POP{index:02d}",
            name=f"人口{index}",
            aggregation="last",
            is_integer=True,
        )
    for index in range(options.indicators):
        kind = KINDS[index % len(KINDS)]
        element_create(
            actor=None,
            code=f"NUM{index:03d}",
            name=f"分子{index}",
            aggregation="sum" if kind == "count" else "last",
            is_integer=True,
        )
        indicator_create(
            actor=None,
            code=f"IND{index:03d}",
            name=f"指标{index}",
            kind=kind,
            numerator=f"#{{NUM{index:03d}}}",
            denominator="" if kind == "count" else f"#{{POP{index % POPULATIONS:02d}}}",
            theme=f"主题{index % 8}",
            sort_order=index,
        )
    indicators = list(Indicator.objects.order_by("sort_order")[: options.targets])
    last_year = FIRST_MONTH[0] + (options.months - 1) // 12
    for index, indicator in enumerate(indicators):
        each_district = index % 2 == 1
        target_create(
            actor=None,
            indicator=indicator,
            value=_target_value(indicator.kind),
            deadline_period=str(last_year - 1 + index % 3),
            comparator="ge",
            scope="each_district" if each_district else "city",
            scope_unit=None if each_district else AdminUnit.objects.get(code=CITY),
            name=f"目标{index}",
            source_document="bench",
            source_passage="bench",
        )


def _target_value(kind: str) -> float:
    return {"percentage": 10.0, "per_thousand": 30.0, "per_ten_thousand": 10.0}.get(kind, 1000.0)


# -- values: generated, then aggregates through the compute package's bulk path ------------
def _months(count: int) -> list[Any]:
    from civicgrid.indicators.compute.periods import Period

    first = Period.monthly(*FIRST_MONTH)
    return [first.shifted(step) for step in range(count)]


def _element_matrices(
    options: argparse.Namespace, units: list[str], levels: dict[str, str]
) -> dict[str, Any]:
    """``{element code: units × months}``: values at communities, NaN elsewhere (~2 % missing)."""
    import numpy as np

    rng = np.random.default_rng(options.seed)
    months = options.months
    leaf = np.array([levels[unit] == "community" for unit in units])
    district_index = np.array(
        [int(unit[4:6]) - 2 if len(unit) >= 6 else 0 for unit in units], dtype=float
    )
    time_axis = np.arange(months, dtype=float)
    matrices: dict[str, Any] = {}
    base_population = rng.uniform(2_000, 12_000, size=len(units))
    for index in range(POPULATIONS):
        share = 0.1 + 0.08 * index
        growth = 1 + 0.001 * time_axis
        values = np.outer(base_population * share, growth).round()
        matrices[f"POP{index:02d}"] = values
    for index in range(options.indicators):
        kind = KINDS[index % len(KINDS)]
        population = matrices[f"POP{index % POPULATIONS:02d}"]
        if kind == "count":
            lam = rng.uniform(5, 50) * (1 + 0.2 * district_index)
            values = rng.poisson(np.outer(lam, np.ones(months))).astype(float)
        else:
            scale = {"percentage": 0.08, "per_thousand": 0.028, "per_ten_thousand": 0.0009}[kind]
            start = scale * (0.6 + 0.15 * district_index)[:, None]
            trend = (0.004 + 0.002 * rng.random(len(units)))[:, None] * time_axis[None, :] / 12
            noise = rng.normal(0, scale * 0.05, size=(len(units), months))
            values = np.maximum(population * (start + scale * trend + noise), 0).round()
        matrices[f"NUM{index:03d}"] = values
    for code, values in matrices.items():
        values = values.astype(float)
        values[~leaf, :] = np.nan
        values[rng.random(values.shape) < 0.02] = np.nan
        matrices[code] = values
    return matrices


def _copy(table: str, columns: list[str], rows: Iterator[str]) -> int:
    """COPY text rows (tab separated, \\N for NULL) into ``table``; the number of rows.

    A bulk load into the scratch database: the table's secondary indexes and its unique and
    foreign-key constraints are dropped first and built again afterwards (one sort per index
    instead of one insertion per row and index; the foreign keys are validated when re-added).
    """
    from django.db import connection

    count = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for line in rows:
                buffer.write(line)
                count += 1
                if count % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return count


def _number(value: float) -> str:
    return "\\N" if value != value else repr(float(value))


def _fill(options: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from civicgrid.indicators.compute.bulk import convert_array, indicator_arrays, rollup_elements
    from civicgrid.indicators.compute.expressions import IndicatorFormula
    from civicgrid.indicators.compute.rollup import UnitTree
    from civicgrid.indicators.models import DataElement, Indicator
    from civicgrid.territory.models import AdminUnit

    started = time.perf_counter()
    rows = list(
        AdminUnit.objects.filter(code__startswith=CITY).values_list(
            "pk", "code", "level", "parent__code"
        )
    )
    units = [code for _pk, code, _level, _parent in rows]
    ids = {code: pk for pk, code, _level, _parent in rows}
    levels = {code: str(level) for _pk, code, level, _parent in rows}
    tree = UnitTree.from_parent_map({code: parent for _pk, code, _l, parent in rows}, levels)
    matrices = _element_matrices(options, units, levels)
    months = _months(options.months)
    now = timezone.now().isoformat()
    elements = {e.code: e for e in DataElement.objects.all()}
    data_values = 0
    if not options.no_data_values:
        leaves = [row for row, unit in enumerate(units) if levels[unit] == "community"]

        def value_rows() -> Iterator[str]:
            for code, matrix in matrices.items():
                element_id = elements[code].pk
                for row in leaves:
                    unit = units[row]
                    for column, month in enumerate(months):
                        value = matrix[row, column]
                        if value == value:
                            yield (
                                f"{now}\t{now}\t{element_id}\t{ids[unit]}\t{unit}\t{month.code}"
                                f"\tmonthly\t{value:.0f}\t\t\\N\timported\t\\N\n"
                            )

        data_values = _copy(
            "indicators_datavalue",
            [
                "created_at",
                "updated_at",
                "element_id",
                "unit_id",
                "unit_code",
                "period",
                "period_type",
                "value",
                "comment",
                "submission_id",
                "origin",
                "entered_by_id",
            ],
            value_rows(),
        )
    values_seconds = time.perf_counter() - started
    mark = time.perf_counter()
    # Per period type: the periods, and every element rolled up the tree once.
    by_type: dict[str, tuple[list[Any], dict[str, Any]]] = {
        "monthly": (months, rollup_elements(tree, units, matrices))
    }
    for period_type in ("quarterly", "yearly"):
        converted: dict[str, Any] = {}
        periods: list[Any] = []
        for code, matrix in matrices.items():
            periods, values, _reported = convert_array(
                matrix, months, to=period_type, aggregation=elements[code].aggregation
            )
            converted[code] = values
        by_type[period_type] = (periods, rollup_elements(tree, units, converted))
    compute_seconds = time.perf_counter() - mark
    indicators = list(Indicator.objects.all())

    def aggregate_rows() -> Iterator[str]:
        for indicator in indicators:
            formula = IndicatorFormula.from_texts(
                indicator.numerator, indicator.denominator, kind=indicator.kind
            )
            for period_type, (periods, rolled) in by_type.items():
                arrays = indicator_arrays(tree, units, formula, {}, rolled=rolled)
                denominator = arrays.denominator
                for row, unit in enumerate(units):
                    prefix = f"{indicator.pk}\t{ids[unit]}\t{unit}\t{levels[unit]}\t"
                    for column, period in enumerate(periods):
                        top = arrays.numerator[row, column]
                        bottom = np.nan if denominator is None else denominator[row, column]
                        if top != top and bottom != bottom:
                            continue
                        yield (
                            f"{prefix}{period.code}\t{period_type}\t{period.start.isoformat()}\t"
                            f"{_number(top)}\t{_number(bottom)}\t"
                            f"{_number(arrays.value[row, column])}\t{now}\n"
                        )

    mark = time.perf_counter()
    aggregates = _copy(
        "indicators_indicatoraggregate",
        [
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
        ],
        aggregate_rows(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE indicators_indicatoraggregate")
        cursor.execute("ANALYZE indicators_datavalue")
    return {
        "data_values": data_values,
        "aggregate_rows": aggregates,
        "values_seconds": round(values_seconds, 1),
        "bulk_compute_seconds": round(compute_seconds, 2),
        "aggregates_seconds": round(time.perf_counter() - mark, 1),
        "fill_seconds": round(time.perf_counter() - started, 1),
    }


def _refresh_one_change(options: argparse.Namespace) -> tuple[float | None, bool | None]:
    """Time ``aggregates_refresh`` for one element × one month; compare with the bulk figures."""
    if options.no_data_values:
        return None, None
    from civicgrid.indicators.compute.periods import PeriodType
    from civicgrid.indicators.models import DataElement, Indicator, IndicatorAggregate
    from civicgrid.indicators.services.aggregates import aggregates_refresh

    month = _months(options.months)[-1]
    indicator = Indicator.objects.get(code="IND001")  # a ratio indicator
    element = DataElement.objects.get(code="NUM001")
    keys = (
        month.code,
        month.parent(PeriodType.QUARTERLY).code,
        month.parent(PeriodType.YEARLY).code,
    )
    before = {
        (row.unit_code, row.period): row.value
        for row in IndicatorAggregate.objects.filter(indicator=indicator, period__in=keys)
    }
    started = time.perf_counter()
    aggregates_refresh(reason="bench", element_ids=[element.pk], periods=[month.code])
    seconds = time.perf_counter() - started
    after = {
        (row.unit_code, row.period): row.value
        for row in IndicatorAggregate.objects.filter(indicator=indicator, period__in=keys)
    }
    matches = set(before) == set(after) and all(
        (before[key] is None and after[key] is None)
        or (
            before[key] is not None
            and after[key] is not None
            and math.isclose(before[key], after[key], rel_tol=1e-9, abs_tol=1e-9)
        )
        for key in before
    )
    return round(seconds, 3), matches


# -- timed cases ----------------------------------------------------------------------------
def _cases(options: argparse.Namespace) -> tuple[list[tuple[str, str, Any]], list[str]]:
    """(name, kind "page" | "api" | "selector", url or callable) and the cases not available."""
    from django.urls import NoReverseMatch, reverse

    from civicgrid.accounts.models import User
    from civicgrid.indicators.models import Indicator
    from civicgrid.indicators.selectors import targets as target_selectors
    from civicgrid.indicators.selectors import values as value_selectors
    from civicgrid.territory.models import AdminUnit

    leader = User.objects.get(username="bench-leader")
    district = AdminUnit.objects.filter(level="district").order_by("code").first()
    street = AdminUnit.objects.filter(level="street").order_by("code").first()
    assert district is not None
    assert street is not None
    indicator = Indicator.objects.get(code="IND001")
    last_month = _months(options.months)[-1]
    year = str(last_month.year)
    month = last_month.code
    ten = [f"IND{index:03d}" for index in range(min(10, options.indicators))]
    cases: list[tuple[str, str, Any]] = []
    skipped: list[str] = []

    def page(name: str, url_name: str, args: list[str] | None = None, **query: Any) -> None:
        try:
            url = reverse(f"web:{url_name}", args=args or [])
        except NoReverseMatch:
            skipped.append(name)
            return
        cases.append((name, "page", f"{url}?{urlencode(query, doseq=True)}" if query else url))

    page("page:cockpit_city", "indicators_cockpit")
    page("page:cockpit_city_indicator", "indicators_cockpit", indicator="IND001", year=year)
    page("page:district_view", "indicators_unit", [district.code])
    page("page:street_view", "indicators_unit", [street.code], indicator="IND002")
    page("page:pivot_ten_indicators", "indicators_pivot", indicator=ten, unit=CITY)
    page("page:equalisation", "indicators_equalisation", indicator="IND001")
    page("page:equalisation_streets", "indicators_equalisation", level="street", weighted="1")
    # API calls (ind-web's civicgrid/api/views/indicators.py); those not built yet are skipped.
    api = [
        ("api:indicators", "/api/indicators/", {}),
        ("api:series_city_yearly", "/api/indicators/IND001/series/", {"unit": CITY}),
        (
            "api:series_district_monthly",
            "/api/indicators/IND001/series/",
            {"unit": district.code, "period_type": "monthly"},
        ),
        ("api:targets", "/api/indicators/targets/", {}),
        ("api:targets_district", "/api/indicators/targets/", {"unit": district.code}),
        (
            "api:data_values_street_month",
            "/api/indicators/data-values/",
            {"period": month, "orgUnit": street.code},
        ),
        (
            "api:data_values_csv_ten_elements",
            "/api/indicators/data-values/",
            {
                "dataElement": ",".join(f"NUM{index:03d}" for index in range(len(ten))),
                "period": year,
                "orgUnit": district.code,
                "output": "csv",
            },
        ),
    ]
    for name, path, query in api:
        cases.append((name, "api", f"{path}?{urlencode(query)}" if query else path))
    selectors: list[tuple[str, Callable[[], Any]]] = [
        (
            "series_many_city_yearly",
            lambda: value_selectors.aggregate_series_many(
                leader, unit_code=CITY, period_type="yearly"
            ),
        ),
        (
            "series_one_city_monthly",
            lambda: value_selectors.aggregate_series(
                leader, indicator=indicator, unit_code=CITY, period_type="monthly"
            ),
        ),
        (
            "units_districts_year",
            lambda: value_selectors.aggregate_units(
                leader, indicator=indicator, period=year, level="district"
            ),
        ),
        (
            "units_communities_month",
            lambda: value_selectors.aggregate_units(
                leader, indicator=indicator, period=month, level="community"
            ),
        ),
        (
            "units_streets_of_district",
            lambda: value_selectors.aggregate_units(
                leader, indicator=indicator, period=year, level="street", parent_code=district.code
            ),
        ),
        ("target_statuses_all", lambda: target_selectors.target_statuses(leader, today=TODAY)),
        (
            "target_statuses_district",
            lambda: target_selectors.target_statuses(leader, unit_code=district.code, today=TODAY),
        ),
        (
            "equalisation_streets_weighted",
            lambda: value_selectors.equalisation_for(
                leader, indicator=indicator, period=year, level="street", weighting="denominator"
            ),
        ),
        (
            "equalisation_series_districts",
            lambda: value_selectors.equalisation_series(leader, indicator=indicator),
        ),
        (
            "pivot_ten_indicators_streets_months",
            lambda: value_selectors.aggregate_pivot(
                leader,
                indicator_codes=ten,
                periods=[p.code for p in _months(options.months)[-12:]],
                level="street",
            ),
        ),
    ]
    cases += [(f"selector:{name}", "selector", call) for name, call in selectors]
    return cases, skipped


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    reuse = options.reuse and _database(options.database_url, drop=False, create=False)
    _database(options.database_url, drop=not reuse, create=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from civicgrid.accounts.models import Role, User
    from civicgrid.indicators.models import Indicator, IndicatorAggregate
    from civicgrid.territory.models import AdminUnit

    settings.ALLOWED_HOSTS = ["*"]
    result: dict[str, Any] = {}
    try:
        call_command("migrate", verbosity=0)
        filled = (
            Indicator.objects.count() == options.indicators
            and AdminUnit.objects.filter(code__startswith=CITY).count() == options.units
            and IndicatorAggregate.objects.exists()
        )
        fill: dict[str, Any] = {}
        if not filled:
            if Indicator.objects.exists():
                raise SystemExit("the database holds another run's data: drop it or omit --reuse")
            mark = time.perf_counter()
            _territory(options)
            _definitions(options)
            fill = _fill(options)
            fill["setup_seconds"] = round(time.perf_counter() - mark, 1)
        refresh_seconds, refresh_matches = _refresh_one_change(options)
        city = AdminUnit.objects.get(code=CITY)
        User.objects.get_or_create(
            username="bench-leader", defaults={"role": Role.LEADER, "scope_unit": city}
        )
        leader = User.objects.get(username="bench-leader")
        client = Client()
        client.force_login(leader)
        cases, skipped = _cases(options)
        timings: dict[str, list[float]] = {}
        kinds: dict[str, str] = {}
        failed: dict[str, str] = {}  # cases that did not answer 200 (not timed)
        for name, kind, target in cases:
            if kind == "selector":
                call = target
                target()  # warm up
            else:
                response = client.get(target)
                if response.status_code == 404 and kind == "api":
                    skipped.append(name)
                    continue
                if response.status_code != 200:
                    failed[name] = f"{target}: HTTP {response.status_code}"
                    continue

                def call(url: str = target) -> Any:
                    answer = client.get(url)
                    if answer.status_code != 200:
                        raise SystemExit(f"{url}: HTTP {answer.status_code}")
                    return answer

            kinds[name] = kind
            for _index in range(options.requests):
                started = time.perf_counter()
                call()
                timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        served = [
            v for name, values in timings.items() if kinds[name] != "selector" for v in values
        ]
        selected = [
            v for name, values in timings.items() if kinds[name] == "selector" for v in values
        ]
        served = served or [0.0]
        result = {
            "indicators": options.indicators,
            "units": AdminUnit.objects.filter(code__startswith=CITY).count(),
            "months": options.months,
            "aggregate_rows": IndicatorAggregate.objects.count(),
            "data_values": fill.get("data_values"),
            "p50_ms": round(statistics.median(served), 1),
            "p95_ms": round(_percentile(served, 0.95), 1),
            "max_ms": round(max(served), 1),
            "selectors_p95_ms": round(_percentile(selected, 0.95), 1) if selected else None,
            "requests": len(served),
            "cases": {
                name: {
                    "kind": kinds[name],
                    "p50_ms": round(statistics.median(values), 1),
                    "p95_ms": round(_percentile(values, 0.95), 1),
                }
                for name, values in timings.items()
            },
            "skipped": skipped,
            "failed": failed,
            **{key: value for key, value in fill.items() if key != "data_values"},
            "refresh_one_change_seconds": refresh_seconds,
            "refresh_matches": refresh_matches,
            "database": connection.vendor,
            "cpus": os.cpu_count(),
        }
    finally:
        connection.close()
        if not options.keep:
            _database(options.database_url, drop=True, create=False)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
