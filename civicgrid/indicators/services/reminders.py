"""Reminders (催报): a daily job that reminds reporters of data sets due soon or overdue.

One :class:`Reminder` per submission and kind (due soon, overdue), so re-running the job the
same day or the next sends nothing twice. Recipients are the active users who may report the
data set for the unit; the reminder shows on their reporting page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.territory.models import AdminUnit

from ..models import (
    DataSet,
    DataSubmission,
    Reminder,
    ReminderKind,
    SubmissionEventKind,
    SubmissionStatus,
)
from ..selectors.access import REPORTER_ROLES, may_report
from ..selectors.reporting import due_periods
from .reporting import _event


def _expected_units(data_set: DataSet) -> list[AdminUnit]:
    units = {u.code: u for u in data_set.units.all()}
    for department in data_set.departments.select_related("admin_unit"):
        for unit in AdminUnit.objects.filter(
            code__startswith=department.admin_unit.code, level=data_set.department_report_level
        ):
            units.setdefault(unit.code, unit)
    return [units[code] for code in sorted(units)]


def _recipients(data_set: DataSet, unit: AdminUnit) -> list[User]:
    prefixes = [unit.code[:n] for n in (4, 6, 9, 12, 15) if n <= len(unit.code)]
    candidates = (
        User.objects.filter(is_active=True, role__in=list(REPORTER_ROLES))
        .filter(
            Q(scope_unit__code__in=prefixes)
            | Q(scope_unit__isnull=True, department__in=data_set.departments.all())
        )
        .select_related("scope_unit", "department__admin_unit")
    )
    return [user for user in candidates if may_report(user, data_set, unit)]


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> int:
    """Create the reminders due ``today``; returns how many were created (0 on a re-run)."""
    today = today or timezone.localdate()
    created = 0
    for data_set in DataSet.objects.filter(is_active=True):
        units = _expected_units(data_set)
        if not units:
            continue
        for period in due_periods(data_set, today):
            due_on = period.end + dt.timedelta(days=data_set.due_days)
            if today > due_on:
                kind = ReminderKind.OVERDUE
            elif (due_on - today).days <= data_set.reminder_days:
                kind = ReminderKind.DUE_SOON
            else:
                continue
            for unit in units:
                submission, _new = DataSubmission.objects.get_or_create(
                    data_set=data_set,
                    unit=unit,
                    period=period.code,
                    defaults={"unit_code": unit.code, "due_on": due_on},
                )
                if submission.status not in (SubmissionStatus.OPEN, SubmissionStatus.RETURNED):
                    continue
                reminder, is_new = Reminder.objects.get_or_create(
                    submission=submission, kind=kind, defaults={"due_on": due_on}
                )
                if not is_new:
                    continue
                people: list[Any] = _recipients(data_set, unit)
                reminder.recipients.set(people)
                _event(
                    submission,
                    actor=None,
                    kind=SubmissionEventKind.REMINDER,
                    details={"kind": kind, "recipients": len(people), "due_on": str(due_on)},
                )
                created += 1
    return created
