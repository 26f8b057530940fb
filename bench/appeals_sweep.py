"""Benchmark: the deadline sweep (civicgrid.appeals.sweep.run) over N open appeals.

    .venv/bin/python bench/appeals_sweep.py [--count 1000000] [--use-database-url] [--keep]

By default a throwaway SQLite database is created in a temporary directory (migrated, filled
with ``bulk_create`` and deleted afterwards); ``--use-database-url`` uses the ``DATABASE_URL``
database instead (its appeals and supervision items are NOT removed — use a scratch database).

The appeals are open (accepted / dispatched / signed, 1/3 each) with deadlines spread evenly
from 20 days before to 20 days after the sweep day, so about half are red. Three sweeps run:

1. ``first``: the cold sweep, opening a supervision item for every red appeal (worst case);
2. ``again``: the same day once more — the steady state, nothing to open (idempotent);
3. ``next_day``: one day later, after a tenth of the appeals were replied — items open and
   resolve.

Prints one JSON line: {"appeals", "seconds" (first sweep), "per_second", "again_seconds",
"next_day_seconds", "fill_seconds", "database", "reports"}. Target (issue): under 30 s for
1,000,000 open appeals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

SWEEP_DAY = dt.date(2026, 6, 16)  # a Tuesday; the calendar of 2026 is bundled
FILL_BATCH = 20_000


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="open appeals (1,000,000)")
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="use DATABASE_URL instead of a throwaway SQLite file",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway SQLite file")
    return parser.parse_args(argv)


def _fill(count: int) -> float:
    from civicgrid.appeals.models import Appeal, AppealStatus

    started = time.perf_counter()
    statuses = [AppealStatus.ACCEPTED, AppealStatus.DISPATCHED, AppealStatus.SIGNED]
    accepted_on = SWEEP_DAY - dt.timedelta(days=30)
    batch: list[Appeal] = []
    for index in range(count):
        status = statuses[index % 3]
        deadline = SWEEP_DAY + dt.timedelta(days=(index // 3) % 41 - 20)
        batch.append(
            Appeal(
                number=f"BENCH{index:012d}",
                query_code_hash="-",
                channel="hotline",
                appeal_type="complaint",
                title="bench",
                text="bench",
                admin_unit_code=f"4404{(index % 3) + 2:02d}001001001",
                status=status,
                accepted_on=accepted_on,
                sign_for_deadline=deadline if status == AppealStatus.DISPATCHED else None,
                handling_deadline=deadline,
            )
        )
        if len(batch) >= FILL_BATCH:
            Appeal.objects.bulk_create(batch)
            batch = []
    if batch:
        Appeal.objects.bulk_create(batch)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    workdir = None
    if not options.use_database_url:
        workdir = Path(tempfile.mkdtemp(prefix="civicgrid-sweep-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.appeals import sweep
    from civicgrid.appeals.models import Appeal, AppealStatus

    try:
        call_command("migrate", verbosity=0)
        fill_seconds = _fill(options.count)
        first = sweep.run(today=SWEEP_DAY)
        again = sweep.run(today=SWEEP_DAY)
        replied = Appeal.objects.filter(
            pk__in=Appeal.objects.filter(status__in=[AppealStatus.SIGNED]).values("pk")[
                : options.count // 10
            ]
        ).update(status=AppealStatus.REPLIED)
        next_day = sweep.run(today=SWEEP_DAY + dt.timedelta(days=1))
        result = {
            "appeals": first.checked,
            "seconds": first.seconds,
            "per_second": round(first.checked / first.seconds) if first.seconds else None,
            "again_seconds": again.seconds,
            "next_day_seconds": next_day.seconds,
            "replied_before_next_day": replied,
            "fill_seconds": round(fill_seconds, 1),
            "database": connection.vendor,
            "reports": {
                "first": first.as_dict(),
                "again": again.as_dict(),
                "next_day": next_day.as_dict(),
            },
        }
    finally:
        connection.close()
        if workdir is not None and not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
