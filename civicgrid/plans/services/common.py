"""Shared pieces of the plans services: who may do what, and the event rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.errors import ConflictError, PermissionDeniedError

from ..models import Plan, PlanEvent, Task, TaskEvent

# 社工委 and administrators run the plans: import, review, publish, review reports, assess.
OFFICE_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR})
# Who may urge (催办), escalate (督办) and score quality.
SUPERVISION_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR})
TEXT_MAX = 5000
TITLE_MAX = 500


def is_active(actor: Any) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def has_role(actor: Any, roles: Iterable[str]) -> bool:
    return is_active(actor) and bool(actor.is_superuser or actor.role in set(roles))


def require_role(actor: Any, roles: Iterable[str], message: str) -> None:
    if not has_role(actor, roles):
        raise PermissionDeniedError(message)


def require_office(actor: Any) -> None:
    require_role(actor, OFFICE_ROLES, _("Only the programme office may do this."))


def require_editable(plan: Plan) -> None:
    if not plan.is_editable:
        raise ConflictError(
            _("The plan is %(status)s and can no longer be edited.")
            % {"status": plan.get_status_display()},
            code="plan_not_editable",
        )


def actor_or_none(actor: Any) -> Any:
    return actor if is_active(actor) else None


def plan_event(
    *,
    plan: Plan,
    actor: Any,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    item_key: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
) -> PlanEvent:
    return PlanEvent.objects.create(
        plan=plan,
        actor=actor_or_none(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        item_key=item_key[:200],
        note=note,
        details=details or {},
    )


def task_event(
    *,
    task: Task,
    actor: Any,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    department: Any = None,
    report: Any = None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task,
        actor=actor_or_none(actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        department=department,
        report=report,
        note=note,
        details=details or {},
    )
