"""The workflow transitions: dispatch, sign for, return, reply, follow up, close, reopen,
cancel; revealing the citizen; the citizen's own rating."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.territory.models import Department

from .. import clock
from ..models import (
    Appeal,
    AppealSettings,
    AppealStatus,
    Assignment,
    AssignmentRole,
    Satisfaction,
)
from ..selectors import appeals_visible_to, responsible_departments, time_limits_for
from .common import (
    DISPATCH_ROLES,
    FOLLOW_UP_ROLES,
    clean_reason,
    deadline_after,
    is_admin,
    provisional_calendar_details,
    require_lead_staff,
    require_role,
    require_scope,
    transition,
)
from .duplicates import appeal_rate_merged_by_citizen
from .intake import query_code_matches
from .replies import clean_reply


def suggest_departments(appeal: Appeal) -> tuple[Department | None, list[Department]]:
    """The responsibility catalogue's lead and cooperating departments for the appeal."""
    return responsible_departments(appeal.category, appeal.admin_unit)


@transaction.atomic
def appeal_dispatch(
    *,
    actor: Any,
    appeal: Appeal,
    expected_version: int,
    department: Department,
    cooperating: Iterable[Department] = (),
    note: str = "",
) -> Appeal:
    """派单: send an accepted appeal to a lead department (and cooperating ones)."""
    require_role(actor, DISPATCH_ROLES, _("Only dispatchers may dispatch appeals."))
    require_scope(actor, appeal)
    return _dispatch(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        department=department,
        cooperating=cooperating,
        note=note,
    )


@transaction.atomic
def appeal_auto_dispatch(
    *,
    appeal: Appeal,
    expected_version: int,
    department: Department,
    cooperating: Iterable[Department] = (),
    details: dict[str, Any],
) -> Appeal:
    """自动派单: the system dispatches an appeal the router is sure about (no person acts; only
    :func:`.routing.route_new_appeal` calls this). The event is ``auto_dispatch`` with the
    router's ``details`` (confidence, source, router id, threshold) and the appeal is marked
    ``is_auto_dispatched``."""
    return _dispatch(
        actor=None,
        appeal=appeal,
        expected_version=expected_version,
        department=department,
        cooperating=cooperating,
        kind="auto_dispatch",
        details=details,
        changes={"is_auto_dispatched": True},
    )


def _dispatch(
    *,
    actor: Any,
    appeal: Appeal,
    expected_version: int,
    department: Department,
    cooperating: Iterable[Department] = (),
    note: str = "",
    kind: str = "dispatch",
    details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Appeal:
    """The dispatch itself, after the caller's permission checks."""
    if not department.is_active:
        raise DomainError(_("This department is inactive."), code="invalid", field="department")
    cooperating = [dep for dep in cooperating if dep.pk != department.pk]
    sign_days, _handling = time_limits_for(appeal.appeal_type, appeal.category)
    today = clock.today()
    sign_for_deadline = deadline_after(today, sign_days)
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.ACCEPTED},
        to_status=AppealStatus.DISPATCHED,
        kind=kind,
        changes={
            "lead_department": department,
            "sign_for_deadline": sign_for_deadline,
            **(changes or {}),
        },
        note=note.strip(),
        department=department,
        details={
            "cooperating": [dep.code for dep in cooperating],
            **provisional_calendar_details(today, sign_for_deadline),
            **(details or {}),
        },
    )
    Assignment.objects.create(appeal=appeal, department=department, role=AssignmentRole.LEAD)
    Assignment.objects.bulk_create(
        [
            Assignment(appeal=appeal, department=dep, role=AssignmentRole.COOPERATING)
            for dep in cooperating
        ]
    )
    return appeal


@transaction.atomic
def appeal_sign_for(*, actor: Any, appeal: Appeal, expected_version: int) -> Appeal:
    """签收: the lead department acknowledges it has the appeal."""
    require_lead_staff(actor, appeal)
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.DISPATCHED},
        to_status=AppealStatus.SIGNED,
        kind="sign_for",
        changes={"signed_at": timezone.now()},
        department=appeal.lead_department,
    )


@transaction.atomic
def appeal_return(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """退单: the lead department sends the appeal back to the dispatcher as not its business."""
    require_lead_staff(actor, appeal)
    reason = clean_reason(reason)
    department = appeal.lead_department
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.DISPATCHED, AppealStatus.SIGNED},
        to_status=AppealStatus.ACCEPTED,
        kind="return",
        changes={"lead_department": None, "sign_for_deadline": None, "signed_at": None},
        note=reason,
        department=department,
    )
    Assignment.objects.filter(appeal=appeal, is_open=True).update(
        is_open=False, closed_reason=reason[:200]
    )
    return appeal


@transaction.atomic
def appeal_reply(*, actor: Any, appeal: Appeal, expected_version: int, reply: str) -> Appeal:
    """答复: the lead department answers the citizen. When replies are reviewed
    (``AppealSettings.is_reply_review_required``) the appeal waits in ``reviewing`` until a
    reviewer approves it (see :mod:`.replies`); ``replied_at`` is the submission either way."""
    require_lead_staff(actor, appeal)
    reply = clean_reply(reply)
    is_reviewed = AppealSettings.load().is_reply_review_required
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.SIGNED},
        to_status=AppealStatus.REVIEWING if is_reviewed else AppealStatus.REPLIED,
        kind="reply",
        changes={"reply": reply, "replied_at": timezone.now()},
        department=appeal.lead_department,
    )


@transaction.atomic
def appeal_follow_up(
    *, actor: Any, appeal: Appeal, expected_version: int, satisfaction: str, note: str = ""
) -> Appeal:
    """回访: record the citizen's satisfaction with the reply."""
    require_role(actor, FOLLOW_UP_ROLES, _("Only the hotline or dispatchers follow up."))
    require_scope(actor, appeal)
    if satisfaction not in Satisfaction.values:
        raise DomainError(
            _("Choose how satisfied the citizen is."), code="invalid", field="satisfaction"
        )
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REPLIED},
        to_status=AppealStatus.FOLLOWED_UP,
        kind="follow_up",
        changes={"satisfaction": satisfaction},
        note=note.strip(),
        details={"satisfaction": satisfaction},
    )


@transaction.atomic
def appeal_close(*, actor: Any, appeal: Appeal, expected_version: int) -> Appeal:
    """办结: close a replied or followed-up appeal."""
    require_role(actor, DISPATCH_ROLES | {Role.SUPERVISOR}, _("You may not close appeals."))
    require_scope(actor, appeal)
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP},
        to_status=AppealStatus.CLOSED,
        kind="close",
        changes={"closed_at": timezone.now()},
    )
    Assignment.objects.filter(appeal=appeal, is_open=True).update(is_open=False)
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """重办: the citizen is not satisfied; the appeal goes back to its lead department, which
    must sign for it again, with fresh deadlines. Allowed within
    ``AppealSettings.reopen_within_days`` of the reply.
    """
    require_role(actor, FOLLOW_UP_ROLES | {Role.SUPERVISOR}, _("You may not reopen appeals."))
    require_scope(actor, appeal)
    return _reopen(actor=actor, appeal=appeal, expected_version=expected_version, reason=reason)


def _reopen(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    reason = clean_reason(reason)
    if appeal.replied_at is not None:
        replied_on = timezone.localdate(appeal.replied_at)
        within_days = AppealSettings.load().reopen_within_days
        if (clock.today() - replied_on).days > within_days:
            raise ConflictError(
                _("An appeal can be reopened within %(days)s days of its reply.")
                % {"days": within_days},
                code="reopen_too_late",
            )
    lead_department = appeal.lead_department
    if lead_department is None:
        raise ConflictError(_("This appeal has no handling department."), code="no_department")
    sign_days, handling_days = time_limits_for(appeal.appeal_type, appeal.category)
    today = clock.today()
    sign_for_deadline = deadline_after(today, sign_days)
    handling_deadline = deadline_after(today, handling_days)
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED},
        to_status=AppealStatus.DISPATCHED,
        kind="reopen",
        changes={
            "reopen_count": F("reopen_count") + 1,
            "sign_for_deadline": sign_for_deadline,
            "handling_deadline": handling_deadline,
            "signed_at": None,
            "closed_at": None,
        },
        note=reason,
        department=appeal.lead_department,
        details=provisional_calendar_details(today, handling_deadline) or None,
    )
    if not Assignment.objects.filter(appeal=appeal, role="lead", is_open=True).exists():
        Assignment.objects.create(
            appeal=appeal, department=lead_department, role=AssignmentRole.LEAD
        )
    return appeal


@transaction.atomic
def appeal_cancel(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """作废: cancel an invalid appeal (a test call, spam, a duplicate) with a reason."""
    require_role(actor, DISPATCH_ROLES, _("Only dispatchers may cancel appeals."))
    require_scope(actor, appeal)
    reason = clean_reason(reason)
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.ACCEPTED, AppealStatus.DISPATCHED},
        to_status=AppealStatus.CANCELLED,
        kind="cancel",
        changes={"closed_at": timezone.now()},
        note=reason,
    )
    Assignment.objects.filter(appeal=appeal, is_open=True).update(
        is_open=False, closed_reason=reason[:200]
    )
    return appeal


@transaction.atomic
def appeal_reveal_citizen(*, actor: Any, appeal: Appeal, purpose: str) -> dict[str, str]:
    """Show the citizen's name and phone in full to staff who may see the appeal (audited).

    Confidential appeals (保密) are revealed only to dispatchers and administrators.
    """
    require_role(
        actor,
        {
            Role.HOTLINE_OPERATOR,
            Role.DISPATCHER,
            Role.DEPARTMENT_STAFF,
            Role.SUPERVISOR,
            Role.ADMINISTRATOR,
        },
        _("You may not see the citizen's personal data."),
    )
    purpose = clean_reason(purpose, field="purpose")
    if not appeals_visible_to(actor).filter(pk=appeal.pk).exists():
        raise PermissionDeniedError(_("This appeal is outside your scope."))
    if appeal.is_confidential and not (is_admin(actor) or actor.role == Role.DISPATCHER):
        raise PermissionDeniedError(_("The citizen asked for confidentiality."))
    audit_record(
        actor=actor,
        action="pii.reveal",
        target=appeal,
        admin_unit_code=appeal.admin_unit_code,
        purpose=purpose,
        details={"fields": ["citizen_name", "citizen_phone"]},
    )
    return {"citizen_name": appeal.citizen_name, "citizen_phone": appeal.citizen_phone}


@transaction.atomic
def appeal_rate_by_citizen(
    *, number: str, query_code: str, satisfaction: str, comment: str = "", reopen: bool = False
) -> Appeal:
    """The citizen rates the reply with the appeal number and query code (no account needed);
    an unsatisfied citizen may ask to reopen it (重办) at the same time.

    A wrong number or code gives the same error, so nobody learns which numbers exist.
    """
    appeal = Appeal.objects.filter(number=(number or "").strip()).first()
    if appeal is None or not query_code_matches(appeal, query_code or ""):
        raise PermissionDeniedError(
            _("The appeal number or query code is wrong."), code="bad_query_code"
        )
    if appeal.status == AppealStatus.MERGED:  # rates its primary's outcome, see .duplicates
        return appeal_rate_merged_by_citizen(
            appeal=appeal, satisfaction=satisfaction, comment=comment, reopen=reopen
        )
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Choose how satisfied you are."), code="invalid", field="satisfaction")
    if reopen and satisfaction != Satisfaction.UNSATISFIED:
        raise DomainError(
            _("Only an unsatisfied rating can reopen the appeal."), code="invalid", field="reopen"
        )
    comment = (comment or "").strip()[:500]
    appeal = transition(
        actor=None,
        appeal=appeal,
        expected_version=appeal.version,
        allowed_from={AppealStatus.REPLIED},
        to_status=AppealStatus.FOLLOWED_UP,
        kind="citizen_rating",
        changes={"satisfaction": satisfaction},
        note=comment,
        details={"satisfaction": satisfaction},
    )
    if reopen:
        appeal = _reopen(
            actor=None,
            appeal=appeal,
            expected_version=appeal.version,
            reason=comment or _("The citizen is not satisfied with the reply."),
        )
    return appeal
