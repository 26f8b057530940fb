"""The import/export sub-commands of ``civicgrid appeals`` (kept apart from the command module,
which lists them in its ``SUBCOMMANDS``).

civicgrid appeals catalogue-export FILE.xlsx
    writes categories, time limits and the responsibility catalogue into one workbook.

civicgrid appeals catalogue-import FILE.xlsx [--dry-run]
    checks the workbook; prints every problem (sheet, row, column, message) and exits non-zero
    when there is one, otherwise writes it (not with --dry-run) and prints the counts.

civicgrid appeals import-legacy FILE.csv|FILE.xlsx [--skip-invalid] [--dry-run]
    imports legacy appeal records; prints row-level problems on stderr and one JSON line with
    the counts on stdout; exits non-zero when a row has an error (even with --skip-invalid,
    after importing the valid rows, so scripts notice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from civicgrid.appeals.services.catalogue_io import catalogue_export, catalogue_import
from civicgrid.appeals.services.legacy_import import legacy_appeals_import


def add_catalogue_export(commands: Any) -> None:
    parser = commands.add_parser(
        "catalogue-export", help="write categories, time limits and the catalogue to .xlsx"
    )
    parser.add_argument("file", type=Path, help="the .xlsx file to write")


def add_catalogue_import(commands: Any) -> None:
    parser = commands.add_parser(
        "catalogue-import", help="read categories, time limits and the catalogue from .xlsx"
    )
    parser.add_argument("file", type=Path, help="the .xlsx file to read")
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")


def add_import_legacy(commands: Any) -> None:
    parser = commands.add_parser("import-legacy", help="import legacy appeals from CSV or .xlsx")
    parser.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or .xlsx")
    parser.add_argument(
        "--skip-invalid", action="store_true", help="import the valid rows, leave out bad ones"
    )
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error.strerror}
        ) from error


def handle_catalogue_export(command: Any, options: dict[str, Any]) -> None:
    content = catalogue_export(actor=None)
    path: Path = options["file"]
    try:
        path.write_bytes(content)
    except OSError as error:
        raise CommandError(
            _("Cannot write %(file)s: %(error)s") % {"file": path, "error": error.strerror}
        ) from error
    command.stdout.write(_("Catalogue written to %(file)s.") % {"file": path})


def handle_catalogue_import(command: Any, options: dict[str, Any]) -> None:
    path: Path = options["file"]
    report = catalogue_import(
        actor=None, content=_read(path), file_name=path.name, dry_run=options["dry_run"]
    )
    for problem in report.warnings:
        command.stderr.write(_("Warning: %(problem)s") % {"problem": problem})
    for problem in report.errors:
        command.stderr.write(str(problem))
    if report.errors:
        raise CommandError(
            _("%(count)s errors; nothing was written.") % {"count": len(report.errors)}
        )
    for line in report.changes:
        command.stdout.write(line)
    command.stdout.write(report.summary())
    if report.is_dry_run:
        command.stdout.write(_("Dry run: nothing was written."))


def handle_import_legacy(command: Any, options: dict[str, Any]) -> None:
    path: Path = options["file"]
    report = legacy_appeals_import(
        actor=None,
        content=_read(path),
        file_name=path.name,
        skip_invalid=options["skip_invalid"],
        dry_run=options["dry_run"],
    )
    for problem in report.errors:
        command.stderr.write(str(problem))
    if report.error_count > len(report.errors):
        command.stderr.write(
            _("… and %(count)s more problems.") % {"count": report.error_count - len(report.errors)}
        )
    command.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
    command.stderr.write(report.summary())
    if report.error_count:
        if report.is_written:
            raise CommandError(
                _("%(count)s rows had errors and were left out.") % {"count": report.invalid_rows}
            )
        raise CommandError(
            _("%(count)s rows have errors; nothing was imported.") % {"count": report.invalid_rows}
        )
