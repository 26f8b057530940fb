"""Shared pieces of the appeal services: permission checks, the guarded transition and
the version check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.workdays import add_working_days, unknown_years
from civicgrid.territory.models import Department

from ..models import (
    Appeal,
    AppealEvent,
)

TITLE_MAX = 100
TEXT_MAX = 5000
REASON_MIN = 2
# The default of AppealSettings.reopen_within_days (the services read the setting).
REOPEN_WITHIN_DAYS = 15  # calendar days after the reply during which a citizen may reopen

DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.ADMINISTRATOR})
INTAKE_ROLES = frozenset(
    {Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.ADMINISTRATOR}
)
FOLLOW_UP_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR})


def deadline_after(start: dt.date, working_days: int) -> dt.date:
    """The deadline ``working_days`` after ``start``. Appeals keep coming in December before
    next year's holiday arrangement is entered: such a year counts Monday to Friday for now
    (the event records it, see :func:`provisional_calendar_details`)."""
    return add_working_days(start, working_days, provisional=True)


def provisional_calendar_details(start: dt.date, *deadlines: dt.date | None) -> dict[str, Any]:
    """``{"provisional_calendar": [2027]}`` when a deadline lies in a year whose official
    arrangement is unknown (so counted Monday to Friday), else ``{}``; for event details."""
    last = max((day for day in deadlines if day is not None), default=None)
    if last is None:
        return {}
    years = unknown_years(start, last)
    return {"provisional_calendar": years} if years else {}


def is_admin(actor: Any) -> bool:
    return bool(actor.is_superuser or actor.role == Role.ADMINISTRATOR)


def require_role(actor: Any, roles: Iterable[str], message: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError(message)
    if not (actor.is_superuser or actor.role in roles):
        raise PermissionDeniedError(message)


def require_scope(actor: Any, appeal: Appeal) -> None:
    if is_admin(actor) and scope_of(actor).is_everything:
        return
    if not scope_of(actor).covers_code(appeal.admin_unit_code):
        raise PermissionDeniedError(_("This appeal is outside your scope."))


def require_lead_staff(actor: Any, appeal: Appeal) -> None:
    """Staff of the appeal's lead department (or an administrator)."""
    require_role(
        actor,
        {Role.DEPARTMENT_STAFF, Role.ADMINISTRATOR},
        _("Only staff of the handling department may do this."),
    )
    if is_admin(actor):
        return
    if appeal.lead_department_id is None or actor.department_id != appeal.lead_department_id:
        raise PermissionDeniedError(_("Only staff of the handling department may do this."))


def clean_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Give a reason (at least 2 characters)."), code="invalid", field=field)
    return reason


def transition(
    *,
    actor: Any,
    appeal: Appeal,
    expected_version: int,
    allowed_from: Iterable[str],
    to_status: str,
    kind: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
    department: Department | None = None,
    details: dict[str, Any] | None = None,
) -> Appeal:
    """Move ``appeal`` to ``to_status`` if it is still at ``expected_version`` and in one of
    ``allowed_from``; write the timeline event. Raises ConflictError otherwise."""
    allowed = set(allowed_from)
    updated = Appeal.objects.filter(
        pk=appeal.pk, version=expected_version, status__in=allowed
    ).update(
        status=to_status, version=F("version") + 1, updated_at=timezone.now(), **(changes or {})
    )
    if updated != 1:
        current = Appeal.objects.only("status", "version").get(pk=appeal.pk)
        if current.version != expected_version:
            raise ConflictError(
                _(
                    "Someone else changed this appeal in the meantime (now: %(status)s). "
                    "Reload it and try again."
                )
                % {"status": current.get_status_display()},
                code="version_conflict",
            )
        raise ConflictError(
            _("This step is not possible while the appeal is %(status)s.")
            % {"status": current.get_status_display()},
            code="illegal_transition",
        )
    from_status = appeal.status
    appeal.refresh_from_db()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        department=department,
        note=note,
        details=details or {},
    )
    return appeal


MAX_EXTENSION_DAYS = 30
EXTENSION_DECIDE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})
SUPERVISION_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def check_version(appeal: Appeal, expected_version: int) -> Appeal:
    """Lock the appeal row and check the caller saw its current version."""
    current = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if current.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this appeal in the meantime (now: %(status)s). "
                "Reload it and try again."
            )
            % {"status": current.get_status_display()},
            code="version_conflict",
        )
    return current
