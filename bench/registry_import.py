"""Benchmark: import N persons (CSV) into the registry, beside a bare PostgreSQL COPY of the file.

    .venv/bin/python bench/registry_import.py [--rows 1000000] [--file persons.csv]
        [--database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_registry_import]
        [--chunk-size 20000] [--no-pipeline] [--keep] [--profile] [--check-plain]

The scratch PostgreSQL database in ``--database-url`` is dropped if it exists, created,
migrated, given the demo territory (districts, streets, communities and the demo grids) and
dropped afterwards (kept with ``--keep``); never name a database you need. Without
``--database-url`` a throwaway SQLite file is used instead (then there is no COPY figure).

The file: ``--file`` reads an existing persons CSV; otherwise the synthetic city of
:mod:`civicgrid.registry.synthetic` writes one (valid ID numbers consistent with birth date and
sex, names, phones, the current address in the demo grids with coordinates for about half the
people, residence status and permits; every column of the persons file), kept under
``var/bench/`` for the next run of the same size.

The import is the real one (``registry_import``: full validation, keyed hash and encryption of
every ID number, address parsing and grid placement, source records, chunks of 20,000 rows,
the writer threads as the CLI uses them; ``--no-pipeline`` writes in the reading thread).
``--profile`` prints the import's cProfile to stderr (``BENCH_PROFILE_FILE=path`` also saves
it for pstats; ``BENCH_SORT=tottime`` to sort by own time). ``--check-plain`` then empties the
registry tables, imports the file again without the pipeline (untimed) and reports in
``plain_import_identical`` whether buildings, dwellings, persons, residences and source records
came out the same.
The bare COPY loads the same file into a plain table of text columns in the same database (no
checks, no indexes): the floor of what PostgreSQL can take.

Prints one JSON line: {"rows", "seconds", "rows_per_s", "process_cpu_seconds",
"database_cpu_seconds", where the pipeline waited and the writers' own CPU, "copy_seconds",
"copy_rows_per_s", "created", "invalid", "persons", "placed_in_grid", "addresses", "file_mb",
"generate_seconds", "database", and with ``--check-plain`` "plain_import_identical"}.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

CHINESE_HEADER = {
    "id_number": "身份证号",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "phone": "联系电话",
    "registered_address": "户籍地址",
    "registered_division_code": "户籍地区划代码",
    "residence_status": "人口类型",
    "permit_number": "居住证号",
    "permit_valid_until": "居住证有效期至",
    "current_address": "现住址",
    "lon": "经度",
    "lat": "纬度",
    "employer": "工作单位",
    "residence_kind": "居住方式",
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="persons (1,000,000)")
    parser.add_argument("--file", help="an existing persons CSV to import instead")
    parser.add_argument(
        "--database-url",
        help="postgres://…/NAME: a scratch PostgreSQL database, created and dropped",
    )
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--check-plain",
        action="store_true",
        help="afterwards, import the file again without the pipeline into emptied tables and "
        "say whether the result is the same (not timed)",
    )
    parser.add_argument("--no-pipeline", action="store_true", help="check and write in one thread")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (top 30)")
    return parser.parse_args(argv)


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


def _generate(rows: int, target: Path) -> tuple[float, str]:
    """Write ``rows`` persons to ``target`` (Chinese headers, UTF-8); seconds and generator."""
    started = time.perf_counter()
    partial = target.with_suffix(".partial")
    try:
        from civicgrid.registry.synthetic import (
            PERSON_COLUMNS,
            SyntheticCity,
            grids_from_database,
        )

        city = SyntheticCity(
            grids_from_database("4404"),
            seed=2014,
            dwellings=max(1000, rows * 4 // 10),
            entities=1000,
        )
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([CHINESE_HEADER[column] for column in PERSON_COLUMNS])
            for person in city.persons(rows):
                writer.writerow([person.get(column, "") for column in PERSON_COLUMNS])
        generator = "civicgrid.registry.synthetic"
    except Exception as error:  # the shared generator is missing or broken: a local one
        print(f"synthetic city unavailable ({error!r}); using the local generator", file=sys.stderr)
        _generate_locally(rows, partial)
        generator = "local"
    partial.replace(target)
    return time.perf_counter() - started, generator


def _generate_locally(rows: int, target: Path) -> None:
    """A small generator: valid ID numbers, names, phones, addresses in the demo grids (half
    with coordinates inside the grid)."""
    import datetime as dt
    import random

    from shapely.geometry import Point, shape

    from civicgrid.core.idnumbers import id_number_check_digit
    from civicgrid.territory.models import AdminLevel, AdminUnit

    rng = random.Random(2014)
    names = dict(AdminUnit.objects.filter(code__startswith="4404").values_list("code", "name"))
    grids = []
    for code, boundary in AdminUnit.objects.filter(
        code__startswith="4404", level=AdminLevel.GRID, boundary__isnull=False
    ).values_list("code", "boundary"):
        polygon = shape(boundary)
        community = names.get(code[:12], "")
        for suffix, short in (("社区居民委员会", "社区"), ("村民委员会", "村")):
            if community.endswith(suffix):
                community = community[: -len(suffix)] + short
        grids.append((code, polygon, names[code[:6]] + names[code[:9]] + community))
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
    roads = ["迎宾路", "凤凰路", "人民路", "九洲大道", "情侣路", "紫荆路", "梅华路", "前山路"]
    regions = ["440402", "440403", "440404", "360111", "430102", "450103", "510104", "441802"]
    status = ["户籍"] * 56 + ["流动人口"] * 42 + ["港澳台"] * 2
    dwellings = max(1000, rows * 4 // 10)
    homes = []
    for n in range(dwellings):
        code, polygon, prefix = grids[n % len(grids)]
        text = (
            f"珠海市{prefix}{roads[n % len(roads)]}{n // 64 + 1}号{n % 8 + 1}栋"
            f"{n % 2 + 1}单元{(n // 16) % 30 + 1}{n % 4 + 1:02d}"
        )
        point = None
        if n % 2 == 0:
            x0, y0, x1, y1 = polygon.bounds
            for _ in range(20):
                x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
                if polygon.contains(Point(x, y)):
                    point = (x, y)
                    break
        homes.append((text, point))
    start = dt.date(1940, 1, 1)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["身份证号", "姓名", "联系电话", "人口类型", "现住址", "经度", "纬度", "工作单位"]
        )
        for n in range(rows):
            birth = start + dt.timedelta(days=(n * 7919) % 29000)
            body = f"{regions[n % len(regions)]}{birth:%Y%m%d}{n % 1000:03d}"
            # A unique number per row: spread over birth dates and sequence numbers.
            body = body[:14] + f"{(n // 29000) % 1000:03d}"
            text, point = homes[rng.randrange(dwellings)]
            writer.writerow(
                [
                    body + id_number_check_digit(body),
                    rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                    f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    status[n % 100],
                    text,
                    f"{point[0]:.6f}" if point else "",
                    f"{point[1]:.6f}" if point else "",
                    "",
                ]
            )


def _bare_copy(path: Path) -> float:
    """COPY the file into a plain table of text columns; seconds."""
    from django.db import connection

    with path.open("r", encoding="utf-8") as handle:
        header = next(csv.reader([handle.readline()]))
    columns = ", ".join(f'"c{n}" text' for n in range(len(header)))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute(f"CREATE TABLE bench_bare_copy ({columns})")
        with (
            path.open("rb") as handle,
            cursor.cursor.copy(
                "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            for block in iter(lambda: handle.read(1 << 20), b""):
                copy.write(block)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_copy")
    return seconds


def _postgres_cpu() -> float | None:
    """CPU seconds of all local ``postgres`` processes so far (Linux; None elsewhere): with
    the server on this machine, the difference over the import is the database's share."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2 :].split()
            # utime, stime and those of exited children (backends that have closed)
            total += sum(int(value) for value in fields[11:15])
    return total / ticks


# What an import wrote, by natural keys (ids and times differ between two imports).
_DIGESTS = {
    "buildings": "SELECT key, admin_unit_code, admin_unit_id FROM registry_building",
    "addresses": "SELECT a.key, a.admin_unit_code, a.unit, a.room, b.key FROM registry_address a "
    "JOIN registry_building b ON b.id = a.building_id",
    "persons": "SELECT p.id_hash, p.name, p.admin_unit_code, p.phone, a.key FROM registry_person p "
    "LEFT JOIN registry_address a ON a.id = p.current_address_id",
    "residences": "SELECT p.id_hash, a.key, r.admin_unit_code, r.kind, r.moved_in, r.moved_out "
    "FROM registry_residence r JOIN registry_person p ON p.id = r.person_id "
    "JOIN registry_address a ON a.id = r.address_id",
    "source_records": "SELECT natural_key, fingerprint, admin_unit_code, line "
    "FROM registry_sourcerecord",
}


def _digest() -> dict[str, str]:
    import hashlib

    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, query in _DIGESTS.items():
            cursor.execute(query)
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def _same_as_plain(path: Path, chunk_size: int) -> bool:
    """Digest the tables, empty them, import ``path`` again without the pipeline and compare:
    the writers must not change what an import leaves (ADR 0006)."""
    from django.db import connection

    from civicgrid.registry.models import (
        Address,
        Building,
        FieldConflict,
        ImportRun,
        Person,
        Residence,
        SourceRecord,
    )
    from civicgrid.registry.services import registry_import

    piped = _digest()
    for model in (FieldConflict, SourceRecord, Residence, Person, Address, Building, ImportRun):
        model.objects.all().delete()
    registry_import(
        actor=None,
        kind="persons",
        source="gongan",
        path=path,
        chunk_size=chunk_size,
        pipeline=False,
    )
    plain = _digest()
    differing = [name for name in piped if piped[name] != plain[name]]
    if differing:
        print(f"differ from the plain import: {', '.join(differing)}", file=sys.stderr)
    connection.close()
    return not differing


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    workdir = None
    if options.database_url:
        _scratch_postgres(options.database_url, create=True)
        os.environ["DATABASE_URL"] = options.database_url
    else:
        workdir = Path(tempfile.mkdtemp(prefix="civicgrid-registry-import-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.demo.loader import load_territory
    from civicgrid.registry.models import Address, Person
    from civicgrid.registry.services import registry_import

    result: dict[str, Any] = {}
    try:
        call_command("migrate", verbosity=0)
        load_territory()
        generate_seconds = None
        generator = "file"
        if options.file:
            path = Path(options.file)
        else:
            bench_dir = Path(settings.VAR_DIR) / "bench"
            bench_dir.mkdir(parents=True, exist_ok=True)
            path = bench_dir / f"registry_persons_{options.rows}.csv"
            if not path.exists():
                seconds, generator = _generate(options.rows, path)
                generate_seconds = round(seconds, 1)
        copy_seconds = _bare_copy(path) if connection.vendor == "postgresql" else None
        profiler = None
        if options.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        waits: dict[str, float] = {}

        class _Waits(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                for name in (
                    "reader_waited",
                    "writer_idle",
                    "writer_cpu",
                    "turn_waited_place",
                    "turn_waited_commit",
                ):
                    if hasattr(record, name):
                        waits[name] = round(getattr(record, name), 1)

        logging.getLogger("civicgrid.registry.services.imports").addHandler(_Waits())
        logging.getLogger("civicgrid.registry.services.imports").setLevel(logging.INFO)
        cpu_started = time.process_time()
        database_cpu_started = _postgres_cpu() if connection.vendor == "postgresql" else None
        started = time.perf_counter()
        run = registry_import(
            actor=None,
            kind="persons",
            source="gongan",
            path=path,
            chunk_size=options.chunk_size,
            pipeline=not options.no_pipeline,
        )
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        database_cpu = (
            _postgres_cpu() - database_cpu_started  # type: ignore[operator]
            if database_cpu_started is not None
            else None
        )
        if profiler is not None:
            import pstats

            profiler.disable()
            if os.environ.get("BENCH_PROFILE_FILE"):
                profiler.dump_stats(os.environ["BENCH_PROFILE_FILE"])
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(45)
        rows = run.created_count + run.updated_count + run.unchanged_count + run.invalid_count
        result = {
            "rows": rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None,
            # The importing process's own CPU time (both threads), the rest is the database's
            # or waiting; where the pipeline waited: the reading thread for the writer
            # (database side slower) or the writer for chunks (checking slower).
            "process_cpu_seconds": round(cpu_seconds, 1),
            "database_cpu_seconds": round(database_cpu, 1) if database_cpu is not None else None,
            "reader_waited_s": waits.get("reader_waited"),
            "writer_idle_s": waits.get("writer_idle"),
            "writer_cpu_s": waits.get("writer_cpu"),
            "turn_waited_place_s": waits.get("turn_waited_place"),
            "turn_waited_commit_s": waits.get("turn_waited_commit"),
            "copy_seconds": round(copy_seconds, 2) if copy_seconds is not None else None,
            "copy_rows_per_s": round(rows / copy_seconds) if copy_seconds else None,
            "created": run.created_count,
            "invalid": run.invalid_count,
            "persons": Person.objects.count(),
            "placed_in_grid": Person.objects.filter(admin_unit__level="grid").count(),
            "addresses": Address.objects.count(),
            "file_mb": round(path.stat().st_size / 1024 / 1024, 1),
            "generate_seconds": generate_seconds,
            "generator": generator,
            "chunk_size": options.chunk_size,
            "status": run.status,
            "database": connection.vendor,
        }
        if options.check_plain:
            result["plain_import_identical"] = _same_as_plain(path, options.chunk_size)
    finally:
        connection.close()
        if workdir is not None and not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if options.database_url and not options.keep:
            _scratch_postgres(options.database_url, create=False)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
