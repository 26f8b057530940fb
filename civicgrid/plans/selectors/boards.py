"""Boards (看板) by department and by district, and the monthly report's data (月报).

Both count the tasks ``user`` may see (:func:`.visibility.tasks_visible_to`), by light and by
status, with a fixed number of queries whatever the number of tasks.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.errors import DomainError
from civicgrid.territory.models import AdminUnit

from .. import clock
from ..models import (
    Plan,
    ProgressReport,
    ReportStatus,
    Task,
    TaskStatus,
    TaskUnit,
    UnitRole,
)
from .lights import LIGHTS, light_for, light_thresholds
from .visibility import tasks_visible_to

CITY_KEY = "city"


def _empty_lights() -> dict[str, int]:
    return {**dict.fromkeys(LIGHTS, 0), "none": 0}


def _empty_statuses() -> dict[str, int]:
    return dict.fromkeys(TaskStatus.values, 0)


@dataclass
class BoardRow:
    key: str  # department code, or district division code ("city" for city departments)
    name: str
    total: int = 0
    lights: dict[str, int] = field(default_factory=_empty_lights)
    statuses: dict[str, int] = field(default_factory=_empty_statuses)
    cooperating: int = 0  # department board: tasks the department cooperates on

    def add(self, light: str, status: str) -> None:
        self.total += 1
        self.lights[light or "none"] += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1


def board_by_department(
    user: Any, *, today: dt.date | None = None, plan: Plan | None = None
) -> list[BoardRow]:
    """One row per lead department: its tasks by light and status, and how many it cooperates
    on. Department staff see their own department's row only. Worst first (red, yellow)."""
    thresholds = light_thresholds(today)
    tasks = tasks_visible_to(user, plan=plan)
    units = TaskUnit.objects.filter(task__in=tasks.values("pk")).values_list(
        "department__code",
        "department__name",
        "department__short_name",
        "role",
        "task__status",
        "task__deadline",
    )
    rows: dict[str, BoardRow] = {}
    own = user.department.code if user.role == Role.DEPARTMENT_STAFF and user.department else None
    for code, name, short_name, role, status, deadline in units:
        if own is not None and code != own:
            continue
        row = rows.setdefault(code, BoardRow(key=code, name=short_name or name))
        if role == UnitRole.LEAD:
            task = _TaskView(status=status, deadline=deadline)
            row.add(light_for(task, thresholds), status)
        else:
            row.cooperating += 1
    return sorted(rows.values(), key=lambda r: (-r.lights["red"], -r.lights["yellow"], r.key))


@dataclass(frozen=True)
class _TaskView:
    status: str
    deadline: dt.date | None


def board_by_district(
    user: Any, *, today: dt.date | None = None, plan: Plan | None = None
) -> list[BoardRow]:
    """One row per district: the tasks one of its bodies (district government, street
    offices …) leads, by light and status, and how many they cooperate on; tasks led by city
    departments together in a "city departments" row. A task led by several districts (各区)
    counts in each."""
    thresholds = light_thresholds(today)
    tasks = tasks_visible_to(user, plan=plan)
    units = TaskUnit.objects.filter(task__in=tasks.values("pk")).values_list(
        "task_id", "department__admin_unit__code", "role", "task__status", "task__deadline"
    )
    rows: dict[str, BoardRow] = {}
    seen: set[tuple[int, str, str]] = set()
    for task_id, code, role, status, deadline in units:
        key = code[:6] if len(code) >= 6 else CITY_KEY
        if (task_id, key, role) in seen:
            continue
        seen.add((task_id, key, role))
        row = rows.get(key)
        if row is None:
            row = rows[key] = BoardRow(key=key, name="")
        if role == UnitRole.LEAD:
            row.add(light_for(_TaskView(status, deadline), thresholds), status)
        else:
            row.cooperating += 1
    names = dict(AdminUnit.objects.filter(code__in=list(rows)).values_list("code", "name"))
    for key, row in rows.items():
        row.name = names.get(key, "") or (_("City departments") if key == CITY_KEY else key)
    return sorted(rows.values(), key=lambda r: (r.key != CITY_KEY, r.key))


# --- the monthly report -----------------------------------------------------------------------


@dataclass
class MonthlyRow:
    task: Task
    number: str
    title: str
    plan_title: str
    lead: str
    cooperating: list[str]
    deadline: dt.date | None
    deadline_text: str
    status: str
    status_label: str
    light: str
    percent_done: int
    report_status: str  # of the lead's report of the month ("" = none reported)
    report_status_label: str
    latest_period: str  # the month the progress text comes from
    latest_text: str
    problems: str
    urge_count: int = 0
    is_escalated: bool = False
    cooperating_reports: list[dict[str, str]] = field(default_factory=list)


@dataclass
class MonthlyReport:
    month: str
    as_of: dt.date
    rows: list[MonthlyRow]
    totals: dict[str, Any]


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        year, number = (int(part) for part in month.split("-"))
        first = dt.date(year, number, 1)
    except (ValueError, TypeError):
        raise DomainError(
            _("Enter the month as year and month, e.g. 2026-11."), code="invalid", field="month"
        ) from None
    return first, dt.date(year, number, calendar.monthrange(year, number)[1])


def monthly_report(
    user: Any, *, month: str, plan: Plan | None = None, today: dt.date | None = None
) -> MonthlyReport:
    """Per visible task: status, light (at the month's end, or today for the current month),
    the lead's report of the month (percent, progress, problems) or else the latest accepted
    one, and the cooperating units' reports of the month."""
    _first, last = month_bounds(month)
    today = today or clock.today()
    as_of = min(today, last)
    thresholds = light_thresholds(as_of)
    tasks = list(tasks_visible_to(user, plan=plan).prefetch_related("units__department"))
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    rows_qs = (
        ProgressReport.objects.filter(task__in=[t.pk for t in tasks], period__lte=month)
        .exclude(status=ReportStatus.DRAFT)
        .select_related("department")
        .order_by("-period", "-is_lead_report", "id")
    )
    for report in rows_qs:
        reports[report.task_id].append(report)
    rows = []
    totals: dict[str, Any] = {
        "tasks": 0,
        "reported": 0,
        "lights": _empty_lights(),
        "statuses": _empty_statuses(),
    }
    for task in tasks:
        units = list(task.units.all())
        lead_units = [u for u in units if u.role == UnitRole.LEAD]
        cooperating = [str(u.department) for u in units if u.role == UnitRole.COOPERATING]
        task_reports = reports.get(task.pk, [])
        of_month = next((r for r in task_reports if r.is_lead_report and r.period == month), None)
        accepted = next(
            (r for r in task_reports if r.is_lead_report and r.status == ReportStatus.ACCEPTED),
            None,
        )
        shown = of_month or accepted
        light = light_for(task, thresholds)
        row = MonthlyRow(
            task=task,
            number=task.number,
            title=task.title,
            plan_title=task.plan.title,
            lead="、".join(str(u.department) for u in lead_units),
            cooperating=cooperating,
            deadline=task.deadline,
            deadline_text=task.deadline_text,
            status=task.status,
            status_label=str(task.get_status_display()),
            light=light,
            percent_done=shown.percent_done if shown else task.percent_done,
            report_status=of_month.status if of_month else "",
            report_status_label=str(of_month.get_status_display()) if of_month else "",
            latest_period=shown.period if shown else "",
            latest_text=shown.text if shown else "",
            problems=shown.problems if shown else "",
            urge_count=task.urge_count,
            is_escalated=task.is_escalated,
            cooperating_reports=[
                {
                    "department": str(r.department),
                    "status": r.status,
                    "text": r.text,
                    "percent_done": str(r.percent_done),
                }
                for r in task_reports
                if not r.is_lead_report and r.period == month
            ],
        )
        rows.append(row)
        totals["tasks"] += 1
        totals["reported"] += 1 if of_month else 0
        totals["lights"][light or "none"] += 1
        totals["statuses"][task.status] = totals["statuses"].get(task.status, 0) + 1
    return MonthlyReport(month=month, as_of=as_of, rows=rows, totals=totals)
