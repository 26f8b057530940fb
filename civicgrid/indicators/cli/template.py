"""``civicgrid indicators template DATA_SET PERIOD FILE``: write the Excel template of a data set
for a period (the units the user reports for; all assigned units for the system).

Example::

    civicgrid indicators template ELDERLY_CARE 2025 care-2025.xlsx --user xz-community
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.indicators.models import DataSet
from civicgrid.indicators.services.imports import template_build

from ._common import acting_user, add_user_argument, domain_error

NAME = "template"
HELP = "Write the Excel template of a data set for a period."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("data_set", help="Data set code")
    parser.add_argument("period", help="Period code, e.g. 2025")
    parser.add_argument("file", help="Where to write the .xlsx file")
    add_user_argument(parser)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    data_set = DataSet.objects.filter(code=options["data_set"]).first()
    if data_set is None:
        raise CommandError(f"No data set {options['data_set']!r}.")
    try:
        content = template_build(
            actor=acting_user(options), data_set=data_set, period=options["period"]
        )
    except DomainError as error:
        raise domain_error(error) from None
    Path(options["file"]).write_bytes(content)
    command.stdout.write(f"{options['file']}: {len(content)} bytes")
