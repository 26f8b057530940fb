"""``civicgrid plans import FILE``: import a policy document as a draft plan (a new version
when the document is already known), and print what was found and what changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core.errors import DomainError

from ..models import PolicyDocument, Resolution
from ..services import document_import_path
from ._actor import add_user_argument, console_actor

NAME = "import"
HELP = "import a policy document (.txt, .docx, .pdf, .xlsx) as a draft plan"


def add_arguments(parser: Any) -> None:
    parser.add_argument("file", type=Path)
    parser.add_argument("--document", type=int, help="id of the document this is a new version of")
    parser.add_argument("--title", default="", help="the document's title (default: read)")
    parser.add_argument("--doc-number", default="", help="文号, e.g. 珠改组〔2014〕4号")
    parser.add_argument("--issuer", default="")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_user_argument(parser)


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    actor = console_actor(options.get("user"))
    document = None
    if options.get("document"):
        document = PolicyDocument.objects.filter(pk=options["document"]).first()
        if document is None:
            raise CommandError(f"No policy document with id {options['document']}.")
    try:
        result = document_import_path(
            actor=actor,
            path=options["file"],
            document=document,
            title=options["title"],
            doc_number=options["doc_number"],
            issuer=options["issuer"],
        )
    except DomainError as error:
        raise CommandError(str(error.message)) from error
    plan = result.plan
    unresolved = sorted(
        set(
            plan.items.filter(units__department__isnull=True)
            .exclude(units__resolution=Resolution.NOT_A_DEPARTMENT)
            .values_list("units__name", flat=True)
        )
        - {None}
    )
    summary = {
        "document": result.document.pk,
        "title": result.document.title,
        "doc_number": result.document.doc_number,
        "version": result.version.number,
        "plan": plan.pk,
        "items": plan.items.count(),
        "tasks": plan.items.filter(is_task=True).count(),
        "targets": plan.targets.count(),
        "unresolved_units": unresolved,
        "warnings": result.version.warnings,
        "diff": result.diff,
    }
    if options.get("json"):
        command.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    command.stdout.write(
        f"{summary['title']} {summary['doc_number']} — version {summary['version']}, "
        f"plan {summary['plan']}: {summary['items']} items, {summary['tasks']} tasks, "
        f"{summary['targets']} targets"
    )
    if unresolved:
        command.stdout.write("unresolved unit names: " + "、".join(unresolved))
    for warning in summary["warnings"]:
        command.stdout.write(f"warning: {warning}")
    if result.diff:
        diff = result.diff
        command.stdout.write(
            f"against version {diff['previous_version']}: {len(diff['added'])} added, "
            f"{len(diff['removed'])} removed, {len(diff['changed'])} changed, "
            f"{diff['unchanged']} unchanged; {len(diff['carried_over'])} reviewed item(s) "
            f"carried over, {len(diff['needs_review'])} to review again"
        )
