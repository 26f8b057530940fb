"""审核: staff correct the proposed plan (items, responsible units, targets), confirm it and
publish it; publishing creates the tasks assigned to departments.

    draft ─plan_confirm→ in_review ─plan_publish→ published ─plan_close→ closed
      ↑──────plan_reopen─────┘
    draft / in_review ─(a newer version imported)→ superseded
    published ─(the newer version's plan published)→ superseded (its tasks move to the new plan)

Every edit records which fields a person changed (``edited_fields``), so a re-import of the
document carries the correction over (see :mod:`.documents`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import ConflictError, DomainError
from civicgrid.territory.models import Department

from ..models import (
    Comparator,
    DeadlineKind,
    ItemOrigin,
    Plan,
    PlanItem,
    PlanItemUnit,
    PlanStatus,
    PlanTarget,
    Resolution,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    TaskUnit,
    UnitAlias,
    UnitRole,
)
from ..selectors.catalogue import UnitResolver
from .common import (
    TITLE_MAX,
    actor_or_none,
    plan_event,
    require_editable,
    require_office,
    task_event,
)
from .documents import (
    ITEM_EDITABLE_FIELDS,
    TARGET_EDITABLE_FIELDS,
    UNITS_FIELD,
    _json_safe,
    text_digest,
)

MAX_LISTED = 20


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _editable_plan_of(item: PlanItem) -> Plan:
    plan = _locked_plan(item.plan)
    require_editable(plan)
    return plan


def _mark_edited(item: PlanItem, *names: str) -> None:
    edited = list(item.edited_fields)
    for name in names:
        if name not in edited:
            edited.append(name)
    item.edited_fields = edited


def _renumber(plan: Plan) -> None:
    items = list(PlanItem.objects.filter(plan=plan).order_by("order", "id"))
    for index, item in enumerate(items):
        item.order = index * 10
    PlanItem.objects.bulk_update(items, ["order"])


def _clean_item_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(ITEM_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            code="invalid",
            field=sorted(unknown)[0],
        )
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("number", "title", "deadline_text"):
            limit = {"number": 40, "title": TITLE_MAX, "deadline_text": 200}[name]
            value = (value or "").strip()
            if len(value) > limit:
                raise DomainError(
                    _("%(field)s is too long (at most %(limit)s characters).")
                    % {"field": name, "limit": limit},
                    code="invalid",
                    field=name,
                )
        elif name in ("body", "remarks"):
            value = (value or "").strip()
        elif name == "is_task":
            value = bool(value)
        elif name == "level":
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = -1
            if not 0 <= value <= 9:
                raise DomainError(_("The level must be 0 to 9."), code="invalid", field=name)
        elif name == "deadline_date":
            if value is not None and (
                isinstance(value, dt.datetime) or not isinstance(value, dt.date)
            ):
                raise DomainError(_("Enter a valid date."), code="invalid", field=name)
        elif name == "deadline_kind":
            value = value or ""
            if value not in DeadlineKind.values:
                raise DomainError(_("Unknown deadline kind."), code="invalid", field=name)
        elif name == "basis":
            if isinstance(value, str):
                value = [part.strip() for part in value.splitlines() if part.strip()]
            value = [str(part).strip()[:300] for part in (value or []) if str(part).strip()]
        clean[name] = value
    if clean.get("deadline_date") is not None and "deadline_kind" not in clean:
        clean["deadline_kind"] = DeadlineKind.DATE
    return clean


def item_update(*, actor: Any, item: PlanItem, **fields: Any) -> PlanItem:
    """Correct fields of an item (number, title, body, is_task, deadline…, basis, remarks)."""
    require_office(actor)
    clean = _clean_item_fields(fields)
    if clean.get("deadline_kind") == DeadlineKind.DATE and not clean.get(
        "deadline_date", item.deadline_date
    ):
        raise DomainError(
            _("A deadline of kind “date” needs a date."), code="invalid", field="deadline_date"
        )
    with transaction.atomic():
        plan = _editable_plan_of(item)
        item = PlanItem.objects.select_for_update().get(pk=item.pk)
        changes = {}
        for name, value in clean.items():
            old = getattr(item, name)
            if old != value:
                changes[name] = [_json_safe(old), _json_safe(value)]
                setattr(item, name, value)
        if not changes:
            return item
        _mark_edited(item, *changes)
        if "deadline_date" in changes or "deadline_kind" in changes:
            item.flags = [flag for flag in item.flags if "deadline" not in flag.lower()]
        item.save()
        plan_event(plan=plan, actor=actor, kind="item_updated", item_key=item.key, details=changes)
    return item


def _new_key(plan: Plan, base: str) -> str:
    existing = set(PlanItem.objects.filter(plan=plan).values_list("key", flat=True))
    for n in range(2, 10_000):
        key = f"{base}~{n}"[:200]
        if key not in existing:
            return key
    return f"{base}~{uuid.uuid4().hex[:8]}"[:200]


def item_add(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    body: str = "",
    number: str = "",
    is_task: bool = True,
    after: PlanItem | None = None,
    parent: PlanItem | None = None,
    deadline_date: dt.date | None = None,
    deadline_text: str = "",
) -> PlanItem:
    """Add an item the extractor missed (after ``after``, else at the end)."""
    require_office(actor)
    clean = _clean_item_fields(
        {
            "title": title,
            "body": body,
            "number": number,
            "is_task": is_task,
            "deadline_date": deadline_date,
            "deadline_text": deadline_text,
        }
    )
    if not clean["title"] and not clean["body"]:
        raise DomainError(_("Give the item a title or a text."), code="invalid", field="title")
    with transaction.atomic():
        plan = _locked_plan(plan)
        require_editable(plan)
        for other, name in ((after, "after"), (parent, "parent")):
            if other is not None and other.plan_id != plan.pk:
                raise DomainError(_("That item belongs to another plan."), field=name)
        if after is not None:
            order = after.order + 1
        else:
            last = PlanItem.objects.filter(plan=plan).order_by("-order").first()
            order = (last.order + 10) if last else 0
        item = PlanItem.objects.create(
            plan=plan,
            key=f"added/{uuid.uuid4().hex[:10]}",
            origin=ItemOrigin.ADDED,
            level=(parent.level + 1) if parent else (after.level if after else 1),
            parent=parent,
            parent_key=parent.key if parent else "",
            order=order,
            edited_fields=[*clean, UNITS_FIELD],
            **clean,
        )
        _renumber(plan)
        item.refresh_from_db()
        plan_event(plan=plan, actor=actor, kind="item_added", item_key=item.key)
    return item


def _body_start(item: PlanItem, text: str) -> int | None:
    """Where the item's body starts in the version text, if it is there verbatim."""
    if item.span_start is None or not item.body:
        return None
    found = text.find(item.body, item.span_start)
    return found if found >= 0 else None


def item_split(*, actor: Any, item: PlanItem, offset: int) -> tuple[PlanItem, PlanItem]:
    """Split an item's body at ``offset`` (characters into ``item.body``) into two items; the
    second gets the same responsible units and deadline, to correct as needed."""
    require_office(actor)
    with transaction.atomic():
        plan = _editable_plan_of(item)
        item = PlanItem.objects.select_for_update().get(pk=item.pk)
        body = item.body
        if not isinstance(offset, int) or not 0 < offset < len(body):
            raise DomainError(
                _("Choose a place inside the item's text to split it (1 to %(max)s).")
                % {"max": max(len(body) - 1, 1)},
                code="invalid",
                field="offset",
            )
        first_body, second_body = body[:offset].strip(), body[offset:].strip()
        if not first_body or not second_body:
            raise DomainError(
                _("Both parts of a split item need some text."), code="invalid", field="offset"
            )
        body_start = _body_start(item, plan.version.text)
        split_at = body_start + offset if body_start is not None else None
        second = PlanItem.objects.create(
            plan=plan,
            key=_new_key(plan, item.key),
            origin=ItemOrigin.SPLIT,
            number="",
            level=item.level,
            title="",
            body=second_body,
            span_start=split_at,
            span_end=item.span_end if split_at is not None else None,
            source=item.source,
            is_task=item.is_task,
            deadline_date=item.deadline_date,
            deadline_text=item.deadline_text,
            deadline_kind=item.deadline_kind,
            deadline_note=item.deadline_note,
            basis=list(item.basis),
            remarks=item.remarks,
            order=item.order + 1,
            parent=item.parent,
            parent_key=item.parent_key,
            extracted={"split_from": item.key},
            edited_fields=[*ITEM_EDITABLE_FIELDS, UNITS_FIELD],
        )
        PlanItemUnit.objects.bulk_create(
            [
                PlanItemUnit(
                    item=second,
                    role=unit.role,
                    name=unit.name,
                    department=unit.department,
                    resolution=unit.resolution,
                    is_main_lead=unit.is_main_lead,
                    is_collective=unit.is_collective,
                    group=unit.group,
                    order=unit.order,
                    note=unit.note,
                )
                for unit in item.units.all()
            ]
        )
        item.body = first_body
        if split_at is not None:
            item.span_end = split_at
        _mark_edited(item, "body")
        item.save()
        _renumber(plan)
        second.refresh_from_db()
        plan_event(
            plan=plan,
            actor=actor,
            kind="item_split",
            item_key=item.key,
            details={"offset": offset, "new_key": second.key},
        )
    return item, second


def items_merge(*, actor: Any, items: Sequence[PlanItem]) -> PlanItem:
    """Merge items into the first of them (in plan order): texts joined, units, targets and
    sub-items moved; the others are removed and remembered in ``absorbed``."""
    require_office(actor)
    if len({item.pk for item in items}) < 2:
        raise DomainError(_("Choose at least two items to merge."), code="invalid", field="items")
    if len({item.plan_id for item in items}) != 1:
        raise DomainError(_("Only items of the same plan can be merged."), field="items")
    with transaction.atomic():
        plan = _editable_plan_of(items[0])
        rows = list(
            PlanItem.objects.select_for_update()
            .filter(pk__in=[item.pk for item in items])
            .order_by("order", "id")
        )
        first, others = rows[0], rows[1:]
        texts = [first.body]
        absorbed = list(first.absorbed)
        seen = {(u.role, u.department_id, u.name) for u in first.units.all()}
        for other in others:
            head = " ".join(part for part in (other.number, other.title) if part)
            texts.append(f"{head} {other.body}".strip() if head else other.body)
            if other.origin == ItemOrigin.EXTRACTED:
                absorbed.append(
                    {
                        "key": other.key,
                        "digest": text_digest(other.extracted),
                        "number": other.number,
                        "title": other.title,
                    }
                )
            absorbed.extend(other.absorbed)
            for unit in other.units.all():
                if (unit.role, unit.department_id, unit.name) in seen:
                    continue
                seen.add((unit.role, unit.department_id, unit.name))
                unit.item = first
                unit.is_main_lead = False
                unit.save(update_fields=["item", "is_main_lead"])
            PlanTarget.objects.filter(item=other).update(item=first)
            PlanItem.objects.filter(parent=other).update(parent=first, parent_key=first.key)
            first.is_task = first.is_task or other.is_task
            if first.deadline_date is None and other.deadline_date is not None:
                first.deadline_date = other.deadline_date
                first.deadline_text = other.deadline_text
                first.deadline_kind = other.deadline_kind
            if first.span_start is not None and other.span_start is not None:
                first.span_start = min(first.span_start, other.span_start)
                first.span_end = max(first.span_end or 0, other.span_end or 0)
        first.body = "\n".join(text for text in texts if text)
        first.absorbed = absorbed
        _mark_edited(first, "body", "is_task", "deadline_date", "deadline_text", UNITS_FIELD)
        first.save()
        merged_keys = [other.key for other in others]
        PlanItem.objects.filter(pk__in=[other.pk for other in others]).delete()
        _renumber(plan)
        plan_event(
            plan=plan,
            actor=actor,
            kind="items_merged",
            item_key=first.key,
            details={"merged": merged_keys},
        )
    first.refresh_from_db()
    return first


def item_confirm(*, actor: Any, item: PlanItem, confirmed: bool = True) -> PlanItem:
    """Mark an item as checked by a person (or not)."""
    require_office(actor)
    with transaction.atomic():
        plan = _editable_plan_of(item)
        PlanItem.objects.filter(pk=item.pk).update(is_confirmed=confirmed)
        item.refresh_from_db()
        plan_event(
            plan=plan,
            actor=actor,
            kind="item_confirmed" if confirmed else "item_unconfirmed",
            item_key=item.key,
        )
    return item


# --- responsible units ------------------------------------------------------------------------


def _check_role(role: str) -> str:
    if role not in UnitRole.values:
        raise DomainError(_("The role must be lead or cooperating."), code="invalid", field="role")
    return role


def _touch_units(item: PlanItem) -> None:
    item = PlanItem.objects.get(pk=item.pk)
    _mark_edited(item, UNITS_FIELD)
    item.save(update_fields=["edited_fields", "updated_at"])


def unit_add(
    *,
    actor: Any,
    item: PlanItem,
    role: str,
    name: str,
    department: Department | None = None,
) -> PlanItemUnit:
    """Add a responsible unit the extractor missed (resolved from its name if no department
    is given)."""
    require_office(actor)
    _check_role(role)
    name = (name or "").strip() or (department.short_name or department.name if department else "")
    if not name:
        raise DomainError(_("Give the unit's name."), code="invalid", field="name")
    with transaction.atomic():
        plan = _editable_plan_of(item)
        resolution: str = Resolution.CONFIRMED
        note = ""
        if department is None:
            resolved = UnitResolver().resolve(name)
            if len(resolved.departments) == 1:
                department = resolved.departments[0]
                resolution, note = resolved.resolution, resolved.note
            else:
                resolution = Resolution.UNKNOWN
        last = item.units.order_by("-order").first()
        has_main = item.units.filter(role=UnitRole.LEAD, is_main_lead=True).exists()
        unit = PlanItemUnit.objects.create(
            item=item,
            role=role,
            name=name[:200],
            department=department,
            resolution=resolution,
            is_main_lead=role == UnitRole.LEAD and not has_main,
            order=(last.order + 1) if last else 0,
            group=(last.group + 1) if last else 1,
            note=note,
        )
        _touch_units(item)
        plan_event(
            plan=plan,
            actor=actor,
            kind="unit_added",
            item_key=item.key,
            details={
                "name": name,
                "role": role,
                "department": department.code if department else None,
            },
        )
    return unit


def unit_resolve(
    *,
    actor: Any,
    unit: PlanItemUnit,
    department: Department | None,
    remember: bool = True,
) -> PlanItemUnit:
    """Say which department a name as written means (``None``: no department — the name is
    kept as written and creates no assignment). With ``remember`` the name is kept as a plans
    alias for later imports, and the plan's other unresolved rows of the same name follow."""
    require_office(actor)
    with transaction.atomic():
        plan = _editable_plan_of(unit.item)
        unit = PlanItemUnit.objects.select_for_update().select_related("item").get(pk=unit.pk)
        if department is not None and not department.is_active:
            raise DomainError(
                _("%(name)s is no longer active.") % {"name": department}, field="department"
            )
        before = unit.department.code if unit.department else None
        if department is None:
            unit.department = None
            unit.resolution = Resolution.NOT_A_DEPARTMENT
        else:
            unit.department = department
            unit.resolution = Resolution.CONFIRMED
        unit.save(update_fields=["department", "resolution"])
        _touch_units(unit.item)
        also: list[str] = []
        if remember and department is not None:
            UnitAlias.objects.update_or_create(
                name=unit.name,
                defaults={"department": department, "created_by": actor_or_none(actor)},
            )
            same = (
                PlanItemUnit.objects.filter(
                    item__plan=plan, name=unit.name, department__isnull=True
                )
                .exclude(pk=unit.pk)
                .exclude(resolution=Resolution.NOT_A_DEPARTMENT)
            )
            for other in same.select_related("item"):
                other.department = department
                other.resolution = Resolution.CONFIRMED
                other.save(update_fields=["department", "resolution"])
                _touch_units(other.item)
                also.append(other.item.key)
        plan_event(
            plan=plan,
            actor=actor,
            kind="unit_resolved",
            item_key=unit.item.key,
            details={
                "name": unit.name,
                "from": before,
                "to": department.code if department else None,
                "remembered": bool(remember and department is not None),
                "also_items": also,
            },
        )
    return unit


def unit_set_role(*, actor: Any, unit: PlanItemUnit, role: str) -> PlanItemUnit:
    """Change a unit between lead and cooperating."""
    require_office(actor)
    _check_role(role)
    with transaction.atomic():
        plan = _editable_plan_of(unit.item)
        unit = PlanItemUnit.objects.select_for_update().select_related("item").get(pk=unit.pk)
        if unit.role != role:
            before = unit.role
            unit.role = role
            if role == UnitRole.COOPERATING:
                unit.is_main_lead = False
            unit.save(update_fields=["role", "is_main_lead"])
            _touch_units(unit.item)
            plan_event(
                plan=plan,
                actor=actor,
                kind="unit_role",
                item_key=unit.item.key,
                details={"name": unit.name, "from": before, "to": role},
            )
    return unit


def unit_set_main_lead(*, actor: Any, unit: PlanItemUnit) -> PlanItemUnit:
    """Make a lead unit the item's main lead (it consolidates the reports)."""
    require_office(actor)
    with transaction.atomic():
        plan = _editable_plan_of(unit.item)
        unit = PlanItemUnit.objects.select_for_update().select_related("item").get(pk=unit.pk)
        if unit.role != UnitRole.LEAD:
            raise DomainError(_("Only a lead unit can be the main lead."), field="unit")
        PlanItemUnit.objects.filter(item=unit.item).update(is_main_lead=False)
        PlanItemUnit.objects.filter(pk=unit.pk).update(is_main_lead=True)
        unit.refresh_from_db()
        _touch_units(unit.item)
        plan_event(
            plan=plan,
            actor=actor,
            kind="unit_main_lead",
            item_key=unit.item.key,
            details={"name": unit.name},
        )
    return unit


def unit_remove(*, actor: Any, unit: PlanItemUnit) -> None:
    """Remove a unit wrongly read as responsible (the event keeps what it was)."""
    require_office(actor)
    with transaction.atomic():
        plan = _editable_plan_of(unit.item)
        unit = PlanItemUnit.objects.select_related("item", "department").get(pk=unit.pk)
        item = unit.item
        details = {
            "name": unit.name,
            "role": unit.role,
            "department": unit.department.code if unit.department else None,
            "resolution": unit.resolution,
        }
        unit.delete()
        _touch_units(item)
        plan_event(plan=plan, actor=actor, kind="unit_removed", item_key=item.key, details=details)


# --- targets ----------------------------------------------------------------------------------


def _clean_target_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TARGET_EDITABLE_FIELDS) - {"text"}
    if unknown:
        raise DomainError(
            _("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            code="invalid",
            field=sorted(unknown)[0],
        )
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("value", "low", "high"):
            if value in (None, ""):
                value = None
            else:
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    raise DomainError(_("Enter a number."), code="invalid", field=name) from None
        elif name == "year":
            if value in (None, ""):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    value = 0
                if not 1949 <= value <= 2100:
                    raise DomainError(_("Enter a year such as 2017."), code="invalid", field=name)
        elif name == "comparator":
            if value not in Comparator.values:
                raise DomainError(_("Unknown comparator."), code="invalid", field=name)
        else:
            value = (value or "").strip()
            if name == "subject" and not value:
                raise DomainError(_("Give the target's subject."), code="invalid", field=name)
        clean[name] = value
    return clean


def _check_target_value(target: PlanTarget) -> None:
    if target.comparator == Comparator.RANGE:
        if target.low is None or target.high is None or target.low > target.high:
            raise DomainError(_("A range needs a low and a high value (low ≤ high)."), field="low")
    elif target.value is None:
        raise DomainError(_("Enter the target value."), code="invalid", field="value")


def target_update(*, actor: Any, target: PlanTarget, **fields: Any) -> PlanTarget:
    """Correct a target (subject, value / low / high, unit, comparator, year, indicator)."""
    require_office(actor)
    clean = _clean_target_fields(fields)
    with transaction.atomic():
        plan = _locked_plan(target.plan)
        require_editable(plan)
        target = PlanTarget.objects.select_for_update().get(pk=target.pk)
        changes = {}
        for name, value in clean.items():
            if getattr(target, name) != value:
                changes[name] = [getattr(target, name), value]
                setattr(target, name, value)
        if not changes:
            return target
        _check_target_value(target)
        target.edited_fields = sorted(set(target.edited_fields) | set(changes))
        target.save()
        plan_event(
            plan=plan,
            actor=actor,
            kind="target_updated",
            details={"target": target.pk, **_json_safe(changes)},
        )
    return target


def target_add(
    *,
    actor: Any,
    plan: Plan,
    subject: str,
    comparator: str,
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
    unit: str = "",
    year: int | None = None,
    item: PlanItem | None = None,
    text: str = "",
) -> PlanTarget:
    """Add a target the extractor missed."""
    require_office(actor)
    clean = _clean_target_fields(
        {
            "subject": subject,
            "comparator": comparator,
            "value": value,
            "low": low,
            "high": high,
            "unit": unit,
            "year": year,
            "text": text,
        }
    )
    with transaction.atomic():
        plan = _locked_plan(plan)
        require_editable(plan)
        if item is not None and item.plan_id != plan.pk:
            raise DomainError(_("That item belongs to another plan."), field="item")
        last = plan.targets.order_by("-order").first()
        target = PlanTarget(
            plan=plan,
            item=item,
            order=(last.order + 10) if last else 0,
            edited_fields=sorted(clean),
            **clean,
        )
        _check_target_value(target)
        target.save()
        plan_event(plan=plan, actor=actor, kind="target_added", details={"target": target.pk})
    return target


def target_remove(*, actor: Any, target: PlanTarget) -> None:
    """Remove a wrongly extracted target (the event keeps it)."""
    require_office(actor)
    with transaction.atomic():
        plan = _locked_plan(target.plan)
        require_editable(plan)
        details = {"subject": target.subject, "text": target.text, "value": target.value}
        target.delete()
        plan_event(plan=plan, actor=actor, kind="target_removed", details=details)


# --- the plan's states ------------------------------------------------------------------------


def _move(plan: Plan, actor: Any, allowed: Sequence[str], to_status: str, kind: str) -> Plan:
    plan = _locked_plan(plan)
    if plan.status not in allowed:
        raise ConflictError(
            _("This step is not possible while the plan is %(status)s.")
            % {"status": plan.get_status_display()},
            code="illegal_transition",
        )
    from_status = plan.status
    plan.status = to_status
    plan.row_version += 1
    now = timezone.now()
    if to_status == PlanStatus.IN_REVIEW:
        plan.confirmed_at = now
    elif to_status == PlanStatus.PUBLISHED:
        plan.published_at = now
    elif to_status == PlanStatus.CLOSED:
        plan.closed_at = now
    plan.save()
    plan_event(plan=plan, actor=actor, kind=kind, from_status=from_status, to_status=to_status)
    return plan


def plan_confirm(*, actor: Any, plan: Plan) -> Plan:
    """Staff have checked the plan: it waits to be published."""
    require_office(actor)
    with transaction.atomic():
        if not PlanItem.objects.filter(plan=plan, is_task=True).exists():
            raise ConflictError(
                _("The plan has no task items: mark at least one item as a task."),
                code="no_tasks",
            )
        return _move(plan, actor, [PlanStatus.DRAFT], PlanStatus.IN_REVIEW, "confirmed")


def plan_reopen(*, actor: Any, plan: Plan) -> Plan:
    """Back to draft for more corrections."""
    require_office(actor)
    with transaction.atomic():
        return _move(plan, actor, [PlanStatus.IN_REVIEW], PlanStatus.DRAFT, "reopened")


def _label(item: PlanItem) -> str:
    return " ".join(p for p in (item.number, item.title or item.body[:30]) if p) or item.key


def publication_problems(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """What stops ``plan`` from being published: unresolved unit names and task items without
    a lead department (each with the item's key and label)."""
    unresolved = []
    no_lead = []
    items = plan.items.filter(is_task=True).prefetch_related("units").order_by("order", "id")
    for item in items:
        units = list(item.units.all())
        for unit in units:
            if not unit.is_resolved:
                unresolved.append({"key": item.key, "item": _label(item), "name": unit.name})
        if not any(u.role == UnitRole.LEAD and u.department_id for u in units):
            no_lead.append({"key": item.key, "item": _label(item)})
    return {"unresolved_units": unresolved, "no_lead": no_lead}


def _listing(rows: list[dict[str, Any]], with_name: bool) -> str:
    parts = [
        f"{row['item']}: {row['name']}" if with_name else row["item"] for row in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        parts.append(_("and %(count)s more") % {"count": len(rows) - MAX_LISTED})
    return "; ".join(parts)


def _task_units_of(item: PlanItem) -> tuple[Department, list[tuple[Department, str, bool, str]]]:
    """The main lead and every (department, role, is_main_lead, name as written) of an item."""
    units = [u for u in item.units.all() if u.department_id]
    leads = [u for u in units if u.role == UnitRole.LEAD]
    main = next((u for u in leads if u.is_main_lead), leads[0])
    rows: list[tuple[Department, str, bool, str]] = []
    seen: set[int] = set()
    for unit in [main, *leads, *[u for u in units if u.role == UnitRole.COOPERATING]]:
        assert unit.department is not None
        if unit.department_id in seen:
            continue
        seen.add(unit.department.pk)
        rows.append((unit.department, unit.role, unit is main, unit.name))
    assert main.department is not None
    return main.department, rows


def _task_fields(item: PlanItem, main: Department) -> dict[str, Any]:
    title = item.title or item.body[:120] or item.number or item.key
    return {
        "item": item,
        "item_key": item.key,
        "number": item.number,
        "title": title[:500],
        "body": item.body,
        "deadline": item.deadline_date,
        "deadline_text": item.deadline_text,
        "deadline_kind": item.deadline_kind,
        "lead_department": main,
        "admin_unit_code": main.admin_unit.code,
        "order": item.order,
    }


def _sync_units(task: Task, rows: list[tuple[Department, str, bool, str]]) -> list[str]:
    current = {unit.department_id: unit for unit in task.units.all()}
    wanted = {department.pk for department, *_ in rows}
    changes = []
    for department, role, is_main, name in rows:
        unit = current.get(department.pk)
        if unit is None:
            TaskUnit.objects.create(
                task=task,
                department=department,
                role=role,
                is_main_lead=is_main,
                name_as_written=name[:200],
            )
            changes.append(f"+{department.code}")
        elif (unit.role, unit.is_main_lead) != (role, is_main):
            unit.role, unit.is_main_lead = role, is_main
            unit.save(update_fields=["role", "is_main_lead"])
            changes.append(f"~{department.code}")
    for department_id, unit in current.items():
        if department_id not in wanted:
            changes.append(f"-{unit.department.code}")
            unit.delete()
    getattr(task, "_prefetched_objects_cache", {}).pop("units", None)
    return changes


def plan_publish(*, actor: Any, plan: Plan) -> list[Task]:
    """Publish a confirmed plan: one task per task item, assigned to its lead and cooperating
    departments. Refused while a unit name is unresolved or a task has no lead department.

    When an earlier version of the document is published, its tasks carry on: a task whose
    item is still there moves to this plan (title, deadline and units updated, reports kept),
    one whose item disappeared is cancelled, and the earlier plan is superseded.
    """
    require_office(actor)
    with transaction.atomic():
        plan = _locked_plan(plan)
        if plan.status != PlanStatus.IN_REVIEW:
            raise ConflictError(
                _("Only a confirmed plan can be published (the plan is %(status)s).")
                % {"status": plan.get_status_display()},
                code="illegal_transition",
            )
        problems = publication_problems(plan)
        if problems["unresolved_units"]:
            raise ConflictError(
                _(
                    "The plan cannot be published: %(count)s unit name(s) are not resolved to "
                    "a department — %(list)s. Choose the department, or mark the name as not "
                    "a department."
                )
                % {
                    "count": len(problems["unresolved_units"]),
                    "list": _listing(problems["unresolved_units"], True),
                },
                code="unresolved_units",
                details=problems,
            )
        if problems["no_lead"]:
            raise ConflictError(
                _("The plan cannot be published: these tasks have no lead department — %(list)s.")
                % {"list": _listing(problems["no_lead"], False)},
                code="no_lead",
                details=problems,
            )
        earlier = list(
            Plan.objects.select_for_update()
            .filter(document=plan.document, status=PlanStatus.PUBLISHED)
            .exclude(pk=plan.pk)
        )
        carried = {
            task.item_key: task
            for task in Task.objects.filter(plan__in=earlier).prefetch_related("units")
        }
        items = list(
            plan.items.filter(is_task=True)
            .select_related("plan")
            .prefetch_related("units__department__admin_unit")
            .order_by("order", "id")
        )
        tasks: list[Task] = []
        new_events: list[TaskEvent] = []
        for item in items:
            main, rows = _task_units_of(item)
            fields = _task_fields(item, main)
            task = carried.pop(item.key, None)
            if task is not None:
                changes = {
                    name: [_json_safe(getattr(task, name)), _json_safe(value)]
                    for name, value in fields.items()
                    if name not in ("item", "order")
                    and getattr(task, name) != value
                    and not (name == "lead_department" and task.lead_department_id == main.pk)
                }
                for name, value in fields.items():
                    setattr(task, name, value)
                task.plan = plan
                task.row_version += 1
                task.save()
                unit_changes = _sync_units(task, rows)
                task_event(
                    task=task,
                    actor=actor,
                    kind=TaskEventKind.UPDATED,
                    details={
                        "plan": plan.pk,
                        "version": plan.version.number,
                        "changes": {k: v for k, v in changes.items() if k != "lead_department"},
                        "units": unit_changes,
                    },
                )
            else:
                try:
                    with transaction.atomic():
                        task = Task.objects.create(plan=plan, **fields)
                except IntegrityError as error:
                    raise ConflictError(
                        _("The plan was published at the same time by someone else."),
                        code="conflict",
                    ) from error
                TaskUnit.objects.bulk_create(
                    [
                        TaskUnit(
                            task=task,
                            department=department,
                            role=role,
                            is_main_lead=is_main,
                            name_as_written=name[:200],
                        )
                        for department, role, is_main, name in rows
                    ]
                )
                new_events.append(
                    TaskEvent(
                        task=task,
                        actor=actor_or_none(actor),
                        kind=TaskEventKind.PUBLISHED,
                        department=main,
                        details={"plan": plan.pk, "item": item.key},
                    )
                )
            tasks.append(task)
        TaskEvent.objects.bulk_create(new_events)
        for task in carried.values():  # the item is gone from the new version
            if task.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS):
                from_status = task.status
                task.status = TaskStatus.CANCELLED
                task.row_version += 1
                task.save(update_fields=["status", "row_version", "updated_at"])
                task_event(
                    task=task,
                    actor=actor,
                    kind=TaskEventKind.CANCELLED,
                    from_status=from_status,
                    to_status=TaskStatus.CANCELLED,
                    note=_("The item is no longer in version %(number)s of the document.")
                    % {"number": plan.version.number},
                )
        for old in earlier:
            old.status = PlanStatus.SUPERSEDED
            old.save(update_fields=["status", "updated_at"])
            plan_event(
                plan=old,
                actor=actor,
                kind="superseded",
                from_status=PlanStatus.PUBLISHED,
                to_status=PlanStatus.SUPERSEDED,
                details={"by_plan": plan.pk},
            )
        plan = _move(plan, actor, [PlanStatus.IN_REVIEW], PlanStatus.PUBLISHED, "published")
        for task in tasks:
            task.plan = plan
        plan_event(
            plan=plan,
            actor=actor,
            kind="tasks_created",
            details={"tasks": len(tasks), "carried_over": len(tasks) - len(new_events)},
        )
    return tasks


def plan_close(*, actor: Any, plan: Plan) -> Plan:
    """End the supervision of a published plan: no more progress reports."""
    require_office(actor)
    with transaction.atomic():
        return _move(plan, actor, [PlanStatus.PUBLISHED], PlanStatus.CLOSED, "closed")
