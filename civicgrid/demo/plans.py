"""Demo policy plans (政策文件 → 工作方案 → 督办): the three shared documents imported, the Zhuhai
2014 reform plan reviewed and published as Zhuhai's programme, with progress in every state.

    from civicgrid.demo import plans
    plans.load()          # after loader.load_territory(); ``civicgrid demo plans``

What it does, through the plans services (as the programme office account ``office`` and demo
staff accounts of the departments, password as the other demo accounts):

* imports ``data/policy/*.txt``. The Guangdong 2011 decision (provincial bodies as units) and the
  Zhuhai 2012 equalisation plan (its text names no responsible units) stay drafts, to show the
  review screen with work left to do;
* reviews the Zhuhai 2014 plan (珠改组〔2014〕4) the way a reviewer would: 市公安局科技信息化处 →
  市公安局 (remembered as an alias); the two wrong fuzzy guesses (市质监局 and 市监察局 were read
  as 市安监局) and every name that is no department of the demo city (相关单位, 各成员单位,
  政协办, 统计局 …: all cooperating units) are marked "not a department", kept as written;
  then confirms and publishes it (78 tasks);
* **moves the plan into the present**: its deadlines are of 2014-2015, long past on the demo's
  today. A board where every task is red, or every task done, shows nothing, so every dated
  deadline is moved forward by (this year − 2014) years — "2014年底" becomes 31 December of this
  year, "2015年3月" March of next year — with a ``deadline_changed`` event that says why and
  the words of the document (``deadline_text``) unchanged. The yellow light is set to 20 working
  days (policy tasks run for months; 10 days of warning is short);
* files progress in every state (see :func:`_progress`): done on time, done late, red (overdue,
  urged and escalated), yellow (due within 20 working days) in progress, waiting for the office's
  review, returned with a reason, a cooperating unit's report waiting for the lead, green
  (next year), tasks without a dated deadline in progress; milestones, quality scores, today's
  reminders, and the current year's assessment computed (not published).

Idempotent: a document already imported (same bytes) is not imported again, a published plan is
not reviewed again, and progress is only created when the plan has none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import user_ensure_demo
from civicgrid.plans import clock, services
from civicgrid.plans.models import (
    DocumentVersion,
    Plan,
    PlanItemUnit,
    PlanStatus,
    ProgressReport,
    Resolution,
    Task,
    TaskEventKind,
    TaskUnit,
)
from civicgrid.territory.models import Department

from . import loader

POLICY_DIR = Path(__file__).resolve().parent / "data" / "policy"
PUBLISHED_DOCUMENT = "zhuhai-2014-social-system-reform-plan.txt"
DOCUMENT_YEAR = 2014  # the year the published plan was written for
YELLOW_WORKING_DAYS = 20
# Names as written that a reviewer resolves to a department of the demo city.
RESOLUTIONS = {"市公安局科技信息化处": "zh-public-security"}


@dataclass
class PlansDemoSummary:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(f"plans: {line}")


def _office() -> User:
    office = User.objects.filter(username="office", role=Role.PROGRAMME_OFFICE).first()
    if office is None:
        loader.accounts_ensure()
        office = User.objects.get(username="office")
    return office


def _import_all(office: User, summary: PlansDemoSummary) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for path in sorted(POLICY_DIR.glob("*.txt")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        version = DocumentVersion.objects.filter(sha256=digest).order_by("-number").first()
        if version is not None:
            plans[path.name] = version.plan
            summary.add(f"{path.name}: already imported (plan {version.plan.pk})")
            continue
        result = services.document_import_path(actor=office, path=path)
        plan = result.plan
        plans[path.name] = plan
        summary.add(
            f"{path.name}: imported as plan {plan.pk} — {plan.items.count()} items, "
            f"{plan.items.filter(is_task=True).count()} tasks, {plan.targets.count()} targets"
        )
    return plans


def _review(office: User, plan: Plan, summary: PlansDemoSummary) -> None:
    """Resolve what a reviewer would, confirm and publish."""
    resolved = not_department = 0
    rows = PlanItemUnit.objects.filter(item__plan=plan, item__is_task=True).select_related(
        "department"
    )
    for unit in rows.order_by("item__order", "order", "pk"):
        unit.refresh_from_db()
        code = RESOLUTIONS.get(unit.name)
        if code is not None and unit.department_id is None:
            department = Department.objects.get(code=code)
            services.unit_resolve(actor=office, unit=unit, department=department)
            resolved += 1
        elif unit.resolution == Resolution.FUZZY or not unit.is_resolved:
            # A wrong guess (市质监局 → 市安监局) or no department of the demo city.
            services.unit_resolve(actor=office, unit=unit, department=None, remember=False)
            not_department += 1
    services.plan_confirm(actor=office, plan=plan)
    tasks = services.plan_publish(actor=office, plan=plan)
    summary.add(
        f"{plan.title}: {resolved} unit name(s) resolved, {not_department} marked not a "
        f"department; published with {len(tasks)} tasks"
    )


def _shifted(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _move_deadlines(office: User, plan: Plan, today: dt.date, summary: PlansDemoSummary) -> None:
    years = today.year - DOCUMENT_YEAR
    if years <= 0:
        return
    moved = 0
    for task in Task.objects.filter(plan=plan, deadline__isnull=False).order_by("order"):
        if task.events.filter(kind=TaskEventKind.DEADLINE_CHANGED).exists():
            continue
        assert task.deadline is not None
        services.task_deadline_set(
            actor=office,
            task=task,
            deadline=_shifted(task.deadline, years),
            reason=(
                f"演示数据:原定 {task.deadline:%Y-%m-%d},整体顺延 {years} 年以便演示督办。"
                f" (Demo: moved {years} years forward from {task.deadline:%Y-%m-%d}.)"
            ),
        )
        moved += 1
    summary.add(f"{moved} deadlines moved {years} years forward (words of the document kept)")


def _staff_for(department: Department, accounts: dict[int, User]) -> User:
    """A demo staff account of ``department`` (the existing one for 民政局)."""
    if department.pk in accounts:
        return accounts[department.pk]
    existing = (
        User.objects.filter(role=Role.DEPARTMENT_STAFF, department=department, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is None:
        existing = user_ensure_demo(
            username="plans-" + department.code.removeprefix("zh-"),
            password=loader.DEMO_PASSWORD,
            role=Role.DEPARTMENT_STAFF,
            full_name=f"{department.short_name or department.name}经办人",
            phone=f"1380757{department.pk % 10000:04d}",
            department=department,
        )
    accounts[department.pk] = existing
    return existing


def _months(today: dt.date) -> tuple[str, str]:
    previous = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return previous, today.strftime("%Y-%m")


def _progress(office: User, plan: Plan, today: dt.date, summary: PlansDemoSummary) -> None:
    if ProgressReport.objects.filter(task__plan=plan).exists():
        summary.add("progress already there")
        return
    supervisor = User.objects.filter(username="supervisor").first() or office
    accounts: dict[int, User] = {}
    previous, current = _months(today)
    tasks = list(Task.objects.filter(plan=plan).select_related("lead_department").order_by("order"))
    overdue = [t for t in tasks if t.deadline and t.deadline < today]
    this_year = [
        t for t in tasks if t.deadline and today <= t.deadline <= dt.date(today.year, 12, 31)
    ]
    later = [t for t in tasks if t.deadline and t.deadline.year > today.year]
    undated = [t for t in tasks if t.deadline is None]
    states: dict[str, int] = {}

    def lead(task: Task) -> User:
        return _staff_for(task.lead_department, accounts)

    def report(task: Task, period: str, percent: int, text: str, problems: str = "",
               submit: bool = True) -> ProgressReport:  # fmt: skip
        return services.progress_report_save(
            actor=lead(task), task=task, period=period, text=text, percent_done=percent,
            problems=problems, submit=submit,
        )  # fmt: skip

    def accept(made: ProgressReport) -> None:
        services.progress_report_accept(actor=office, report=made)

    def count(state: str) -> None:
        states[state] = states.get(state, 0) + 1

    def done(task: Task) -> None:
        accept(report(task, previous, 70, "主体工作已完成,正在收尾。"))
        accept(report(task, current, 100, "任务已全部完成,相关制度已印发实施。"))
        services.quality_score_set(
            actor=supervisor, task=task, department=task.lead_department, score=88,
            comment="按期高质量完成。",
        )  # fmt: skip

    def red(task: Task) -> None:
        accept(report(task, previous, 30, "已完成调研,方案起草中。", "部门间协调难度较大。"))
        services.task_urge(
            actor=supervisor, task=task, note="已逾期,请加快推进并于5个工作日内报送进展。"
        )
        services.task_urge(actor=office, task=task, note="再次催办。")
        services.task_escalate(actor=office, task=task, note="逾期未完成,列入市社工委重点督办。")

    def in_progress(task: Task) -> None:
        accept(report(task, current, 60, "按计划推进,已完成阶段性任务。"))

    def waiting(task: Task) -> None:
        report(task, current, 50, "已形成初稿,征求意见中。")

    def returned(task: Task) -> None:
        made = report(task, current, 90, "基本完成。")
        services.progress_report_return(
            actor=office, report=made, reason="进展描述过于简略,请补充具体数据和佐证材料。"
        )

    def cooperating_waiting(task: Task) -> None:
        partner = (
            TaskUnit.objects.filter(task=task, role="cooperating")
            .select_related("department")
            .first()
        )
        if partner is None:
            waiting(task)
            return
        services.progress_report_save(
            actor=_staff_for(partner.department, accounts), task=task, period=current,
            text="配合完成经费测算。", percent_done=40, submit=True,
        )  # fmt: skip
        report(task, current, 40, "正在汇总各配合单位情况。", submit=False)

    def done_late(task: Task) -> None:
        accept(report(task, current, 100, "已完成,较计划时间有所延后。", "前期审批耗时较长。"))

    def milestones(task: Task) -> None:
        in_progress(task)
        assert task.deadline is not None
        first = services.milestone_add(
            actor=office, task=task, title="完成方案起草", due_on=today - dt.timedelta(days=20)
        )
        services.milestone_done(
            actor=lead(task), milestone=first, done_on=today - dt.timedelta(days=22)
        )
        services.milestone_add(actor=office, task=task, title="印发实施", due_on=task.deadline)

    scenarios: list[tuple[str, list[Task], Callable[[Task], None]]] = [
        ("done late", overdue[:1], done_late),
        ("red: urged and escalated", overdue[1:2], red),
        ("done on time", this_year[:5], done),
        ("yellow, in progress", this_year[5:8], in_progress),
        ("yellow, milestones", this_year[8:9], milestones),
        ("waiting for the office's review", this_year[9:10], waiting),
        ("returned by the office", this_year[10:11], returned),
        ("cooperating report waiting for the lead", this_year[11:12], cooperating_waiting),
        ("green, in progress", later[:1], in_progress),
        ("no dated deadline, in progress", undated[:6], in_progress),
        ("no dated deadline, done", undated[6:8], done),
    ]
    for name, chosen, action in scenarios:
        for task in chosen:
            with transaction.atomic():
                action(task)
            count(name)
    summary.add(
        "progress: "
        + ", ".join(f"{name} {n}" for name, n in states.items())
        + f"; {len(tasks) - sum(states.values())} tasks not started"
    )
    staff = sorted(user.username for user in accounts.values())
    summary.add(f"department accounts used (password {loader.DEMO_PASSWORD}): " + ", ".join(staff))


def load(*, today: dt.date | None = None) -> PlansDemoSummary:
    """Import, review, publish and supervise the demo plans (idempotent)."""
    summary = PlansDemoSummary()
    today = today or clock.today()
    office = _office()
    services.plan_settings_update(
        actor=office,
        yellow_light_working_days=YELLOW_WORKING_DAYS,
        reminder_working_days=YELLOW_WORKING_DAYS,
    )
    plans = _import_all(office, summary)
    plan = plans.get(PUBLISHED_DOCUMENT)
    if plan is None:
        summary.add(f"{PUBLISHED_DOCUMENT} is missing")
        return summary
    if plan.status in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW):
        if plan.status == PlanStatus.IN_REVIEW:
            services.plan_reopen(actor=office, plan=plan)
        _review(office, plan, summary)
    plan.refresh_from_db()
    if plan.status != PlanStatus.PUBLISHED:
        summary.add(f"{plan.title} is {plan.status}: nothing to supervise")
        return summary
    _move_deadlines(office, plan, today, summary)
    _progress(office, plan, today, summary)
    reminders = services.reminders_record(today=today)
    summary.add(f"reminders today: {reminders.recorded} recorded, {reminders.overdue} overdue")
    if not _scheme_frozen(today.year):
        services.assessment_scheme_save(
            actor=office, year=today.year, weight_on_time=40, weight_completion=40,
            weight_quality=20,
        )  # fmt: skip
        scheme = services.assessment_compute(actor=office, year=today.year)
        summary.add(
            f"assessment {today.year}: {scheme.results.count()} results computed (not published)"
        )
    return summary


def _scheme_frozen(year: int) -> bool:
    from civicgrid.plans.models import AssessmentScheme, AssessmentStatus

    return AssessmentScheme.objects.filter(year=year, status=AssessmentStatus.PUBLISHED).exists()
