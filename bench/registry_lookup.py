"""Benchmark: person lookup by ID number and residents by grid for the whole city (PostgreSQL).

    .venv/bin/python bench/registry_lookup.py \\
        --database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_lookup \\
        [--persons 2500000] [--lookups 10000] [--seed 2014] [--keep | --reuse]

The scratch database NAME is dropped if it exists, created, migrated, given the Zhuhai demo
territory (``civicgrid demo load``'s divisions and demo grids) and filled with ``--persons``
persons of the registry's synthetic city (:mod:`civicgrid.registry.synthetic`: valid ID
numbers, households, grids), written with COPY: keyed hash, Fernet ciphertext and masked
number per person exactly as the import writes them, plus one household row per household.
It is dropped afterwards unless ``--keep``; ``--reuse`` measures a database kept earlier
without filling it again. Never name a database you need.

Measured through the selectors the pages and the API use, as a city-wide administrator:

* ``lookup``: :func:`civicgrid.registry.selectors.people.person_by_id_number` for
  ``--lookups`` numbers drawn from the persons (90 %) and valid numbers nobody has (10 %),
  in random order: normalising, keyed hash, one index probe, the ORM. Goal: p99 < 10 ms.
* ``residents_by_grid``: :func:`civicgrid.registry.selectors.figures.residents_by_unit` for the
  whole city (every grid, by residence status), cold (first run) and best of 5. Goal: < 1 s.
  The registry's person unit index holds ``(admin_unit_code, residence_status,
  is_deceased)``, so this is an index-only scan; ``--living-index`` adds a partial index
  ``WHERE NOT is_deceased`` beside it, for comparison.
* ``figures_city``: the figures table of the city (per district: residents by status, age
  bands, elderly, households) — best of 3.
* ``grid_page``: the first page (50) of one grid's residents with its count, as the list shows.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

PERSON_COLUMNS = (
    "id_hash",
    "id_sealed",
    "id_masked",
    "name",
    "sex",
    "birth_date",
    "region_code",
    "phone",
    "registered_address",
    "registered_division_code",
    "residence_status",
    "permit_number",
    "permit_valid_until",
    "employer",
    "admin_unit_id",
    "admin_unit_code",
    "is_deceased",
    "field_sources",
    "version",
    "created_at",
    "updated_at",
)
HOUSEHOLD_COLUMNS = (
    "number",
    "kind",
    "admin_unit_code",
    "field_sources",
    "created_at",
    "updated_at",
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        required=True,
        help="postgres://…/NAME: a scratch PostgreSQL database, created and dropped",
    )
    parser.add_argument("--persons", type=int, default=2_500_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept earlier (no fill)"
    )
    parser.add_argument(
        "--living-index",
        action="store_true",
        help="first add the proposed partial index (admin_unit_code, residence_status) WHERE "
        "NOT is_deceased, which the migrations do not have yet",
    )
    options = parser.parse_args(argv)
    if options.persons < 1 or options.lookups < 1:
        parser.error("--persons and --lookups must be positive")
    return options


def _scratch_postgres(url: str, *, create: bool) -> None:
    """Drop the database named in ``url`` (and create it anew when ``create``)."""
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
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _fill(persons: int, lookups: int, seed: int) -> dict[str, Any]:
    """Persons and households of the synthetic city, by COPY; returns counts, timings and a
    sample of plain ID numbers (reservoir) for the lookups."""
    from django.db import connection
    from django.utils import timezone

    from civicgrid.core.masking import mask_id_number
    from civicgrid.demo import loader
    from civicgrid.registry import crypto
    from civicgrid.registry.synthetic import SyntheticCity, grids_from_database
    from civicgrid.territory.models import AdminUnit

    started = time.perf_counter()
    loader.load_territory()
    grids = grids_from_database("4404")
    unit_ids = dict(AdminUnit.objects.filter(code__startswith="4404").values_list("code", "id"))
    territory_seconds = time.perf_counter() - started
    city = SyntheticCity(grids, seed=seed, dwellings=max(1000, persons // 3), entities=0)
    rng = random.Random(seed)
    sample: list[str] = []
    now = timezone.now()
    seen = 0
    households = 0
    seal_seconds = 0.0
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection behind Django's (autocommit)
    with raw.cursor() as cursor:
        person_copy = f"COPY registry_person ({', '.join(PERSON_COLUMNS)}) FROM STDIN"
        household_rows: list[tuple[Any, ...]] = []
        with cursor.copy(person_copy) as copy:
            for household in city.households(persons):
                grid = household.members[0]["grid_code"] if household.members else ""
                households += 1
                household_rows.append((household.number, household.kind, grid, "{}", now, now))
                for row in household.members:
                    number = row["id_number"]
                    seen += 1
                    if len(sample) < lookups:
                        sample.append(number)
                    else:
                        slot = rng.randrange(seen)
                        if slot < lookups:
                            sample[slot] = number
                    sealing = time.perf_counter()
                    sealed = crypto.seal(number)
                    seal_seconds += time.perf_counter() - sealing
                    code = row["grid_code"]
                    copy.write_row(
                        (
                            crypto.id_hash(number),
                            sealed,
                            mask_id_number(number),
                            row["name"],
                            row["sex"],
                            row["birth_date"],
                            number[:6],
                            row["phone"],
                            row["registered_address"],
                            row["registered_division_code"],
                            row["residence_status"],
                            row["permit_number"],
                            row["permit_valid_until"] or None,
                            row["employer"],
                            unit_ids.get(code),
                            code,
                            False,
                            "{}",
                            1,
                            now,
                            now,
                        )
                    )
        fill_seconds = time.perf_counter() - started
        household_copy = f"COPY registry_household ({', '.join(HOUSEHOLD_COLUMNS)}) FROM STDIN"
        with cursor.copy(household_copy) as copy:
            for household_row in household_rows:
                copy.write_row(household_row)
    started = time.perf_counter()
    with connection.cursor() as django_cursor:  # autocommit: each COPY committed already
        django_cursor.execute("VACUUM ANALYZE registry_person")
        django_cursor.execute("VACUUM ANALYZE registry_household")
    return {
        "persons": seen,
        "households": households,
        "grids": len(grids),
        "territory_seconds": round(territory_seconds, 1),
        "fill_seconds": round(fill_seconds, 1),
        "fill_rows_per_s": round(seen / fill_seconds) if fill_seconds else None,
        "seal_seconds": round(seal_seconds, 1),
        "vacuum_seconds": round(time.perf_counter() - started, 1),
        "sample": sample,
    }


def _absent_numbers(count: int, seed: int) -> list[str]:
    """Valid ID numbers of people born in 1901 (the synthetic city has nobody that old)."""
    from civicgrid.core.idnumbers import id_number_check_digit

    rng = random.Random(seed + 1)
    numbers = []
    for _ in range(count):
        body = f"110101190101{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
        numbers.append(body + id_number_check_digit(body))
    return numbers


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _measure(sample: list[str], seed: int) -> dict[str, Any]:
    from django.db import connection

    from civicgrid.accounts.models import Role, User
    from civicgrid.registry.selectors.figures import registry_figures, residents_by_unit
    from civicgrid.registry.selectors.people import (
        person_by_id_number,
        person_rows,
        persons_search,
    )

    admin, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"role": Role.ADMINISTRATOR}
    )
    rng = random.Random(seed + 2)
    absent = _absent_numbers(max(1, len(sample) // 9), seed)
    numbers = [(number, True) for number in sample] + [(number, False) for number in absent]
    rng.shuffle(numbers)
    person_by_id_number(admin, sample[0])  # resolve the user's access once (per request)
    times: list[float] = []
    wrong = 0
    for number, present in numbers:
        # Typed as people type them: lower-case x, spaces.
        typed = " " + number.lower() + " "
        started = time.perf_counter()
        person = person_by_id_number(admin, typed)
        times.append(time.perf_counter() - started)
        if (person is not None) != present:
            wrong += 1
    milliseconds = [value * 1000 for value in times]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM registry_person WHERE id_hash = %s", ["0" * 64])
        plan = " ".join(row[0] for row in cursor.fetchall())

    cold, counts = _timed(lambda: residents_by_unit(admin))
    warm = min(_timed(lambda: residents_by_unit(admin))[0] for _ in range(5))
    figures_seconds = min(_timed(lambda: registry_figures(parent_code="4404"))[0] for _ in range(3))
    busiest = max(counts.items(), key=lambda item: item[1]["total"]) if counts else ("", {})

    def grid_page() -> int:
        persons = persons_search(admin, unit_code=busiest[0])
        total = persons.count()
        person_rows(admin, list(persons[:50]))
        return int(total)

    page_seconds = min(_timed(grid_page)[0] for _ in range(5))
    return {
        "lookups": len(numbers),
        "lookup_misses": len(absent),
        "lookup_wrong": wrong,
        "lookup_ms": {
            "p50": round(_percentile(milliseconds, 0.50), 3),
            "p95": round(_percentile(milliseconds, 0.95), 3),
            "p99": round(_percentile(milliseconds, 0.99), 3),
            "max": round(max(milliseconds), 3),
            "mean": round(statistics.fmean(milliseconds), 3),
        },
        "lookup_plan": plan,
        "residents_by_grid_seconds_cold": round(cold, 3),
        "residents_by_grid_seconds": round(warm, 3),
        "residents_by_grid_units": len(counts),
        "residents_counted": sum(item["total"] for item in counts.values()),
        "figures_city_seconds": round(figures_seconds, 3),
        "grid_page_seconds": round(page_seconds, 4),
        "grid_page_grid": busiest[0],
        "grid_page_residents": busiest[1].get("total", 0),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    if not options.reuse:
        _scratch_postgres(options.database_url, create=True)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0)
        if options.reuse:
            from civicgrid.registry.models import Person

            sample = _reuse_sample(options.lookups) if Person.objects.exists() else []
            filled: dict[str, Any] = {"persons": Person.objects.count(), "reused": True}
        else:
            filled = _fill(options.persons, options.lookups, options.seed)
            sample = filled.pop("sample")
        if not sample:
            raise SystemExit("no persons to look up")
        if options.living_index:
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE INDEX IF NOT EXISTS bench_person_living_unit ON registry_person "
                    "(admin_unit_code, residence_status) WHERE NOT is_deceased"
                )
                cursor.execute("VACUUM ANALYZE registry_person")
        measured = _measure(sample, options.seed)
        result = {
            **filled,
            **measured,
            "database": connection.vendor,
            "seed": options.seed,
            "total_seconds": round(time.perf_counter() - started, 1),
            "load_average": [round(value, 2) for value in os.getloadavg()],
            "cpus": os.cpu_count(),
            "living_index": options.living_index,
            "goal_lookup_p99_ms": 10,
            "goal_residents_by_grid_seconds": 1,
        }
    finally:
        connection.close()
        if not options.keep and not options.reuse:
            _scratch_postgres(options.database_url, create=False)
    print(json.dumps(result, ensure_ascii=False))
    return result


def _reuse_sample(count: int) -> list[str]:
    """Plain numbers of a kept database, opened from the ciphertext (bench only)."""
    from civicgrid.registry import crypto
    from civicgrid.registry.models import Person

    sealed = Person.objects.order_by("?").values_list("id_sealed", flat=True)[:count]
    return [crypto.unseal(token) for token in sealed]


if __name__ == "__main__":
    main()
