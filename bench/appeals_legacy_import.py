"""Benchmark: the legacy appeal import (civicgrid.appeals.services.legacy_import) of N rows.

    .venv/bin/python bench/appeals_legacy_import.py [--rows 50000] [--format csv|xlsx]
        [--database-url postgres://postgres@127.0.0.1:5432/civicgrid_bench_legacy]
        [--use-database-url] [--keep]

By default a throwaway SQLite database is created in a temporary directory (migrated, given
the small two-district test territory of ``conftest.build_territory`` and 20 categories, and
deleted afterwards). ``--database-url postgres://…/NAME`` does the same on PostgreSQL: the
scratch database NAME is dropped if it exists, created, migrated, and dropped afterwards (kept
with ``--keep``); never name a database you need. ``--use-database-url`` uses the
``DATABASE_URL`` database as it is instead (the appeals it imports are NOT removed — use a
scratch database, and run it once: a second run skips every row as already imported).

The synthetic file (GBK CSV, or .xlsx) has every column: a unique 原编号, received times spread
over 2025, a point inside the territory, a phone, a lead department, and statuses mixed
(1/6 each: accepted, dispatched, signed, replied, closed with satisfaction, cancelled).
The import runs twice: ``dry_run`` (checks only) and the real import.

Prints one JSON line: {"rows", "format", "file_mb", "generate_seconds", "check_seconds",
"check_rows_per_s", "import_seconds", "rows_per_s", "imported", "events", "database"}.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

HEADER = [
    "原编号", "受理时间", "渠道", "类型", "分类", "标题", "内容", "地址", "经度", "纬度",
    "诉求人", "电话", "承办单位", "状态", "答复时间", "答复内容", "满意度", "办结时间",
]  # fmt: skip
TYPES = ["咨询", "求助", "投诉", "举报", "建议"]
STATUSES = ["已受理", "已派单", "已签收", "已答复", "已办结", "已作废"]
DEPARTMENTS = ["city-civil-affairs", "香洲区政府", "珠海市斗门区人民政府"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="rows in the file (50,000)")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="use DATABASE_URL instead of a throwaway SQLite file",
    )
    parser.add_argument(
        "--database-url",
        help="postgres://…/NAME: a scratch PostgreSQL database, created and dropped",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    return parser.parse_args(argv)


def _rows(count: int) -> list[list[str]]:
    rng = random.Random(20250101)
    start = dt.datetime(2025, 1, 2, 8, 0)
    rows = []
    for n in range(count):
        received = start + dt.timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
        status = STATUSES[n % len(STATUSES)]
        replied = closed = ""
        reply = satisfaction = ""
        if status in {"已答复", "已办结"}:
            replied = (received + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
            reply = "已安排人员现场处理，问题已解决。"
        if status == "已办结":
            closed = (received + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
            satisfaction = rng.choice(["满意", "基本满意", "不满意"])
        rows.append(
            [
                f"LEGACY-{n:08d}",
                received.strftime("%Y-%m-%d %H:%M"),
                rng.choice(["热线", "网站", "微信"]),
                rng.choice(TYPES),
                f"cat-{n % 20:02d}",
                f"历史诉求第{n}号",
                "小区门口夜间施工噪音扰民，影响休息，请相关部门尽快处理。" * 2,
                f"紫荆路{n % 500}号",
                f"{rng.uniform(0.1, 19.9):.6f}",
                f"{rng.uniform(0.1, 9.9):.6f}",
                "张先生",
                f"138{n % 100_000_000:08d}",
                "" if status == "已受理" else rng.choice(DEPARTMENTS),
                status,
                replied,
                reply,
                satisfaction,
                closed,
            ]
        )
    return rows


def _file(rows: list[list[str]], kind: str) -> bytes:
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return out.getvalue().encode("gbk")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    workdir = None
    if options.database_url:
        _scratch_postgres(options.database_url, create=True)
        os.environ["DATABASE_URL"] = options.database_url
    elif not options.use_database_url:
        workdir = Path(tempfile.mkdtemp(prefix="civicgrid-legacy-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.appeals.models import AppealEvent, Category
    from civicgrid.appeals.services.legacy_import import legacy_appeals_import
    from civicgrid.territory.models import AdminUnit
    from conftest import build_territory

    try:
        call_command("migrate", verbosity=0)
        if not AdminUnit.objects.filter(code="4404").exists():
            build_territory()
        for n in range(20):
            Category.objects.get_or_create(code=f"cat-{n:02d}", defaults={"name": f"分类{n}"})
        started = time.perf_counter()
        content = _file(_rows(options.rows), options.format)
        generate_seconds = time.perf_counter() - started
        name = f"legacy.{options.format}"
        check = legacy_appeals_import(actor=None, content=content, file_name=name, dry_run=True)
        events_before = AppealEvent.objects.count()
        report = legacy_appeals_import(actor=None, content=content, file_name=name)
        result = {
            "rows": report.rows,
            "format": options.format,
            "file_mb": round(len(content) / 1024 / 1024, 1),
            "generate_seconds": round(generate_seconds, 1),
            "check_seconds": round(check.seconds, 2),
            "check_rows_per_s": round(check.rows / check.seconds) if check.seconds else None,
            "import_seconds": round(report.seconds, 2),
            "rows_per_s": round(report.rows / report.seconds) if report.seconds else None,
            "imported": report.imported,
            "already_imported": report.already_imported,
            "errors": report.error_count,
            "first_errors": [str(problem) for problem in report.errors[:3]],
            "events": AppealEvent.objects.count() - events_before,
            "database": connection.vendor,
        }
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
