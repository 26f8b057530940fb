"""Demo reply templates (答复模板) from ``data/zhuhai_reply_templates.csv``.

Idempotent: a template is found again by its name and category; existing ones are left as an
administrator may have edited them. Rows naming an unknown category are skipped (counted).
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from civicgrid.appeals.models import AppealType, Category, ReplyTemplate

DATA_FILE = Path(__file__).resolve().parent / "data" / "zhuhai_reply_templates.csv"


@transaction.atomic
def reply_templates_ensure(path: Path = DATA_FILE) -> dict[str, int]:
    """Create the demo templates that are missing; returns ``{"created": n, "skipped": m}``."""
    categories = dict(Category.objects.values_list("code", "pk"))
    created = skipped = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("category_code") or "").strip()
            appeal_type = (row.get("appeal_type") or "").strip()
            if (code and code not in categories) or (
                appeal_type and appeal_type not in AppealType.values
            ):
                skipped += 1
                continue
            _template, was_created = ReplyTemplate.objects.get_or_create(
                name=row["name"].strip(),
                category_id=categories.get(code) if code else None,
                defaults={"appeal_type": appeal_type, "body": row["body"].strip()},
            )
            created += int(was_created)
    return {"created": created, "skipped": skipped}
