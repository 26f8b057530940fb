"""Suspension (挂起) and resumption (恢复办理): stopping the handling clock of a signed appeal.

An appeal is suspended when the department cannot go on for reasons outside its control — the
citizen must supply documents, a court or another authority must decide first. A dispatcher or
supervisor suspends it (on the department's request, with the reason); while it is suspended
no deadline runs, so it shows no light and the sweep neither marks it overdue nor opens
supervision. Resuming credits the working days the appeal spent suspended to the handling
deadline:

    suspended on day S, resumed on day R  →  credit = working_days_between(S, R)
    (the working days d with S < d <= R: the day of suspension counts as used, the day of
    resumption is given back), new deadline = add_working_days(old deadline, credit).

``Appeal.suspended_working_days`` keeps the running total for statistics and review.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.workdays import add_working_days, working_days_between

from .. import clock
from ..models import Appeal, AppealStatus
from .common import (
    clean_reason,
    is_admin,
    require_lead_staff,
    require_role,
    require_scope,
    transition,
)

SUSPEND_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})
RESUME_ROLES = SUSPEND_ROLES | {Role.DEPARTMENT_STAFF}


@transaction.atomic
def appeal_suspend(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """挂起: stop the handling clock of a signed appeal (dispatcher or supervisor, with reason)."""
    require_role(actor, SUSPEND_ROLES, _("Only dispatchers or supervisors may suspend appeals."))
    require_scope(actor, appeal)
    reason = clean_reason(reason)
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.SIGNED},
        to_status=AppealStatus.SUSPENDED,
        kind="suspend",
        changes={"suspended_on": clock.today()},
        note=reason,
        department=appeal.lead_department,
    )


@transaction.atomic
def appeal_resume(*, actor: Any, appeal: Appeal, expected_version: int, note: str = "") -> Appeal:
    """恢复办理: restart the clock; the working days spent suspended extend the deadline.

    Dispatchers, supervisors and staff of the lead department may resume.
    """
    require_role(actor, RESUME_ROLES, _("You may not resume this appeal."))
    if actor.role == Role.DEPARTMENT_STAFF and not is_admin(actor):
        require_lead_staff(actor, appeal)
    else:
        require_scope(actor, appeal)
    today = clock.today()
    suspended_on = appeal.suspended_on or today
    credit = max(0, working_days_between(suspended_on, today))
    deadline = appeal.handling_deadline
    new_deadline = deadline
    if deadline and credit:
        new_deadline = add_working_days(deadline, credit, provisional=True)
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.SUSPENDED},
        to_status=AppealStatus.SIGNED,
        kind="resume",
        changes={
            "suspended_on": None,
            "suspended_working_days": appeal.suspended_working_days + credit,
            "handling_deadline": new_deadline,
        },
        note=(note or "").strip()[:500],
        department=appeal.lead_department,
        details={
            "suspended_on": suspended_on.isoformat(),
            "working_days": credit,
            "previous_deadline": deadline.isoformat() if deadline else None,
            "new_deadline": new_deadline.isoformat() if new_deadline else None,
        },
    )
