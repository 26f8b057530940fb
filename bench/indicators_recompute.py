"""Benchmark: recompute all computed indicators for a 2,500,000-person registry (PostgreSQL).

    .venv/bin/python bench/indicators_recompute.py [--persons 2500000] [--period 2026]
        [--database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_indicators_recompute]
        [--file persons.csv] [--runs 2] [--keep] [--reuse]

Tiny run to check the script works:

    .venv/bin/python bench/indicators_recompute.py --persons 3000 --runs 1

1. (re)creates the scratch PostgreSQL database of ``--database-url`` (dropped at the end unless
   ``--keep``; ``--reuse`` keeps a database a previous ``--keep`` run loaded with the same
   number of persons, so the recompute can be timed again without loading), migrates it and
   loads the demo territory (Zhuhai: districts, streets, communities, demo grids);
2. writes ``--persons`` synthetic persons with the registry's synthetic city — the same file
   bench/registry_import.py writes and keeps under ``var/bench/registry_persons_N.csv`` — or
   reads ``--file``, and loads them with the real registry import (``registry_import``: full
   validation, hashing and encryption of ID numbers, address placement; this takes several
   minutes for 2.5 M persons and is NOT the timed part);
3. defines a computed data element for every computed source the indicators app offers
   (``services.computed.COMPUTED_SOURCES``: residents, by residence status, elderly 60+ / 65+,
   minors, households, legal entities, appeals …) and indicators over them (elderly share,
   floating share, minors share, household size, entities per 10,000 residents, appeals replied
   on time) with the indicators services;
4. times ``recompute(period=--period)`` ``--runs`` times: every computed element read through
   the registry and appeals selectors, stored per unit, and the aggregates of every indicator
   refreshed (the month, quarter and year as the period implies) — the issue's figure.

Prints one JSON line: {"persons", "period", "seconds" (first recompute), "runs": [{"seconds",
"values", "aggregate_rows", "timings"}], "elements", "indicators", "city_residents",
"residents_match", "load_seconds", "generate_seconds", "database", "cpus"}.
Target (issue 6): under 60 s for 2,500,000 persons.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# (code, name, kind, numerator, denominator) over the computed elements below.
INDICATORS = [
    ("R_ELDERLY_SHARE", "60岁以上老年人口占比", "percentage", "#{ELDERLY_60}", "#{RESIDENTS}"),
    ("R_ELDERLY65_SHARE", "65岁以上老年人口占比", "percentage", "#{ELDERLY_65}", "#{RESIDENTS}"),
    ("R_MINOR_SHARE", "未成年人口占比", "percentage", "#{MINORS}", "#{RESIDENTS}"),
    (
        "R_FLOATING_SHARE",
        "流动人口占比",
        "percentage",
        "#{RESIDENTS_FLOATING}",
        "#{RESIDENTS}",
    ),
    ("R_HOUSEHOLD_SIZE", "平均每户人数", "index", "#{RESIDENTS}", "#{HOUSEHOLDS}"),
    ("R_ENTITIES", "每万人法人单位数", "per_ten_thousand", "#{ENTITIES}", "#{RESIDENTS}"),
    ("R_RESIDENTS", "常住人口", "count", "#{RESIDENTS}", ""),
    (
        "R_APPEALS_ON_TIME",
        "诉求按时答复率",
        "percentage",
        "#{APPEALS_REPLIED_ON_TIME}",
        "#{APPEALS_REPLIED}",
    ),
]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=2_500_000)
    parser.add_argument("--period", default=str(dt.date.today().year), help="e.g. 2026, 2026Q2")
    parser.add_argument("--file", help="an existing persons CSV (Chinese headers) to load")
    parser.add_argument("--runs", type=int, default=2, help="timed recomputes (2)")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/civicgrid_bench_indicators_recompute",
        help="a scratch PostgreSQL database: dropped and created (never name one you need)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept, loaded database")
    return parser.parse_args(argv)


def _bench_module(name: str) -> Any:
    """A sibling bench script as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", Path(__file__).with_name(name))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _element_code(source: str) -> str:
    """``registry.residents.floating`` → ``RESIDENTS_FLOATING``; ``appeals.replied`` → …"""
    app, _dot, rest = source.partition(".")
    code = rest.replace(".", "_").upper()
    code = {"ELDERLY_60": "ELDERLY_60", "ELDERLY_65": "ELDERLY_65"}.get(code, code)
    return f"APPEALS_{code}" if app == "appeals" else code


def _definitions() -> tuple[int, int]:
    from civicgrid.indicators.models import DataElement, Indicator
    from civicgrid.indicators.services.computed import APPEALS_SOURCES, COMPUTED_SOURCES
    from civicgrid.indicators.services.definitions import element_create, indicator_create

    for source in COMPUTED_SOURCES:
        code = _element_code(source)
        if DataElement.objects.filter(code=code).exists():
            continue
        element_create(
            actor=None,
            code=code,
            name=str(COMPUTED_SOURCES[source]),
            source="computed",
            computed_source=source,
            aggregation="sum" if source in APPEALS_SOURCES else "last",
            is_integer=True,
        )
    known = set(DataElement.objects.values_list("code", flat=True))
    for code, name, kind, numerator, denominator in INDICATORS:
        used = {part.split("}")[0] for part in (numerator + denominator).split("#{")[1:]}
        if Indicator.objects.filter(code=code).exists() or not used <= known:
            continue
        indicator_create(
            actor=None,
            code=code,
            name=name,
            kind=kind,
            numerator=numerator,
            denominator=denominator,
        )
    return DataElement.objects.count(), Indicator.objects.count()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    cockpit = _bench_module("indicators_cockpit.py")
    reuse = options.reuse and cockpit._database(options.database_url, drop=False, create=False)
    cockpit._database(options.database_url, drop=not reuse, create=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.demo.loader import load_territory
    from civicgrid.indicators.models import IndicatorAggregate
    from civicgrid.indicators.services.computed import recompute
    from civicgrid.registry.models import Person
    from civicgrid.registry.services import registry_import
    from civicgrid.territory.models import AdminUnit

    result: dict[str, Any] = {}
    try:
        call_command("migrate", verbosity=0)
        load_seconds = None
        generate_seconds = None
        loaded = reuse and Person.objects.count() == options.persons
        if not loaded:
            if Person.objects.exists():
                raise SystemExit("the database holds another number of persons: omit --reuse")
            load_territory()
            if options.file:
                path = Path(options.file)
            else:
                bench_dir = Path(settings.VAR_DIR) / "bench"
                bench_dir.mkdir(parents=True, exist_ok=True)
                path = bench_dir / f"registry_persons_{options.persons}.csv"
                if not path.exists():
                    seconds, _generator = _bench_module("registry_import.py")._generate(
                        options.persons, path
                    )
                    generate_seconds = round(seconds, 1)
            started = time.perf_counter()
            registry_import(
                actor=None,
                kind="persons",
                source="gongan",
                path=path,
                chunk_size=20_000,
                pipeline=True,
            )
            load_seconds = round(time.perf_counter() - started, 1)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elements, indicators = _definitions()
        runs = []
        for _run in range(options.runs):
            started = time.perf_counter()
            outcome = recompute(period=options.period, actor=None)
            runs.append(
                {
                    "seconds": round(time.perf_counter() - started, 2),
                    "values": outcome.values,
                    "aggregate_rows": outcome.aggregate_rows,
                    "timings": outcome.timings,
                }
            )
        city = AdminUnit.objects.filter(level="city").order_by("code").first()
        city_residents = (
            IndicatorAggregate.objects.filter(
                indicator__code="R_RESIDENTS", unit_code=city.code, period=options.period
            )
            .values_list("value", flat=True)
            .first()
            if city
            else None
        )
        persons = Person.objects.count()
        result = {
            "persons": persons,
            "period": options.period,
            "seconds": runs[0]["seconds"] if runs else None,
            "runs": runs,
            "elements": elements,
            "indicators": indicators,
            "city_residents": city_residents,
            "residents_match": city_residents == persons if city_residents is not None else None,
            "load_seconds": load_seconds,
            "generate_seconds": generate_seconds,
            "database": connection.vendor,
            "cpus": os.cpu_count(),
        }
    finally:
        connection.close()
        if not options.keep:
            cockpit._database(options.database_url, drop=True, create=False)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
