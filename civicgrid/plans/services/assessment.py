"""考核: per department and per district and year — on-time rate, completion and the
reviewers' quality score, weighted by the year's scheme — with the records behind each score.

The tasks of a year are the tasks of published (or since closed or superseded) plans whose
deadline falls in that year, cancelled ones excluded. For a department: the tasks it leads; for
a district: the tasks one of its bodies (district government, street offices) leads. On
``as_of`` (today, or 31 December for a past year):

* completion rate = tasks done / tasks of the year;
* on-time rate = tasks done by their deadline / tasks due by ``as_of`` or already done;
* quality = mean of the reviewers' scores (0-100) of the subject's work on those tasks;
* total = Σ weightᵢ × componentᵢ / Σ weightᵢ over the components that exist (a component
  without data — no task due yet, no score given — is left out and the weights re-normalised;
  ``inputs["left_out"]`` says so).

Equal totals share a rank (1, 2, 2, 4). ``AssessmentResult.inputs`` keeps the weights and one
row per task (deadline, status, completion day, on time or not, quality score and who gave it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.territory.models import AdminUnit, Department

from .. import clock
from ..models import (
    AssessmentResult,
    AssessmentScheme,
    AssessmentStatus,
    AssessmentSubject,
    PlanStatus,
    QualityScore,
    Task,
    TaskEventKind,
    TaskStatus,
    TaskUnit,
    UnitRole,
)
from .common import SUPERVISION_ROLES, actor_or_none, require_office, require_role, task_event

ASSESSED_PLANS = (PlanStatus.PUBLISHED, PlanStatus.CLOSED, PlanStatus.SUPERSEDED)


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("Enter a year such as 2026."), code="invalid", field="year")
    return year


def assessment_scheme_save(
    *,
    actor: Any,
    year: int,
    weight_on_time: int,
    weight_completion: int,
    weight_quality: int,
) -> AssessmentScheme:
    """Set the weights (whole percentages adding up to 100) of a year's assessment. Results
    already computed are dropped (compute again); a published assessment cannot change."""
    require_office(actor)
    year = _check_year(year)
    weights = {
        "weight_on_time": weight_on_time,
        "weight_completion": weight_completion,
        "weight_quality": weight_quality,
    }
    for name, value in weights.items():
        if not isinstance(value, int) or not 0 <= value <= 100:
            raise DomainError(_("A weight is a whole number from 0 to 100."), field=name)
    if sum(weights.values()) != 100:
        raise DomainError(
            _("The weights must add up to 100 (now %(sum)s).") % {"sum": sum(weights.values())},
            code="invalid",
            field="weight_on_time",
        )
    with transaction.atomic():
        scheme, _created = AssessmentScheme.objects.select_for_update().get_or_create(year=year)
        if scheme.status == AssessmentStatus.PUBLISHED:
            raise ConflictError(
                _("The %(year)s assessment is published; its weights cannot change.")
                % {"year": year},
                code="published",
            )
        before = {name: getattr(scheme, name) for name in weights}
        for name, value in weights.items():
            setattr(scheme, name, value)
        if before != weights or _created:
            scheme.results.all().delete()
            scheme.status = AssessmentStatus.DRAFT
            scheme.computed_at = None
        scheme.save()
        audit_record(
            actor=actor_or_none(actor),
            action="plans.assessment_scheme_save",
            target=scheme,
            details={"before": before, "after": weights},
        )
    return scheme


def _scheme_published_for(task: Task) -> bool:
    if task.deadline is None:
        return False
    return AssessmentScheme.objects.filter(
        year=task.deadline.year, status=AssessmentStatus.PUBLISHED
    ).exists()


def quality_score_set(
    *, actor: Any, task: Task, department: Department, score: int, comment: str = ""
) -> QualityScore:
    """A reviewer scores (0-100) a responsible department's work on a task."""
    require_role(
        actor, SUPERVISION_ROLES, _("Only the programme office or a supervisor may score.")
    )
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        raise DomainError(_("The score is a whole number from 0 to 100."), field="score")
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        if task.plan.status not in ASSESSED_PLANS or task.status == TaskStatus.CANCELLED:
            raise ConflictError(_("This task is not assessed."), code="not_assessed")
        if not TaskUnit.objects.filter(task=task, department=department).exists():
            raise PermissionDeniedError(
                _("%(department)s is not responsible for this task.") % {"department": department}
            )
        if _scheme_published_for(task):
            raise ConflictError(
                _("The assessment of that year is published; scores cannot change."),
                code="published",
            )
        previous = QualityScore.objects.filter(task=task, department=department).first()
        row, _created = QualityScore.objects.update_or_create(
            task=task,
            department=department,
            defaults={
                "score": score,
                "comment": (comment or "").strip()[:2000],
                "given_by": actor_or_none(actor),
            },
        )
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.QUALITY_SCORED,
            department=department,
            note=row.comment,
            details={"score": score, "previous": previous.score if previous else None},
        )
    return row


@dataclass
class _Bucket:
    name: str
    department: Department | None = None
    admin_unit: AdminUnit | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)


def _task_row(task: Task, as_of: dt.date) -> dict[str, Any]:
    assert task.deadline is not None
    is_done = task.status == TaskStatus.DONE and task.completed_on is not None
    return {
        "task": task.pk,
        "number": task.number,
        "title": task.title[:120],
        "plan": task.plan.title[:120],
        "deadline": task.deadline.isoformat(),
        "status": task.status,
        "completed_on": task.completed_on.isoformat() if task.completed_on else None,
        "is_done": is_done,
        "is_due": task.deadline <= as_of,
        "is_on_time": bool(
            is_done and task.completed_on is not None and task.completed_on <= task.deadline
        ),
    }


def _figures(bucket: _Bucket, scheme: AssessmentScheme) -> dict[str, Any]:
    rows = bucket.rows
    task_count = len(rows)
    done = sum(1 for r in rows if r["is_done"])
    on_time = sum(1 for r in rows if r["is_on_time"])
    counted = sum(1 for r in rows if r["is_due"] or r["is_done"])
    completion = done / task_count if task_count else None
    on_time_rate = on_time / counted if counted else None
    quality = sum(bucket.scores) / len(bucket.scores) if bucket.scores else None
    parts = {
        "on_time": (
            scheme.weight_on_time,
            on_time_rate * 100 if on_time_rate is not None else None,
        ),
        "completion": (
            scheme.weight_completion,
            completion * 100 if completion is not None else None,
        ),
        "quality": (scheme.weight_quality, quality),
    }
    used = {k: (w, v) for k, (w, v) in parts.items() if v is not None and w > 0}
    weight_sum = sum(w for w, _v in used.values())
    total = sum(w * v for w, v in used.values()) / weight_sum if weight_sum else 0.0
    return {
        "task_count": task_count,
        "done_count": done,
        "on_time_count": on_time,
        "due_count": counted,
        "on_time_rate": on_time_rate,
        "completion_rate": completion,
        "quality_score": quality,
        "total_score": round(total, 2),
        "left_out": sorted(k for k, (w, v) in parts.items() if v is None and w > 0),
    }


def _rank(results: list[AssessmentResult]) -> None:
    results.sort(key=lambda r: (-r.total_score, r.name))
    previous: float | None = None
    rank = 0
    for position, result in enumerate(results, start=1):
        if previous is None or result.total_score != previous:
            rank = position
            previous = result.total_score
        result.rank = rank


def assessment_compute(*, actor: Any, year: int) -> AssessmentScheme:
    """Compute the year's results for every department and district (replacing earlier
    ones); refused once published."""
    require_office(actor)
    year = _check_year(year)
    today = clock.today()
    as_of = min(today, dt.date(year, 12, 31))
    with transaction.atomic():
        scheme, _created = AssessmentScheme.objects.select_for_update().get_or_create(year=year)
        if scheme.status == AssessmentStatus.PUBLISHED:
            raise ConflictError(
                _("The %(year)s assessment is published and cannot be computed again.")
                % {"year": year},
                code="published",
            )
        tasks = list(
            Task.objects.filter(plan__status__in=ASSESSED_PLANS, deadline__year=year)
            .exclude(status=TaskStatus.CANCELLED)
            .select_related("plan", "lead_department__admin_unit")
            .prefetch_related("units__department__admin_unit")
            .order_by("deadline", "pk")
        )
        scores: dict[tuple[int, int], QualityScore] = {
            (q.task_id, q.department_id): q
            for q in QualityScore.objects.filter(task__in=tasks).select_related("given_by")
        }
        departments: dict[int, _Bucket] = {}
        districts: dict[str, _Bucket] = defaultdict(lambda: _Bucket(name=""))
        district_units = {unit.code: unit for unit in AdminUnit.objects.filter(level="district")}
        for task in tasks:
            base = _task_row(task, as_of)
            for unit in task.units.all():
                if unit.role != UnitRole.LEAD:
                    continue
                department = unit.department
                bucket = departments.setdefault(
                    department.pk, _Bucket(name=department.name, department=department)
                )
                score = scores.get((task.pk, department.pk))
                bucket.rows.append(
                    {
                        **base,
                        "quality": score.score if score else None,
                        "quality_by": str(score.given_by) if score and score.given_by else None,
                    }
                )
                if score:
                    bucket.scores.append(score.score)
            lead_districts = sorted(
                {
                    u.department.admin_unit.code[:6]
                    for u in task.units.all()
                    if u.role == UnitRole.LEAD
                    and u.department.admin_unit.code[:6] in district_units
                }
            )
            for code in lead_districts:
                bucket = districts[code]
                bucket.name = district_units[code].name
                bucket.admin_unit = district_units[code]
                leads = [
                    u
                    for u in task.units.all()
                    if u.role == UnitRole.LEAD and u.department.admin_unit.code.startswith(code)
                ]
                district_scores = [
                    scores[(task.pk, u.department_id)]
                    for u in leads
                    if (task.pk, u.department_id) in scores
                ]
                bucket.rows.append(
                    {
                        **base,
                        "lead": "、".join(str(u.department) for u in leads),
                        "quality": [q.score for q in district_scores] or None,
                    }
                )
                bucket.scores.extend(q.score for q in district_scores)
        scheme.results.all().delete()
        weights = {
            "on_time": scheme.weight_on_time,
            "completion": scheme.weight_completion,
            "quality": scheme.weight_quality,
        }
        created: list[AssessmentResult] = []
        for subject, buckets in (
            (AssessmentSubject.DEPARTMENT, list(departments.values())),
            (AssessmentSubject.DISTRICT, list(districts.values())),
        ):
            results = []
            for bucket in buckets:
                figures = _figures(bucket, scheme)
                left_out = figures.pop("left_out")
                results.append(
                    AssessmentResult(
                        scheme=scheme,
                        subject=subject,
                        department=bucket.department,
                        admin_unit=bucket.admin_unit
                        if subject == AssessmentSubject.DISTRICT
                        else None,
                        name=bucket.name[:100],
                        inputs={
                            "weights": weights,
                            "as_of": as_of.isoformat(),
                            "left_out": left_out,
                            "tasks": bucket.rows,
                        },
                        **figures,
                    )
                )
            _rank(results)
            created.extend(results)
        AssessmentResult.objects.bulk_create(created)
        scheme.status = AssessmentStatus.COMPUTED
        scheme.computed_at = timezone.now()
        scheme.save()
        audit_record(
            actor=actor_or_none(actor),
            action="plans.assessment_compute",
            target=scheme,
            details={"tasks": len(tasks), "results": len(created), "as_of": as_of.isoformat()},
        )
    return scheme


def assessment_publish(*, actor: Any, year: int) -> AssessmentScheme:
    """Publish the computed ranking of a year (then frozen)."""
    require_office(actor)
    year = _check_year(year)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().filter(year=year).first()
        if scheme is None or scheme.status != AssessmentStatus.COMPUTED:
            raise ConflictError(
                _("Compute the %(year)s assessment before publishing it.") % {"year": year},
                code="illegal_transition",
            )
        scheme.status = AssessmentStatus.PUBLISHED
        scheme.published_at = timezone.now()
        scheme.published_by = actor_or_none(actor)
        scheme.save()
        audit_record(actor=actor_or_none(actor), action="plans.assessment_publish", target=scheme)
    return scheme
