"""督办 (supervision) of the published tasks: the task list with red and yellow lights and
filters, a task's page (lead and cooperating departments, milestones, the reports' timeline),
the departments' progress reports (a cooperating unit reports to the lead, the lead consolidates
and reports to the programme office), the office's review (accept / return), urging (催办),
escalating (督办), milestones and quality scores; and the attachments of the reports.

Which buttons a person sees comes from :func:`civicgrid.plans.selectors.task_permissions`;
the services check again. "Today" (for the lights) is :func:`civicgrid.plans.clock.today`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.selectors import departments_visible_to, units_visible_to
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.plans import selectors, services
from civicgrid.plans.models import ReportStatus, TaskStatus
from civicgrid.territory.models import AdminLevel

from ..views import staff_required
from .common import (
    OFFICE_ROLES,
    SUPERVISION_ROLES,
    TASK_ROLES,
    current_month,
    has_role,
    light_label,
    parse_month,
    report_error,
    require_roles,
    today,
)
from .forms import (
    DeadlineForm,
    MilestoneForm,
    NoteForm,
    ProgressReportForm,
    QualityScoreForm,
    ReasonForm,
)

PAGE_SIZE = 50
LIGHTS = ("red", "yellow", "green")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def districts_of(user: Any) -> list[tuple[str, str]]:
    """The districts a person may filter by (and "city" for the city departments' tasks)."""
    units = units_visible_to(user).filter(level=AdminLevel.DISTRICT).order_by("code")
    return [("city", pgettext("plans", "City departments"))] + [
        (unit.code, unit.name) for unit in units
    ]


def _filters(request: HttpRequest) -> dict[str, Any]:
    light = request.GET.get("light", "")
    status = request.GET.get("status", "")
    district = request.GET.get("district", "")
    return {
        "plan": _int(request.GET.get("plan")),
        "department": _int(request.GET.get("department")),
        "light": light if light in LIGHTS else "",
        "status": status if status in TaskStatus.values else "",
        "district": district if district.isdigit() or district == "city" else "",
        "q": request.GET.get("q", "").strip()[:100],
    }


@staff_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    """工作任务: the tasks the person may see, with lights, filters and paging."""
    user: Any = request.user
    require_roles(user, TASK_ROLES)
    filters = _filters(request)
    plans = list(selectors.plans_visible_to(user))
    plan = next((p for p in plans if p.pk == filters["plan"]), None)
    departments = list(departments_visible_to(user).order_by("kind", "name"))
    department = next((d for d in departments if d.pk == filters["department"]), None)
    day = today()
    tasks = selectors.tasks_visible_to(
        user,
        plan=plan,
        department=department,
        status=filters["status"] or None,
        light=filters["light"] or None,
        today=day,
        district=filters["district"] or None,
        search=filters["q"],
    )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    lights = selectors.task_lights(list(page.object_list), today=day)
    rows = [
        {
            "task": task,
            "light": lights.get(task.pk, ""),
            "light_label": light_label(lights.get(task.pk, "")),
        }
        for task in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/plans/task_list.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "plans": plans,
            "departments": departments,
            "districts": districts_of(user),
            "statuses": TaskStatus.choices,
            "lights": [(light, light_label(light)) for light in LIGHTS],
            "today": day,
            "query_string": query.urlencode(),
            "is_overview": has_role(user, SUPERVISION_ROLES | OFFICE_ROLES),
        },
    )


def _task(request: HttpRequest, pk: int) -> Any:
    require_roles(request.user, TASK_ROLES)
    task = selectors.task_visible_to(request.user, pk)
    if task is None:
        raise Http404
    return task


def _report(request: HttpRequest, task: Any, report_pk: int) -> Any:
    report = next(
        (r for r in selectors.reports_visible_to(request.user, task) if r.pk == report_pk), None
    )
    if report is None:
        raise Http404
    return report


def _own_report(reports: list[Any], department: Any, period: str) -> Any:
    if department is None:
        return None
    return next(
        (r for r in reports if r.department_id == department.pk and r.period == period), None
    )


@staff_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task: units, deadline and light, milestones, reports, timeline and the actions the
    person may take."""
    user: Any = request.user
    task = _task(request, pk)
    day = today()
    detail = selectors.task_light_detail(task, today=day)
    light = detail.light
    permissions = selectors.task_permissions(user, task)
    reports = list(selectors.reports_visible_to(user, task).prefetch_related("attachments"))
    period = parse_month(request.GET.get("period")) or current_month()
    own = _own_report(reports, permissions.department, period)
    report_form = None
    if permissions.may_report:
        initial: dict[str, Any] = {"period": period}
        if own is not None and own.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
            initial.update(
                {"text": own.text, "percent_done": own.percent_done, "problems": own.problems}
            )
        elif own is None:
            initial["percent_done"] = task.percent_done
        report_form = ProgressReportForm(initial=initial)
    waiting_for_lead = [
        r
        for r in reports
        if permissions.may_consolidate
        and not r.is_lead_report
        and r.status == ReportStatus.SUBMITTED
    ]
    waiting_for_office = [
        r
        for r in reports
        if permissions.may_review and r.is_lead_report and r.status == ReportStatus.SUBMITTED
    ]
    units = list(task.units.all())
    return render(
        request,
        "web/plans/task_detail.html",
        {
            "task": task,
            "light": light,
            "light_label": light_label(light),
            "light_detail": detail,
            "today": day,
            "permissions": permissions,
            "lead_units": [u for u in units if u.role == "lead"],
            "cooperating_units": [u for u in units if u.role == "cooperating"],
            "milestones": list(task.milestones.all()),
            "reports": reports,
            "own_report": own,
            "period": period,
            "report_form": report_form,
            "waiting_for_lead": waiting_for_lead,
            "waiting_for_office": waiting_for_office,
            "events": list(
                task.events.select_related("actor", "department").order_by("-at", "-id")
            ),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
            "milestone_form": MilestoneForm(),
            "deadline_form": DeadlineForm(initial={"deadline": task.deadline}),
            "may_manage": has_role(user, OFFICE_ROLES),
            "quality_form": (
                QualityScoreForm(departments=[u.department for u in units])
                if permissions.may_urge
                else None
            ),
        },
    )


def _back(task: Any) -> HttpResponse:
    return redirect("web:plans_task", pk=task.pk)


@staff_required
@require_POST
def report_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save (and with "submit", send) the department's report of a period with attachments."""
    user: Any = request.user
    task = _task(request, pk)
    form = ProgressReportForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return _back(task)
    data = form.cleaned_data
    try:
        services.progress_report_save(
            actor=user,
            task=task,
            period=data["period"],
            text=data["text"],
            percent_done=data["percent_done"],
            problems=data["problems"],
            attachments=[(Path(upload.name).name, upload.read()) for upload in data["attachments"]],
            submit="submit" in request.POST,
        )
    except DomainError as error:
        report_error(request, error)
        return redirect(f"{_task_url(task)}?period={data['period']}")
    if "submit" in request.POST:
        messages.success(
            request, _("The report for %(period)s was submitted.") % {"period": data["period"]}
        )
    else:
        messages.success(
            request,
            _("The report for %(period)s was saved as a draft.") % {"period": data["period"]},
        )
    return redirect(f"{_task_url(task)}?period={data['period']}")


def _task_url(task: Any) -> str:
    return reverse("web:plans_task", kwargs={"pk": task.pk})


def _lead_report_of(request: HttpRequest, task: Any, period: str) -> Any:
    """The lead department's own report of ``period``, if it has written one."""
    return next(
        (
            r
            for r in selectors.reports_visible_to(request.user, task)
            if r.is_lead_report and r.period == period
        ),
        None,
    )


@staff_required
@require_POST
def report_step(request: HttpRequest, pk: int, report_pk: int, step: str) -> HttpResponse:
    """The lead consolidates or returns a cooperating report; the office accepts or returns the
    lead's report; a department submits its saved draft."""
    user: Any = request.user
    task = _task(request, pk)
    report = _report(request, task, report_pk)
    try:
        if step == "consolidate":
            lead_report = _lead_report_of(request, task, report.period)
            if lead_report is None:
                messages.error(
                    request,
                    _(
                        "Save your own report for %(period)s first; the cooperating reports "
                        "are taken into it (submitting it takes in all of them)."
                    )
                    % {"period": report.period},
                )
                return _back(task)
            services.progress_report_consolidate(actor=user, report=lead_report, include=[report])
            messages.success(request, _("The report was taken into the lead's report."))
        elif step == "accept":
            services.progress_report_accept(actor=user, report=report)
            messages.success(request, _("The report was accepted."))
        elif step == "submit":
            services.progress_report_submit(actor=user, report=report)
            messages.success(request, _("The report was submitted."))
        elif step == "return":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the report is returned."))
                return _back(task)
            services.progress_report_return(
                actor=user, report=report, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The report was returned to the department."))
        else:
            raise Http404
    except DomainError as error:
        report_error(request, error)
    return _back(task)


@staff_required
@require_POST
def task_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """催办 (urge) and 督办 (escalate) a task."""
    user: Any = request.user
    task = _task(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if step == "urge":
            services.task_urge(actor=user, task=task, note=note)
            messages.success(request, _("The departments were urged."))
        elif step == "escalate":
            services.task_escalate(actor=user, task=task, note=note)
            messages.success(request, _("The task is escalated (督办)."))
        else:
            raise Http404
    except DomainError as error:
        report_error(request, error)
    return _back(task)


@staff_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = _task(request, pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the milestone a title and a date."))
        return _back(task)
    try:
        services.milestone_add(actor=user, task=task, **form.cleaned_data)
    except DomainError as error:
        report_error(request, error)
    return _back(task)


@staff_required
@require_POST
def deadline_set(request: HttpRequest, pk: int) -> HttpResponse:
    """调整期限 (the programme office), with the reason in the task's timeline."""
    user: Any = request.user
    task = _task(request, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new deadline and the reason."))
        return _back(task)
    try:
        services.task_deadline_set(
            actor=user,
            task=task,
            deadline=form.cleaned_data["deadline"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, _("The deadline was changed."))
    return _back(task)


@staff_required
@require_POST
def milestone_done(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    user: Any = request.user
    task = _task(request, pk)
    milestone = next((m for m in task.milestones.all() if m.pk == milestone_pk), None)
    if milestone is None:
        raise Http404
    try:
        services.milestone_done(actor=user, milestone=milestone)
    except DomainError as error:
        report_error(request, error)
    return _back(task)


@staff_required
@require_POST
def quality_score(request: HttpRequest, pk: int) -> HttpResponse:
    """质量评分: a reviewer scores a department's work on the task (for the assessment)."""
    user: Any = request.user
    task = _task(request, pk)
    departments = [unit.department for unit in task.units.all()]
    form = QualityScoreForm(request.POST, departments=departments)
    if not form.is_valid():
        messages.error(request, _("Give a score between 0 and 100."))
        return _back(task)
    department = next(d for d in departments if str(d.pk) == form.cleaned_data["department"])
    try:
        services.quality_score_set(
            actor=user,
            task=task,
            department=department,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, _("The quality score was saved."))
    return _back(task)


@staff_required
@require_GET
def attachment_file(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A report's attachment, for those who may see the report (downloads are audited)."""
    task = _task(request, pk)
    for report in selectors.reports_visible_to(request.user, task).prefetch_related("attachments"):
        for attachment in report.attachments.all():
            if attachment.pk == attachment_pk:
                audit_record(
                    actor=request.user,
                    action="plans.attachment_download",
                    target=attachment,
                    admin_unit_code=task.admin_unit_code,
                    details={"task": task.pk, "report": report.pk},
                )
                with attachment.file.open("rb") as handle:
                    content = handle.read()
                response = HttpResponse(
                    content, content_type=attachment.content_type or "application/octet-stream"
                )
                response["Content-Disposition"] = (
                    content_disposition_header(
                        as_attachment=True, filename=attachment.original_name
                    )
                    or ""
                )
                response["X-Content-Type-Options"] = "nosniff"
                response["Content-Security-Policy"] = "default-src 'none'; sandbox"
                return response
    raise Http404


urlpatterns: list[URLPattern] = [
    path("plans/tasks/", task_list, name="plans_tasks"),
    path("plans/tasks/<int:pk>/", task_detail, name="plans_task"),
    path("plans/tasks/<int:pk>/report/", report_save, name="plans_report_save"),
    path(
        "plans/tasks/<int:pk>/reports/<int:report_pk>/<slug:step>/",
        report_step,
        name="plans_report_step",
    ),
    path("plans/tasks/<int:pk>/milestones/", milestone_add, name="plans_milestone_add"),
    path("plans/tasks/<int:pk>/deadline/", deadline_set, name="plans_deadline_set"),
    path(
        "plans/tasks/<int:pk>/milestones/<int:milestone_pk>/done/",
        milestone_done,
        name="plans_milestone_done",
    ),
    path("plans/tasks/<int:pk>/quality/", quality_score, name="plans_quality_score"),
    path(
        "plans/tasks/<int:pk>/files/<int:attachment_pk>/",
        attachment_file,
        name="plans_attachment",
    ),
    path("plans/tasks/<int:pk>/<slug:step>/", task_step, name="plans_task_step"),
]
