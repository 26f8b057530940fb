"""Who sees which plans, tasks and reports — the one gatekeeper of the plans app.

* programme office, administrators, leaders (and superusers) without a scope unit: everything
  (leaders read only — the services refuse their writes);
* supervisors: published, closed and superseded plans and their tasks whose responsible
  departments lie in their scope (a city-wide supervisor: all);
* department staff: the tasks their department leads or cooperates on, and those plans;
* everybody else (dispatchers, grid workers, citizens, anonymous): nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of

from ..models import (
    OPEN_TASK_STATUSES,
    Plan,
    PlanStatus,
    PolicyDocument,
    ProgressReport,
    ReportStatus,
    Task,
    TaskUnit,
)
from .lights import light_conditions, light_thresholds

WHOLE_PLAN_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR, Role.LEADER})
OFFICE_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR})
SUPERVISION_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR})
RUNNING_OR_DONE = (PlanStatus.PUBLISHED, PlanStatus.CLOSED, PlanStatus.SUPERSEDED)


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _sees_all(user: Any) -> bool:
    """Superusers, and the office, administrators and leaders of the whole city (no scope, or
    a city-level scope such as the programme office's own department at the city)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if user.role not in WHOLE_PLAN_ROLES:
        return False
    scope = scope_of(user)
    return scope.is_everything or (scope.code is not None and len(scope.code) <= 4)


def _is_office(user: Any) -> bool:
    return _active(user) and bool(user.is_superuser or user.role in OFFICE_ROLES)


def _unit_in_scope(user: Any) -> Q | None:
    """Condition on TaskUnit rows the user may see tasks through (None: no restriction)."""
    if _sees_all(user):
        return None
    if user.role == Role.DEPARTMENT_STAFF:
        if not user.department_id:
            return Q(pk__in=[])
        return Q(department_id=user.department_id)
    if user.role in (*WHOLE_PLAN_ROLES, Role.SUPERVISOR):
        scope = scope_of(user)
        if scope.is_everything:
            return Q()
        if scope.code is None:
            return Q(pk__in=[])
        return Q(department__admin_unit__code__startswith=scope.code)
    return Q(pk__in=[])


def tasks_visible_to(
    user: Any,
    *,
    plan: Plan | None = None,
    department: Any = None,
    status: str | None = None,
    light: str | None = None,
    today: dt.date | None = None,
    search: str = "",
    include_cancelled: bool = False,
    district: str | None = None,
) -> QuerySet[Task]:
    """Tasks ``user`` may see (tasks of published, closed or superseded plans; cancelled
    ones only when asked for by status)."""
    tasks = Task.objects.select_related("plan", "lead_department", "lead_department__admin_unit")
    if not _active(user):
        return tasks.none()
    condition = _unit_in_scope(user)
    tasks = tasks.filter(plan__status__in=RUNNING_OR_DONE)
    if condition is not None:
        units = TaskUnit.objects.filter(condition, task=OuterRef("pk"))
        tasks = tasks.filter(Exists(units))
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    if department is not None:
        tasks = tasks.filter(
            Exists(TaskUnit.objects.filter(task=OuterRef("pk"), department=department))
        )
    if district:
        # A district's division code (440402), or "city" for the city departments' tasks.
        if district == "city":
            tasks = tasks.exclude(admin_unit_code__regex=r"^.{6}")
        else:
            tasks = tasks.filter(admin_unit_code__startswith=district)
    if status:
        tasks = tasks.filter(status=status)
    elif not include_cancelled:
        tasks = tasks.exclude(status="cancelled")
    if light:
        conditions = light_conditions(light_thresholds(today))
        if light in conditions:
            tasks = tasks.filter(conditions[light])
    search = (search or "").strip()
    if search:
        tasks = tasks.filter(
            Q(title__icontains=search) | Q(number=search) | Q(body__icontains=search)
        )
    return tasks.order_by("plan_id", "order", "id")


def task_visible_to(user: Any, pk: int) -> Task | None:
    return tasks_visible_to(user, include_cancelled=True).filter(pk=pk).first()


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    """Plans ``user`` may see: all for the office, administrators and leaders; the running
    and finished plans they have tasks in for others."""
    plans = Plan.objects.select_related("document", "version", "owner")
    if not _active(user):
        return plans.none()
    if _sees_all(user):
        return plans
    visible_tasks = tasks_visible_to(user).filter(plan=OuterRef("pk"))
    return plans.filter(status__in=RUNNING_OR_DONE).filter(Exists(visible_tasks))


def plan_visible_to(user: Any, pk: int) -> Plan | None:
    return plans_visible_to(user).filter(pk=pk).first()


def documents_visible_to(user: Any) -> QuerySet[PolicyDocument]:
    documents = PolicyDocument.objects.all()
    if not _active(user):
        return documents.none()
    if _sees_all(user):
        return documents
    return documents.filter(Exists(plans_visible_to(user).filter(document=OuterRef("pk"))))


def reports_visible_to(user: Any, task: Task) -> QuerySet[ProgressReport]:
    """Reports on ``task`` ``user`` may read: the office, leaders and supervisors all of
    them except drafts; the lead department all of them except others' drafts; a cooperating
    department its own."""
    reports = ProgressReport.objects.filter(task=task).select_related("department")
    reports = reports.prefetch_related("attachments")
    if not tasks_visible_to(user, include_cancelled=True).filter(pk=task.pk).exists():
        return reports.none()
    own = Q(department_id=getattr(user, "department_id", None))
    if user.role == Role.DEPARTMENT_STAFF and not user.is_superuser:
        if user.department_id == task.lead_department_id:
            return reports.filter(own | ~Q(status=ReportStatus.DRAFT))
        return reports.filter(own)
    return reports.filter(own | ~Q(status=ReportStatus.DRAFT))


def reports_waiting_for(user: Any) -> QuerySet[ProgressReport]:
    """报告待审: the submitted reports waiting for ``user``, oldest first — for the programme
    office the lead departments' reports, for a lead department's staff the cooperating
    units' reports on its tasks (to consolidate or return); nothing for anyone else."""
    reports = ProgressReport.objects.filter(
        status=ReportStatus.SUBMITTED, task__plan__status=PlanStatus.PUBLISHED
    ).select_related("task", "task__plan", "department")
    if not _active(user):
        return reports.none()
    if _is_office(user):
        return reports.filter(is_lead_report=True).order_by("submitted_at", "pk")
    if user.role == Role.DEPARTMENT_STAFF and user.department_id:
        return reports.filter(
            is_lead_report=False, task__lead_department_id=user.department_id
        ).order_by("submitted_at", "pk")
    return reports.none()


@dataclass(frozen=True)
class TaskPermissions:
    """What ``user`` may do on a task (for showing buttons; the services decide again)."""

    may_report: bool
    may_consolidate: bool
    may_review: bool
    may_urge: bool
    may_manage: bool  # deadline, milestones, reopen
    department: Any  # the department the user reports for, or None


def task_permissions(user: Any, task: Task) -> TaskPermissions:
    if not _active(user):
        return TaskPermissions(False, False, False, False, False, None)
    running = task.plan.status == PlanStatus.PUBLISHED
    is_open = task.status in OPEN_TASK_STATUSES
    department = None
    if (
        user.role == Role.DEPARTMENT_STAFF
        and user.department_id
        and TaskUnit.objects.filter(task=task, department_id=user.department_id).exists()
    ):
        department = user.department
    is_lead = department is not None and department.pk == task.lead_department_id
    office = _is_office(user)
    supervises = bool(user.is_superuser or user.role in SUPERVISION_ROLES)
    return TaskPermissions(
        may_report=running and is_open and department is not None,
        may_consolidate=running and is_open and is_lead,
        may_review=running and office,
        may_urge=running and is_open and supervises,
        may_manage=office and task.status != "cancelled",
        department=department,
    )


def may_edit_plans(user: Any) -> bool:
    """Whether ``user`` may import documents and review plans."""
    return _is_office(user)
