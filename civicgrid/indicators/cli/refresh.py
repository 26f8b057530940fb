"""``civicgrid indicators refresh``: rebuild all precomputed aggregates (or some periods)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.indicators.services.aggregates import aggregates_refresh

from ._common import domain_error

NAME = "refresh"
HELP = "Rebuild the precomputed indicator aggregates (all periods with data, or --period)."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--period", action="append", help="Only these periods (and their years)")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        result = aggregates_refresh(reason="console", periods=options.get("period"))
    except DomainError as error:
        raise domain_error(error) from None
    command.stdout.write(
        json.dumps(
            {
                "indicators": result.indicators,
                "periods": result.periods,
                "rows": result.rows,
                "seconds": result.seconds,
                "skipped": result.skipped,
            },
            ensure_ascii=False,
        )
    )
