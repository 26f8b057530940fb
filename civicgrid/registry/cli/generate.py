"""``civicgrid registry generate DIRECTORY``: write a synthetic city as registry CSV files.

The homes are placed in the grids of the loaded territory (``civicgrid demo load``). Default:
Zhuhai scale (2,500,000 persons, 800,000 homes, 300,000 legal entities, 200,000 noisy copies
for linkage tests); ``--scale 0.01`` makes a hundredth of each. The files are what
``civicgrid registry import`` and ``civicgrid registry link`` read; noisy.csv has the true ID
number of each row in ``truth_id_number``. Prints one JSON object (counts and seconds).

Examples::

    civicgrid registry generate var/synthetic --scale 0.1
    civicgrid registry import persons var/synthetic/persons.csv --source gongan
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.registry.synthetic import (
    DEFAULT_SEED,
    FOREIGN_SHARE,
    SyntheticCity,
    grids_from_database,
)
from civicgrid.registry.synthetic.files import write_city_files

NAME = "generate"
HELP = "Write a synthetic city (persons, households, addresses, entities, noisy copies) as CSV."
FULL_SCALE = {"persons": 2_500_000, "dwellings": 800_000, "entities": 300_000, "noisy": 200_000}


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("directory", help="Where to write the CSV files (created if missing)")
    parser.add_argument("--scale", type=float, default=1.0, help="Share of Zhuhai scale (1.0)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    for name, value in FULL_SCALE.items():
        parser.add_argument(f"--{name}", type=int, help=f"Override (full scale: {value:,})")
    parser.add_argument(
        "--coordinate-share",
        type=float,
        default=0.5,
        help="Share of person rows with the coordinates of their home (0.5)",
    )
    parser.add_argument(
        "--foreign-share",
        type=float,
        default=FOREIGN_SHARE,
        help=f"Share of households of foreign residents ({FOREIGN_SHARE}; 0 for none)",
    )
    parser.add_argument("--city", default="4404", help="Division code of the city (4404)")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    scale = options["scale"]
    if scale <= 0:
        raise CommandError("--scale must be positive")
    sizes = {}
    for name, value in FULL_SCALE.items():
        given = options.get(name)
        sizes[name] = max(1, round(value * scale)) if given is None else given
        if sizes[name] < (0 if name == "noisy" else 1):
            raise CommandError(f"--{name} must be positive")
    if not 0 <= options["coordinate_share"] <= 1:
        raise CommandError("--coordinate-share must be between 0 and 1")
    if not 0 <= options["foreign_share"] <= 1:
        raise CommandError("--foreign-share must be between 0 and 1")
    grids = grids_from_database(options["city"])
    if not grids:
        raise CommandError(
            f"No grid with a boundary under {options['city']}: run `civicgrid demo load` first."
        )
    started = time.perf_counter()
    city = SyntheticCity(
        grids,
        seed=options["seed"],
        dwellings=sizes["dwellings"],
        entities=sizes["entities"],
        coordinate_share=options["coordinate_share"],
        foreign_share=options["foreign_share"],
    )
    written = write_city_files(
        city, options["directory"], persons=sizes["persons"], noisy=sizes["noisy"]
    )
    summary = {
        **written.counts,
        "seconds": round(time.perf_counter() - started, 1),
        "files": {kind: str(path) for kind, path in written.paths.items()},
        "seed": options["seed"],
    }
    command.stdout.write(json.dumps(summary, ensure_ascii=False))
