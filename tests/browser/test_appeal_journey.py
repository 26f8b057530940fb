"""One appeal through every step in real Chromium: a citizen submits it on the web, the
dispatcher dispatches it, the department signs for it and replies, the citizen is not satisfied
and asks for it to be handled again, the department replies again, the citizen is satisfied and
the dispatcher closes it. The timeline then lists every step."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.statistics_refresh import refresh_statistics
from civicgrid.appeals.tests.conftest import TODAY
from civicgrid.core.workdays import working_days_between
from civicgrid.territory.locator import invalidate_locator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots of the detail page (desktop) and the receipt (phone) when this is set.
SCREENSHOT_DIR = os.environ.get("CIVICGRID_SCREENSHOT_DIR", "")


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from django.core.cache import cache

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def status_of(browser_page: Any) -> str:
    return str(browser_page.inner_text("[data-testid=status]")).strip()


def step(browser_page: Any, name: str) -> None:
    browser_page.click(f"[data-step-submit={name}]")
    browser_page.wait_for_load_state()


def track(browser_page: Any, base: str, number: str, code: str) -> None:
    browser_page.goto(f"{base}/appeals/track/")
    browser_page.fill("input[name=number]", number)
    browser_page.fill("input[name=query_code]", code)
    browser_page.click("[data-testid=track-form] button[type=submit]")
    browser_page.wait_for_selector("[data-testid=track-result]")


def test_one_appeal_from_submission_to_closing(
    page: Any,
    browser: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    make_user: Callable[..., Any],
) -> None:
    base = live_server.url
    dispatcher_user = make_user(Role.DISPATCHER, scope_unit=territory.city, username="disp")
    make_user(Role.DEPARTMENT_STAFF, department=territory.xz_government, username="xz-dept")
    contexts = []

    def signed_in(username: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        staff_page = context.new_page()
        log_in(staff_page, username)
        return staff_page

    try:
        # The citizen submits on the web and keeps the number and the query code.
        page.goto(f"{base}/appeals/new/")
        assert page.locator("#appeal-map.leaflet-container").count() == 1
        page.select_option("select[name=appeal_type]", "complaint")
        page.fill("input[name=title]", "夜间施工噪音")
        page.fill("textarea[name=text]", "紫荆路工地每晚施工到凌晨。")
        page.fill("input[name=address]", "紫荆路 8 号")
        page.fill("input[name=citizen_name]", "陈小明")
        page.fill("input[name=citizen_phone]", "13700137000")
        page.click("[data-testid=appeal-new-form] button[type=submit]")
        number = page.inner_text("[data-testid=appeal-number]").strip()
        if SCREENSHOT_DIR:
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(Path(SCREENSHOT_DIR) / "appeal-receipt.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 860})
        code = page.inner_text("[data-testid=query-code]").strip()
        appeal = Appeal.objects.get(number=number)
        assert services.query_code_matches(appeal, code)

        # The dispatcher finds it in the queue and dispatches it.
        dispatcher = signed_in(dispatcher_user.username)
        dispatcher.goto(f"{base}/appeals/queue/")
        dispatcher.click(f"tr[data-number='{number}'] a")
        dispatcher.wait_for_selector("#step-dispatch")
        assert "陈**" in dispatcher.inner_text("[data-testid=citizen]")
        assert "13700137000" not in dispatcher.content()
        dispatcher.select_option(
            "#step-dispatch select[name=department]", str(territory.xz_government.pk)
        )
        step(dispatcher, "dispatch")
        assert status_of(dispatcher) == "已派单"

        # The department signs for it and replies.
        department = signed_in("xz-dept")
        department.goto(f"{base}/appeals/inbox/")
        department.click(f"tr[data-number='{number}'] a")
        step(department, "sign_for")
        assert status_of(department) == "已签收"
        department.fill("#step-reply textarea[name=reply]", "已要求工地晚上十点后停工。")
        step(department, "reply")
        assert department.locator("[data-testid=status].status-reviewing").count() == 1

        # While the reply is reviewed the citizen does not see it.
        track(page, base, number, code)
        assert page.locator("[data-testid=reply]").count() == 0
        assert page.locator("[data-testid=status].status-reviewing").count() == 1

        # The dispatcher finds it among the replies to review and approves it.
        dispatcher.goto(f"{base}/appeals/review/")
        dispatcher.click(f"tr[data-number='{number}'] a")
        step(dispatcher, "reply_approve")
        assert status_of(dispatcher) == "已答复"

        # The citizen is not satisfied and asks for the appeal to be handled again.
        track(page, base, number, code)
        assert "已要求工地晚上十点后停工。" in page.inner_text("[data-testid=reply]")
        page.check("input[name=satisfaction][value=unsatisfied]")
        page.fill("textarea[name=comment]", "昨晚仍在施工")
        page.check("input[name=reopen]")
        page.click("[data-testid=rate-box] button[type=submit]")
        page.wait_for_selector("[data-testid=track-result]")
        assert status_of(page) == "已派单"

        # The department signs for it again and replies again.
        department.goto(f"{base}/appeals/{number}/")
        step(department, "sign_for")
        department.fill("#step-reply textarea[name=reply]", "已查处并罚款，工地已停止夜间施工。")
        step(department, "reply")
        assert department.locator("[data-testid=status].status-reviewing").count() == 1
        dispatcher.goto(f"{base}/appeals/{number}/")
        step(dispatcher, "reply_approve")
        assert status_of(dispatcher) == "已答复"

        # This time the citizen is satisfied.
        track(page, base, number, code)
        page.check("input[name=satisfaction][value=satisfied]")
        page.click("[data-testid=rate-box] button[type=submit]")
        page.wait_for_selector("[data-testid=track-result]")
        assert status_of(page) == "已回访"

        # The dispatcher closes it; the timeline lists every step, with the deadlines.
        dispatcher.goto(f"{base}/appeals/{number}/")
        step(dispatcher, "close")
        assert status_of(dispatcher) == "已办结"
        kinds = dispatcher.locator("[data-testid=timeline] li").evaluate_all(
            "items => items.map(item => item.dataset.kind)"
        )
        assert kinds == [
            "accept",
            "dispatch",
            "sign_for",
            "reply",
            "reply_approve",
            "citizen_rating",
            "reopen",
            "sign_for",
            "reply",
            "reply_approve",
            "citizen_rating",
            "close",
        ]
        appeal.refresh_from_db()
        assert (appeal.status, appeal.satisfaction, appeal.reopen_count) == (
            AppealStatus.CLOSED,
            "satisfied",
            1,
        )
        shown_sign_for = dispatcher.inner_text("[data-testid=sign-for-deadline]").strip()
        shown_handling = dispatcher.inner_text("[data-testid=handling-deadline]").strip()
        assert shown_sign_for == f"{appeal.sign_for_deadline:%Y-%m-%d}"
        assert shown_handling == f"{appeal.handling_deadline:%Y-%m-%d}"

        # The statistics of September (after the rollup refresh the beat schedule runs) count
        # this one appeal exactly as its record says.
        refresh_statistics(full=True)
        dispatcher.goto(
            f"{base}/appeals/statistics/?period=custom&start=2026-09-01&end=2026-09-30"
            "&group_by=district"
        )
        total = dispatcher.locator("[data-testid=statistics-table] tfoot td").all_inner_texts()
        assert appeal.replied_at is not None
        assert appeal.handling_deadline is not None
        replied_on = timezone.localdate(appeal.replied_at)
        on_time = replied_on <= appeal.handling_deadline
        assert total == [
            "1",  # received
            "1",  # replied
            "100%" if on_time else "0%",  # on time
            "0" if on_time else "1",  # overdue (replied late)
            f"{float(working_days_between(appeal.accepted_on, replied_on)):.1f}",
            "100%",  # satisfied
            "100%",  # reopened once
            "0",  # cancelled
            "0",  # merged
        ]
        if SCREENSHOT_DIR:
            dispatcher.screenshot(
                path=str(Path(SCREENSHOT_DIR) / "appeal-detail.png"), full_page=True
            )
    finally:
        for context in contexts:
            context.close()
