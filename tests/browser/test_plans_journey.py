"""A policy document from import to the monthly report, in real Chromium.

The programme office imports a document; on the review screen the extracted fields are
highlighted in the text, an unknown unit is flagged, the office resolves it to a department in
place (htmx), confirms and publishes. The lead department files a progress report, the office
accepts it; as the plans' "today" moves past the deadline the task's light turns yellow, then
red, and the monthly report lists it with its light and the report's text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicgrid.accounts.models import Role
from civicgrid.plans import clock
from civicgrid.plans.models import Plan, ProgressReport, ReportStatus, Task
from civicgrid.web.tests.plans_helpers import SAMPLE_TEXT
from tests.browser.js_errors import collect_js_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("CIVICGRID_SCREENSHOT_DIR", "")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.date]:
    """The plans' today, moved by the test (the live server runs in this process)."""
    current = {"day": dt.date(2026, 12, 1)}
    monkeypatch.setattr(clock, "today", lambda: current["day"])
    return current


def _shot(browser_page: Any, name: str) -> None:
    if SCREENSHOT_DIR:
        browser_page.screenshot(
            path=str(Path(SCREENSHOT_DIR) / f"plans-{name}.png"), full_page=True
        )


def _light(browser_page: Any, base: str, task: Task) -> str:
    browser_page.goto(f"{base}/plans/tasks/")
    return str(browser_page.get_attribute(f"tr[data-task='{task.pk}']", "data-light"))


def test_import_review_publish_report_lights_and_monthly_report(
    page: Any,
    browser: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    make_user: Callable[..., Any],
    today: dict[str, dt.date],
    tmp_path: Path,
) -> None:
    base = live_server.url
    make_user(
        Role.PROGRAMME_OFFICE, scope_unit=territory.city, username="office", full_name="社工委"
    )
    make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs, username="civil-affairs")
    document = tmp_path / "社区服务提升工作方案.txt"
    document.write_text(SAMPLE_TEXT, encoding="utf-8")
    errors = collect_js_errors(page)

    # The programme office imports the document and lands on the review screen.
    log_in(page, "office")
    page.goto(f"{base}/plans/documents/")
    page.set_input_files("[data-testid=document-upload] input[name=file]", str(document))
    page.click("[data-testid=document-upload] button[type=submit]")
    page.wait_for_selector("[data-testid=source-text]")
    plan = Plan.objects.get()
    assert page.url == f"{base}/plans/{plan.pk}/review/"
    source = page.locator("[data-testid=source-text]")
    assert source.locator(".hl-lead", has_text="市民政局").count() >= 1
    assert source.locator(".hl-cooperating", has_text="香洲区政府").count() >= 1
    assert source.locator(".hl-deadline", has_text="2026年12月底前完成").count() == 1
    assert source.locator(".hl-unresolved", has_text="市星空局").count() == 1

    # Picking an item shows its passage in the text.
    first = plan.items.get(number="1")
    page.click(f"#item-{first.pk} [data-pick-item]")
    current = source.locator(".is-current")
    assert current.count() >= 1
    assert "建设社区综合服务中心" in "".join(current.all_inner_texts())

    # The unknown unit is flagged; the office resolves it to 斗门区政府 in place.
    unknown = page.locator("[data-testid=unit][data-unit-name='市星空局']")
    assert unknown.get_attribute("data-resolved") == "no"
    assert page.locator("[data-testid=unresolved-list]").inner_text().strip().startswith("市星空局")
    _shot(page, "review")
    unknown.locator("select[name=department]").select_option(str(territory.dm_government.pk))
    unknown.locator("[data-testid=unit-resolve-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=unit][data-unit-name='市星空局'][data-resolved=yes]")
    assert page.url == f"{base}/plans/{plan.pk}/review/"  # corrected in place
    assert page.locator("[data-testid=unresolved-list]").count() == 0
    assert (
        "斗门区政府"
        in page.locator(
            "[data-testid=unit][data-unit-name='市星空局'] [data-testid=unit-departments]"
        ).inner_text()
    )
    assert source.locator(".hl-unresolved").count() == 0
    # A resolved unit's correction form is fetched when opened.
    known = page.locator(f"#item-{first.pk} [data-testid=unit][data-unit-name='市民政局']").first
    known.locator("summary").click()
    known.locator("[data-testid=unit-resolve-form] select").wait_for()
    assert known.locator("select option:checked").inner_text() == "珠海市民政局"

    # Confirm and publish: the tasks are created and assigned.
    page.click("[data-testid=plan-confirm]")
    page.wait_for_selector("[data-testid=plan-publish]")
    page.click("[data-testid=plan-publish]")
    page.wait_for_selector("[data-testid=task-table]")
    task = Task.objects.get(plan=plan, number="1")
    assert {unit.department.code for unit in task.units.all()} == {
        "city-civil-affairs",
        "xiangzhou-government",
        "doumen-government",
    }
    assert _light(page, base, task) == "green"

    # The lead department files its progress report of December.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        lead = context.new_page()
        lead_errors = collect_js_errors(lead)
        log_in(lead, "civil-affairs")
        lead.goto(f"{base}/plans/tasks/")
        lead.click(f"tr[data-task='{task.pk}'] a")
        lead.wait_for_selector("[data-testid=report-form]")
        lead.fill("[data-testid=report-form] input[name=period]", "2026-12")
        lead.fill(
            "[data-testid=report-form] textarea[name=text]", "全市已建成12个社区综合服务中心。"
        )
        lead.fill("[data-testid=report-form] input[name=percent_done]", "60")
        lead.fill("[data-testid=report-form] textarea[name=problems]", "部分社区用地紧张。")
        lead.click("[data-testid=report-submit]")
        lead.wait_for_selector("[data-testid=report][data-status=submitted]")
        _shot(lead, "task-report")
        assert lead_errors == []
    finally:
        context.close()
    report = ProgressReport.objects.get(task=task)
    assert (report.status, report.percent_done, report.is_lead_report) == (
        ReportStatus.SUBMITTED,
        60,
        True,
    )

    # The office accepts it; the task's progress follows.
    page.goto(f"{base}/plans/tasks/{task.pk}/")
    page.click("[data-testid=report-accept]")
    page.wait_for_selector("[data-testid=report][data-status=accepted]")
    assert "60%" in page.inner_text("[data-testid=task-percent]")

    # As the deadline (2026-12-31) comes near and passes, the light turns yellow, then red.
    today["day"] = dt.date(2026, 12, 22)
    assert _light(page, base, task) == "yellow"
    today["day"] = dt.date(2027, 1, 4)
    assert _light(page, base, task) == "red"
    _shot(page, "tasks-red")

    # The monthly report shows the task, red, with the lead's report.
    page.goto(f"{base}/plans/monthly/?month=2027-01")
    row = page.locator("[data-testid=monthly-table] tr[data-number='1']")
    assert row.get_attribute("data-light") == "red"
    assert "全市已建成12个社区综合服务中心。" in row.inner_text()
    assert "市民政局" in row.inner_text()
    _shot(page, "monthly")
    with page.expect_download() as download_info:
        page.click("[data-testid=export-pdf]")
    download = download_info.value
    assert download.suggested_filename == "plans-monthly-2027-01.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    assert errors == []
