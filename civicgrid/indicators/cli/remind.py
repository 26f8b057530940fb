"""``civicgrid indicators remind``: send the reporting reminders due today (safe to re-run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicgrid.indicators.services.reminders import reminders_send

NAME = "remind"
HELP = "Remind reporters of data sets due soon or overdue (once per report and kind)."


def add_arguments(parser: CommandParser) -> None:
    return None


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    command.stdout.write(f"{reminders_send()} reminders")
