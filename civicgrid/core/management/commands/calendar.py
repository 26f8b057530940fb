"""``civicgrid calendar …``: working-day arithmetic and the yearly holiday import from the console.

civicgrid calendar add-working-days 2026-09-30 1      → 2026-10-08
civicgrid calendar between 2026-09-30 2026-10-09      → 2
civicgrid calendar import-year holidays-2027.csv --year 2027 [--no-publish] [--actor NAME]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.core.errors import DomainError
from civicgrid.core.services import calendar_year_import
from civicgrid.core.textfiles import decode_chinese_text
from civicgrid.core.workdays import add_working_days, working_days_between


def _date(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": text}
        ) from error


class Command(BaseCommand):
    help = "Working days on the official calendar, and the yearly holiday import (节假日)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        add = commands.add_parser("add-working-days", help="the N-th working day after DATE")
        add.add_argument("start", type=_date)
        add.add_argument("count", type=int)
        between = commands.add_parser(
            "between", help="working days d with FIRST < d <= LAST (negative if LAST < FIRST)"
        )
        between.add_argument("first", type=_date)
        between.add_argument("last", type=_date)
        importer = commands.add_parser(
            "import-year", help="import a year's arrangement from CSV: date,is_working_day,name"
        )
        importer.add_argument("file", type=Path)
        importer.add_argument("--year", type=int, required=True)
        importer.add_argument("--no-publish", action="store_true", help="do not mark complete")
        importer.add_argument("--notice", default="", help="the State Council notice it follows")
        importer.add_argument("--actor", default="", help="username recorded in the audit trail")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            subcommand = options["subcommand"]
            if subcommand == "add-working-days":
                day = add_working_days(options["start"], options["count"])
                self.stdout.write(day.isoformat())
            elif subcommand == "between":
                self.stdout.write(str(working_days_between(options["first"], options["last"])))
            else:
                self._import_year(options)
        except DomainError as error:
            raise CommandError(str(error.message)) from error

    def _import_year(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            text = decode_chinese_text(path.read_bytes())
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": error}
            ) from error
        actor = None
        if options["actor"]:
            user_model = get_user_model()
            try:
                actor = user_model._default_manager.get_by_natural_key(options["actor"])
            except user_model.DoesNotExist as error:
                raise CommandError(
                    _("No user named %(name)s.") % {"name": options["actor"]}
                ) from error
        rows = list(csv.reader(text.splitlines()))
        result = calendar_year_import(
            actor=actor,
            year=options["year"],
            rows=rows,
            publish=not options["no_publish"],
            notice=options["notice"],
        )
        self.stdout.write(
            _(
                "%(year)s: %(created)s added, %(updated)s changed, %(unchanged)s unchanged, "
                "%(removed)s removed; published: %(published)s."
            )
            % {
                "year": result.year,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "removed": result.removed,
                "published": _("yes") if result.is_published else _("no"),
            }
        )
