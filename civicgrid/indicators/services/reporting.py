"""Reporting (数据填报): entering values, submitting, approving bottom-up and returning.

State machine of :class:`DataSubmission` (one per data set × unit × period)::

    open ──submit──▶ submitted ──approve──▶ approved_street ──▶ approved_district ──▶ approved_city
      ▲                  │ return                 │ return            │ return
      └──── returned ◀───┴────────────────────────┴───────────────────┘

The chain starts at the first approval level above the reporting unit (a community's report
goes to its street, a street's to its district, a district's to the city; a city unit's report
is approved by a whole-city user). Values change only while open or returned; everything else
refuses with the reason (who has the values and what to do). Approve and return refresh the
aggregates when the values start or stop counting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, PermissionDeniedError
from civicgrid.territory.models import AdminUnit

from ..compute.periods import Period
from ..models import (
    APPROVED_STATUSES,
    EDITABLE_STATUSES,
    DataElement,
    DataSet,
    DataSubmission,
    DataValue,
    RuleSeverity,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
    ValueOrigin,
)
from ..selectors.access import (
    approval_status_for,
    covers,
    may_approve,
    may_report,
    next_approval_level,
)
from .aggregates import refresh_for_values
from .common import check_period_of_data_set, due_date, parse_number
from .errors import InvalidInput, LockedError, ValidationFailed
from .validation import run_validation


def _today() -> dt.date:
    return timezone.localdate()


def _event(
    submission: DataSubmission,
    *,
    actor: Any,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
) -> SubmissionEvent:
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return SubmissionEvent.objects.create(
        submission=submission,
        actor=actor if is_user else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        details=details or {},
    )


def _move(
    submission: DataSubmission,
    *,
    actor: Any,
    to_status: str,
    kind: str,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> str:
    """One step of the approval chain: the new status, the next row version and the event
    row; the status it came from."""
    before = submission.status
    submission.status = to_status
    submission.version += 1
    submission.save()
    _event(
        submission,
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=to_status,
        note=note,
        details=details,
    )
    return before


def locked_message(submission: DataSubmission) -> str:
    """Why ``submission``'s values cannot change now, and what to do."""
    names = {"unit": submission.unit.name, "period": submission.period}
    if submission.status == SubmissionStatus.SUBMITTED:
        return (
            _(
                "The data of %(unit)s for %(period)s are submitted and wait for approval; they "
                "can change only after the approver returns them."
            )
            % names
        )
    if submission.status == SubmissionStatus.APPROVED_CITY:
        return (
            _("The data of %(unit)s for %(period)s are finally approved by the city and locked.")
            % names
        )
    return _(
        "The data of %(unit)s for %(period)s are approved (%(status)s) and locked; ask the "
        "next approver to return them if they must change."
    ) % {**names, "status": submission.get_status_display()}


def _check_reporter(actor: Any, data_set: DataSet, unit: AdminUnit) -> None:
    if actor is None:
        return
    if not may_report(actor, data_set, unit):
        raise PermissionDeniedError(
            _("%(unit)s is outside the units you report data set %(set)s for.")
            % {"unit": unit.name, "set": data_set.name},
            field="unit",
        )


def _locked_submission(
    data_set: DataSet, unit: AdminUnit, period: Period, *, actor: Any
) -> tuple[DataSubmission, bool]:
    department = getattr(actor, "department", None) if actor is not None else None
    if department is not None and not data_set.departments.filter(pk=department.pk).exists():
        department = None
    submission, created = DataSubmission.objects.select_for_update().get_or_create(
        data_set=data_set,
        unit=unit,
        period=period.code,
        defaults={
            "unit_code": unit.code,
            "department": department,
            "due_on": due_date(data_set, period),
        },
    )
    if created:
        _event(submission, actor=actor, kind=SubmissionEventKind.OPEN, to_status=submission.status)
    return submission, created


@transaction.atomic
def submission_open(
    *, actor: Any, data_set: DataSet, unit: AdminUnit, period: str, today: dt.date | None = None
) -> DataSubmission:
    """The submission of ``data_set`` for ``unit`` and ``period`` (created open if new)."""
    _check_reporter(actor, data_set, unit)
    checked = check_period_of_data_set(data_set, period, today=today or _today())
    submission, _created = _locked_submission(data_set, unit, checked, actor=actor)
    return submission


def write_values(
    submission: DataSubmission,
    parsed: Mapping[DataElement, Decimal | None],
    *,
    actor: Any,
    origin: str,
    comments: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Upsert / delete ``parsed`` values of a locked, editable submission (no checks here)."""
    comments = comments or {}
    existing = {
        value.element_id: value
        for value in DataValue.objects.select_for_update().filter(
            unit=submission.unit,
            period=submission.period,
            element__in=[element.pk for element in parsed],
        )
    }
    counts = {"created": 0, "updated": 0, "deleted": 0}
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    for element, number in parsed.items():
        current = existing.get(element.pk)
        comment = (comments.get(element.code) or "").strip()
        if current is not None and current.submission_id not in (None, submission.pk):
            other = current.submission
            if other is not None and other.status not in EDITABLE_STATUSES:
                raise LockedError(locked_message(other), field=element.code)
        if number is None:
            if current is not None:
                current.delete()
                counts["deleted"] += 1
            continue
        if current is None:
            DataValue.objects.create(
                element=element,
                unit=submission.unit,
                unit_code=submission.unit_code,
                period=submission.period,
                period_type=submission.data_set.period_type,
                value=number,
                comment=comment,
                submission=submission,
                origin=origin,
                entered_by=user,
            )
            counts["created"] += 1
        elif current.value != number or (comment and comment != current.comment):
            current.value = number
            current.submission = submission
            current.origin = origin
            current.entered_by = user
            if comment:
                current.comment = comment
            current.save()
            counts["updated"] += 1
    return counts


@transaction.atomic
def values_save(
    *,
    actor: Any,
    data_set: DataSet,
    unit: AdminUnit,
    period: str,
    values: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> DataSubmission:
    """保存: enter or change values (element code → number text; empty deletes) of an open or
    returned submission; bad values refuse the whole save naming the element."""
    _check_reporter(actor, data_set, unit)
    checked = check_period_of_data_set(data_set, period, today=today or _today())
    submission, _created = _locked_submission(data_set, unit, checked, actor=actor)
    if submission.status not in EDITABLE_STATUSES:
        raise LockedError(locked_message(submission))
    elements = {element.code: element for element in data_set.elements.all()}
    parsed: dict[DataElement, Decimal | None] = {}
    for code, raw in values.items():
        element = elements.get(code)
        if element is None:
            raise InvalidInput(
                _("Data set %(set)s has no data element “%(code)s”.")
                % {"set": data_set.name, "code": code},
                field=code,
            )
        parsed[element] = parse_number(raw, element)
    for code in comments or {}:
        if code not in elements:
            raise InvalidInput(
                _("Data set %(set)s has no data element “%(code)s”.")
                % {"set": data_set.name, "code": code},
                field=code,
            )
    counts = write_values(
        submission, parsed, actor=actor, origin=ValueOrigin.ENTERED, comments=comments
    )
    submission.version += 1
    submission.save(update_fields=["version", "updated_at"])
    _event(submission, actor=actor, kind=SubmissionEventKind.EDIT, details=counts)
    run_validation(submission)
    return submission


def _lock(submission: DataSubmission) -> DataSubmission:
    return (
        DataSubmission.objects.select_for_update()
        .select_related("unit", "data_set")
        .get(pk=submission.pk)
    )


@transaction.atomic
def submission_submit(*, actor: Any, submission: DataSubmission) -> DataSubmission:
    """上报: send the values up for approval; errors of the validation rules refuse it."""
    submission = _lock(submission)
    _check_reporter(actor, submission.data_set, submission.unit)
    if submission.status in APPROVED_STATUSES:
        raise LockedError(
            _("Re-submission refused: %(reason)s") % {"reason": locked_message(submission)}
        )
    if submission.status == SubmissionStatus.SUBMITTED:
        raise ConflictError(
            _("The data of %(unit)s for %(period)s are already submitted.")
            % {"unit": submission.unit.name, "period": submission.period}
        )
    if not DataValue.objects.filter(submission=submission).exists():
        raise InvalidInput(_("Enter at least one value before submitting."))
    findings = run_validation(submission)
    errors = [f for f in findings if f.severity == RuleSeverity.ERROR]
    if errors:
        raise ValidationFailed(
            _("The values break %(count)s validation rule(s): %(first)s")
            % {"count": len(errors), "first": errors[0].message},
            details={"findings": [f.message for f in findings]},
        )
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor if actor is not None else None
    _move(
        submission,
        actor=actor,
        to_status=SubmissionStatus.SUBMITTED,
        kind=SubmissionEventKind.SUBMIT,
        details={"warnings": [f.message for f in findings]},
    )
    return submission


def _refuse_approval(actor: Any, submission: DataSubmission) -> NoReturn:
    if submission.status == SubmissionStatus.APPROVED_CITY:
        raise LockedError(locked_message(submission))
    if submission.status in EDITABLE_STATUSES:
        raise ConflictError(
            _("The data of %(unit)s for %(period)s are not submitted yet.")
            % {"unit": submission.unit.name, "period": submission.period}
        )
    level = next_approval_level(submission)
    raise PermissionDeniedError(
        _("The data of %(unit)s for %(period)s wait for approval at the %(level)s level.")
        % {
            "unit": submission.unit.name,
            "period": submission.period,
            "level": _level_name(level),
        }
    )


def _level_name(level: str | None) -> str:
    from civicgrid.territory.models import AdminLevel

    return str(AdminLevel(level).label) if level else ""


@transaction.atomic
def submission_approve(*, actor: Any, submission: DataSubmission, note: str = "") -> DataSubmission:
    """审核通过: the next level up approves; the first approval makes the values count."""
    submission = _lock(submission)
    if actor is None or not may_approve(actor, submission):
        _refuse_approval(actor, submission)
    level = next_approval_level(submission)
    assert level is not None
    before = _move(
        submission,
        actor=actor,
        to_status=approval_status_for(level),
        kind=SubmissionEventKind.APPROVE,
        note=note.strip(),
    )
    audit_record(actor=actor, action="indicators.submission_approve", target=submission)
    if before not in APPROVED_STATUSES:
        _refresh(submission, "approve")
    return submission


@transaction.atomic
def submission_return(*, actor: Any, submission: DataSubmission, reason: str) -> DataSubmission:
    """退回: the next approver sends the values back to the reporter with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for returning the data."), field="reason")
    submission = _lock(submission)
    if actor is None or not may_approve(actor, submission):
        _refuse_approval(actor, submission)
    before = _move(
        submission,
        actor=actor,
        to_status=SubmissionStatus.RETURNED,
        kind=SubmissionEventKind.RETURN,
        note=reason,
    )
    audit_record(
        actor=actor,
        action="indicators.submission_return",
        target=submission,
        details={"reason": reason},
    )
    if before in APPROVED_STATUSES:
        _refresh(submission, "return")
    return submission


@transaction.atomic
def submission_comment(*, actor: Any, submission: DataSubmission, text: str) -> SubmissionEvent:
    """批注: a remark on a submission by anybody who may see its unit."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Write the comment."), field="text")
    if actor is None or not covers(actor, submission.unit_code):
        raise PermissionDeniedError(_("You may not see the data of this unit."))
    return _event(submission, actor=actor, kind=SubmissionEventKind.COMMENT, note=text[:2000])


def _refresh(submission: DataSubmission, reason: str) -> None:
    element_ids = submission.data_set.elements.values_list("pk", flat=True)
    refresh_for_values(reason=reason, element_ids=element_ids, periods=[submission.period])
