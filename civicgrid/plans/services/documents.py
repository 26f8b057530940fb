"""导入政策文件: a file becomes a document version and a draft plan staff review.

Re-importing a document (the same document chosen, or the same document number, or the same
title) adds a version and a new draft plan; nothing reviewed on the previous plan is lost:

* the previous version, its plan and every correction stay as they were (the plan becomes
  *superseded* once the new one exists — or, for a published plan, once the new one is
  published, so supervision keeps running meanwhile);
* for every item whose extracted text (number, title, body) is unchanged, the fields staff
  edited, the confirmation and the reviewed responsible units are carried over; items staff
  added or split off are carried over too, and merges are kept (an absorbed item that comes
  back unchanged stays absorbed);
* an item whose text changed keeps the new extraction, and the previous corrections are kept
  beside it (``previous_review``) with a flag, so the reviewer decides;
* ``version.diff`` lists the items added, removed and changed by key, and what was carried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from ..extraction.types import ExtractedDocument, ExtractedItem, IngestError, UnitMention
from ..models import (
    DocumentKind,
    DocumentVersion,
    ItemOrigin,
    Plan,
    PlanItem,
    PlanItemUnit,
    PlanStatus,
    PlanTarget,
    PolicyDocument,
    Resolution,
)
from ..selectors.catalogue import UnitResolver
from .common import actor_or_none, plan_event, require_office

MAX_FILE_BYTES = 30 * 1024 * 1024
# Fields of an item staff may edit (item_update), carried over on re-import when edited.
ITEM_EDITABLE_FIELDS = (
    "number",
    "level",
    "title",
    "body",
    "is_task",
    "deadline_date",
    "deadline_text",
    "deadline_kind",
    "basis",
    "remarks",
)
TARGET_EDITABLE_FIELDS = (
    "subject",
    "value",
    "low",
    "high",
    "unit",
    "comparator",
    "year",
    "indicator_code",
)
UNITS_FIELD = "units"  # in edited_fields: staff changed the responsible units
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号?"
)
_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "［": "〔",
        "【": "〔",
        "(": "〔",
        "（": "〔",
        "]": "〕",
        "］": "〕",
        "】": "〕",
        ")": "〕",
        "）": "〕",
    }
)


@dataclass
class ImportResult:
    document: PolicyDocument
    version: DocumentVersion
    plan: Plan
    diff: dict[str, Any] = field(default_factory=dict)
    is_new_document: bool = True


def _extract(content: bytes, filename: str) -> ExtractedDocument:
    """Run the extractor (a seam tests may replace)."""
    from ..extraction import extract_bytes

    result: ExtractedDocument = extract_bytes(content, filename)
    return result


def normalise_doc_number(number: str) -> str:
    """珠改组[2014]4号 → 珠改组〔2014〕4 (for matching; the number as written is stored)."""
    number = re.sub(r"\s+", "", (number or "").translate(_BRACKETS))
    return number.removesuffix("号")


def find_doc_number(text: str) -> str:
    """The first document number (文号) in the head of ``text``, as written, or ""."""
    found = DOC_NUMBER.search(text[:3000])
    return re.sub(r"\s+", "", found.group(0)) if found else ""


def _find_document(title: str, doc_number: str) -> PolicyDocument | None:
    if doc_number:
        wanted = normalise_doc_number(doc_number)
        for document in PolicyDocument.objects.exclude(doc_number=""):
            if normalise_doc_number(document.doc_number) == wanted:
                return document
        return None
    if title:
        return PolicyDocument.objects.filter(title=title, doc_number="").order_by("pk").first()
    return None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _mention_json(unit: UnitMention) -> dict[str, Any]:
    return {
        "name": unit.name,
        "role": unit.role,
        "is_main_lead": unit.is_main_lead,
        "is_collective": unit.is_collective,
    }


def item_snapshot(item: ExtractedItem) -> dict[str, Any]:
    """What the extractor proposed for an item (kept unedited in ``PlanItem.extracted``)."""
    deadline = item.deadline
    return {
        "key": item.key,
        "number": item.number,
        "level": item.level,
        "title": item.title,
        "body": item.body,
        "source": item.source,
        "is_task": item.is_task,
        "parent_key": item.parent_key,
        "lead_units": [_mention_json(u) for u in item.lead_units],
        "cooperating_units": [_mention_json(u) for u in item.cooperating_units],
        "deadline": (
            {
                "text": deadline.text,
                "kind": deadline.kind,
                "date": deadline.date.isoformat() if deadline.date else None,
                "note": deadline.note,
            }
            if deadline
            else None
        ),
        "basis": list(item.basis),
        "remarks": item.remarks,
        "flags": list(item.flags),
    }


def text_digest(snapshot: dict[str, Any]) -> str:
    """Digest of an extracted item's text: equal digests = the same item text."""
    raw = "\x1f".join(str(snapshot.get(name) or "").strip() for name in ("number", "title", "body"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def extraction_to_json(extracted: ExtractedDocument) -> dict[str, Any]:
    """The stored form of an extraction (``DocumentVersion.extraction``), text excluded."""
    return {
        "title": extracted.title,
        "kind": extracted.kind,
        "encoding": extracted.encoding,
        "items": [item_snapshot(item) for item in extracted.items],
        "targets": [_json_safe(asdict(target)) for target in extracted.targets],
        "warnings": list(extracted.warnings),
    }


# --- building a plan's items ------------------------------------------------------------------


@dataclass
class _ItemSpec:
    key: str
    fields: dict[str, Any]
    units: list[dict[str, Any]]
    extracted: dict[str, Any]
    origin: str = ItemOrigin.EXTRACTED
    edited_fields: list[str] = field(default_factory=list)
    absorbed: list[dict[str, Any]] = field(default_factory=list)
    previous_review: dict[str, Any] = field(default_factory=dict)
    is_confirmed: bool = False
    flags: list[str] = field(default_factory=list)


def _span(span: Any) -> tuple[int | None, int | None]:
    if span is None:
        return None, None
    return int(span.start), int(span.end)


def _unit_rows(item: ExtractedItem, resolver: UnitResolver) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    group = 0
    for mention in [*item.lead_units, *item.cooperating_units]:
        group += 1
        start, end = _span(mention.span)
        resolved = resolver.resolve(mention.name)
        base = {
            "role": mention.role,
            "name": mention.name[:200],
            "span_start": start,
            "span_end": end,
            "is_main_lead": bool(mention.is_main_lead),
            "is_collective": bool(mention.is_collective)
            or resolved.resolution == Resolution.COLLECTIVE,
            "group": group,
            "note": resolved.note[:300],
            "resolution": resolved.resolution,
        }
        if not resolved.departments:
            rows.append({**base, "department": None})
            continue
        for index, department in enumerate(resolved.departments):
            rows.append(
                {
                    **base,
                    "department": department,
                    "is_main_lead": base["is_main_lead"] and not index,
                }
            )
    return rows


def _fields_from_extraction(item: ExtractedItem, order: int) -> dict[str, Any]:
    start, end = _span(item.span)
    deadline = item.deadline
    d_start, d_end = _span(deadline.span if deadline else None)
    return {
        "number": item.number[:40],
        "level": max(0, int(item.level)),
        "title": item.title[:500],
        "body": item.body,
        "span_start": start,
        "span_end": end,
        "source": item.source,
        "is_task": item.is_task,
        "deadline_date": deadline.date if deadline else None,
        "deadline_text": (deadline.text if deadline else "")[:200],
        "deadline_kind": deadline.kind if deadline else "",
        "deadline_note": (deadline.note if deadline else "")[:300],
        "deadline_span_start": d_start,
        "deadline_span_end": d_end,
        "basis": list(item.basis),
        "remarks": item.remarks,
        "order": order,
        "parent_key": (item.parent_key or "")[:200],
    }


def _previous_unit_rows(item: PlanItem, shift: int) -> list[dict[str, Any]]:
    def moved(value: int | None) -> int | None:
        return None if value is None else max(0, value + shift)

    return [
        {
            "role": unit.role,
            "name": unit.name,
            "span_start": moved(unit.span_start),
            "span_end": moved(unit.span_end),
            "department": unit.department,
            "resolution": unit.resolution,
            "is_main_lead": unit.is_main_lead,
            "is_collective": unit.is_collective,
            "group": unit.group,
            "note": unit.note,
        }
        for unit in item.units.all()
    ]


def _review_of(item: PlanItem) -> dict[str, Any]:
    """A previous item's corrections, to keep beside a changed item."""
    review: dict[str, Any] = {
        "from_plan": item.plan_id,
        "fields": {
            name: _json_safe(getattr(item, name))
            for name in item.edited_fields
            if name != UNITS_FIELD
        },
        "is_confirmed": item.is_confirmed,
    }
    if UNITS_FIELD in item.edited_fields:
        review["units"] = [
            {
                "role": unit.role,
                "name": unit.name,
                "department": unit.department.code if unit.department else None,
                "department_name": unit.department.name if unit.department else None,
                "resolution": unit.resolution,
            }
            for unit in item.units.all()
        ]
    return review


def _is_reviewed(item: PlanItem) -> bool:
    return bool(item.edited_fields or item.is_confirmed or item.absorbed)


def _build_specs(
    extracted: ExtractedDocument,
    resolver: UnitResolver,
    previous: Plan | None,
) -> tuple[list[_ItemSpec], dict[str, Any]]:
    """The items of the new plan (with carry-over from ``previous``) and the carry-over report."""
    previous_items: list[PlanItem] = []
    if previous is not None:
        previous_items = list(
            previous.items.prefetch_related("units__department").order_by("order", "id")
        )
    by_key = {item.key: item for item in previous_items}
    absorbed_digest: dict[str, str] = {}
    absorbed_into: dict[str, str] = {}
    for item in previous_items:
        for entry in item.absorbed:
            absorbed_digest[entry["key"]] = entry.get("digest", "")
            absorbed_into[entry["key"]] = item.key
    snapshots = [item_snapshot(ex_item) for ex_item in extracted.items]
    digests = {snapshot["key"]: text_digest(snapshot) for snapshot in snapshots}
    # Reviewed items whose text is unchanged: their corrections (and merges) carry over.
    kept = {
        item.key
        for item in previous_items
        if item.origin == ItemOrigin.EXTRACTED
        and _is_reviewed(item)
        and digests.get(item.key) == text_digest(item.extracted)
    }
    carried: list[str] = []
    needs_review: list[str] = []
    specs: list[_ItemSpec] = []
    for index, ex_item in enumerate(extracted.items):
        snapshot = snapshots[index]
        digest = digests[ex_item.key]
        fields = _fields_from_extraction(ex_item, index)
        spec = _ItemSpec(
            key=ex_item.key[:200],
            fields=fields,
            units=_unit_rows(ex_item, resolver),
            extracted=snapshot,
            flags=list(ex_item.flags),
        )
        if ex_item.key in absorbed_digest and ex_item.key not in by_key:
            if absorbed_digest[ex_item.key] == digest and absorbed_into[ex_item.key] in kept:
                carried.append(ex_item.key)  # stays merged into its item
                continue
            spec.flags.append(
                _(
                    "This item was merged into %(key)s in the previous version; "
                    "the merge could not be kept because a text changed."
                )
                % {"key": absorbed_into[ex_item.key]}
            )
            needs_review.append(ex_item.key)
        old = by_key.get(ex_item.key)
        if old is not None and old.origin == ItemOrigin.EXTRACTED and _is_reviewed(old):
            if old.key in kept:
                shift = 0
                if old.span_start is not None and fields["span_start"] is not None:
                    shift = fields["span_start"] - old.span_start
                for name in old.edited_fields:
                    if name in ITEM_EDITABLE_FIELDS:
                        spec.fields[name] = getattr(old, name)
                if UNITS_FIELD in old.edited_fields:
                    spec.units = _previous_unit_rows(old, shift)
                spec.edited_fields = list(old.edited_fields)
                spec.absorbed = list(old.absorbed)
                spec.is_confirmed = old.is_confirmed
                carried.append(ex_item.key)
            else:
                spec.previous_review = _review_of(old)
                spec.flags.append(
                    _(
                        "The text changed since the previous version: "
                        "the corrections made there are shown for review, not applied."
                    )
                )
                needs_review.append(ex_item.key)
        specs.append(spec)
    # Items staff added or split off: kept, after the item they followed.
    present = {spec.key for spec in specs}
    predecessor: str | None = None
    for old in previous_items:
        if old.origin == ItemOrigin.EXTRACTED:
            predecessor = old.key
            continue
        spec = _ItemSpec(
            key=old.key,
            fields={
                name: getattr(old, name)
                for name in (*ITEM_EDITABLE_FIELDS, "source", "deadline_note", "parent_key")
            },
            units=_previous_unit_rows(old, 0),
            extracted=dict(old.extracted),
            origin=old.origin,
            edited_fields=list(old.edited_fields),
            absorbed=list(old.absorbed),
            is_confirmed=old.is_confirmed,
            flags=list(old.flags),
        )
        # Spans pointed into the previous version's text: dropped rather than misplaced.
        for unit in spec.units:
            unit["span_start"] = unit["span_end"] = None
        position = next(
            (i + 1 for i, s in enumerate(specs) if predecessor and s.key == predecessor),
            len(specs),
        )
        anchor = old.extracted.get("split_from", "")
        if anchor and anchor in present and anchor in needs_review:
            needs_review.append(old.key)
        specs.insert(position, spec)
        carried.append(old.key)
        predecessor = old.key
    for order, spec in enumerate(specs):
        spec.fields["order"] = order * 10
    return specs, {"carried_over": carried, "needs_review": needs_review}


def _create_items(plan: Plan, specs: list[_ItemSpec]) -> dict[str, PlanItem]:
    items = [
        PlanItem(
            plan=plan,
            key=spec.key,
            origin=spec.origin,
            extracted=_json_safe(spec.extracted),
            edited_fields=spec.edited_fields,
            absorbed=spec.absorbed,
            previous_review=spec.previous_review,
            is_confirmed=spec.is_confirmed,
            flags=spec.flags,
            **spec.fields,
        )
        for spec in specs
    ]
    PlanItem.objects.bulk_create(items)
    by_key = {item.key: item for item in items}
    with_parent = []
    for item in items:
        parent = by_key.get(item.parent_key) if item.parent_key else None
        if parent is not None and parent is not item:
            item.parent = parent
            with_parent.append(item)
    if with_parent:
        PlanItem.objects.bulk_update(with_parent, ["parent"])
    units = [
        PlanItemUnit(item=item, order=order, **row)
        for item, spec in zip(items, specs, strict=True)
        for order, row in enumerate(spec.units)
    ]
    PlanItemUnit.objects.bulk_create(units)
    return by_key


def _create_targets(
    plan: Plan,
    extracted: ExtractedDocument,
    items: dict[str, PlanItem],
    previous: Plan | None,
) -> int:
    absorbed_into = {entry["key"]: item for item in items.values() for entry in item.absorbed}
    edited: dict[tuple[str, str], PlanTarget] = {}
    if previous is not None:
        for old in previous.targets.select_related("item"):
            if old.edited_fields and old.extracted:
                edited[(old.item.key if old.item else "", old.text)] = old
    targets = []
    for order, target in enumerate(extracted.targets):
        item = None
        if target.item_key:
            item = items.get(target.item_key) or absorbed_into.get(target.item_key)
        start, end = _span(target.span)
        value = target.value
        low = high = None
        number: float | None
        if isinstance(value, tuple | list):
            low, high = float(value[0]), float(value[1])
            number = None
        else:
            number = float(value)
        extracted_json = _json_safe(asdict(target))
        row = PlanTarget(
            plan=plan,
            item=item,
            subject=target.subject[:300],
            value=number,
            low=low,
            high=high,
            unit=target.unit[:40],
            comparator=target.comparator,
            year=target.year,
            text=target.text,
            span_start=start,
            span_end=end,
            order=order * 10,
            extracted=extracted_json,
        )
        corrected = edited.get((item.key if item else "", target.text))
        if corrected is not None:
            for name in corrected.edited_fields:
                setattr(row, name, getattr(corrected, name))
            row.edited_fields = list(corrected.edited_fields)
        targets.append(row)
    if previous is not None:
        for old in previous.targets.select_related("item").order_by("order", "id"):
            if old.extracted:
                continue  # extracted targets were matched above
            item = items.get(old.item.key) if old.item else None
            targets.append(
                PlanTarget(
                    plan=plan,
                    item=item,
                    **{name: getattr(old, name) for name in (*TARGET_EDITABLE_FIELDS, "text")},
                    order=len(targets) * 10,
                    edited_fields=list(old.edited_fields),
                )
            )
    PlanTarget.objects.bulk_create(targets)
    return len(targets)


# --- the diff ---------------------------------------------------------------------------------

DIFF_FIELDS = (
    "number",
    "title",
    "body",
    "is_task",
    "lead_units",
    "cooperating_units",
    "deadline",
    "basis",
)


def _brief(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": snapshot.get("key", ""),
        "number": snapshot.get("number", ""),
        "title": (snapshot.get("title") or snapshot.get("body") or "")[:80],
    }


def extraction_diff(
    before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """Items added, removed and changed (by key; a change names the fields that differ)."""
    old = {s["key"]: s for s in before}
    new = {s["key"]: s for s in after}
    changed = []
    unchanged = 0
    for key, snapshot in new.items():
        if key not in old:
            continue
        fields = [name for name in DIFF_FIELDS if old[key].get(name) != snapshot.get(name)]
        if fields:
            changed.append({**_brief(snapshot), "fields": fields})
        else:
            unchanged += 1
    return {
        "added": [_brief(s) for k, s in new.items() if k not in old],
        "removed": [_brief(s) for k, s in old.items() if k not in new],
        "changed": changed,
        "unchanged": unchanged,
    }


# --- the service ------------------------------------------------------------------------------


def _kind_of(extracted: ExtractedDocument) -> str:
    return extracted.kind if extracted.kind in DocumentKind.values else DocumentKind.TEXT


def document_import(
    *,
    actor: Any,
    content: bytes,
    filename: str,
    document: PolicyDocument | None = None,
    title: str = "",
    doc_number: str = "",
    issuer: str = "",
    issued_on: dt.date | None = None,
) -> ImportResult:
    """Read a policy document file and propose a draft plan (a new version if the document is
    known). Raises DomainError with the extractor's message when the file cannot be read."""
    require_office(actor)
    filename = PurePath((filename or "").replace("\\", "/")).name[:200] or "document"
    if not content:
        raise DomainError(
            _("The file %(name)s is empty.") % {"name": filename}, code="empty", field="file"
        )
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file %(name)s is larger than %(limit)s MB.")
            % {"name": filename, "limit": MAX_FILE_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    try:
        extracted = _extract(content, filename)
    except IngestError as error:
        raise DomainError(str(error), code="ingest", field="file") from error
    if not extracted.text.strip():
        raise DomainError(
            _("No text could be read from %(name)s.") % {"name": filename},
            code="ingest",
            field="file",
        )
    sha256 = hashlib.sha256(content).hexdigest()
    title = (title or extracted.title or Path(filename).stem).strip()[:300]
    doc_number = (doc_number or find_doc_number(extracted.text)).strip()[:100]
    stored: list[DocumentVersion] = []
    try:
        with transaction.atomic():
            result = _import(
                actor=actor,
                content=content,
                filename=filename,
                sha256=sha256,
                extracted=extracted,
                document=document,
                title=title,
                doc_number=doc_number,
                issuer=issuer.strip()[:200],
                issued_on=issued_on,
                stored=stored,
            )
    except Exception:
        for version in stored:  # the file was written but the rows were not: remove it
            version.file.storage.delete(version.file.name)
        raise
    return result


def _import(
    *,
    actor: Any,
    content: bytes,
    filename: str,
    sha256: str,
    extracted: ExtractedDocument,
    document: PolicyDocument | None,
    title: str,
    doc_number: str,
    issuer: str,
    issued_on: dt.date | None,
    stored: list[DocumentVersion],
) -> ImportResult:
    is_new = False
    if document is None:
        document = _find_document(title, doc_number)
    if document is not None:
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
    else:
        is_new = True
        office = getattr(actor, "department", None)
        document = PolicyDocument.objects.create(
            title=title,
            doc_number=doc_number,
            issuer=issuer,
            issued_on=issued_on,
            admin_unit=office.admin_unit if office is not None else None,
            created_by=actor_or_none(actor),
        )
    latest = document.versions.order_by("-number").first()
    if latest is not None and latest.sha256 == sha256:
        raise DomainError(
            _("This file is already imported as version %(number)s of “%(title)s”.")
            % {"number": latest.number, "title": document.title},
            code="duplicate",
            field="file",
        )
    previous_plan = Plan.objects.filter(version=latest).first() if latest else None
    version = DocumentVersion(
        document=document,
        number=(latest.number + 1) if latest else 1,
        original_name=filename,
        size=len(content),
        sha256=sha256,
        kind=_kind_of(extracted),
        encoding=(extracted.encoding or "")[:20],
        text=extracted.text,
        extraction=extraction_to_json(extracted),
        warnings=list(extracted.warnings),
        created_by=actor_or_none(actor),
    )
    suffix = Path(filename).suffix.lower()[:8] or ".txt"
    version.file.save(f"{sha256[:16]}{suffix}", ContentFile(content), save=False)
    stored.append(version)
    version.save()
    office = getattr(actor, "department", None)
    plan = Plan.objects.create(
        version=version,
        document=document,
        title=title,
        owner=previous_plan.owner if previous_plan else office,
        admin_unit=(previous_plan.admin_unit if previous_plan else document.admin_unit),
        previous=previous_plan,
    )
    specs, carry = _build_specs(extracted, UnitResolver(), previous_plan)
    items = _create_items(plan, specs)
    target_count = _create_targets(plan, extracted, items, previous_plan)
    diff: dict[str, Any] = {}
    if latest is not None:
        diff = {
            "previous_version": latest.number,
            **extraction_diff(latest.extraction.get("items", []), version.extraction["items"]),
            **carry,
        }
        version.diff = diff
        version.save(update_fields=["diff"])
    if previous_plan is not None and previous_plan.status in (
        PlanStatus.DRAFT,
        PlanStatus.IN_REVIEW,
    ):
        from_status = previous_plan.status
        previous_plan.status = PlanStatus.SUPERSEDED
        previous_plan.save(update_fields=["status", "updated_at"])
        plan_event(
            plan=previous_plan,
            actor=actor,
            kind="superseded",
            from_status=from_status,
            to_status=PlanStatus.SUPERSEDED,
            details={"by_plan": plan.pk, "version": version.number},
        )
    unresolved = PlanItemUnit.objects.filter(item__plan=plan, department__isnull=True).exclude(
        resolution=Resolution.NOT_A_DEPARTMENT
    )
    plan_event(
        plan=plan,
        actor=actor,
        kind="imported",
        to_status=PlanStatus.DRAFT,
        details={
            "version": version.number,
            "file": filename,
            "sha256": sha256,
            "items": len(items),
            "tasks": sum(1 for item in items.values() if item.is_task),
            "targets": target_count,
            "unresolved_units": unresolved.count(),
            "carried_over": len(carry["carried_over"]),
        },
    )
    audit_record(
        actor=actor_or_none(actor),
        action="plans.document_import",
        target=version,
        details={"file": filename, "sha256": sha256, "version": version.number},
    )
    return ImportResult(document, version, plan, diff, is_new)


def document_import_path(*, actor: Any, path: str | Path, **options: Any) -> ImportResult:
    """:func:`document_import` of a file on disk (the CLI and the demo)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DomainError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror},
            code="unreadable",
            field="file",
        ) from error
    return document_import(actor=actor, content=content, filename=path.name, **options)


def document_update(
    *,
    actor: Any,
    document: PolicyDocument,
    title: str | None = None,
    doc_number: str | None = None,
    issuer: str | None = None,
    issued_on: dt.date | None = None,
) -> PolicyDocument:
    """Correct a document's title, number, issuer or date."""
    require_office(actor)
    with transaction.atomic():
        document = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        changes: dict[str, Any] = {}
        if title is not None:
            title = title.strip()
            if not title:
                raise DomainError(_("Give the document a title."), code="invalid", field="title")
            changes["title"] = title[:300]
        if doc_number is not None:
            changes["doc_number"] = doc_number.strip()[:100]
        if issuer is not None:
            changes["issuer"] = issuer.strip()[:200]
        if issued_on is not None:
            changes["issued_on"] = issued_on
        for name, value in changes.items():
            setattr(document, name, value)
        document.save()
        latest_plan = Plan.objects.filter(document=document).order_by("-pk").first()
        if latest_plan is not None:
            plan_event(
                plan=latest_plan,
                actor=actor,
                kind="document_updated",
                details=_json_safe(changes),
            )
    return document
