"""``civicgrid indicators recompute PERIOD``: recompute the computed data elements of a period
(registry and appeals figures per unit) and refresh the aggregates; prints JSON.

Examples::

    civicgrid indicators recompute 2025
    civicgrid indicators recompute 2025Q3 --element RESIDENTS --element ELDERLY60
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.indicators.services.computed import recompute

from ._common import domain_error

NAME = "recompute"
HELP = "Recompute the computed data elements of a period and refresh the aggregates."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("period", help="DHIS2 period code: 2025, 2025Q3 or 202507")
    parser.add_argument("--element", action="append", help="Only these element codes")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        result = recompute(period=options["period"], element_codes=options.get("element"))
    except DomainError as error:
        raise domain_error(error) from None
    command.stdout.write(
        json.dumps(
            {
                "period": result.period,
                "elements": result.elements,
                "values": result.values,
                "aggregate_rows": result.aggregate_rows,
                "seconds": result.seconds,
                "timings": result.timings,
            },
            ensure_ascii=False,
        )
    )
