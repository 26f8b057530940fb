"""Writes on appeals: intake and one service per workflow transition.

Every transition checks who may do it, checks the current status and the caller's
``expected_version`` (optimistic concurrency: of two people acting on the same appeal at once,
one succeeds and the other gets a ConflictError saying why), changes the appeal with one
conditional UPDATE, and writes one :class:`AppealEvent` — all in one transaction.

    accepted ─dispatch→ dispatched ─sign_for→ signed ─reply→ replied ─follow_up→ followed_up
       ↑  ↖──────return────────┘        │                  │  │                    │
       └────────────return──────────────┘                  │  └──────close─────────┤→ closed
    accepted/dispatched ─cancel→ cancelled       replied/followed_up/closed ─reopen→ dispatched
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.phones import validate_phone
from civicgrid.core.workdays import add_working_days
from civicgrid.territory.models import AdminUnit, Department
from civicgrid.territory.selectors import locate_point
from civicgrid.territory.validators import validate_coordinates_in_city

from . import querycodes
from .models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealNumberSequence,
    AppealStatus,
    AppealType,
    Assignment,
    AssignmentRole,
    Category,
    Channel,
    ExtensionRequest,
    ExtensionStatus,
    Satisfaction,
    SupervisionItem,
    SupervisionKind,
    SupervisionLevel,
    SupervisionStatus,
    Urgency,
)
from .selectors import appeals_visible_to, responsible_departments, time_limits_for

TITLE_MAX = 100
TEXT_MAX = 5000
REASON_MIN = 2
REOPEN_WITHIN_DAYS = 15  # calendar days after the reply during which a citizen may reopen

DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.ADMINISTRATOR})
INTAKE_ROLES = frozenset(
    {Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.GRID_WORKER, Role.ADMINISTRATOR}
)
FOLLOW_UP_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR})


# ---------------------------------------------------------------- helpers


def _today() -> dt.date:
    return timezone.localdate()


def query_code_matches(appeal: Appeal, code: str) -> bool:
    """Whether ``code`` is the query code given to the citizen for ``appeal``."""
    return querycodes.query_code_matches(appeal.number, appeal.query_code_hash, code)


def _next_number(city_code: str, day: dt.date) -> str:
    """City code + date + 6-digit daily sequence, e.g. 440420261122000001."""
    sequence, _created = AppealNumberSequence.objects.select_for_update().get_or_create(
        city_code=city_code, day=day
    )
    AppealNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{city_code}{day:%Y%m%d}{sequence.last:06d}"


def _is_admin(actor: Any) -> bool:
    return bool(actor.is_superuser or actor.role == Role.ADMINISTRATOR)


def _require_role(actor: Any, roles: Iterable[str], message: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError(message)
    if not (actor.is_superuser or actor.role in roles):
        raise PermissionDeniedError(message)


def _require_scope(actor: Any, appeal: Appeal) -> None:
    if _is_admin(actor) and scope_of(actor).is_everything:
        return
    if not scope_of(actor).covers_code(appeal.admin_unit_code):
        raise PermissionDeniedError(_("This appeal is outside your scope."))


def _require_lead_staff(actor: Any, appeal: Appeal) -> None:
    """Staff of the appeal's lead department (or an administrator)."""
    _require_role(
        actor,
        {Role.DEPARTMENT_STAFF, Role.ADMINISTRATOR},
        _("Only staff of the handling department may do this."),
    )
    if _is_admin(actor):
        return
    if appeal.lead_department_id is None or actor.department_id != appeal.lead_department_id:
        raise PermissionDeniedError(_("Only staff of the handling department may do this."))


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Give a reason (at least 2 characters)."), code="invalid", field=field)
    return reason


def _transition(
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


# ---------------------------------------------------------------- intake


@transaction.atomic
def appeal_accept(
    *,
    actor: Any,
    channel: str,
    appeal_type: str,
    title: str,
    text: str,
    category: Category | None = None,
    lon: Any = None,
    lat: Any = None,
    address: str = "",
    citizen_name: str = "",
    citizen_phone: str = "",
    is_confidential: bool = False,
    urgency: str = Urgency.NORMAL,
    idempotency_key: str | None = None,
    citizen: Any = None,
) -> tuple[Appeal, str | None]:
    """受理: register an appeal from any channel. Returns the appeal and the citizen's query
    code (``None`` when an earlier submission with the same idempotency key is returned).

    Staff channels need an intake role; web and Open311 submissions have ``actor=None``.
    The place comes from coordinates (located to the grid) and must lie inside the city.
    """
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid", field="channel")
    if channel in {Channel.HOTLINE, Channel.GRID, Channel.IMPORT}:
        _require_role(actor, INTAKE_ROLES, _("You may not register appeals."))
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:64]
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, None
    if appeal_type not in AppealType.values:
        raise DomainError(_("Choose the type of the appeal."), code="invalid", field="appeal_type")
    if urgency not in Urgency.values:
        raise DomainError(_("Unknown urgency."), code="invalid", field="urgency")
    title = (title or "").strip()
    text = (text or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), code="invalid", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("The title may have at most %(max)s characters.") % {"max": TITLE_MAX},
            code="invalid",
            field="title",
        )
    if not text:
        raise DomainError(_("Describe the matter."), code="invalid", field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("The text may have at most %(max)s characters.") % {"max": TEXT_MAX},
            code="invalid",
            field="text",
        )
    if category is not None and not category.is_active:
        raise DomainError(_("This category is no longer used."), code="invalid", field="category")
    phone = ""
    if citizen_phone and citizen_phone.strip():
        try:
            phone = validate_phone(citizen_phone, _("citizen phone"))
        except ValidationError as error:
            raise DomainError(
                " ".join(error.messages), code="invalid", field="citizen_phone"
            ) from error
    unit: AdminUnit | None = None
    x = y = None
    if lon is not None or lat is not None:
        try:
            x, y = validate_coordinates_in_city(lon, lat, _("location"))
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), code="invalid", field="location") from error
        located = locate_point(x, y)
        if located is not None:
            unit = AdminUnit.objects.filter(code=located.unit.code).first()
    if unit is None:
        if channel == Channel.GRID and actor is not None and actor.scope_unit_id:
            unit = actor.scope_unit
        else:
            unit = AdminUnit.objects.filter(code=settings.CIVICGRID_CITY_CODE).first()
    if unit is None:
        raise DomainError(_("The city's admin units are not loaded."), code="no_territory")
    if channel == Channel.GRID and not scope_of(actor).covers_code(unit.code):
        raise PermissionDeniedError(_("Grid workers report events inside their own grid."))
    today = _today()
    _sign_days, handling_days = time_limits_for(appeal_type, category)
    number = _next_number(unit.code[:4], today)
    query_code = querycodes.new_query_code()
    staff = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                number=number,
                query_code_hash=querycodes.query_code_hash(number, query_code),
                channel=channel,
                appeal_type=appeal_type,
                category=category,
                urgency=urgency,
                title=title,
                text=text,
                address=(address or "").strip()[:200],
                lon=x,
                lat=y,
                admin_unit=unit,
                admin_unit_code=unit.code,
                citizen_name=(citizen_name or "").strip()[:60],
                citizen_phone=phone,
                is_confidential=is_confidential,
                citizen=citizen,
                accepted_on=today,
                handling_deadline=add_working_days(today, handling_days),
                idempotency_key=idempotency_key or None,
                created_by=staff,
            )
    except IntegrityError:
        # A concurrent submission with the same idempotency key won the race.
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, None
        raise
    AppealEvent.objects.create(
        appeal=appeal,
        actor=staff,
        kind="accept",
        to_status=AppealStatus.ACCEPTED,
        details={"channel": channel},
    )
    return appeal, query_code


# ---------------------------------------------------------------- dispatch and handling


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
    _require_role(actor, DISPATCH_ROLES, _("Only dispatchers may dispatch appeals."))
    _require_scope(actor, appeal)
    if not department.is_active:
        raise DomainError(_("This department is inactive."), code="invalid", field="department")
    cooperating = [dep for dep in cooperating if dep.pk != department.pk]
    sign_days, _handling = time_limits_for(appeal.appeal_type, appeal.category)
    appeal = _transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.ACCEPTED},
        to_status=AppealStatus.DISPATCHED,
        kind="dispatch",
        changes={
            "lead_department": department,
            "sign_for_deadline": add_working_days(_today(), sign_days),
        },
        note=note.strip(),
        department=department,
        details={"cooperating": [dep.code for dep in cooperating]},
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
    _require_lead_staff(actor, appeal)
    return _transition(
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
    _require_lead_staff(actor, appeal)
    reason = _reason(reason)
    department = appeal.lead_department
    appeal = _transition(
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
    """答复: the lead department answers the citizen."""
    _require_lead_staff(actor, appeal)
    reply = (reply or "").strip()
    if len(reply) < REASON_MIN:
        raise DomainError(_("Write the reply."), code="invalid", field="reply")
    if len(reply) > TEXT_MAX:
        raise DomainError(
            _("The reply may have at most %(max)s characters.") % {"max": TEXT_MAX},
            code="invalid",
            field="reply",
        )
    return _transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.SIGNED},
        to_status=AppealStatus.REPLIED,
        kind="reply",
        changes={"reply": reply, "replied_at": timezone.now()},
        department=appeal.lead_department,
    )


@transaction.atomic
def appeal_follow_up(
    *, actor: Any, appeal: Appeal, expected_version: int, satisfaction: str, note: str = ""
) -> Appeal:
    """回访: record the citizen's satisfaction with the reply."""
    _require_role(actor, FOLLOW_UP_ROLES, _("Only the hotline or dispatchers follow up."))
    _require_scope(actor, appeal)
    if satisfaction not in Satisfaction.values:
        raise DomainError(
            _("Choose how satisfied the citizen is."), code="invalid", field="satisfaction"
        )
    return _transition(
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
    _require_role(actor, DISPATCH_ROLES | {Role.SUPERVISOR}, _("You may not close appeals."))
    _require_scope(actor, appeal)
    appeal = _transition(
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
    must sign for it again, with fresh deadlines. Allowed within REOPEN_WITHIN_DAYS of the reply.
    """
    _require_role(actor, FOLLOW_UP_ROLES | {Role.SUPERVISOR}, _("You may not reopen appeals."))
    _require_scope(actor, appeal)
    return _reopen(actor=actor, appeal=appeal, expected_version=expected_version, reason=reason)


def _reopen(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    reason = _reason(reason)
    if appeal.replied_at is not None:
        replied_on = timezone.localdate(appeal.replied_at)
        if (_today() - replied_on).days > REOPEN_WITHIN_DAYS:
            raise ConflictError(
                _("An appeal can be reopened within %(days)s days of its reply.")
                % {"days": REOPEN_WITHIN_DAYS},
                code="reopen_too_late",
            )
    lead_department = appeal.lead_department
    if lead_department is None:
        raise ConflictError(_("This appeal has no handling department."), code="no_department")
    sign_days, handling_days = time_limits_for(appeal.appeal_type, appeal.category)
    today = _today()
    appeal = _transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED},
        to_status=AppealStatus.DISPATCHED,
        kind="reopen",
        changes={
            "reopen_count": F("reopen_count") + 1,
            "sign_for_deadline": add_working_days(today, sign_days),
            "handling_deadline": add_working_days(today, handling_days),
            "signed_at": None,
            "closed_at": None,
        },
        note=reason,
        department=appeal.lead_department,
    )
    if not Assignment.objects.filter(appeal=appeal, role="lead", is_open=True).exists():
        Assignment.objects.create(
            appeal=appeal, department=lead_department, role=AssignmentRole.LEAD
        )
    return appeal


@transaction.atomic
def appeal_cancel(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """作废: cancel an invalid appeal (a test call, spam, a duplicate) with a reason."""
    _require_role(actor, DISPATCH_ROLES, _("Only dispatchers may cancel appeals."))
    _require_scope(actor, appeal)
    reason = _reason(reason)
    appeal = _transition(
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
    _require_role(
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
    purpose = _reason(purpose, field="purpose")
    if not appeals_visible_to(actor).filter(pk=appeal.pk).exists():
        raise PermissionDeniedError(_("This appeal is outside your scope."))
    if appeal.is_confidential and not (_is_admin(actor) or actor.role == Role.DISPATCHER):
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
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Choose how satisfied you are."), code="invalid", field="satisfaction")
    if reopen and satisfaction != Satisfaction.UNSATISFIED:
        raise DomainError(
            _("Only an unsatisfied rating can reopen the appeal."), code="invalid", field="reopen"
        )
    comment = (comment or "").strip()[:500]
    appeal = _transition(
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


# ---------------------------------------------------------------- extensions (延期)

MAX_EXTENSION_DAYS = 30
EXTENSION_DECIDE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})
SUPERVISION_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def _check_version(appeal: Appeal, expected_version: int) -> Appeal:
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


@transaction.atomic
def appeal_extension_request(
    *, actor: Any, appeal: Appeal, expected_version: int, days: int, reason: str
) -> ExtensionRequest:
    """延期申请: the lead department asks for ``days`` more working days on a signed appeal.

    Only one request may be pending per appeal; the appeal itself does not change until a
    dispatcher or supervisor approves it (:func:`appeal_extension_decide`).
    """
    _require_lead_staff(actor, appeal)
    if isinstance(days, bool) or not isinstance(days, int):
        raise DomainError(_("Enter the number of working days."), code="invalid", field="days")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(
            _("An extension is between 1 and %(max)s working days.") % {"max": MAX_EXTENSION_DAYS},
            code="invalid",
            field="days",
        )
    reason = _reason(reason)
    current = _check_version(appeal, expected_version)
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
    _require_role(
        actor, EXTENSION_DECIDE_ROLES, _("Only dispatchers and supervisors decide extensions.")
    )
    appeal = Appeal.objects.select_for_update().get(pk=request.appeal_id)
    _require_scope(actor, appeal)
    comment = (comment or "").strip()
    if not approve:
        comment = _reason(comment, field="comment")
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
    _require_role(actor, SUPERVISION_ROLES, _("Only supervisors may urge appeals."))
    _require_scope(actor, appeal)
    note = _reason(note, field="note")
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
    _require_role(actor, SUPERVISION_ROLES, _("Only supervisors may escalate supervision."))
    appeal = Appeal.objects.get(pk=item.appeal_id)
    _require_scope(actor, appeal)
    note = _reason(note, field="note")
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
