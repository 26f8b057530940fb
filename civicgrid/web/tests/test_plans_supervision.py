"""Plans web: supervision of published tasks — lights that follow the day, who sees which task,
progress reports (cooperating unit → lead → programme office) with attachments, urging and
escalation, boards, the monthly report with its Excel and PDF files, and the assessment."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pdfminer.high_level import extract_text

from civicgrid.core.models import AuditRecord
from civicgrid.plans import services
from civicgrid.plans.models import (
    AssessmentScheme,
    ProgressReport,
    ReportStatus,
    Task,
    TaskEventKind,
    TaskStatus,
)

from .plans_helpers import *  # noqa: F403
from .plans_helpers import SAMPLE_TEXT, Clock, signed_in

pytestmark = pytest.mark.django_db
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def tasks(office: Any, territory: Any, day: Clock) -> dict[str, Task]:
    """The sample document imported, its unknown unit resolved, published."""
    result = services.document_import(
        actor=office, content=SAMPLE_TEXT.encode("utf-8"), filename="community-plan.txt"
    )
    plan = result.plan
    for item in plan.items.all():
        for unit in item.units.all():
            if not unit.is_resolved:
                services.unit_resolve(actor=office, unit=unit, department=territory.dm_government)
    services.plan_confirm(actor=office, plan=plan)
    services.plan_publish(actor=office, plan=plan)
    return {task.number: task for task in Task.objects.filter(plan=plan)}


def _row_light(html: str, task: Task) -> str:
    marker = f'data-task="{task.pk}" data-light="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_the_light_turns_yellow_then_red_as_the_deadline_passes(
    office: Any, tasks: dict[str, Task], day: Clock
) -> None:
    client = signed_in(office)
    task = tasks["1"]  # due 2026-12-31
    assert task.deadline == dt.date(2026, 12, 31)
    seen = []
    for today in (dt.date(2026, 12, 1), dt.date(2026, 12, 22), dt.date(2027, 1, 4)):
        day.set(today)
        html = client.get(reverse("web:plans_tasks")).content.decode()
        seen.append(_row_light(html, task))
        detail = client.get(reverse("web:plans_task", args=[task.pk])).content.decode()
        assert f'data-light="{seen[-1]}"' in detail
    assert seen == ["green", "yellow", "red"]
    red_only = client.get(reverse("web:plans_tasks"), {"light": "red"}).content.decode()
    assert f'data-task="{task.pk}"' in red_only
    assert f'data-task="{tasks["2"].pk}"' not in red_only


def test_department_staff_see_only_the_tasks_they_work_on(
    tasks: dict[str, Task], lead_staff: Any, other_staff: Any
) -> None:
    lead_list = signed_in(lead_staff).get(reverse("web:plans_tasks")).content.decode()
    assert f'data-task="{tasks["1"].pk}"' in lead_list  # leads it
    assert f'data-task="{tasks["2"].pk}"' in lead_list  # cooperates on it
    other = signed_in(other_staff)
    other_list = other.get(reverse("web:plans_tasks")).content.decode()
    assert f'data-task="{tasks["2"].pk}"' in other_list  # 斗门区政府 leads it
    # 斗门区政府 was resolved for 市星空局, so it cooperates on the first one as well.
    assert f'data-task="{tasks["1"].pk}"' in other_list


def test_a_department_outside_the_task_gets_404(
    tasks: dict[str, Task], make_user: Any, territory: Any
) -> None:
    from civicgrid.territory.models import Department, DepartmentKind

    outsider = Department.objects.create(
        code="city-culture",
        name="珠海市文化局",
        kind=DepartmentKind.GOVERNMENT,
        admin_unit=territory.city,
    )
    client = signed_in(make_user("department_staff", department=outsider))
    assert client.get(reverse("web:plans_task", args=[tasks["1"].pk])).status_code == 404
    assert b"data-task=" not in client.get(reverse("web:plans_tasks")).content


def test_reports_go_from_cooperating_unit_to_lead_to_office(
    office: Any, lead_staff: Any, coop_staff: Any, tasks: dict[str, Task], day: Clock
) -> None:
    task = tasks["1"]
    day.set(dt.date(2026, 12, 10))
    url = reverse("web:plans_report_save", args=[task.pk])
    # 香洲区政府 (cooperating) reports to the lead.
    coop = signed_in(coop_staff)
    coop.post(
        url,
        {"period": "2026-12", "text": "香洲区已完成选址。", "percent_done": "30", "submit": "1"},
    )
    coop_report = ProgressReport.objects.get(task=task, department__code="xiangzhou-government")
    assert coop_report.status == ReportStatus.SUBMITTED
    assert not coop_report.is_lead_report
    # The lead sees it waiting, takes it into its own report, and submits with an attachment.
    lead = signed_in(lead_staff)
    page = lead.get(reverse("web:plans_task", args=[task.pk])).content.decode()
    assert 'data-testid="waiting-for-lead"' in page
    assert "香洲区已完成选址。" in page
    lead.post(
        url,
        {
            "period": "2026-12",
            "text": "全市已建成12个中心。",
            "percent_done": "40",
            "problems": "用地紧张",
        },
    )
    lead_report = ProgressReport.objects.get(task=task, department__code="city-civil-affairs")
    assert lead_report.status == ReportStatus.DRAFT
    lead.post(reverse("web:plans_report_step", args=[task.pk, coop_report.pk, "consolidate"]))
    coop_report.refresh_from_db()
    assert coop_report.status == ReportStatus.CONSOLIDATED
    lead.post(
        url,
        {
            "period": "2026-12",
            "text": "全市已建成12个中心。",
            "percent_done": "40",
            "problems": "用地紧张",
            "attachments": SimpleUploadedFile("photos.pdf", PDF_BYTES, "application/pdf"),
            "submit": "1",
        },
    )
    lead_report.refresh_from_db()
    assert lead_report.status == ReportStatus.SUBMITTED
    assert lead_report.attachments.count() == 1
    # The programme office accepts it: the task's progress follows.
    office_client = signed_in(office)
    office_page = office_client.get(reverse("web:plans_task", args=[task.pk])).content.decode()
    assert 'data-testid="waiting-for-office"' in office_page
    office_client.post(reverse("web:plans_report_step", args=[task.pk, lead_report.pk, "accept"]))
    task.refresh_from_db()
    assert task.percent_done == 40
    assert task.status == TaskStatus.IN_PROGRESS
    attachment = lead_report.attachments.get()
    download = office_client.get(reverse("web:plans_attachment", args=[task.pk, attachment.pk]))
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert AuditRecord.objects.filter(action="plans.attachment_download").count() == 1


def test_a_returned_report_shows_the_reason_and_can_be_written_again(
    office: Any, lead_staff: Any, tasks: dict[str, Task], day: Clock
) -> None:
    task = tasks["1"]
    day.set(dt.date(2026, 12, 10))
    lead = signed_in(lead_staff)
    url = reverse("web:plans_report_save", args=[task.pk])
    lead.post(url, {"period": "2026-12", "text": "进展一般。", "percent_done": "10", "submit": "1"})
    report = ProgressReport.objects.get(task=task)
    signed_in(office).post(
        reverse("web:plans_report_step", args=[task.pk, report.pk, "return"]),
        {"reason": "请写明已建成的中心数量"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    page = lead.get(reverse("web:plans_task", args=[task.pk])).content.decode()
    assert "请写明已建成的中心数量" in page
    assert 'data-testid="report-form"' in page
    assert "进展一般。" in page


def test_bad_report_input_is_refused_with_a_message_and_nothing_saved(
    lead_staff: Any, tasks: dict[str, Task]
) -> None:
    task = tasks["1"]
    response = signed_in(lead_staff).post(
        reverse("web:plans_report_save", args=[task.pk]),
        {"period": "201412", "text": "x", "percent_done": "140"},
        follow=True,
    )
    html = response.content.decode()
    assert "YYYY-MM" in html
    assert "100" in html
    assert not ProgressReport.objects.exists()


def test_office_urges_and_escalates_department_staff_may_not(
    office: Any, lead_staff: Any, tasks: dict[str, Task]
) -> None:
    task = tasks["1"]
    refused = signed_in(lead_staff).post(
        reverse("web:plans_task_step", args=[task.pk, "urge"]), {"note": "快点"}
    )
    assert refused.status_code == 403
    client = signed_in(office)
    client.post(reverse("web:plans_task_step", args=[task.pk, "urge"]), {"note": "请加快进度"})
    client.post(reverse("web:plans_task_step", args=[task.pk, "escalate"]), {"note": "列入督办"})
    task.refresh_from_db()
    assert task.urge_count == 1
    assert task.is_escalated
    kinds = list(task.events.values_list("kind", flat=True))
    assert TaskEventKind.URGED in kinds
    assert TaskEventKind.ESCALATED in kinds
    timeline = client.get(reverse("web:plans_task", args=[task.pk])).content.decode()
    assert "请加快进度" in timeline


def test_boards_count_tasks_by_department_and_by_district(
    office: Any, tasks: dict[str, Task], day: Clock
) -> None:
    day.set(dt.date(2027, 1, 4))  # the first task is overdue
    client = signed_in(office)
    by_department = client.get(reverse("web:plans_board"), {"by": "department"}).content.decode()
    assert 'data-key="city-civil-affairs"' in by_department
    assert 'data-key="doumen-government"' in by_department
    by_district = client.get(reverse("web:plans_board"), {"by": "district"}).content.decode()
    assert 'data-testid="board"' in by_district
    assert 'data-key="440403"' in by_district


def test_monthly_report_page_and_its_excel_and_pdf_files(
    office: Any, lead_staff: Any, tasks: dict[str, Task], day: Clock
) -> None:
    day.set(dt.date(2026, 12, 22))
    lead = signed_in(lead_staff)
    lead.post(
        reverse("web:plans_report_save", args=[tasks["1"].pk]),
        {"period": "2026-12", "text": "全市已建成12个中心。", "percent_done": "40", "submit": "1"},
    )
    client = signed_in(office)
    page = client.get(reverse("web:plans_monthly"), {"month": "2026-12"}).content.decode()
    assert 'data-testid="monthly-table"' in page
    assert 'data-number="1"' in page
    assert "全市已建成12个中心。" in page
    assert 'data-light="yellow"' in page
    xlsx = client.get(reverse("web:plans_monthly_export", args=["xlsx"]), {"month": "2026-12"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["tasks"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "建设社区综合服务中心" in values
    assert "全市已建成12个中心。" in values
    assert "市民政局" in "".join(str(v) for v in values)
    pdf = client.get(reverse("web:plans_monthly_export", args=["pdf"]), {"month": "2026-12"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(extract_text(io.BytesIO(pdf.content)).split())
    assert "建设社区综合服务中心" in text
    assert "全市已建成12个中心" in text
    assert AuditRecord.objects.filter(action="plans.monthly_report_export").count() == 2
    # Department staff have no monthly report page.
    assert lead.get(reverse("web:plans_monthly")).status_code == 403
    # An unreadable month falls back to the current one with a message.
    fallback = client.get(reverse("web:plans_monthly"), {"month": "2026-13"}).content.decode()
    assert "2026-13" in fallback
    assert 'value="2026-12"' in fallback


def test_assessment_weights_compute_publish_and_records(
    office: Any, lead_staff: Any, tasks: dict[str, Task], day: Clock
) -> None:
    client = signed_in(office)
    url = reverse("web:plans_assessment_step", args=["weights"])
    refused = client.post(
        url,
        {"year": "2026", "weight_on_time": "50", "weight_completion": "40", "weight_quality": "20"},
        follow=True,
    )
    assert "100" in refused.content.decode()
    assert not AssessmentScheme.objects.exists()
    client.post(
        url,
        {"year": "2026", "weight_on_time": "50", "weight_completion": "30", "weight_quality": "20"},
    )
    scheme = AssessmentScheme.objects.get(year=2026)
    assert (scheme.weight_on_time, scheme.weight_completion, scheme.weight_quality) == (50, 30, 20)
    day.set(dt.date(2027, 1, 4))
    client.post(reverse("web:plans_assessment_step", args=["compute"]), {"year": "2026"})
    page = client.get(reverse("web:plans_assessment"), {"year": "2026"}).content.decode()
    assert 'data-testid="ranking-department"' in page
    assert 'data-name="珠海市民政局"' in page or 'data-name="市民政局"' in page
    assert "建设社区综合服务中心" in page  # the record behind the score
    # Before publication department staff see no ranking; after it they do.
    lead = signed_in(lead_staff)
    assert (
        'data-testid="ranking-department"'
        not in lead.get(reverse("web:plans_assessment"), {"year": "2026"}).content.decode()
    )
    client.post(reverse("web:plans_assessment_step", args=["publish"]), {"year": "2026"})
    assert (
        'data-testid="ranking-department"'
        in lead.get(reverse("web:plans_assessment"), {"year": "2026"}).content.decode()
    )


def test_task_list_filters_by_district_and_words(office: Any, tasks: dict[str, Task]) -> None:
    client = signed_in(office)
    doumen = client.get(reverse("web:plans_tasks"), {"district": "440403"}).content.decode()
    assert f'data-task="{tasks["2"].pk}"' in doumen  # led by 斗门区政府
    assert f'data-task="{tasks["1"].pk}"' not in doumen
    city = client.get(reverse("web:plans_tasks"), {"district": "city"}).content.decode()
    assert f'data-task="{tasks["1"].pk}"' in city  # led by 市民政局
    assert f'data-task="{tasks["2"].pk}"' not in city
    found = client.get(reverse("web:plans_tasks"), {"q": "网格"}).content.decode()
    assert f'data-task="{tasks["2"].pk}"' in found
    assert f'data-task="{tasks["1"].pk}"' not in found


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("web:plans_tasks", {}),
        ("web:plans_board", {"by": "department"}),
        ("web:plans_board", {"by": "district"}),
        ("web:plans_monthly", {"month": "2026-12"}),
    ],
)
def test_lists_queries_do_not_grow_with_the_tasks(
    office: Any,
    tasks: dict[str, Task],
    django_assert_max_num_queries: Any,
    url_name: str,
    query: dict[str, str],
) -> None:
    """As many queries for one published plan's 2 tasks as for two plans' 4 tasks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(office)
    with CaptureQueriesContext(connection) as two:
        client.get(reverse(url_name), query)
    changed = SAMPLE_TEXT.replace("珠社改〔2026〕1号", "珠社改〔2026〕2号")
    result = services.document_import(
        actor=office, content=changed.encode("utf-8"), filename="second.txt", title="第二个方案"
    )
    for item in result.plan.items.all():
        for unit in item.units.all():
            if not unit.is_resolved:
                services.unit_resolve(actor=office, unit=unit, department=None)
    services.plan_confirm(actor=office, plan=result.plan)
    services.plan_publish(actor=office, plan=result.plan)
    assert Task.objects.count() == 4
    with django_assert_max_num_queries(len(two.captured_queries)):
        client.get(reverse(url_name), query)


def test_office_changes_a_deadline_with_a_reason(
    office: Any, lead_staff: Any, tasks: dict[str, Task], day: Clock
) -> None:
    task = tasks["1"]
    url = reverse("web:plans_deadline_set", args=[task.pk])
    assert (
        signed_in(lead_staff).post(url, {"deadline": "2027-03-31", "reason": "延期"}).status_code
        == 403
    )
    client = signed_in(office)
    client.post(url, {"deadline": "2027-03-31", "reason": ""})
    task.refresh_from_db()
    assert task.deadline == dt.date(2026, 12, 31)  # no reason, no change
    client.post(url, {"deadline": "2027-03-31", "reason": "用地调整，经协商延期"})
    task.refresh_from_db()
    assert task.deadline == dt.date(2027, 3, 31)
    day.set(dt.date(2027, 1, 4))
    html = client.get(reverse("web:plans_tasks")).content.decode()
    assert f'data-task="{task.pk}" data-light="green"' in html
    assert (
        "用地调整，经协商延期"
        in client.get(reverse("web:plans_task", args=[task.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("role", "tasks_page", "monthly_page"),
    [
        ("citizen", 403, 403),
        ("dispatcher", 403, 403),
        ("department_staff", 200, 403),
        ("leader", 200, 200),
        ("supervisor", 200, 200),
    ],
)
def test_who_opens_the_supervision_pages(
    tasks: dict[str, Task],
    make_user: Any,
    territory: Any,
    role: str,
    tasks_page: int,
    monthly_page: int,
) -> None:
    user = make_user(
        role,
        scope_unit=territory.city if role != "department_staff" else None,
        department=territory.civil_affairs if role == "department_staff" else None,
    )
    client = signed_in(user)
    assert client.get(reverse("web:plans_tasks")).status_code == tasks_page
    assert client.get(reverse("web:plans_monthly")).status_code == monthly_page
    assert client.get(reverse("web:plans_board")).status_code == monthly_page
    # Nobody but the programme office urges through the page's form for a leader.
    if role == "leader":
        response = client.post(reverse("web:plans_task_step", args=[tasks["1"].pk, "urge"]))
        assert response.status_code == 403
        assert Task.objects.get(pk=tasks["1"].pk).urge_count == 0


def test_anonymous_is_sent_to_the_login_page(tasks: dict[str, Task]) -> None:
    from django.test import Client

    for url in (reverse("web:plans_tasks"), reverse("web:plans_task", args=[tasks["1"].pk])):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
