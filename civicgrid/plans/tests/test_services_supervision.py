"""Supervision of published tasks: reports from cooperating units to the lead and from the lead
to the programme office, review, urging, escalation, milestones, reminders."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest

from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.plans import services
from civicgrid.plans.models import (
    ProgressAttachment,
    ProgressReport,
    ReportStatus,
    TaskEvent,
    TaskStatus,
)

from .core_helpers import *  # noqa: F403

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_cooperating_report_goes_to_the_lead_and_is_consolidated(
    published: Any, people: Any, departments: Any
) -> None:
    task = published.tasks_by_key["1"]
    coop = services.progress_report_save(
        actor=people["finance"], task=task, period="2026-11", text="资金已下达", percent_done=50
    )
    assert not coop.is_lead_report
    assert coop.department == departments["finance"]
    services.progress_report_submit(actor=people["finance"], report=coop)
    lead = services.progress_report_save(
        actor=people["civil"],
        task=task,
        period="2026年11月",
        text="中心选址完成",
        percent_done=60,
        problems="资金到位慢",
    )
    assert lead.is_lead_report
    assert lead.period == "2026-11"
    services.progress_report_submit(actor=people["civil"], report=lead)
    coop.refresh_from_db()
    assert coop.status == ReportStatus.CONSOLIDATED
    assert coop.consolidated_into == lead
    services.progress_report_accept(actor=people["office"], report=lead)
    task.refresh_from_db()
    assert (task.status, task.percent_done) == (TaskStatus.IN_PROGRESS, 60)
    kinds = list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds == [
        "published",
        "report_submitted",
        "report_consolidated",
        "report_submitted",
        "report_accepted",
        "status_changed",
    ]


def test_the_lead_returns_a_cooperating_report_and_it_comes_back(
    published: Any, people: Any
) -> None:
    task = published.tasks_by_key["1"]
    coop = services.progress_report_save(
        actor=people["xz"], task=task, period="2026-12", text="进行中", percent_done=10
    )
    services.progress_report_submit(actor=people["xz"], report=coop)
    with pytest.raises(PermissionDeniedError):
        services.progress_report_return(actor=people["finance"], report=coop, reason="不对")
    with pytest.raises(DomainError):
        services.progress_report_return(actor=people["civil"], report=coop, reason=" ")
    services.progress_report_return(actor=people["civil"], report=coop, reason="请补充数据")
    coop.refresh_from_db()
    assert (coop.status, coop.return_reason) == (ReportStatus.RETURNED, "请补充数据")
    again = services.progress_report_save(
        actor=people["xz"], task=task, period="2026-12", text="已建成3个站点", percent_done=30
    )
    assert again.pk == coop.pk
    assert again.status == ReportStatus.RETURNED
    services.progress_report_submit(actor=people["xz"], report=again)
    again.refresh_from_db()
    assert again.status == ReportStatus.SUBMITTED
    assert again.return_reason == ""


def test_the_office_returns_the_leads_report(published: Any, people: Any) -> None:
    task = published.tasks_by_key["2"]
    report = services.progress_report_save(
        actor=people["hr"], task=task, period="2026-12", text="培训一期", percent_done=30,
        submit=True,
    )  # fmt: skip
    assert report.status == ReportStatus.SUBMITTED
    with pytest.raises(PermissionDeniedError):
        services.progress_report_return(actor=people["hr"], report=report, reason="自己退回")
    services.progress_report_return(actor=people["office"], report=report, reason="进度不实")
    with pytest.raises(ConflictError):
        services.progress_report_accept(actor=people["office"], report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


def test_a_submitted_report_cannot_be_rewritten(published: Any, people: Any) -> None:
    task = published.tasks_by_key["2"]
    services.progress_report_save(
        actor=people["hr"], task=task, period="2026-12", text="一", percent_done=10, submit=True
    )
    with pytest.raises(ConflictError) as locked:
        services.progress_report_save(
            actor=people["hr"], task=task, period="2026-12", text="二", percent_done=90
        )
    assert locked.value.code == "report_locked"
    assert ProgressReport.objects.get().text == "一"


def test_100_percent_accepted_makes_the_task_done_and_closes_reporting(
    published: Any, people: Any
) -> None:
    task = published.tasks_by_key["1"]
    report = services.progress_report_save(
        actor=people["civil"], task=task, period="2026-12", text="全部建成", percent_done=100,
        submit=True,
    )  # fmt: skip
    services.progress_report_accept(actor=people["office"], report=report)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_on is not None
    with pytest.raises(ConflictError) as closed:
        services.progress_report_save(
            actor=people["finance"], task=task, period="2026-12", text="补报", percent_done=100
        )
    assert closed.value.code == "task_closed"
    services.task_reopen(actor=people["office"], task=task, reason="验收未通过")
    task.refresh_from_db()
    assert (task.status, task.completed_on) == (TaskStatus.IN_PROGRESS, None)


def test_no_report_after_the_plan_is_closed(published: Any, people: Any) -> None:
    services.plan_close(actor=people["office"], plan=published)
    with pytest.raises(ConflictError) as refused:
        services.progress_report_save(
            actor=people["civil"], task=published.tasks_by_key["1"], period="2026-12",
            text="晚了", percent_done=10,
        )  # fmt: skip
    assert refused.value.code == "plan_not_running"
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("role", ["dm", "office", "leader", "supervisor", "citizen"])
def test_only_responsible_departments_report(published: Any, people: Any, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        services.progress_report_save(
            actor=people[role], task=published.tasks_by_key["1"], period="2026-12", text="x",
            percent_done=1,
        )  # fmt: skip
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("period", "percent", "field"),
    [("2027-01", 10, "period"), ("2026-13", 10, "period"), ("十一月", 10, "period"),
     ("2026-11", 101, "percent_done"), ("2026-11", -1, "percent_done"),
     ("2026-11", "abc", "percent_done"), ("2026-11", 12.5, "percent_done")],
)  # fmt: skip
def test_bad_report_input(
    published: Any, people: Any, period: str, percent: Any, field: str
) -> None:
    with pytest.raises(DomainError) as bad:
        services.progress_report_save(
            actor=people["civil"], task=published.tasks_by_key["1"], period=period, text="x",
            percent_done=percent,
        )  # fmt: skip
    assert bad.value.field == field
    assert not ProgressReport.objects.exists()


def test_submit_needs_a_text(published: Any, people: Any) -> None:
    report = services.progress_report_save(
        actor=people["civil"], task=published.tasks_by_key["1"], period="2026-12", text="",
        percent_done=5,
    )  # fmt: skip
    with pytest.raises(DomainError) as empty:
        services.progress_report_submit(actor=people["civil"], report=report)
    assert empty.value.field == "text"


def test_attachments_are_checked_by_their_bytes(published: Any, people: Any) -> None:
    task = published.tasks_by_key["1"]
    report = services.progress_report_save(
        actor=people["civil"], task=task, period="2026-12", text="附照片", percent_done=5,
        attachments=[("进展.pdf", PDF), ("台账.docx", docx_bytes())],
    )  # fmt: skip
    stored = list(report.attachments.order_by("id"))
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("进展.pdf", "application/pdf"),
        ("台账.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    assert stored[0].file.read() == PDF
    for name, content in [("a.pdf", b"<html>not a pdf</html>"), ("b.pdf", b""),
                          ("c.pdf", b"%PDF-1.4 truncated")]:  # fmt: skip
        with pytest.raises(DomainError) as refused:
            services.progress_report_attach(
                actor=people["civil"], report=report, content=content, filename=name
            )
        assert refused.value.field == "attachments"
    with pytest.raises(PermissionDeniedError):
        services.progress_report_attach(
            actor=people["finance"], report=report, content=PDF, filename="x.pdf"
        )
    assert ProgressAttachment.objects.count() == 2


def test_a_bad_file_refuses_the_whole_save(published: Any, people: Any) -> None:
    with pytest.raises(DomainError):
        services.progress_report_save(
            actor=people["civil"], task=published.tasks_by_key["1"], period="2026-12",
            text="x", percent_done=5, attachments=[("ok.pdf", PDF), ("bad.exe", b"MZ\x90")],
        )  # fmt: skip
    assert not ProgressReport.objects.exists()
    assert not ProgressAttachment.objects.exists()


def test_urge_and_escalate(published: Any, people: Any) -> None:
    task = published.tasks_by_key["3"]
    services.task_urge(actor=people["supervisor"], task=task, note="请加快进度")
    services.task_urge(actor=people["office"], task=task)
    services.task_escalate(actor=people["office"], task=task, note="列入督办")
    task.refresh_from_db()
    assert (task.urge_count, task.is_escalated) == (2, True)
    events = list(TaskEvent.objects.filter(task=task, kind__in=["urged", "escalated"]))
    assert [(e.kind, e.note) for e in events] == [
        ("urged", "请加快进度"),
        ("urged", ""),
        ("escalated", "列入督办"),
    ]
    for role in ("dm", "leader", "citizen"):
        with pytest.raises(PermissionDeniedError):
            services.task_urge(actor=people[role], task=task)
    task.refresh_from_db()
    assert task.urge_count == 2


def test_milestones_and_deadlines(published: Any, people: Any) -> None:
    task = published.tasks_by_key["2"]
    milestone = services.milestone_add(
        actor=people["office"], task=task, title="完成首期培训", due_on=dt.date(2027, 3, 1)
    )
    with pytest.raises(PermissionDeniedError):
        services.milestone_done(actor=people["finance"], milestone=milestone)
    services.milestone_done(actor=people["hr"], milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2026, 12, 7)
    with pytest.raises(ConflictError):
        services.milestone_done(actor=people["hr"], milestone=milestone)
    with pytest.raises(DomainError):
        services.task_deadline_set(actor=people["office"], task=task, deadline=None, reason="")
    services.task_deadline_set(
        actor=people["office"], task=task, deadline=dt.date(2027, 9, 30), reason="市政府同意延期"
    )
    event = TaskEvent.objects.get(task=task, kind="deadline_changed")
    assert event.details == {"from": "2027-06-30", "to": "2027-09-30"}


def test_reminders_once_per_task_and_day(published: Any, people: Any, fixed_today: Any) -> None:
    # Today 2026-12-07: task 1 is due 12-10 (3 working days), task 3 was due 11-30, task 2 far.
    first = services.reminders_record()
    assert (first.recorded, first.overdue, first.already) == (2, 1, 0)
    again = services.reminders_record()
    assert (again.recorded, again.already) == (0, 2)
    reminders = TaskEvent.objects.filter(kind="reminder").order_by("task__item_key")
    assert [(r.task.item_key, r.details["overdue"], r.day) for r in reminders] == [
        ("1", False, dt.date(2026, 12, 7)),
        ("3", True, dt.date(2026, 12, 7)),
    ]
    report = services.progress_report_save(
        actor=people["dm"], task=published.tasks_by_key["3"], period="2026-12", text="完成",
        percent_done=100, submit=True,
    )  # fmt: skip
    services.progress_report_accept(actor=people["office"], report=report)
    fixed_today(dt.date(2026, 12, 8))
    next_day = services.reminders_record()
    assert next_day.recorded == 1  # only task 1 now: task 3 is done


def test_remind_command(published: Any, capsys: Any) -> None:
    from django.core.management import call_command

    call_command("plans", "remind", "--date", "2026-12-07")
    call_command("plans", "remind", "--date", "2026-12-07")
    out = capsys.readouterr().out.strip().splitlines()
    assert '"recorded": 2' in out[0]
    assert '"recorded": 0' in out[1]


def test_settings_move_the_yellow_light(published: Any, people: Any) -> None:
    from civicgrid.plans.selectors import task_light

    task = published.tasks_by_key["2"]  # due 2027-06-30
    assert task_light(task) == "green"
    services.plan_settings_update(actor=people["office"], yellow_light_working_days=60)
    assert task_light(task, dt.date(2027, 3, 1)) == "green"
    assert task_light(task, dt.date(2027, 5, 6)) == "yellow"
    with pytest.raises(DomainError):
        services.plan_settings_update(actor=people["office"], yellow_light_working_days=0)
    with pytest.raises(PermissionDeniedError):
        services.plan_settings_update(actor=people["civil"], yellow_light_working_days=5)
