"""督办: progress reports, consolidation by the lead, review by the programme office, urging,
escalation, milestones and deadlines of published tasks.

Reports (one per task, department and month)::

    draft ─submit→ submitted ─(cooperating unit's) consolidate by the lead→ consolidated
                      │       ─(lead's) accept by the programme office→ accepted
                      └─return (lead for cooperating reports, office for the lead's)→ returned
    returned ─save→ returned (edited) ─submit→ submitted

A cooperating unit reports to the lead department; the lead's report consolidates them (its
submission takes in every cooperating report of the month still waiting) and goes to the
programme office. Accepting the lead's report sets the task's percentage; 100 % makes it done.
No report is taken for a done or cancelled task or a plan that is not running.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from .. import clock
from ..models import (
    OPEN_TASK_STATUSES,
    PlanSettings,
    PlanStatus,
    ProgressAttachment,
    ProgressReport,
    ReportStatus,
    Task,
    TaskEventKind,
    TaskMilestone,
    TaskStatus,
    TaskUnit,
)
from .common import (
    OFFICE_ROLES,
    SUPERVISION_ROLES,
    TEXT_MAX,
    has_role,
    is_active,
    require_office,
    require_role,
    task_event,
)

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 9
REASON_MIN = 2
RUNNING_PLAN = (PlanStatus.PUBLISHED,)
EDITABLE_REPORT = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("plan").get(pk=task.pk)


def _require_open(task: Task) -> None:
    if task.plan.status not in RUNNING_PLAN:
        raise ConflictError(
            _("The plan is %(status)s: no more progress reports are taken.")
            % {"status": task.plan.get_status_display()},
            code="plan_not_running",
        )
    if task.status not in OPEN_TASK_STATUSES:
        raise ConflictError(
            _("The task is %(status)s: no more progress reports are taken.")
            % {"status": task.get_status_display()},
            code="task_closed",
        )


def _reporting_department(actor: Any, task: Task, department: Any) -> Any:
    """The department a report is made for: the actor's own, which must be responsible."""
    if not is_active(actor):
        raise PermissionDeniedError(_("Sign in to report progress."))
    if has_role(actor, {Role.ADMINISTRATOR}) and department is not None:
        chosen = department
    elif actor.role == Role.DEPARTMENT_STAFF and actor.department_id:
        chosen = actor.department
        if department is not None and department.pk != chosen.pk:
            raise PermissionDeniedError(_("You can only report for your own department."))
    else:
        raise PermissionDeniedError(
            _("Only staff of a responsible department can report progress.")
        )
    if not TaskUnit.objects.filter(task=task, department=chosen).exists():
        raise PermissionDeniedError(
            _("%(department)s is not responsible for this task.") % {"department": chosen}
        )
    return chosen


def _is_lead_staff(actor: Any, task: Task) -> bool:
    return bool(
        is_active(actor)
        and actor.role == Role.DEPARTMENT_STAFF
        and actor.department_id == task.lead_department_id
    )


def clean_period(period: str, *, today: dt.date | None = None) -> str:
    """ "2026-11" (or "2026/11", "2026年11月"): a month not after the current one."""
    raw = (period or "").strip()
    match = re.match(r"^(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?$", raw)
    value = f"{match.group(1)}-{int(match.group(2)):02d}" if match else raw
    if not PERIOD.match(value):
        raise DomainError(
            _("Enter the period as year and month, e.g. 2026-11."), code="invalid", field="period"
        )
    today = today or clock.today()
    if value > f"{today:%Y-%m}":
        raise DomainError(
            _("The period %(period)s is in the future.") % {"period": value},
            code="invalid",
            field="period",
        )
    return value


def _clean_percent(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if isinstance(value, float) and value != int(value):
        number = -1
    if not 0 <= number <= 100:
        raise DomainError(
            _("The percentage done must be a whole number from 0 to 100."),
            code="invalid",
            field="percent_done",
        )
    return number


def _clean_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise DomainError(
            _("The text is too long (at most %(limit)s characters).") % {"limit": TEXT_MAX},
            code="invalid",
            field=field,
        )
    return value


def progress_report_save(
    *,
    actor: Any,
    task: Task,
    period: str,
    text: str,
    percent_done: int,
    problems: str = "",
    department: Any = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    submit: bool = False,
) -> ProgressReport:
    """Write (or rewrite) the actor's department's report on ``task`` for a month, with files
    (``(name, bytes)`` pairs) and, with ``submit``, send it on — all or nothing. A report
    already submitted cannot be changed until it is returned."""
    period = clean_period(period)
    percent = _clean_percent(percent_done)
    text = _clean_text(text, "text")
    problems = _clean_text(problems, "problems")
    for name, content in attachments:
        _check_file(name, content)
    stored: list[ProgressAttachment] = []
    try:
        with transaction.atomic():
            report = _report_save(actor, task, period, text, percent, problems, department)
            for name, content in attachments:
                stored.append(
                    progress_report_attach(
                        actor=actor, report=report, content=content, filename=name
                    )
                )
            if submit:
                report = progress_report_submit(actor=actor, report=report)
    except Exception:
        for attachment in stored:  # the rows were rolled back: remove their files too
            attachment.file.storage.delete(attachment.file.name)
        raise
    return report


def _report_save(
    actor: Any, task: Task, period: str, text: str, percent: int, problems: str, department: Any
) -> ProgressReport:
    with transaction.atomic():
        task = _locked_task(task)
        chosen = _reporting_department(actor, task, department)
        _require_open(task)
        report, created = ProgressReport.objects.select_for_update().get_or_create(
            task=task,
            department=chosen,
            period=period,
            defaults={
                "is_lead_report": chosen.pk == task.lead_department_id,
                "text": text,
                "percent_done": percent,
                "problems": problems,
            },
        )
        if not created:
            if report.status not in EDITABLE_REPORT:
                raise ConflictError(
                    _("The report for %(period)s is %(status)s and cannot be changed.")
                    % {"period": period, "status": report.get_status_display()},
                    code="report_locked",
                )
            report.text, report.percent_done, report.problems = text, percent, problems
            report.row_version += 1
            report.save()
    return report


def _sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an accepted attachment, judged from its bytes."""
    if content.startswith(b"%PDF-"):
        return ("application/pdf", ".pdf") if b"%%EOF" in content[-1024:] else None
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", ".jpg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", ".png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                names = set(archive.namelist())
                if archive.testzip() is not None:
                    return None
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".docx",
            )
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
    return None


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[-200:] or _("unnamed file")


def _check_file(filename: str, content: bytes) -> tuple[str, tuple[str, str]]:
    """The cleaned name and (content type, extension) of an acceptable attachment."""
    name = _clean_name(filename)
    if not content:
        raise DomainError(_("The file %(name)s is empty.") % {"name": name}, field="attachments")
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The file %(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="too_large",
            field="attachments",
        )
    kind = _sniff(content)
    if kind is None:
        raise DomainError(
            _("%(name)s is not a PDF, Word, Excel, JPEG or PNG file (or it is damaged).")
            % {"name": name},
            code="file_type",
            field="attachments",
        )
    return name, kind


def progress_report_attach(
    *, actor: Any, report: ProgressReport, content: bytes, filename: str
) -> ProgressAttachment:
    """Attach a file to a draft or returned report (PDF, DOCX, XLSX, JPEG or PNG, ≤ 10 MB)."""
    name, kind = _check_file(filename, content)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
        task = _locked_task(report.task)
        _reporting_department(actor, task, report.department)
        if actor.role == Role.DEPARTMENT_STAFF and actor.department_id != report.department_id:
            raise PermissionDeniedError(_("You can only change your own department's report."))
        _require_open(task)
        if report.status not in EDITABLE_REPORT:
            raise ConflictError(
                _("The report is %(status)s and cannot be changed.")
                % {"status": report.get_status_display()},
                code="report_locked",
            )
        if report.attachments.count() >= MAX_ATTACHMENTS:
            raise DomainError(
                _("A report can have at most %(count)s files.") % {"count": MAX_ATTACHMENTS},
                field="attachments",
            )
        content_type, extension = kind
        attachment = ProgressAttachment(
            report=report,
            original_name=name,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
        )
        attachment.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def _consolidate(actor: Any, lead_report: ProgressReport, include: list[int] | None) -> list[int]:
    waiting = ProgressReport.objects.select_for_update().filter(
        task=lead_report.task,
        period=lead_report.period,
        is_lead_report=False,
        status=ReportStatus.SUBMITTED,
    )
    if include is not None:
        waiting = waiting.filter(pk__in=include)
    taken = []
    for report in waiting:
        report.status = ReportStatus.CONSOLIDATED
        report.consolidated_into = lead_report
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.row_version += 1
        report.save()
        task_event(
            task=lead_report.task,
            actor=actor,
            kind=TaskEventKind.REPORT_CONSOLIDATED,
            from_status=ReportStatus.SUBMITTED,
            to_status=ReportStatus.CONSOLIDATED,
            department=report.department,
            report=report,
            details={"into": lead_report.pk, "period": report.period},
        )
        taken.append(report.pk)
    return taken


def progress_report_submit(*, actor: Any, report: ProgressReport) -> ProgressReport:
    """Send a report on: a cooperating unit's to the lead, the lead's (with the cooperating
    reports of the month it consolidates) to the programme office."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        task = _locked_task(report.task)
        department = _reporting_department(actor, task, report.department)
        if department.pk != report.department_id:
            raise PermissionDeniedError(_("You can only submit your own department's report."))
        _require_open(task)
        if report.status not in EDITABLE_REPORT:
            raise ConflictError(
                _("The report is %(status)s and cannot be submitted again.")
                % {"status": report.get_status_display()},
                code="illegal_transition",
            )
        if not report.text:
            raise DomainError(
                _("Describe the progress before submitting."), code="invalid", field="text"
            )
        from_status = report.status
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = actor
        report.return_reason = ""
        report.row_version += 1
        report.save()
        consolidated = _consolidate(actor, report, None) if report.is_lead_report else []
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.REPORT_SUBMITTED,
            from_status=from_status,
            to_status=ReportStatus.SUBMITTED,
            department=report.department,
            report=report,
            details={
                "period": report.period,
                "percent_done": report.percent_done,
                "to": "programme_office" if report.is_lead_report else "lead",
                "consolidated": consolidated,
            },
        )
    return report


def progress_report_consolidate(
    *, actor: Any, report: ProgressReport, include: list[ProgressReport] | None = None
) -> list[int]:
    """The lead takes submitted cooperating reports of the month into its own report (all of
    them, or those in ``include``) before submitting it. Returns the reports taken."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        task = _locked_task(report.task)
        if not report.is_lead_report:
            raise DomainError(_("Only the lead department's report consolidates others."))
        if not (_is_lead_staff(actor, task) or has_role(actor, {Role.ADMINISTRATOR})):
            raise PermissionDeniedError(_("Only staff of the lead department may do this."))
        _require_open(task)
        if report.status not in (*EDITABLE_REPORT, ReportStatus.SUBMITTED):
            raise ConflictError(
                _("The report is %(status)s.") % {"status": report.get_status_display()},
                code="illegal_transition",
            )
        return _consolidate(actor, report, [r.pk for r in include] if include else None)


def progress_report_return(*, actor: Any, report: ProgressReport, reason: str) -> ProgressReport:
    """Send a submitted report back with a reason: the lead returns a cooperating unit's, the
    programme office the lead's."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Give a reason (at least 2 characters)."), field="reason")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        task = _locked_task(report.task)
        if report.is_lead_report:
            require_office(actor)
        elif not (_is_lead_staff(actor, task) or has_role(actor, OFFICE_ROLES)):
            raise PermissionDeniedError(_("Only the lead department may return this report."))
        if report.status != ReportStatus.SUBMITTED:
            raise ConflictError(
                _("Only a submitted report can be returned (this one is %(status)s).")
                % {"status": report.get_status_display()},
                code="illegal_transition",
            )
        report.status = ReportStatus.RETURNED
        report.return_reason = reason[:TEXT_MAX]
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.row_version += 1
        report.save()
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.REPORT_RETURNED,
            from_status=ReportStatus.SUBMITTED,
            to_status=ReportStatus.RETURNED,
            department=report.department,
            report=report,
            note=reason,
            details={"period": report.period},
        )
    return report


def progress_report_accept(*, actor: Any, report: ProgressReport) -> ProgressReport:
    """The programme office accepts the lead's report: the task takes its percentage
    (100 % = done, on the day the report was submitted)."""
    require_office(actor)
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        task = _locked_task(report.task)
        if not report.is_lead_report:
            raise DomainError(
                _("Cooperating units' reports are consolidated by the lead, not accepted here.")
            )
        if report.status != ReportStatus.SUBMITTED:
            raise ConflictError(
                _("Only a submitted report can be accepted (this one is %(status)s).")
                % {"status": report.get_status_display()},
                code="illegal_transition",
            )
        report.status = ReportStatus.ACCEPTED
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.row_version += 1
        report.save()
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.REPORT_ACCEPTED,
            from_status=ReportStatus.SUBMITTED,
            to_status=ReportStatus.ACCEPTED,
            department=report.department,
            report=report,
            details={"period": report.period, "percent_done": report.percent_done},
        )
        latest = (
            ProgressReport.objects.filter(
                task=task, is_lead_report=True, status=ReportStatus.ACCEPTED
            )
            .order_by("-period", "-reviewed_at")
            .first()
        )
        if latest is not None and latest.pk == report.pk and task.status in OPEN_TASK_STATUSES:
            from_status = task.status
            task.percent_done = report.percent_done
            if report.percent_done >= 100:
                task.status = TaskStatus.DONE
                submitted = report.submitted_at or timezone.now()
                task.completed_on = timezone.localdate(submitted)
            else:
                task.status = TaskStatus.IN_PROGRESS
            task.row_version += 1
            task.save()
            if task.status != from_status:
                task_event(
                    task=task,
                    actor=actor,
                    kind=TaskEventKind.STATUS_CHANGED,
                    from_status=from_status,
                    to_status=task.status,
                    report=report,
                )
    return report


def task_reopen(*, actor: Any, task: Task, reason: str) -> Task:
    """Take a done task back into work (the office found it was not finished)."""
    require_office(actor)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Give a reason (at least 2 characters)."), field="reason")
    with transaction.atomic():
        task = _locked_task(task)
        if task.status != TaskStatus.DONE:
            raise ConflictError(_("Only a done task can be reopened."), code="illegal_transition")
        if task.plan.status not in RUNNING_PLAN:
            raise ConflictError(_("The plan is not running."), code="plan_not_running")
        task.status = TaskStatus.IN_PROGRESS
        task.completed_on = None
        task.row_version += 1
        task.save()
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.STATUS_CHANGED,
            from_status=TaskStatus.DONE,
            to_status=TaskStatus.IN_PROGRESS,
            note=reason,
        )
    return task


def _supervise(actor: Any, task: Task, kind: str, note: str) -> Task:
    require_role(
        actor, SUPERVISION_ROLES, _("Only the programme office or a supervisor may do this.")
    )
    note = _clean_text(note, "note")
    with transaction.atomic():
        task = _locked_task(task)
        if task.plan.status not in RUNNING_PLAN or task.status not in OPEN_TASK_STATUSES:
            raise ConflictError(
                _("The task is %(status)s: nothing to urge.")
                % {"status": task.get_status_display()},
                code="task_closed",
            )
        if kind == TaskEventKind.URGED:
            Task.objects.filter(pk=task.pk).update(urge_count=F("urge_count") + 1)
        else:
            Task.objects.filter(pk=task.pk).update(is_escalated=True)
        task.refresh_from_db()
        task_event(
            task=task,
            actor=actor,
            kind=kind,
            department=task.lead_department,
            note=note,
            details={"urge_count": task.urge_count, "deadline": str(task.deadline or "")},
        )
    return task


def task_urge(*, actor: Any, task: Task, note: str = "") -> Task:
    """催办: press the lead department about a task (counted, with an event)."""
    return _supervise(actor, task, TaskEventKind.URGED, note)


def task_escalate(*, actor: Any, task: Task, note: str = "") -> Task:
    """督办: put a task under formal supervision (marked escalated, with an event)."""
    return _supervise(actor, task, TaskEventKind.ESCALATED, note)


def task_deadline_set(*, actor: Any, task: Task, deadline: dt.date | None, reason: str) -> Task:
    """Change a task's deadline (e.g. an agreed extension), with a reason."""
    require_office(actor)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(_("Give a reason (at least 2 characters)."), field="reason")
    if deadline is not None and (
        isinstance(deadline, dt.datetime) or not isinstance(deadline, dt.date)
    ):
        raise DomainError(_("Enter a valid date."), code="invalid", field="deadline")
    with transaction.atomic():
        task = _locked_task(task)
        if task.status == TaskStatus.CANCELLED:
            raise ConflictError(_("The task is cancelled."), code="task_closed")
        before = task.deadline
        task.deadline = deadline
        if deadline is not None:
            task.deadline_kind = "date"
        task.row_version += 1
        task.save()
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.DEADLINE_CHANGED,
            note=reason,
            details={"from": str(before or ""), "to": str(deadline or "")},
        )
    return task


def milestone_add(*, actor: Any, task: Task, title: str, due_on: dt.date) -> TaskMilestone:
    """Add an intermediate step (节点) with its date."""
    require_office(actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the milestone a title."), code="invalid", field="title")
    if isinstance(due_on, dt.datetime) or not isinstance(due_on, dt.date):
        raise DomainError(_("Enter a valid date."), code="invalid", field="due_on")
    with transaction.atomic():
        task = _locked_task(task)
        if task.status == TaskStatus.CANCELLED:
            raise ConflictError(_("The task is cancelled."), code="task_closed")
        milestone = TaskMilestone.objects.create(
            task=task, title=title[:300], due_on=due_on, order=task.milestones.count()
        )
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.MILESTONE,
            note=title,
            details={"milestone": milestone.pk, "due_on": str(due_on), "action": "added"},
        )
    return milestone


def milestone_done(
    *, actor: Any, milestone: TaskMilestone, done_on: dt.date | None = None
) -> TaskMilestone:
    """Mark a milestone reached (by the programme office or the lead department)."""
    with transaction.atomic():
        milestone = TaskMilestone.objects.select_for_update().get(pk=milestone.pk)
        task = _locked_task(milestone.task)
        if not (has_role(actor, OFFICE_ROLES) or _is_lead_staff(actor, task)):
            raise PermissionDeniedError(
                _("Only the programme office or the lead department may do this.")
            )
        if milestone.done_on is not None:
            raise ConflictError(_("The milestone is already reached."), code="illegal_transition")
        milestone.done_on = done_on or clock.today()
        milestone.save()
        task_event(
            task=task,
            actor=actor,
            kind=TaskEventKind.MILESTONE,
            note=milestone.title,
            details={
                "milestone": milestone.pk,
                "done_on": str(milestone.done_on),
                "action": "done",
            },
        )
    return milestone


def plan_settings() -> PlanSettings:
    settings_row, _created = PlanSettings.objects.get_or_create(pk=1)
    return settings_row


def plan_settings_update(
    *,
    actor: Any,
    yellow_light_working_days: int | None = None,
    reminder_working_days: int | None = None,
) -> PlanSettings:
    """Change when tasks turn yellow and when reminders start (working days, 1-60)."""
    require_office(actor)
    with transaction.atomic():
        row = plan_settings()
        row = PlanSettings.objects.select_for_update().get(pk=row.pk)
        for name, value in (
            ("yellow_light_working_days", yellow_light_working_days),
            ("reminder_working_days", reminder_working_days),
        ):
            if value is None:
                continue
            if not isinstance(value, int) or not 1 <= value <= 60:
                raise DomainError(_("Enter 1 to 60 working days."), code="invalid", field=name)
            setattr(row, name, value)
        row.save()
    return row
