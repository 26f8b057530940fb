"""``civicgrid registry import persons|households|addresses|entities FILE --source CODE``.

Imports a CSV (UTF-8 or GBK) or .xlsx file into the base registry (see
:mod:`civicgrid.registry.services.imports`): rows are checked, valid rows upserted by their
natural key in chunks of ``--chunk-size`` rows (one transaction each), invalid rows reported.
``--resume`` continues the unfinished import of the same file, source and kind after its last
committed chunk; without it the file is imported again, which changes nothing for rows already
imported (safe to repeat).

Prints one JSON line (the run's counts, the error report's path) and writes the error report
(CSV: line, field, masked value, reason) to ``--report`` or ``var/registry_imports/``.

Exit status: 0 when every row was valid; **1 when some rows were invalid** (the valid rows are
imported all the same: scripts notice that the report needs reading); 2 when the file could
not be imported at all (unreadable, required columns missing, unknown source).

Examples::

    civicgrid registry import persons gongan-2026-12.csv --source gongan
    civicgrid registry import entities 市场主体.xlsx --source shichang --resume
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.registry.models import ImportStatus
from civicgrid.registry.services import (
    CHUNK_ROWS,
    KIND_NAMES,
    import_execute,
    import_start,
    run_summary,
    write_error_report,
)
from civicgrid.registry.services.bulk import can_pipeline

NAME = "import"
HELP = "Import persons, households, addresses or legal entities from CSV/Excel (一数一源)."


def add_arguments(parser: CommandParser) -> None:
    parser.epilog = (
        "Exit status: 0 every row imported; 1 some rows invalid (the valid ones are imported, "
        "see the error report); 2 the file could not be imported (unreadable, required "
        "columns missing, unknown source)."
    )
    parser.add_argument("kind", choices=sorted(KIND_NAMES), help="What the file holds")
    parser.add_argument("file", help="CSV (UTF-8 or GBK) or .xlsx file")
    parser.add_argument("--source", required=True, help="Source code, e.g. gongan, renshe, grid")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="Continue the unfinished import of this file after its last committed chunk",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=CHUNK_ROWS,
        help=f"Rows per transaction (default {CHUNK_ROWS})",
    )
    parser.add_argument("--report", help="Where to write the error report (CSV)")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["chunk_size"] < 1:
        raise CommandError("--chunk-size must be at least 1", returncode=2)
    try:
        run = import_start(
            actor=None,
            kind=options["kind"],
            source=options["source"],
            path=options["file"],
            resume=options["resume"],
        )
    except DomainError as error:
        raise CommandError(str(error.message), returncode=2) from error
    run = import_execute(run=run, chunk_size=options["chunk_size"], pipeline=can_pipeline())
    summary = run_summary(run)
    report = write_error_report(run, options.get("report")) if run.invalid_count else None
    summary["error_report"] = str(report) if report else None
    command.stdout.write(json.dumps(summary, ensure_ascii=False))
    if run.status != ImportStatus.COMPLETED:
        raise CommandError(run.message or "import failed", returncode=2)
    if run.invalid_count:
        raise CommandError(f"{run.invalid_count} invalid row(s); see {report}", returncode=1)
