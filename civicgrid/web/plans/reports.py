"""看板 and 月报: the boards by department and by district, and the monthly report with its
Excel and PDF files.

The page and both files show the same data: :func:`civicgrid.plans.selectors.monthly_report`
(the tasks the person may see, each with its light at the month's end — or today for the
current month — and the lead's report of the month) turned into plain rows by
:func:`monthly_report_data`. The files are in Chinese (they go to other offices) and every
export is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.plans import selectors

from ..views import staff_required
from .common import OVERVIEW_ROLES, current_month, light_label, parse_month, require_roles, today
from .report_files import (
    MonthlyReport,
    MonthlyReportRow,
    ReportColumn,
    SummaryRow,
    monthly_report_pdf,
    monthly_report_xlsx,
)

EXPORT_LANGUAGE = "zh-hans"
BOARD_KINDS = ("department", "district")


def _plan_filter(request: HttpRequest) -> tuple[list[Any], Any]:
    plans = list(selectors.plans_visible_to(request.user))
    wanted = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == wanted), None)
    return plans, plan


@staff_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """看板: tasks by lead department or by district, counted by light and status."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    kind = request.GET.get("by", "department")
    if kind not in BOARD_KINDS:
        kind = "department"
    plans, plan = _plan_filter(request)
    day = today()
    if kind == "department":
        rows = selectors.board_by_department(user, today=day, plan=plan)
    else:
        rows = selectors.board_by_district(user, today=day, plan=plan)
    totals = {
        "total": sum(row.total for row in rows),
        "red": sum(row.lights.get("red", 0) for row in rows),
        "yellow": sum(row.lights.get("yellow", 0) for row in rows),
        "green": sum(row.lights.get("green", 0) for row in rows),
        "done": sum(row.statuses.get("done", 0) for row in rows),
    }
    return render(
        request,
        "web/plans/board.html",
        {"rows": rows, "kind": kind, "plans": plans, "plan": plan, "today": day, "totals": totals},
    )


def _columns() -> tuple[ReportColumn, ...]:
    return (
        ReportColumn("number", _("No."), 8, 1.0),
        ReportColumn("title", _("Task"), 42, 5.0),
        ReportColumn("lead", pgettext("plans", "Lead department"), 22, 2.4),
        ReportColumn("cooperating", _("Cooperating units"), 26, 2.6),
        ReportColumn("deadline", _("Deadline"), 13, 1.5),
        ReportColumn("status", _("Status"), 10, 1.3),
        ReportColumn("percent_done", _("Done"), 8, 0.9),
        ReportColumn("light", _("Light"), 12, 1.3),
        ReportColumn("latest_report", pgettext("plans", "Progress"), 48, 5.2),
        ReportColumn("problems", _("Problems"), 30, 2.8),
    )


def monthly_report_data(user: Any, *, month: str, plan: Any = None) -> MonthlyReport:
    """The monthly report as plain rows (in the active language), for the page and the files."""
    data = selectors.monthly_report(user, month=month, plan=plan, today=today())
    rows = [
        MonthlyReportRow(
            number=row.number,
            title=row.title,
            plan=row.plan_title,
            lead=row.lead,
            cooperating="、".join(row.cooperating),
            deadline=row.deadline,
            deadline_text=row.deadline_text,
            status=row.status_label,
            percent_done=row.percent_done,
            light=row.light,
            light_label=light_label(row.light),
            latest_period=row.latest_period,
            latest_report=row.latest_text,
            problems=row.problems,
            urge_count=row.task.urge_count,
            is_escalated=row.task.is_escalated,
        )
        for row in data.rows
    ]
    board_rows = selectors.board_by_department(user, today=data.as_of, plan=plan)
    lights = data.totals.get("lights", {})
    scope = plan.title if plan is not None else _("all plans")
    return MonthlyReport(
        title=_("Policy tasks: monthly supervision report %(month)s") % {"month": month},
        subtitle=_("%(scope)s · lights as of %(day)s")
        % {"scope": scope, "day": data.as_of.isoformat()},
        columns=_columns(),
        rows=rows,
        figures=(
            (_("Tasks"), data.totals.get("tasks", 0)),
            (_("Reported this month"), data.totals.get("reported", 0)),
            (_("Red"), lights.get("red", 0)),
            (_("Yellow"), lights.get("yellow", 0)),
            (_("Green"), lights.get("green", 0)),
            (_("Done"), data.totals.get("statuses", {}).get("done", 0)),
        ),
        breakdown_title=_("By lead department"),
        breakdown_headings=(
            _("Department"),
            _("Tasks"),
            _("Done"),
            _("Red"),
            _("Yellow"),
            _("Green"),
        ),
        breakdown=[
            SummaryRow(
                name=row.name,
                total=row.total,
                done=row.statuses.get("done", 0),
                red=row.lights.get("red", 0),
                yellow=row.lights.get("yellow", 0),
                green=row.lights.get("green", 0),
            )
            for row in board_rows
        ],
        yes=_("yes"),
        page_label=_("page %(page)s"),
    )


def _month(request: HttpRequest) -> tuple[str, str]:
    """The month asked for (or the current one) and an error when the value was unreadable."""
    raw = request.GET.get("month", "")
    month = parse_month(raw)
    if month is None:
        return current_month(), (
            _("%(value)s is not a month (YYYY-MM).") % {"value": raw} if raw else ""
        )
    return month, ""


@staff_required
@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    """月报: the month's tasks with lights and progress; links to the Excel and PDF files."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    month, error = _month(request)
    plans, plan = _plan_filter(request)
    try:
        report = monthly_report_data(user, month=month, plan=plan)
    except DomainError as problem:
        month, error = current_month(), str(problem.message)
        report = monthly_report_data(user, month=month, plan=plan)
    return render(
        request,
        "web/plans/monthly.html",
        {
            "report": report,
            "month": month,
            "error": error,
            "plans": plans,
            "plan": plan,
            "export_query": f"month={month}" + (f"&plan={plan.pk}" if plan else ""),
        },
    )


@staff_required
@require_GET
def monthly_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The monthly report as an Excel or PDF file (Chinese; audited)."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    if fmt not in ("xlsx", "pdf"):
        raise PermissionDenied
    month, _error = _month(request)
    _plans, plan = _plan_filter(request)
    try:
        with translation.override(EXPORT_LANGUAGE):
            report = monthly_report_data(user, month=month, plan=plan)
            content = monthly_report_xlsx(report) if fmt == "xlsx" else monthly_report_pdf(report)
    except DomainError as problem:
        return HttpResponse(str(problem.message), status=400, content_type="text/plain")
    audit_record(
        actor=user,
        action="plans.monthly_report_export",
        target_type="plans.monthly_report",
        target_id=month,
        target_repr=report.title,
        details={
            "format": fmt,
            "month": month,
            "plan": plan.pk if plan else None,
            "rows": len(report.rows),
        },
    )
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "application/pdf"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="plans-monthly-{month}.{fmt}"'
    return response


urlpatterns: list[URLPattern] = [
    path("plans/boards/", board, name="plans_board"),
    path("plans/monthly/", monthly, name="plans_monthly"),
    path("plans/monthly/export.<str:fmt>", monthly_export, name="plans_monthly_export"),
]
