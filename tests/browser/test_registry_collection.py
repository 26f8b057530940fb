"""Grid collection in real Chromium (issue 4, must show): a grid worker, on a phone-sized page,
adds a tenant to an address in their grid; the community confirms it; the person then appears
with the grid and the source of each field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from civicgrid.accounts.models import Role, User
from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.registry import crypto
from civicgrid.registry.models import Address, Building, ChangeRequest, Person, Residence
from civicgrid.territory.locator import invalidate_locator
from tests.browser.js_errors import collect_js_errors
from tests.browser.menu import click_menu_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TENANT_ID = "44040219900101123" + id_number_check_digit("44040219900101123")
SOURCE_GRID = "网格采集"


@pytest.fixture(autouse=True)
def _fresh_locator() -> Iterator[None]:
    invalidate_locator()
    yield
    invalidate_locator()


def make_address(grid: Any) -> Address:
    building = Building.objects.create(
        key="香洲区|||紫荆路|128|1",
        road="紫荆路",
        house_number="128",
        building_name="1",
        admin_unit=grid,
        admin_unit_code=grid.code,
    )
    return Address.objects.create(
        key="香洲区|||紫荆路|128|1||301",
        building=building,
        room="301",
        full_text="香洲区紫荆路128号1栋301",
        admin_unit_code=grid.code,
    )


def test_grid_worker_adds_a_tenant_the_community_confirms_and_the_person_appears(
    page: Any,
    browser: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    worker = make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-grid")
    community = make_user(
        Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community, username="xz-community"
    )
    address = make_address(territory.xz_grid_1)
    errors = collect_js_errors(page)

    # The grid worker, on a phone: the menu leads to the grid, the address to the tenant form.
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, worker.username)
    page.click("[data-nav-toggle]")
    click_menu_entry(page, "registry_collect")
    page.wait_for_url(f"{live_server.url}/registry/collect/")
    expect(page.get_by_test_id("grid-name")).to_contain_text("紫荆第1网格")
    row = page.locator(f"li[data-address='{address.pk}']")
    expect(row).to_contain_text("香洲区紫荆路128号1栋301")
    row.get_by_test_id("add-tenant").click()
    expect(page.get_by_test_id("form-intro")).to_have_text("香洲区紫荆路128号1栋301")
    page.fill("#id_id_number", TENANT_ID.lower())  # a lower-case x is read as X
    page.fill("#id_name", "王小明")
    page.fill("#id_phone", "138 0756 1234")
    page.select_option("#id_residence_status", "floating")
    page.select_option("#id_residence_kind", "rent")
    page.fill("#id_moved_in", "2026-11-01")
    page.get_by_test_id("tenant-form").locator("button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/registry/collect/requests/*/")
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "submitted")
    submitted = page.get_by_test_id("submitted-fields")
    expect(submitted).to_contain_text(TENANT_ID[:6] + "********" + TENANT_ID[-4:])
    expect(submitted).to_contain_text("王**")
    expect(submitted).to_contain_text("138****1234")
    assert TENANT_ID not in page.content()
    assert "王小明" not in page.content()
    change_request = ChangeRequest.objects.get()
    assert change_request.payload["person"]["id_hash"] == crypto.id_hash(TENANT_ID)
    assert not Person.objects.exists()  # nothing in the registry before the community confirms

    # The community confirms from its queue (a desktop browser of its own).
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(10_000)
    office = context.new_page()
    office_errors = collect_js_errors(office)
    try:
        log_in(office, community.username)
        click_menu_entry(office, "registry_collect_queue")
        queue_row = office.locator(f"tr[data-request='{change_request.pk}']")
        expect(queue_row).to_contain_text("紫荆第1网格")
        queue_row.locator("a").click()
        office.get_by_test_id("confirm-form").locator("button[type=submit]").click()
        expect(office.get_by_test_id("request-status")).to_have_attribute(
            "data-status", "confirmed"
        )
        expect(office.get_by_test_id("confirm-form")).to_have_count(0)
    finally:
        context.close()
    assert office_errors == []

    person = Person.objects.get()
    assert person.id_hash == crypto.id_hash(TENANT_ID)
    assert (person.admin_unit_id, person.current_address_id) == (territory.xz_grid_1.pk, address.pk)
    assert Residence.objects.get().kind == "rent"

    # Back on the phone: the worker's submission shows the record as the registry holds it now,
    # with the grid and the source and time of every field.
    page.reload()
    expect(page.get_by_test_id("request-status")).to_have_attribute("data-status", "confirmed")
    applied = page.get_by_test_id("applied-record")
    expect(applied).to_contain_text("紫荆第1网格 (440402001001001)")
    expect(applied).to_contain_text("香洲区紫荆路128号1栋301")
    sources = applied.get_by_test_id("source")
    assert sources.count() == 7
    assert set(sources.all_inner_texts()) == {SOURCE_GRID}
    assert TENANT_ID not in page.content()

    # The person's own registry page: their grid, and every collected field from 网格采集.
    page.get_by_test_id("person-page").click()
    page.wait_for_url(f"{live_server.url}/registry/people/{person.pk}/")
    expect(page.get_by_test_id("person-unit")).to_contain_text("紫荆第1网格")
    for field in ("id_number", "name", "phone", "residence_status", "current_address"):
        expect(page.get_by_test_id(f"source-{field}")).to_have_text(SOURCE_GRID)
    expect(page.get_by_test_id("value-current_address")).not_to_have_text("—")
    assert TENANT_ID not in page.content()
    assert errors == []
