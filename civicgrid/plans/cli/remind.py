"""``civicgrid plans remind [--date YYYY-MM-DD]``: record today's deadline reminders (the
Celery task ``civicgrid.plans.record_reminders`` does the same; re-running a day is a no-op)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ..services import reminders_record

NAME = "remind"
HELP = "record deadline reminders for tasks close to or past their deadline"


def add_arguments(parser: Any) -> None:
    parser.add_argument("--date", help="the day to record reminders for (default: today)")


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    day = None
    if options.get("date"):
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as error:
            raise CommandError("--date must be YYYY-MM-DD") from error
    summary = reminders_record(today=day)
    command.stdout.write(json.dumps(summary.as_dict()))
