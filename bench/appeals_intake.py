"""Benchmark: appeal intake over HTTP on PostgreSQL, beside raw psycopg inserts of the same rows.

    .venv/bin/python bench/appeals_intake.py [--clients 32] [--seconds 60] [--workers 2]
        [--threads 4] [--worker-class gthread] [--worker-connections 16] [--in-process 300]
        [--database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_intake]

What it does, in one run:

1. (Re)creates the scratch PostgreSQL database named in ``--database-url`` (it is DROPPED
   first), migrates it and loads the Zhuhai demo territory, departments and categories
   (``civicgrid demo load``), then creates a hotline operator with an API token.
2. In the bench process itself (production settings, the per-process caches warm): sends
   ``--in-process`` POSTs through Django's test client one after the other and reports the CPU
   milliseconds and the queries per request (``in_process_cpu_ms``, ``queries_per_request``):
   figures that other work on the machine disturbs far less than the HTTP run's.
3. Starts gunicorn (``config.wsgi``, production settings, DEBUG off) on a free local port
   with the deployment's settings (``config/gunicorn.conf.py``: ``gthread`` workers, so the
   clients keep their connections alive; a few connections per worker, so that they spread
   over the workers); ``--workers``, ``--threads``, ``--worker-class`` (``sync`` answers one
   request per connection) and ``--worker-connections`` override them.
4. Runs ``--clients`` concurrent clients (threads, one keep-alive HTTP connection each) for
   ``--seconds``: each POSTs ``/api/appeals/`` (hotline channel, a generated Chinese text, a
   point inside a random demo grid) as fast as it gets answers. Every answer must be 201;
   anything else is counted in ``errors``. Afterwards checks the numbers: the day's counter
   equals the number of appeals of the day, every number from 1 to it exists once
   (``numbers_gapless``), and the query code of every 20th answer fits its appeal
   (``query_codes_checked``).
5. Inserts the same number of rows straight into ``appeals_appeal`` through psycopg, one
   transaction per row on one connection (the floor the HTTP path is compared with), and
   also in batches of 1,000 rows (``raw_batched_per_s``).

Prints one JSON line: appeals_per_s, p50_ms, p90_ms, p99_ms, max_ms, requests, errors, the
raw insert rates, the gunicorn set-up and the machine's CPU count. The issue's goal: at least
300 appeals/s with p99 under 250 ms on a 2-core machine with 32 clients for 60 s. The clients
run on the same machine as the server and the database, so they take CPU from both.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN = REPO_ROOT / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_intake"
# One per run, the same for gunicorn and this process (query codes are keyed with it).
SECRET_KEY = "bench-" + secrets.token_urlsafe(64)

PLACES = [
    "小区门口",
    "菜市场旁",
    "公交站附近",
    "学校东侧",
    "商业街",
    "河涌边",
    "工地外",
    "公园入口",
]
MATTERS = [
    ("占道经营", "有流动摊贩长期占用人行道经营，影响行人通行，请相关部门处理。"),
    ("噪音扰民", "夜间施工噪音很大，十一点以后仍在作业，严重影响居民休息。"),
    ("路灯不亮", "这一段路灯已经坏了一个多星期，晚上很黑，存在安全隐患。"),
    ("垃圾清运", "垃圾桶满了没有及时清运，气味很大，希望尽快处理。"),
    ("井盖缺失", "人行道上的井盖缺失，已经有人差点掉下去，请尽快修复。"),
    ("违章停车", "车辆长期占用消防通道停放，发生火灾时消防车无法进入。"),
]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    # Unless given, config/gunicorn.conf.py's settings (the deployment's).
    parser.add_argument("--workers", type=int, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", choices=["gthread", "sync"])
    parser.add_argument(
        "--worker-connections", type=int, help="gthread: most client connections per worker"
    )
    parser.add_argument(
        "--in-process", type=int, default=300, help="POSTs measured in the bench process (0: none)"
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the database as it is")
    return parser.parse_args(argv)


def _env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_CONN_MAX_AGE": "600",
            "PYTHONPATH": str(REPO_ROOT),
        }
    )
    return env


def _recreate_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _setup(database_url: str) -> None:
    env = _env(database_url)
    _recreate_database(database_url)
    for command in (["migrate", "--noinput", "-v", "0"], ["demo", "load", "--quiet"]):
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(BIN / "civicgrid"), *command], env=env, check=True, cwd=REPO_ROOT
        )


def _token_and_points(database_url: str) -> tuple[str, list[tuple[float, float]]]:
    """Create the hotline operator and token; pick points inside demo grids (in the bench
    process, with Django set up against the bench database)."""
    os.environ.update(_env(database_url))
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from civicgrid.accounts.models import Role, User
    from civicgrid.territory.models import AdminUnit

    user, _created = User.objects.get_or_create(
        username="bench_operator",
        defaults={"role": Role.HOTLINE_OPERATOR, "full_name": "压测话务员"},
    )
    city = (
        AdminUnit.objects.filter(level="city").first() or AdminUnit.objects.order_by("code").first()
    )
    if city is not None and user.scope_unit_id is None:
        user.scope_unit = city
        user.save(update_fields=["scope_unit"])
    token, _created = Token.objects.get_or_create(user=user)
    points: list[tuple[float, float]] = []
    for unit in AdminUnit.objects.filter(level="grid", boundary__isnull=False)[:400]:
        point = _inside_point(unit.boundary)
        if point is not None:
            points.append(point)
    if not points:
        points = [(113.5767, 22.2710)]
    return token.key, points


def _inside_point(geometry: Any) -> tuple[float, float] | None:
    from shapely.geometry import shape

    try:
        polygon = shape(json.loads(geometry) if isinstance(geometry, str) else geometry)
    except (ValueError, TypeError, AttributeError, KeyError):  # unusable geometry: skip it
        return None
    point = polygon.representative_point()
    return (round(point.x, 6), round(point.y, 6))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_settings(options: argparse.Namespace) -> dict[str, Any]:
    """The gunicorn settings of the run: config/gunicorn.conf.py's unless the options differ."""
    import runpy

    defaults = runpy.run_path(str(REPO_ROOT / "config" / "gunicorn.conf.py"))
    chosen = {
        "workers": options.workers,
        "threads": options.threads,
        "worker_class": options.worker_class,
        "worker_connections": options.worker_connections,
    }
    return {name: defaults[name] if value is None else value for name, value in chosen.items()}


def _start_gunicorn(database_url: str, port: int, server: dict[str, Any]) -> Any:
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(BIN / "gunicorn"),
            "--config",
            "config/gunicorn.conf.py",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(server["workers"]),
            "--threads",
            str(server["threads"]),
            "--worker-class",
            server["worker_class"],
            "--worker-connections",
            str(server["worker_connections"]),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=_env(database_url),
        cwd=REPO_ROOT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def _body(rng: random.Random, points: list[tuple[float, float]]) -> dict[str, Any]:
    matter, text = rng.choice(MATTERS)
    place = rng.choice(PLACES)
    lon, lat = rng.choice(points)
    return {
        "channel": "hotline",
        "appeal_type": rng.choice(["complaint", "help", "consultation", "report"]),
        "title": f"{place}{matter}",
        "text": f"{place}{text}（市民来电，编号{rng.randrange(10**8):08d}）",
        "lon": lon,
        "lat": lat,
        "address": place,
        "citizen_name": "张先生",
        "citizen_phone": f"138{rng.randrange(10**8):08d}",
    }


def _client(
    port: int,
    token: str,
    points: list[tuple[float, float]],
    stop_at: float,
    seed: int,
    latencies: list[float],
    errors: list[str],
    bodies: list[dict[str, Any]],
    answers: list[dict[str, Any]] | None = None,
) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Host": "127.0.0.1",
    }
    while time.perf_counter() < stop_at:
        body = _body(rng, points)
        payload = json.dumps(body, ensure_ascii=False).encode()
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/appeals/", body=payload, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            errors.append(type(error).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 201:
            errors.append(str(status))
        else:
            bodies.append(body)
            if answers is not None and len(bodies) % 20 == 0:
                answers.append(json.loads(answer))
    connection.close()


def _raw_inserts(database_url: str, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Insert the same rows straight into the appeals table: one transaction per row, then in
    batches of 1,000. Returns (rows/s single, rows/s batched); the rows are deleted after."""
    import datetime as dt

    import psycopg

    columns = (
        "number, query_code_hash, channel, appeal_type, urgency, title, text, address, lon, "
        "lat, admin_unit_code, citizen_name, citizen_phone, is_confidential, status, version, "
        "accepted_on, reopen_count, created_at, updated_at, is_public_consent, "
        "routing_suggestions, is_auto_dispatched, reply, satisfaction, suspended_working_days"
    )
    placeholders = ", ".join(["%s"] * 26)
    sql = f"INSERT INTO appeals_appeal ({columns}) VALUES ({placeholders})"  # noqa: S608
    today = dt.date.today()

    def values(index: int, row: dict[str, Any], prefix: str) -> tuple[Any, ...]:
        now = dt.datetime.now(dt.UTC)
        return (
            f"{prefix}{index:08d}",
            "0" * 64,
            row["channel"],
            row["appeal_type"],
            "normal",
            row["title"],
            row["text"],
            row["address"],
            row["lon"],
            row["lat"],
            "4404",
            row["citizen_name"],
            row["citizen_phone"],
            False,
            "accepted",
            1,
            today,
            0,
            now,
            now,
            False,
            "[]",
            False,
            "",
            "",
            0,
        )

    with psycopg.connect(database_url, autocommit=True) as connection:
        started = time.perf_counter()
        for index, row in enumerate(rows):
            with connection.transaction():
                connection.execute(sql, values(index, row, "RAWS"))
        single = len(rows) / (time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for begin in range(0, len(rows), 1000):
                with connection.transaction():
                    cursor.executemany(
                        sql,
                        [
                            values(begin + offset, row, "RAWB")
                            for offset, row in enumerate(rows[begin : begin + 1000])
                        ],
                    )
        batched = len(rows) / (time.perf_counter() - started)
        connection.execute("DELETE FROM appeals_appeal WHERE number LIKE 'RAW%%'")
    return single, batched


def _in_process(token: str, points: list[tuple[float, float]], count: int) -> dict[str, Any]:
    """CPU ms and queries per POST /api/appeals/ through Django's test client in this process
    (after 20 unmeasured POSTs that warm the per-process caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    rng = random.Random(-1)

    def post() -> None:
        body = json.dumps(_body(rng, points), ensure_ascii=False)
        response = client.post("/api/appeals/", body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"in-process POST answered {response.status_code}")

    for _warm in range(20):
        post()
    started = time.process_time()
    for _post in range(count):
        post()
    cpu_ms = (time.process_time() - started) * 1000 / count
    with CaptureQueriesContext(connection) as queries:
        for _post in range(10):
            post()
    return {
        "in_process_cpu_ms": round(cpu_ms, 2),
        "queries_per_request": len(queries.captured_queries) / 10,
    }


def _check_numbers(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The day's numbers are 1 … counter, each once; the sampled query codes fit."""
    from django.db.models import Max

    from civicgrid.appeals import clock
    from civicgrid.appeals.models import Appeal, AppealNumberSequence
    from civicgrid.appeals.services.intake import query_code_matches

    today = clock.today()
    last = AppealNumberSequence.objects.filter(day=today).aggregate(last=Max("last"))["last"] or 0
    sequences = sorted(
        int(number[-6:])
        for number in Appeal.objects.filter(accepted_on=today).values_list("number", flat=True)
    )
    appeals = Appeal.objects.in_bulk([a["number"] for a in answers], field_name="number")
    fitting = sum(
        query_code_matches(appeals[a["number"]], a["query_code"])
        for a in answers
        if a["number"] in appeals
    )
    return {
        "numbers_gapless": sequences == list(range(1, last + 1)),
        "query_codes_checked": len(answers),
        "query_codes_fitting": fitting,
    }


def _cpu_seconds(pids: set[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of ``pids`` (Linux /proc; {} elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _server_pids(server_pid: int) -> set[int]:
    """The gunicorn master and its workers."""
    pids = {server_pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                pids.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return pids


def _database_pids(database_url: str) -> set[int]:
    """The PostgreSQL backends serving the bench database (on this machine)."""
    import psycopg

    name = urlparse(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return {int(row[0]) for row in rows}


class _CpuMeter:
    """CPU milliseconds per request of gunicorn and of PostgreSQL over the measured run (less
    disturbed by other work on the machine than the rate; None where /proc is missing)."""

    def __init__(self, database_url: str, server_pid: int) -> None:
        self.database_url, self.server_pid = database_url, server_pid
        self.server = _cpu_seconds(_server_pids(server_pid))
        self.database = _cpu_seconds(_database_pids(database_url))

    def per_request(self, requests: int) -> dict[str, float | None]:
        server = _cpu_seconds(_server_pids(self.server_pid))
        database = _cpu_seconds(_database_pids(self.database_url) | set(self.database))

        def spent(before: dict[int, float], after: dict[int, float]) -> float | None:
            if not after or not requests:
                return None
            total = sum(value - before.get(pid, 0.0) for pid, value in after.items())
            return round(total * 1000 / requests, 2)

        return {
            "server_cpu_ms_per_request": spent(self.server, server),
            "database_cpu_ms_per_request": spent(self.database, database),
        }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    if not options.skip_setup:
        _setup(options.database_url)
    token, points = _token_and_points(options.database_url)
    in_process = _in_process(token, points, options.in_process) if options.in_process else {}
    port = _free_port()
    settings = _server_settings(options)
    server = _start_gunicorn(options.database_url, port, settings)
    answers: list[dict[str, Any]] = []
    try:
        # Warm up every worker (imports, the locator's STRtree, connections).
        _client(port, token, points, time.perf_counter() + 3, 0, [], [], [])
        latencies: list[float] = []
        errors: list[str] = []
        bodies: list[dict[str, Any]] = []
        meter = _CpuMeter(options.database_url, server.pid)
        stop_at = time.perf_counter() + options.seconds
        started = time.perf_counter()
        threads = [
            threading.Thread(
                target=_client,
                args=(port, token, points, stop_at, seed + 1, latencies, errors, bodies, answers),
            )
            for seed in range(options.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu = meter.per_request(len(latencies))
    finally:
        server.terminate()
        server.wait(timeout=30)
    checks = _check_numbers(answers)
    raw_single, raw_batched = _raw_inserts(options.database_url, bodies[:20_000])
    result = {
        "benchmark": "appeals_intake_http",
        "clients": options.clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "created": len(bodies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
        "appeals_per_s": round(len(bodies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p90_ms": round(_percentile(latencies, 0.90) * 1000, 1) if latencies else None,
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "raw_insert_per_s": round(raw_single, 1),
        "raw_batched_per_s": round(raw_batched, 1),
        "raw_rows": min(len(bodies), 20_000),
        **cpu,
        **in_process,
        **checks,
        "server": (
            f"gunicorn -c config/gunicorn.conf.py {settings['worker_class']} "
            f"{settings['workers']}x{settings['threads']} "
            f"worker-connections {settings['worker_connections']}"
        ),
        "cpus": os.cpu_count(),
        "database": "postgresql",
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
