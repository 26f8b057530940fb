"""``civicgrid indicators import FILE``: import values from a filled Excel template (.xlsx, with
``--data-set``) or DHIS2-shaped rows (.csv with dataElement,period,orgUnit,value[,comment] or
.json: a list of such objects or {"dataValues": [...]}). All or nothing: bad rows are listed
with their row numbers and nothing is saved.

Examples::

    civicgrid indicators import care-2025.xlsx --data-set ELDERLY_CARE --user xz-community
    civicgrid indicators import values.csv --as-approved
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.core.textfiles import decode_chinese_text
from civicgrid.indicators.models import DataSet
from civicgrid.indicators.services.imports import data_values_import, template_import

from ._common import acting_user, add_user_argument, domain_error

NAME = "import"
HELP = "Import values from an Excel template (.xlsx) or DHIS2-shaped CSV / JSON."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help=".xlsx, .csv or .json")
    parser.add_argument("--data-set", default="", help="Data set code (needed for .xlsx)")
    parser.add_argument("--submit", action="store_true", help="Submit for approval after saving")
    parser.add_argument(
        "--as-approved",
        action="store_true",
        help="Store as approved by the city (system or programme office only)",
    )
    add_user_argument(parser)


def _rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("dataValues", [])
        if not isinstance(data, list):
            raise CommandError("The JSON file holds no list of data values.")
        return [dict(item, _row=index) for index, item in enumerate(data, start=1)]
    text = decode_chinese_text(path.read_bytes())
    return list(csv.DictReader(io.StringIO(text)))


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"No file {path}.")
    data_set = None
    if options["data_set"]:
        data_set = DataSet.objects.filter(code=options["data_set"]).first()
        if data_set is None:
            raise CommandError(f"No data set {options['data_set']!r}.")
    actor = acting_user(options)
    try:
        if path.suffix.lower() == ".xlsx":
            if data_set is None:
                raise CommandError("Give --data-set for an Excel template.")
            result = template_import(
                actor=actor, data_set=data_set, content=path.read_bytes(), submit=options["submit"]
            )
        else:
            result = data_values_import(
                actor=actor,
                rows=_rows(path),
                data_set=data_set,
                submit=options["submit"],
                as_approved=options["as_approved"],
            )
    except DomainError as error:
        raise domain_error(error) from None
    command.stdout.write(
        json.dumps(
            {
                "values": result.values,
                "created": result.created,
                "updated": result.updated,
                "submissions": len(result.submissions),
                "aggregate_rows": result.aggregate_rows,
            }
        )
    )
