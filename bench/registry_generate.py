"""Benchmark / tool: write a synthetic city at Zhuhai scale as registry CSV files.

    .venv/bin/python bench/registry_generate.py --out var/synthetic [--scale 1.0] [--seed 2014]
        [--persons N] [--dwellings N] [--entities N] [--noisy N] [--coordinate-share 0.5]
        [--scratch]

Writes persons.csv, households.csv, addresses.csv, entities.csv and noisy.csv (columns of the
registry import, see ``civicgrid.registry.synthetic``; noisy.csv: name, phone, address,
birth_date, truth_id_number, noise) into ``--out``. Default scale: 2,500,000 persons,
800,000 homes, 300,000 legal entities and 200,000 noisy copies; ``--scale 0.01`` makes a
hundredth of each; ``--persons`` etc. set one number directly.

The homes are placed in the demo grids of Zhuhai (4404), read from the ``DATABASE_URL``
database (load them with ``civicgrid demo load``); with ``--scratch`` a throwaway SQLite
database is made in a temporary directory instead, migrated, given the demo territory and
deleted afterwards (about 10 s).

Prints one JSON line: {"persons", "households", "addresses", "entities", "noisy", "seconds"
(total), "seconds_by_file", "persons_per_s", "grids", "seed", "out", "territory"}.
"""

from __future__ import annotations

import argparse
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

FULL_SCALE = {"persons": 2_500_000, "dwellings": 800_000, "entities": 300_000, "noisy": 200_000}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the CSV files")
    parser.add_argument("--scale", type=float, default=1.0, help="share of Zhuhai scale (1.0)")
    parser.add_argument("--seed", type=int, default=2014)
    for name, value in FULL_SCALE.items():
        parser.add_argument(f"--{name}", type=int, help=f"override (full scale: {value:,})")
    parser.add_argument("--coordinate-share", type=float, default=0.5)
    parser.add_argument("--city", default="4404")
    parser.add_argument(
        "--scratch", action="store_true", help="always use a throwaway SQLite database"
    )
    options = parser.parse_args(argv)
    if options.scale <= 0:
        parser.error("--scale must be positive")
    for name, value in FULL_SCALE.items():
        if getattr(options, name) is None:
            setattr(options, name, max(1, round(value * options.scale)))
        elif getattr(options, name) < (0 if name == "noisy" else 1):
            parser.error(f"--{name} must be positive")
    return options


def _grids(city_code: str, scratch: bool) -> tuple[list[Any], str]:
    """The demo grids: from the configured database, or from a throwaway SQLite one."""
    workdir = None
    if scratch:
        workdir = Path(tempfile.mkdtemp(prefix="civicgrid-generate-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'territory.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from civicgrid.registry.synthetic import grids_from_database

    try:
        if workdir is not None:
            from civicgrid.demo import loader

            call_command("migrate", verbosity=0)
            loader.load_territory(actor=None)
        return grids_from_database(city_code), "scratch" if scratch else "database"
    finally:
        connection.close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = _parse(argv)
    started = time.perf_counter()
    grids, territory = _grids(options.city, options.scratch)
    if not grids:
        raise SystemExit(
            f"No grid with a boundary under {options.city} in the database: run "
            "`civicgrid demo load` first, or pass --scratch."
        )
    from civicgrid.registry.synthetic import SyntheticCity
    from civicgrid.registry.synthetic.files import write_city_files

    territory_seconds = time.perf_counter() - started
    started = time.perf_counter()
    city = SyntheticCity(
        grids,
        seed=options.seed,
        dwellings=options.dwellings,
        entities=options.entities,
        coordinate_share=options.coordinate_share,
    )
    plan_seconds = time.perf_counter() - started
    written = write_city_files(city, options.out, persons=options.persons, noisy=options.noisy)
    total = time.perf_counter() - started
    people_seconds = written.seconds["persons_and_households"]
    result = {
        **written.counts,
        "seconds": round(total, 1),
        "seconds_by_file": {
            "territory": round(territory_seconds, 1),
            "homes_plan": round(plan_seconds, 1),
            **{kind: round(seconds, 1) for kind, seconds in written.seconds.items()},
        },
        "persons_per_s": round(written.counts["persons"] / people_seconds),
        "grids": len(grids),
        "seed": options.seed,
        "out": str(Path(options.out).resolve()),
        "territory": territory,
    }
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
