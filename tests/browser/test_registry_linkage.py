"""Record linkage review in real Chromium: linkage puts an uncertain tenant row in the queue
with its two candidate persons; an administrator opens the queue from the menu, sees both
sides masked, says which person it is, and the row is linked to that person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from civicgrid.accounts.models import Role, User
from civicgrid.registry.linkage import LinkageSettings
from civicgrid.registry.linkage.services import link_source_records
from civicgrid.registry.models import LinkCandidate, ReviewStatus, Source, SourceRecord
from civicgrid.registry.tests.test_linkage_services import make_person, make_row
from civicgrid.web.registry.linkage import register_navigation
from tests.browser.js_errors import collect_js_errors
from tests.browser.menu import click_menu_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_resolves_an_uncertain_link_in_the_queue(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    grid = territory.xz_grid_1
    first = make_person(
        grid,
        2,
        "王芳",
        "13800000002",
        dt.date(1985, 6, 15),
        road="凤凰北路",
        number="8",
        building="2",
        room="301",
    )
    second = make_person(
        grid, 3, "王芳", "13800000003", dt.date(1992, 3, 9),
        road="凤凰北路", number="8", building="2", room="602",
    )  # fmt: skip
    source, _ = Source.objects.get_or_create(code="grid", defaults={"name": "网格采集"})
    row = make_row(source, {"name": "王芳", "current_address": "香洲区凤凰北路8号2栋"})
    summary = link_source_records(actor=None, settings=LinkageSettings(train=False, threads=1))
    assert (summary.review, summary.candidates_created) == (1, 2)
    chosen = LinkCandidate.objects.get(source_record=row, person=second)
    register_navigation()
    make_user(Role.ADMINISTRATOR, username="city-admin")
    errors = collect_js_errors(page)

    log_in(page, "city-admin")
    click_menu_entry(page, "registry_links")
    expect(page.locator("[data-testid=link-queue] tbody tr")).to_have_count(2)
    text = page.locator("[data-testid=link-queue]").inner_text()
    assert "13800000003" not in text  # phones masked
    assert "凤凰北路8号2栋602" not in text  # addresses masked

    page.locator(f"tr[data-candidate='{chosen.pk}'] form").first.locator("button").click()
    page.wait_for_url(f"{live_server.url}/registry/links/")
    expect(page.locator("ul.messages")).to_be_visible()
    expect(page.locator("[data-testid=link-queue]")).to_have_count(0)
    row.refresh_from_db()
    assert row.person == second
    assert LinkCandidate.objects.get(source_record=row, person=first).status == (
        ReviewStatus.REJECTED
    )
    assert SourceRecord.objects.filter(person__isnull=False).count() == 1
    assert errors == []
