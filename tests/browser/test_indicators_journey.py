"""Indicators journey in real Chromium: a community reports a value, the street approves it, the
district's and the city's figures in the cockpit change, and the target's status follows.

每千名老人拥有养老床位 (beds per 1,000 elderly residents), target ≥ 30 by 2025. Before: only
斗门's community has approved figures (2023: 20 / 1000, 2024: 20 / 1000) and 香洲's 2023
(25 / 1000): the city falls from 22.5 to 20 and is at risk. 香洲's community reports 2024
(80 beds, 1000 elderly); once its street approves, 香洲区 shows 80 and the city 50: met.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.indicators.services import definitions
from civicgrid.indicators.services import imports as import_services
from tests.browser.conftest import PASSWORD
from tests.browser.js_errors import collect_js_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSAGE = "到2015年,每千名老人拥有养老床位不少于30"


@pytest.fixture
def beds(territory: Any) -> None:
    definitions.element_create(actor=None, code="BEDS", name="养老床位数", is_integer=True)
    definitions.element_create(actor=None, code="ELDERLY", name="60岁以上老人", is_integer=True)
    indicator = definitions.indicator_create(
        actor=None,
        code="BEDS_PER_1K",
        name="每千名老人拥有养老床位数",
        kind="per_thousand",
        numerator="#{BEDS}",
        denominator="#{ELDERLY}",
        unit_label="张/千名老人",
        source_document="珠海市深化社会体制改革工作方案 二(一)5.(13)",
        source_passage=PASSAGE,
    )
    data_set = definitions.data_set_create(
        actor=None,
        code="COMMUNITY-YEARLY",
        name="社区年报",
        period_type="yearly",
        element_codes=["BEDS", "ELDERLY"],
        unit_level="community",
        first_period="2023",
    )
    rows = [
        {"dataElement": element, "period": period, "orgUnit": unit, "value": value}
        for unit, period, beds_count in (
            ("440403001001", "2023", 20),
            ("440403001001", "2024", 20),
            ("440402001001", "2023", 25),
        )
        for element, value in (("BEDS", beds_count), ("ELDERLY", 1000))
    ]
    import_services.data_values_import(actor=None, rows=rows, data_set=data_set, as_approved=True)
    definitions.target_create(
        actor=None,
        indicator=indicator,
        value=30,
        deadline_period="2025",
        source_document="珠海市深化社会体制改革工作方案 二(一)5.(13)",
        source_passage=PASSAGE,
    )


@pytest.fixture
def people(territory: Any, make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "community": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community, username="zijing"
        ),
        "street": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.xz_street, username="cuixiang"
        ),
        "leader": make_user(Role.LEADER, username="leader"),
    }


@pytest.fixture
def session(browser: Any, live_server: Any) -> Iterator[Callable[[str], Any]]:
    """A signed-in page of its own (own cookies) per person."""
    contexts: list[Any] = []

    def open_as(username: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.stacked-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def target_row(page: Any) -> Any:
    return page.locator("[data-testid=target-table] tr[data-indicator=BEDS_PER_1K]")


def test_community_report_approved_by_the_street_moves_the_cockpit(
    live_server: Any, beds: None, people: dict[str, User], session: Callable[[str], Any]
) -> None:
    base = live_server.url
    leader = session("leader")
    errors = collect_js_errors(leader)

    # Before: the city cockpit shows 20 for 2024 and the target at risk; the clause is one
    # click away.
    leader.goto(f"{base}/indicators/")
    row = target_row(leader)
    assert row.locator("td.number").first.inner_text().startswith("20")
    assert row.locator("[data-testid=target-status]").get_attribute("class") == (
        "status status-at_risk"
    )
    assert not row.locator(".source-passage").is_visible()
    row.locator("[data-testid=source-toggle]").click()
    assert row.locator(".source-passage").is_visible()
    assert PASSAGE in row.locator(".source-passage").inner_text()
    leader.wait_for_selector("#indicator-trend canvas")
    leader.wait_for_selector("#indicator-map canvas")

    # The community reports 2024 and submits.
    community = session("zijing")
    community.goto(f"{base}/indicators/reporting/")
    community.click("[data-testid=reporting-tasks] a[href*='/440402001001/2024/']")
    community.fill("[data-testid=value-BEDS]", "80")
    community.fill("[data-testid=value-ELDERLY]", "1000")
    community.click("[data-testid=entry-submit]")
    assert community.locator("[data-testid=submission-status]").get_attribute("class") == (
        "status status-submitted"
    )

    # Submitted, not yet approved: the figures have not moved.
    leader.goto(f"{base}/indicators/units/440402/?indicator=BEDS_PER_1K")
    before = leader.evaluate(
        "JSON.parse(document.getElementById('indicator-chart-data').textContent).series"
    )
    assert before["periods"] == ["2023"]
    assert before["values"] == [25.0]

    # The street approves from its queue.
    street = session("cuixiang")
    street.goto(f"{base}/indicators/approvals/")
    street.click("[data-testid=approval-queue] a")
    street.click("[data-testid=entry-approve]")
    assert street.locator("[data-testid=submission-status]").get_attribute("class") == (
        "status status-approved_street"
    )

    # The district view now has 香洲区's 2024 value, and the city's comparison shows it.
    leader.goto(f"{base}/indicators/?year=2024&indicator=BEDS_PER_1K")
    comparison = leader.evaluate(
        "JSON.parse(document.getElementById('indicator-chart-data').textContent).comparison"
    )
    assert comparison["names"] == ["香洲区", "斗门区"]
    assert comparison["values"] == [80.0, 20.0]
    # The city: (80 + 20) / 2000 × 1000 = 50, and the target is met.
    row = target_row(leader)
    assert row.locator("td.number").first.inner_text().startswith("50")
    assert row.locator("[data-testid=target-status]").get_attribute("class") == (
        "status status-met"
    )
    assert leader.locator("[data-testid=selected-status]").get_attribute("class") == (
        "status status-met"
    )
    leader.goto(f"{base}/indicators/units/440402/?year=2024&indicator=BEDS_PER_1K")
    series = leader.evaluate(
        "JSON.parse(document.getElementById('indicator-chart-data').textContent).series"
    )
    assert series["periods"] == ["2023", "2024"]
    assert series["values"] == [25.0, 80.0]
    leader.wait_for_selector("#indicator-trend canvas")
    assert errors == []
