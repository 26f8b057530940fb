"""A dispatcher merges a duplicate from the primary appeal's page (duplicates panel), and the
citizen of the merged appeal, tracking it with number and query code, sees that it was merged
and, once the primary's reply is approved, that reply."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator
from tests.browser.js_errors import collect_js_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "已更换紫荆路128号门口的路灯。"


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from django.core.cache import cache

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def track(browser_page: Any, base: str, number: str, code: str) -> None:
    browser_page.goto(f"{base}/appeals/track/")
    browser_page.fill("input[name=number]", number)
    browser_page.fill("input[name=query_code]", code)
    browser_page.click("[data-testid=track-form] button[type=submit]")
    browser_page.wait_for_selector("[data-testid=track-result]")


def test_dispatcher_merges_a_duplicate_and_its_citizen_sees_the_primary_reply(
    page: Any,
    browser: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    staff: dict[str, Any],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
) -> None:
    base = live_server.url
    primary = accept(
        title="紫荆路128号路灯不亮", text="紫荆路128号门口的路灯晚上不亮。", lon=2.5, lat=5.25
    )
    duplicate, code = services.appeal_accept(
        actor=staff["operator"],
        channel="hotline",
        appeal_type="complaint",
        title="紫荆路128号门口路灯坏了",
        text="紫荆路128号门口的路灯坏了，晚上不亮。",
        lon=2.5002,
        lat=5.2501,
        citizen_name="王五",
        citizen_phone="13600136000",
    )
    assert code
    errors = collect_js_errors(page)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        dispatcher = context.new_page()
        dispatcher_errors = collect_js_errors(dispatcher)
        log_in(dispatcher, staff["xz_dispatcher"].username)
        dispatcher.goto(f"{base}/appeals/{primary.number}/")
        row = dispatcher.wait_for_selector(
            f"[data-testid=duplicate-panel] li[data-number='{duplicate.number}']"
        )
        with dispatcher.expect_navigation():
            row.query_selector("[data-testid=merge-here] button").click()
        assert dispatcher.url == f"{base}/appeals/{primary.number}/"
        merged_list = dispatcher.inner_text("[data-testid=merged-appeals]")
        assert duplicate.number in merged_list
        duplicate.refresh_from_db()
        assert (duplicate.status, duplicate.merged_into_id) == (AppealStatus.MERGED, primary.pk)
        dispatcher.goto(f"{base}/appeals/{duplicate.number}/")
        assert primary.number in dispatcher.inner_text("[data-testid=merged-into]")
        assert dispatcher_errors == []
    finally:
        context.close()

    # The citizen of the merged appeal sees it was merged, but no reply yet.
    track(page, base, duplicate.number, code)
    outcome = page.locator("[data-testid=merged-outcome]")
    assert primary.number in outcome.inner_text()
    assert page.inner_text("[data-testid=primary-status]") == "已受理"
    assert page.locator("[data-testid=primary-reply]").count() == 0

    # The primary is dispatched and replied to; while the reply is reviewed nothing shows.
    primary.refresh_from_db()
    primary = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=primary,
        expected_version=primary.version,
        department=territory.xz_government,
    )
    primary = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=primary, expected_version=primary.version
    )
    primary = services.appeal_reply(
        actor=staff["xz_staff"], appeal=primary, expected_version=primary.version, reply=REPLY
    )
    track(page, base, duplicate.number, code)
    assert page.locator("[data-testid=primary-reply]").count() == 0
    services.appeal_reply_approve(
        actor=staff["xz_dispatcher"], appeal=primary, expected_version=primary.version
    )
    track(page, base, duplicate.number, code)
    assert page.inner_text("[data-testid=primary-reply]") == REPLY
    assert page.inner_text("[data-testid=primary-status]") == "已答复"
    assert page.locator("[data-testid=merged-rate-box]").count() == 1
    assert errors == []
