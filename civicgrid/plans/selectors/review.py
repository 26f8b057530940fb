"""The review screen's data: the version's text, the items with their units, the targets, and
every extracted field as a highlight (offsets into the text)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from ..models import Plan, PlanItem, PlanItemUnit, PlanTarget, Resolution
from .visibility import plan_visible_to


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    kind: str  # "item", "lead", "cooperating", "deadline", "target"
    item_key: str
    label: str
    object_id: int
    is_problem: bool = False  # an unresolved unit or a flagged deadline


@dataclass
class PlanReview:
    plan: Plan
    text: str
    items: list[PlanItem]
    targets: list[PlanTarget]
    highlights: list[Highlight]
    unresolved: list[PlanItemUnit]
    diff: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def plan_review_data(user: Any, plan: Plan) -> PlanReview | None:
    """Everything the review screen shows, or None when ``user`` may not see the plan."""
    plan = plan_visible_to(user, plan.pk)  # type: ignore[assignment]
    if plan is None:
        return None
    text = plan.version.text
    units = PlanItemUnit.objects.select_related("department").order_by("order", "id")
    items = list(
        PlanItem.objects.filter(plan=plan)
        .prefetch_related(Prefetch("units", queryset=units))
        .order_by("order", "id")
    )
    targets = list(PlanTarget.objects.filter(plan=plan).select_related("item"))
    highlights: list[Highlight] = []
    unresolved: list[PlanItemUnit] = []
    limit = len(text)

    def add(start: int | None, end: int | None, **values: Any) -> None:
        if start is None or end is None or not 0 <= start < end <= limit:
            return
        highlights.append(Highlight(start=start, end=end, **values))

    for item in items:
        add(
            item.span_start,
            item.span_end,
            kind="item",
            item_key=item.key,
            label=item.number or item.title[:20],
            object_id=item.pk,
        )
        add(
            item.deadline_span_start,
            item.deadline_span_end,
            kind="deadline",
            item_key=item.key,
            label=item.deadline_text,
            object_id=item.pk,
            is_problem=item.deadline_kind == "flagged",
        )
        seen_spans = set()
        for unit in item.units.all():
            problem = not unit.is_resolved or unit.resolution == Resolution.FUZZY
            if not unit.is_resolved:
                unresolved.append(unit)
            if (unit.span_start, unit.span_end) in seen_spans:
                continue  # a collective name's rows share one span
            seen_spans.add((unit.span_start, unit.span_end))
            add(
                unit.span_start,
                unit.span_end,
                kind=unit.role,
                item_key=item.key,
                label=unit.name,
                object_id=unit.pk,
                is_problem=problem,
            )
    for target in targets:
        add(
            target.span_start,
            target.span_end,
            kind="target",
            item_key=target.item.key if target.item else "",
            label=target.subject,
            object_id=target.pk,
        )
    highlights.sort(key=lambda h: (h.start, -h.end))
    return PlanReview(
        plan=plan,
        text=text,
        items=items,
        targets=targets,
        highlights=highlights,
        unresolved=unresolved,
        diff=plan.version.diff,
        warnings=list(plan.version.warnings),
    )


def unresolved_units(user: Any, plan: Plan) -> list[PlanItemUnit]:
    """Unit rows of ``plan`` still without a department (and not marked "not a department"),
    in plan order; empty when ``user`` may not see the plan."""
    if plan_visible_to(user, plan.pk) is None:
        return []
    rows = (
        PlanItemUnit.objects.filter(item__plan=plan, department__isnull=True)
        .exclude(resolution=Resolution.NOT_A_DEPARTMENT)
        .select_related("item")
        .order_by("item__order", "item_id", "order", "id")
    )
    return list(rows)


def plan_target_visible_to(user: Any, pk: int) -> PlanTarget | None:
    """One target with its plan, document and version (for a link to its source passage), if
    ``user`` may see the plan."""
    target = (
        PlanTarget.objects.select_related("plan__document", "plan__version", "item")
        .filter(pk=pk)
        .first()
    )
    if target is None or plan_visible_to(user, target.plan_id) is None:
        return None
    return target
