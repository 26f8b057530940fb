"""The statistics page in real Chromium, for a supervisor, over appeals made through the
services and the rollup refreshed: the table agrees with the records, the ECharts charts and
the Leaflet grid density map draw, the group-by tabs change the table and the Excel export
reads back with the same totals."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, Category
from civicgrid.appeals.selectors.statistics import overdue_condition
from civicgrid.appeals.statistics_refresh import refresh_statistics
from civicgrid.appeals.tests.conftest import TODAY, accept, reply_and_approve, staff  # noqa: F401
from civicgrid.core.workdays import working_days_between
from civicgrid.territory.locator import invalidate_locator
from tests.browser.js_errors import collect_js_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEPTEMBER = "period=custom&start=2026-09-01&end=2026-09-30"


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from django.core.cache import cache

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def cells(browser_page: Any, selector: str) -> list[list[str]]:
    return browser_page.locator(selector).evaluate_all(
        "rows => rows.map(row => Array.from(row.children, cell => cell.innerText.trim()))"
    )


def test_supervisor_reads_the_september_statistics(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    staff: dict[str, Any],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
) -> None:
    lights = Category.objects.create(code="lights", name="路灯")
    noise = Category.objects.create(code="noise", name="噪声扰民")
    replied = accept(title="路灯不亮", category=lights)
    accept(title="路灯闪烁", category=lights, lon=7, lat=5)
    cancelled = accept(title="装修噪音", category=noise)
    accept(title="白藤湖占道经营", category=noise, lon=12, lat=5)
    replied = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=replied,
        expected_version=replied.version,
        department=territory.xz_government,
    )
    replied = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=replied, expected_version=replied.version
    )
    replied = reply_and_approve(
        actor=staff["xz_staff"], reviewer=staff["xz_dispatcher"], appeal=replied
    )
    services.appeal_cancel(
        actor=staff["xz_dispatcher"],
        appeal=cancelled,
        expected_version=cancelled.version,
        reason="重复来电",
    )
    refresh_statistics(full=True)
    assert replied.replied_at is not None
    assert replied.handling_deadline is not None
    replied_on = timezone.localdate(replied.replied_at)
    on_time = replied_on <= replied.handling_deadline
    rate = "100%" if on_time else "0%"
    days = f"{float(working_days_between(replied.accepted_on, replied_on)):.1f}"
    september = Appeal.objects.filter(accepted_on__year=2026, accepted_on__month=9)
    assert september.count() == 4
    # The live overdue count is taken on the platform's today (clock.today), like the lights.
    open_red = september.filter(overdue_condition(clock.today()))
    xz_overdue = (0 if on_time else 1) + open_red.filter(
        admin_unit_code__startswith="440402"
    ).count()
    dm_overdue = open_red.filter(admin_unit_code__startswith="440403").count()

    errors = collect_js_errors(page)
    log_in(page, staff["supervisor"].username)
    page.goto(f"{live_server.url}/appeals/statistics/?{SEPTEMBER}&group_by=district")
    table = "[data-testid=statistics-table]"
    assert cells(page, f"{table} tbody tr") == [
        ["香洲区", "2", "1", rate, str(xz_overdue), days, "–", "0%", "1", "0"],
        ["斗门区", "1", "0", "–", str(dm_overdue), "–", "–", "–", "0", "0"],
    ]
    total = cells(page, f"{table} tfoot tr")[0]
    overdue = str(xz_overdue + dm_overdue)
    # Received counts neither the cancelled nor the merged appeals (ADR 0004).
    assert total[1:] == ["3", "1", rate, overdue, days, "–", "0%", "1", "0"]

    # Every chart draws into its container; the density map draws the grids.
    for chart in ("chart-trend", "chart-categories", "chart-satisfaction"):
        page.wait_for_selector(f"#{chart} canvas, #{chart} svg")
    page.wait_for_function(
        "document.querySelectorAll('#statistics-map path.leaflet-interactive').length >= 4"
    )
    assert page.inner_text("#statistics-map-status") == ""

    # The category tab groups the same appeals by category.
    with page.expect_navigation():
        page.click("[data-testid=group-tabs] a[href$='group_by=category']")
    assert "group_by=category" in page.url
    rows = cells(page, f"{table} tbody tr")
    assert [(row[0], row[1], row[2], row[8]) for row in rows] == [
        ("路灯", "2", "1", "0"),
        ("噪声扰民", "1", "0", "1"),
    ]
    assert cells(page, f"{table} tfoot tr")[0][1:] == total[1:]

    # The Excel export of this grouping reads back with the same totals.
    with page.expect_download() as download_info:
        page.click("[data-testid=statistics-export]")
    download = download_info.value
    assert download.suggested_filename == "statistics-category-2026-09-01-2026-09-30.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert [(row[0], row[1], row[2], row[8]) for row in values[:-1]] == [
        ("路灯", 2, 1, 0),
        ("噪声扰民", 1, 0, 1),
    ]
    assert values[-1][1:3] == [3, 1]
    assert values[-1][4] == int(overdue)
    assert values[-1][8:] == [1, 0]
    assert errors == []
