"""``civicgrid indicators score SCHEME``: score and rank an assessment scheme (draft)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.errors import DomainError
from civicgrid.indicators.models import AssessmentScheme
from civicgrid.indicators.services.assessment import scheme_score

from ._common import domain_error

NAME = "score"
HELP = "Score and rank a draft assessment scheme (traces are stored)."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("scheme", help="Scheme code")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    scheme = AssessmentScheme.objects.filter(code=options["scheme"]).first()
    if scheme is None:
        raise CommandError(f"No scheme {options['scheme']!r}.")
    try:
        scores = scheme_score(actor=None, scheme=scheme)
    except DomainError as error:
        raise domain_error(error) from None
    command.stdout.write(
        json.dumps(
            [
                {
                    "subject": (
                        s.department.code if s.department else s.unit.code if s.unit else ""
                    ),
                    "total": float(s.total),
                    "rank": s.rank,
                }
                for s in scores
            ]
        )
    )
