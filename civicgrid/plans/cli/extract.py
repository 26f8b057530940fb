"""``civicgrid plans extract FILE [--json]``: read a policy document and show what was found."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from civicgrid.plans.extraction import extract_file
from civicgrid.plans.extraction.types import ExtractedDocument, IngestError

NAME = "extract"
HELP = "Read a policy document (.txt, .docx, .pdf, .xlsx) and print its tasks and targets."

COMPARATOR_SIGNS = {"ge": "≥", "le": "≤", "eq": "=", "about": "≈", "range": "~"}


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", help="the document to read")
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON (tasks, targets, warnings)"
    )


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        document = extract_file(options["file"])
    except IngestError as error:
        raise CommandError(str(error)) from error
    if options["json"]:
        command.stdout.write(json.dumps(document.as_json(), ensure_ascii=False, indent=2))
        return
    command.stdout.write(summary(document))


def summary(document: ExtractedDocument) -> str:
    """A readable account of the document (in the active language, Chinese by default)."""
    lines = [
        _("Document: %(title)s") % {"title": document.title},
        _("Tasks: %(tasks)d, targets: %(targets)d")
        % {"tasks": len(document.tasks), "targets": len(document.targets)},
    ]
    lines.extend(f"  ! {warning}" for warning in document.warnings)
    lines.append("")
    for task in document.tasks:
        number = task.number or "·"
        lines.append(f"[{number}] {task.title}")
        if task.lead_units:
            names = "、".join(unit.name for unit in task.lead_units)
            lines.append("    " + _("Lead: %(units)s") % {"units": names})
        if task.cooperating_units:
            names = "、".join(unit.name for unit in task.cooperating_units)
            lines.append("    " + _("Cooperating: %(units)s") % {"units": names})
        if task.deadline:
            when = task.deadline.date.isoformat() if task.deadline.date else task.deadline.kind
            lines.append(
                "    "
                + _("Deadline: %(date)s (%(words)s)") % {"date": when, "words": task.deadline.text}
            )
        for flag in task.flags:
            lines.append(f"    ! {flag}")
    if document.targets:
        lines.append("")
        lines.append(_("Targets:"))
        for target in document.targets:
            value = target.value
            shown = f"{value[0]:g}–{value[1]:g}" if isinstance(value, tuple) else f"{value:g}"
            year = str(target.year) if target.year else "—"
            sign = COMPARATOR_SIGNS.get(target.comparator, "")
            lines.append(f"  {target.subject} {sign} {shown}{target.unit} ({year})")
    return "\n".join(lines) + "\n"
