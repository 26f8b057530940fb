"""Assessment (考核): annual schemes of weighted items scoring each district (or department),
with every score stored together with the values behind it (the trace).

Items: an indicator (its yearly aggregate at the district's unit, scored by a rule — linear to
target, thresholds, met or not) or plan-task completion (tasks of the plans module due in the
year: on time, late, total — read through :func:`civicgrid.plans.selectors.tasks_visible_to`).
Scoring itself is :mod:`civicgrid.indicators.compute.scoring`; re-scoring replaces the scores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

from ..compute.errors import ComputeError
from ..compute.scoring import (
    LinearToTarget,
    SchemeItem,
    TargetAchieved,
    TaskCompletion,
    TaskCounts,
    Thresholds,
    rank,
    score_unit,
    validate_weights,
)
from ..models import (
    AssessmentItem,
    AssessmentItemScore,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Direction,
    Indicator,
    IndicatorAggregate,
    ItemKind,
    SchemeStatus,
    ScoringRule,
    Target,
)
from .common import require_definer
from .computed import _system_reader
from .errors import InvalidInput

PLAN_TASKS_KEY = "tasks"


@transaction.atomic
def scheme_create(
    *,
    actor: Any,
    code: str,
    name: str,
    year: int,
    subject: str = AssessmentSubject.DISTRICT,
    description: str = "",
) -> AssessmentScheme:
    """考核方案: a new draft scheme for ``year``."""
    from .definitions import _check_choice, _check_code, _check_name

    require_definer(actor)
    _check_choice(subject, AssessmentSubject, "subject")
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput(_("The year must be 2000 to 2100."), field="year")
    scheme = AssessmentScheme.objects.create(
        code=_check_code(code, AssessmentScheme),
        name=_check_name(name),
        year=int(year),
        subject=subject,
        description=description.strip(),
    )
    audit_record(actor=actor, action="indicators.scheme_create", target=scheme)
    return scheme


def _draft(scheme: AssessmentScheme) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise ConflictError(_("The scheme is published; its items and scores are frozen."))
    return scheme


def _rule_for(item: AssessmentItem) -> Any:
    """The compute rule of an item (``ScoringError`` / ``InvalidInput`` when params are wrong)."""
    params = item.params or {}
    if item.kind == ItemKind.PLAN_TASKS:
        return TaskCompletion(
            late_credit=float(params.get("late_credit", 0.5)),
            when_no_tasks=float(params.get("when_no_tasks", 1.0)),
        )
    indicator = item.indicator
    assert indicator is not None
    higher = indicator.direction == Direction.HIGHER_IS_BETTER
    target = item.target
    if item.rule == ScoringRule.THRESHOLDS:
        tiers = params.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            raise InvalidInput(_("Give the tiers as [[threshold, fraction], …]."), field="params")
        try:
            pairs = tuple((float(a), float(b)) for a, b in tiers)
        except (TypeError, ValueError):
            raise InvalidInput(
                _("Give the tiers as [[threshold, fraction], …]."), field="params"
            ) from None
        return Thresholds(pairs, higher_is_better=higher)
    goal = params.get("target")
    if goal is None and target is not None:
        goal = float(target.value)
    if goal is None:
        raise InvalidInput(
            _("Give the item a target (a target record or params.target)."), field="params"
        )
    if item.rule == ScoringRule.MET_OR_NOT:
        comparator = params.get("comparator") or (
            target.comparator if target is not None else ("ge" if higher else "le")
        )
        value: Any = float(goal)
        if comparator == "range" and target is not None and target.value_high is not None:
            value = (float(target.value), float(target.value_high))
        return TargetAchieved(value, comparator)
    return LinearToTarget(
        float(goal), higher_is_better=higher, max_fraction=float(params.get("cap", 1.0))
    )


@transaction.atomic
def item_add(
    *,
    actor: Any,
    scheme: AssessmentScheme,
    kind: str,
    title: str,
    weight: Any,
    indicator: Indicator | None = None,
    target: Target | None = None,
    rule: str = ScoringRule.LINEAR,
    params: dict[str, Any] | None = None,
    sort_order: int | None = None,
) -> AssessmentItem:
    """考核项: a weighted item (indicator or plan-task completion) of a draft scheme."""
    from .definitions import _check_choice, _check_name, _decimal

    require_definer(actor)
    scheme = _draft(scheme)
    _check_choice(kind, ItemKind, "kind")
    _check_choice(rule, ScoringRule, "rule")
    points = _decimal(weight, "weight")
    if points is None or points <= 0:
        raise InvalidInput(_("The weight must be a positive number of points."), field="weight")
    if kind == ItemKind.INDICATOR and indicator is None:
        raise InvalidInput(_("Choose the indicator of the item."), field="indicator")
    if target is not None and indicator is not None and target.indicator_id != indicator.pk:
        raise InvalidInput(_("The target belongs to another indicator."), field="target")
    if kind == ItemKind.PLAN_TASKS:
        indicator = target = None
    item = AssessmentItem(
        scheme=scheme,
        kind=kind,
        title=_check_name(title, "title"),
        weight=points,
        indicator=indicator,
        target=target,
        rule=rule,
        params=params or {},
        sort_order=sort_order if sort_order is not None else scheme.items.count() + 1,
    )
    try:
        _rule_for(item)
    except ComputeError as error:
        raise InvalidInput(error.message, field="params") from None
    item.save()
    audit_record(actor=actor, action="indicators.item_add", target=item)
    return item


def _subjects(
    scheme: AssessmentScheme,
) -> list[tuple[str, str, AdminUnit | None, Department | None]]:
    if scheme.subject == AssessmentSubject.DEPARTMENT:
        return [
            (d.code, str(d), d.admin_unit, d)
            for d in Department.objects.filter(is_active=True)
            .select_related("admin_unit")
            .order_by("code")
        ]
    return [
        (u.code, u.name, u, None)
        for u in AdminUnit.objects.filter(level=AdminLevel.DISTRICT).order_by("code")
    ]


def _task_counts(
    scheme: AssessmentScheme, subjects: list[tuple[str, str, AdminUnit | None, Department | None]]
) -> dict[str, TaskCounts] | None:
    """Plan tasks due in the year per subject (``None`` when the plans module offers none)."""
    try:
        from civicgrid.plans.selectors import tasks_visible_to
    except ImportError:
        return None
    year = scheme.year
    rows = (
        tasks_visible_to(_system_reader())
        .filter(deadline__year=year)
        .values_list(
            "admin_unit_code", "lead_department__code", "status", "deadline", "completed_on"
        )
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_department = scheme.subject == AssessmentSubject.DEPARTMENT
    districts = {code for code, _n, _u, _d in subjects}
    for unit_code, department_code, status, deadline, completed_on in rows:
        key = department_code if by_department else (unit_code or "")[:6]
        if key not in districts:
            continue
        bucket = counts[key]
        bucket[0] += 1
        if status == "done":
            if completed_on is None or deadline is None or completed_on <= deadline:
                bucket[1] += 1
            else:
                bucket[2] += 1
    return {code: TaskCounts(total=c[0], on_time=c[1], late=c[2]) for code, c in counts.items()} | {
        code: TaskCounts(0, 0, 0) for code in districts if code not in counts
    }


@transaction.atomic
def scheme_score(
    *, actor: Any, scheme: AssessmentScheme, today: dt.date | None = None
) -> list[AssessmentScore]:
    """Score every district (department) under a draft scheme and rank them; replaces the
    previous scores. Each item score keeps its trace (inputs, formula, calculation)."""
    require_definer(actor)
    scheme = _draft(scheme)
    items = list(scheme.items.select_related("indicator", "target").order_by("sort_order", "pk"))
    if not items:
        raise InvalidInput(_("The scheme has no items."), field="items")
    scheme_items: list[SchemeItem] = []
    try:
        for item in items:
            scheme_items.append(
                SchemeItem(
                    key=str(item.pk),
                    label=item.title,
                    weight=float(item.weight),
                    rule=_rule_for(item),
                )
            )
        validate_weights(scheme_items)
    except ComputeError as error:
        raise InvalidInput(error.message, field=error.field or "items") from None
    subjects = _subjects(scheme)
    period = str(scheme.year)
    indicator_ids = {item.indicator_id for item in items if item.indicator_id}
    unit_ids = [unit.pk for _c, _n, unit, _d in subjects if unit is not None]
    aggregates = IndicatorAggregate.objects.filter(
        indicator_id__in=indicator_ids, unit_id__in=unit_ids, period=period
    ).values_list("indicator_id", "unit_id", "value", "numerator", "denominator")
    values: dict[tuple[int | None, int | None], tuple[Any, Any, Any]] = {
        (indicator_id, unit_id): (value, numerator, denominator)
        for indicator_id, unit_id, value, numerator, denominator in aggregates
    }
    needs_tasks = any(item.kind == ItemKind.PLAN_TASKS for item in items)
    tasks = _task_counts(scheme, subjects) if needs_tasks else {}
    results: dict[str, tuple[Any, dict[str, Any]]] = {}
    for code, _name, unit, _department in subjects:
        inputs: dict[str, Any] = {}
        sources: dict[str, Any] = {}
        for item in items:
            key = str(item.pk)
            if item.kind == ItemKind.PLAN_TASKS:
                counts = (tasks or {}).get(code) if tasks is not None else None
                inputs[key] = counts
                sources[key] = (
                    {"plans": "tasks due in the year", "year": scheme.year}
                    if counts is not None
                    else {"plans": "not available"}
                )
            else:
                found = values.get((item.indicator_id, unit.pk if unit else None))
                inputs[key] = found[0] if found else None
                sources[key] = {
                    "indicator": item.indicator.code if item.indicator else "",
                    "unit": unit.code if unit else "",
                    "period": period,
                    "numerator": found[1] if found else None,
                    "denominator": found[2] if found else None,
                }
        results[code] = (score_unit(scheme_items, inputs, validate=False), sources)
    ranking = {r.unit: r.rank for r in rank({code: res[0].total for code, res in results.items()})}
    AssessmentScore.objects.filter(scheme=scheme).delete()
    max_total = sum((item.weight for item in items), Decimal(0))
    stored: list[AssessmentScore] = []
    for code, _name, unit, department in subjects:
        unit_score, sources = results[code]
        score = AssessmentScore.objects.create(
            scheme=scheme,
            unit=unit if department is None else None,
            department=department,
            total=Decimal(str(round(unit_score.total, 2))),
            max_total=max_total,
            rank=ranking.get(code) or len(subjects),
        )
        AssessmentItemScore.objects.bulk_create(
            [
                AssessmentItemScore(
                    score=score,
                    item=item,
                    value=_plain_value(item_score.trace.inputs.get("achieved")),
                    points=Decimal(str(round(item_score.points, 2))),
                    trace={**item_score.as_dict(), "source": sources[str(item.pk)]},
                )
                for item, item_score in zip(items, unit_score.items, strict=True)
            ]
        )
        stored.append(score)
    scheme.scored_at = timezone.now()
    scheme.save(update_fields=["scored_at", "updated_at"])
    audit_record(
        actor=actor,
        action="indicators.scheme_score",
        target=scheme,
        details={"subjects": len(stored)},
    )
    return sorted(stored, key=lambda s: (s.rank, s.pk))


def _plain_value(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@transaction.atomic
def scheme_publish(*, actor: Any, scheme: AssessmentScheme) -> AssessmentScheme:
    """发布: freeze a scored scheme (items and scores no longer change)."""
    require_definer(actor)
    scheme = _draft(scheme)
    if not scheme.scores.exists():
        raise ConflictError(_("Score the scheme before publishing it."))
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="indicators.scheme_publish", target=scheme)
    return scheme
