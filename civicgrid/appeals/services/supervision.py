"""Extensions (延期), urging (催办) and escalation (督办升级)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError
from civicgrid.core.workdays import add_working_days

from ..models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealStatus,
    ExtensionRequest,
    ExtensionStatus,
    SupervisionItem,
    SupervisionKind,
    SupervisionLevel,
    SupervisionStatus,
)
from .common import (
    EXTENSION_DECIDE_ROLES,
    MAX_EXTENSION_DAYS,
    SUPERVISION_ROLES,
    check_version,
    clean_reason,
    require_lead_staff,
    require_role,
    require_scope,
)


@transaction.atomic
def appeal_extension_request(
    *, actor: Any, appeal: Appeal, expected_version: int, days: int, reason: str
) -> ExtensionRequest:
    """延期申请: the lead department asks for ``days`` more working days on a signed appeal.

    Only one request may be pending per appeal; the appeal itself does not change until a
    dispatcher or supervisor approves it (:func:`appeal_extension_decide`).
    """
    require_lead_staff(actor, appeal)
    if isinstance(days, bool) or not isinstance(days, int):
        raise DomainError(_("Enter the number of working days."), code="invalid", field="days")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(
            _("An extension is between 1 and %(max)s working days.") % {"max": MAX_EXTENSION_DAYS},
            code="invalid",
            field="days",
        )
    reason = clean_reason(reason)
    current = check_version(appeal, expected_version)
    if current.status != AppealStatus.SIGNED:
        raise ConflictError(
            _("An extension can be requested only while the appeal is being handled."),
            code="illegal_transition",
        )
    if ExtensionRequest.objects.filter(appeal=current, status=ExtensionStatus.PENDING).exists():
        raise ConflictError(
            _("An extension request for this appeal is already waiting for a decision."),
            code="extension_pending",
        )
    assert current.lead_department is not None  # signed appeals have a lead department
    try:
        with transaction.atomic():
            request = ExtensionRequest.objects.create(
                appeal=current,
                department=current.lead_department,
                days=days,
                reason=reason,
                requested_by=actor,
                previous_deadline=current.handling_deadline,
            )
    except IntegrityError as error:  # a concurrent request won the race
        raise ConflictError(
            _("An extension request for this appeal is already waiting for a decision."),
            code="extension_pending",
        ) from error
    AppealEvent.objects.create(
        appeal=current,
        actor=actor,
        kind="extension_request",
        from_status=current.status,
        to_status=current.status,
        department=current.lead_department,
        note=reason,
        details={"days": days, "extension": request.pk},
    )
    audit_record(
        actor=actor,
        action="appeal.extension_request",
        target=request,
        admin_unit_code=current.admin_unit_code,
        details={"appeal": current.number, "days": days},
    )
    return request


@transaction.atomic
def appeal_extension_decide(
    *, actor: Any, request: ExtensionRequest, approve: bool, comment: str = ""
) -> ExtensionRequest:
    """审批延期: a dispatcher or supervisor in scope approves or rejects a pending request.

    Approval moves the handling deadline by the requested number of working days from the
    current deadline and bumps the appeal's version; a rejection needs a comment.
    """
    require_role(
        actor, EXTENSION_DECIDE_ROLES, _("Only dispatchers and supervisors decide extensions.")
    )
    appeal = Appeal.objects.select_for_update().get(pk=request.appeal_id)
    require_scope(actor, appeal)
    comment = (comment or "").strip()
    if not approve:
        comment = clean_reason(comment, field="comment")
    locked = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != ExtensionStatus.PENDING:
        raise ConflictError(
            _("This extension request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()},
            code="extension_decided",
        )
    now = timezone.now()
    new_deadline = None
    if approve:
        if appeal.status != AppealStatus.SIGNED or appeal.handling_deadline is None:
            raise ConflictError(
                _("This step is not possible while the appeal is %(status)s.")
                % {"status": appeal.get_status_display()},
                code="illegal_transition",
            )
        if appeal.lead_department_id != locked.department_id:
            raise ConflictError(
                _("The appeal has since gone to another department; reject this request."),
                code="extension_stale",
            )
        new_deadline = add_working_days(appeal.handling_deadline, locked.days)
        Appeal.objects.filter(pk=appeal.pk).update(
            handling_deadline=new_deadline, version=F("version") + 1, updated_at=now
        )
    locked.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_comment = comment
    locked.previous_deadline = appeal.handling_deadline
    locked.new_deadline = new_deadline
    locked.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
            "previous_deadline",
            "new_deadline",
            "updated_at",
        ]
    )
    details: dict[str, Any] = {"days": locked.days, "extension": locked.pk}
    if new_deadline is not None:
        details["deadline_before"] = appeal.handling_deadline.isoformat()  # type: ignore[union-attr]
        details["deadline_after"] = new_deadline.isoformat()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        kind="extension_approved" if approve else "extension_rejected",
        from_status=appeal.status,
        to_status=appeal.status,
        department=locked.department,
        note=comment,
        details=details,
    )
    audit_record(
        actor=actor,
        action="appeal.extension_approve" if approve else "appeal.extension_reject",
        target=locked,
        admin_unit_code=appeal.admin_unit_code,
        details={"appeal": appeal.number, **details},
    )
    request.refresh_from_db()
    return locked


# ---------------------------------------------------------------- supervision (督办/催办)


@transaction.atomic
def appeal_urge(*, actor: Any, appeal: Appeal, note: str) -> SupervisionItem:
    """催办: a supervisor presses an open appeal. Writes an "urge" event and opens a manual
    supervision item unless one is already open (then that item is returned)."""
    require_role(actor, SUPERVISION_ROLES, _("Only supervisors may urge appeals."))
    require_scope(actor, appeal)
    note = clean_reason(note, field="note")
    current = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if current.status not in OPEN_STATUSES:
        raise ConflictError(
            _("This step is not possible while the appeal is %(status)s.")
            % {"status": current.get_status_display()},
            code="illegal_transition",
        )
    item = SupervisionItem.objects.filter(
        appeal=current, kind=SupervisionKind.MANUAL, status=SupervisionStatus.OPEN
    ).first()
    created = item is None
    if item is None:
        item = SupervisionItem.objects.create(
            appeal=current,
            kind=SupervisionKind.MANUAL,
            admin_unit_code=current.admin_unit_code,
            opened_at=timezone.now(),
            note=note,
            created_by=actor,
        )
    AppealEvent.objects.create(
        appeal=current,
        actor=actor,
        kind="urge",
        from_status=current.status,
        to_status=current.status,
        department=current.lead_department,
        note=note,
        details={"supervision": item.pk, "opened": created},
    )
    audit_record(
        actor=actor,
        action="appeal.urge",
        target=current,
        admin_unit_code=current.admin_unit_code,
        details={"supervision": item.pk, "opened": created},
    )
    return item


@transaction.atomic
def supervision_escalate(*, actor: Any, item: SupervisionItem, note: str) -> SupervisionItem:
    """升级督办: move an open district-level supervision item up to the city level."""
    require_role(actor, SUPERVISION_ROLES, _("Only supervisors may escalate supervision."))
    appeal = Appeal.objects.get(pk=item.appeal_id)
    require_scope(actor, appeal)
    note = clean_reason(note, field="note")
    updated = SupervisionItem.objects.filter(
        pk=item.pk, status=SupervisionStatus.OPEN, level=SupervisionLevel.DISTRICT
    ).update(level=SupervisionLevel.CITY, updated_at=timezone.now())
    if updated != 1:
        raise ConflictError(
            _("Only open district-level supervision can be escalated."),
            code="illegal_transition",
        )
    item.refresh_from_db()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=actor,
        kind="escalate",
        from_status=appeal.status,
        to_status=appeal.status,
        department=appeal.lead_department,
        note=note,
        details={"supervision": item.pk, "kind": item.kind, "level": item.level},
    )
    audit_record(
        actor=actor,
        action="supervision.escalate",
        target=item,
        admin_unit_code=appeal.admin_unit_code,
        details={"appeal": appeal.number, "kind": item.kind},
    )
    return item
