"""Reporting reads: submissions in scope, the approval queue, the entry form, what a user must
report (with due dates and reminders), and the values export in DHIS2's shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from civicgrid.accounts.selectors import scope_of
from civicgrid.territory.models import AdminLevel, AdminUnit

from ..compute.periods import Period, PeriodType, period_of_date
from ..models import (
    APPROVED_STATUSES,
    DataElement,
    DataSet,
    DataSubmission,
    DataValue,
    Reminder,
    SubmissionEvent,
    SubmissionStatus,
    ValidationFinding,
)
from .access import (
    approval_level,
    may_approve,
    may_report,
    may_view,
    next_approval_level,
    reporting_units,
    unit_codes_filter,
)


def submissions_visible_to(
    user: Any, *, status: str = "", period: str = "", data_set: DataSet | None = None
) -> QuerySet[DataSubmission]:
    """Submissions of the units in ``user``'s scope (newest period first)."""
    condition = unit_codes_filter(user)
    if condition is None:
        return DataSubmission.objects.none()
    submissions = DataSubmission.objects.filter(condition).select_related("data_set", "unit")
    if status:
        submissions = submissions.filter(status=status)
    if period:
        submissions = submissions.filter(period=period)
    if data_set is not None:
        submissions = submissions.filter(data_set=data_set)
    return submissions.order_by("-period", "data_set__code", "unit_code")


# The statuses that wait for an approver at each level (with the unit levels of SUBMITTED).
_WAITING = {
    AdminLevel.STREET: Q(status=SubmissionStatus.SUBMITTED)
    & Q(unit__level__in=[AdminLevel.COMMUNITY, AdminLevel.GRID]),
    AdminLevel.DISTRICT: (Q(status=SubmissionStatus.SUBMITTED) & Q(unit__level=AdminLevel.STREET))
    | Q(status=SubmissionStatus.APPROVED_STREET),
    AdminLevel.CITY: (
        Q(status=SubmissionStatus.SUBMITTED)
        & Q(unit__level__in=[AdminLevel.DISTRICT, AdminLevel.CITY])
    )
    | Q(status=SubmissionStatus.APPROVED_DISTRICT),
}


def approval_queue(user: Any) -> list[DataSubmission]:
    """Submissions waiting for ``user``'s approval (oldest submission first)."""
    level = approval_level(user)
    if level is None:
        return []
    candidates = submissions_visible_to(user).filter(_WAITING[AdminLevel(level)])
    return [
        s
        for s in candidates.order_by("submitted_at", "pk").prefetch_related("findings")
        if may_approve(user, s)
    ]


@dataclass
class EntryRow:
    element: DataElement
    value: Any  # Decimal or None
    comment: str


@dataclass
class EntryForm:
    data_set: DataSet
    unit: AdminUnit
    period: str
    submission: DataSubmission | None
    status: str
    rows: list[EntryRow]
    findings: list[ValidationFinding] = field(default_factory=list)
    events: list[SubmissionEvent] = field(default_factory=list)
    can_edit: bool = False
    can_submit: bool = False
    can_approve: bool = False
    can_return: bool = False
    next_level: str | None = None


def entry_form(user: Any, *, data_set: DataSet, unit_code: str, period: str) -> EntryForm | None:
    """The data-entry / approval screen of one data set, unit and period; ``None`` when the unit
    is outside the user's scope (callers answer 404)."""
    condition = unit_codes_filter(user, field="code")
    if condition is None:
        return None
    unit = AdminUnit.objects.filter(condition, code=unit_code).first()
    if unit is None:
        return None
    submission = (
        DataSubmission.objects.filter(data_set=data_set, unit=unit, period=period)
        .select_related("unit", "data_set")
        .first()
    )
    elements = list(data_set.elements.order_by("code"))
    values = {
        v.element_id: v
        for v in DataValue.objects.filter(element__in=elements, unit=unit, period=period)
    }
    rows = [
        EntryRow(
            element=element,
            value=values[element.pk].value if element.pk in values else None,
            comment=values[element.pk].comment if element.pk in values else "",
        )
        for element in elements
    ]
    status = submission.status if submission else SubmissionStatus.OPEN
    reporter = may_report(user, data_set, unit)
    editable = status in (SubmissionStatus.OPEN, SubmissionStatus.RETURNED)
    approver = submission is not None and may_approve(user, submission)
    return EntryForm(
        data_set=data_set,
        unit=unit,
        period=period,
        submission=submission,
        status=status,
        rows=rows,
        findings=list(submission.findings.all()) if submission else [],
        events=list(submission.events.select_related("actor")) if submission else [],
        can_edit=reporter and editable,
        can_submit=reporter and editable and bool(values),
        can_approve=approver,
        can_return=approver,
        next_level=next_approval_level(submission) if submission else None,
    )


@dataclass(frozen=True)
class ReportingTask:
    data_set: DataSet
    unit: AdminUnit
    period: str
    due_on: dt.date
    status: str
    is_overdue: bool


def due_periods(data_set: DataSet, today: dt.date, *, back: int = 3) -> list[Period]:
    """The last ``back`` complete periods of ``data_set`` inside its first/last periods."""
    current = period_of_date(today, PeriodType(data_set.period_type))
    periods = []
    period = current.previous()
    for _step in range(back):
        if data_set.first_period and period.code < data_set.first_period:
            break
        if not data_set.last_period or period.code <= data_set.last_period:
            periods.append(period)
        period = period.previous()
    return periods


def reporting_tasks(user: Any, *, today: dt.date | None = None) -> list[ReportingTask]:
    """What ``user`` must report: the recent periods of every data set they report for, with
    the due date and status (submitted and approved ones included, overdue flagged)."""
    today = today or timezone.localdate()
    if not may_view(user):
        return []
    tasks = []
    for data_set in DataSet.objects.filter(is_active=True).order_by("code"):
        units = reporting_units(user, data_set)
        if not units:
            continue
        periods = due_periods(data_set, today)
        statuses = {
            (s.unit_id, s.period): s.status
            for s in DataSubmission.objects.filter(
                data_set=data_set, unit__in=units, period__in=[p.code for p in periods]
            )
        }
        for period in periods:
            due_on = period.end + dt.timedelta(days=data_set.due_days)
            for unit in units:
                status = statuses.get((unit.pk, period.code), SubmissionStatus.OPEN)
                waiting = status in (SubmissionStatus.OPEN, SubmissionStatus.RETURNED)
                tasks.append(
                    ReportingTask(
                        data_set=data_set,
                        unit=unit,
                        period=period.code,
                        due_on=due_on,
                        status=status,
                        is_overdue=waiting and today > due_on,
                    )
                )
    return tasks


def reminders_for(user: Any, *, unread_only: bool = False) -> QuerySet[Reminder]:
    if not may_view(user):
        return Reminder.objects.none()
    reminders = Reminder.objects.filter(recipients=user).select_related(
        "submission", "submission__data_set", "submission__unit"
    )
    if unread_only:
        reminders = reminders.filter(is_read=False)
    return reminders


def data_values_export(
    user: Any,
    *,
    element_codes: Iterable[str] | None = None,
    periods: Iterable[str] | None = None,
    unit_code: str | None = None,
    approved_only: bool = False,
) -> list[dict[str, Any]]:
    """Values in DHIS2's shape (dataElement, period, orgUnit, value, comment, status) for the
    units in scope; ``unit_code`` keeps its subtree."""
    condition = unit_codes_filter(user)
    if condition is None:
        return []
    values = DataValue.objects.filter(condition)
    if element_codes is not None:
        values = values.filter(element__code__in=list(element_codes))
    if periods is not None:
        values = values.filter(period__in=list(periods))
    if unit_code:
        values = values.filter(unit_code__startswith=unit_code)
    if approved_only:
        values = values.filter(
            Q(submission__isnull=True) | Q(submission__status__in=list(APPROVED_STATUSES))
        )
    return [
        {
            "dataElement": code,
            "period": period,
            "orgUnit": unit,
            "value": _plain(value),
            "comment": comment,
            "status": status or "computed",
        }
        for code, period, unit, value, comment, status in values.order_by(
            "element__code", "period", "unit_code"
        ).values_list(
            "element__code", "period", "unit_code", "value", "comment", "submission__status"
        )
    ]


def _plain(value: Any) -> str:
    text = format(value.normalize(), "f") if value is not None else ""
    return text


def scope_unit_code(user: Any) -> str | None:
    scope = scope_of(user)
    if scope.is_everything:
        return AdminUnit.objects.filter(parent__isnull=True).values_list("code", flat=True).first()
    return scope.code
