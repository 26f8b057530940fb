"""Staff intake in real Chromium: the hotline operator's form with its live helpers (caller
history, category suggestions, place search, likely duplicates, Ctrl+Enter), and the grid
worker's phone-sized report page with a photo."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicgrid.appeals import clock
from civicgrid.appeals.models import Appeal, Attachment, Category, Channel
from civicgrid.appeals.selectors.category_suggestions import invalidate_category_model
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator
from tests.browser.js_errors import collect_js_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from django.core.cache import cache

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    invalidate_category_model()
    yield
    cache.clear()
    invalidate_locator()
    invalidate_category_model()


def test_hotline_operator_registers_a_call_with_the_live_helpers(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    staff: dict[str, Any],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
) -> None:
    lights = Category.objects.create(code="lights", name="路灯")
    noise = Category.objects.create(code="noise", name="噪声扰民")
    # The caller rang before, about something else in 斗门区.
    earlier_call = accept(
        title="楼上装修噪音",
        text="楼上每天装修电钻声音太吵。",
        category=noise,
        address="白藤湖花园",
        lon=12,
        lat=5,
        citizen_phone="13800138000",
    )
    # Somebody else reported the same broken street light a few metres away.
    neighbour = accept(
        title="紫荆路128号路灯不亮",
        text="紫荆路128号门口的路灯晚上不亮，很黑。",
        category=lights,
        address="紫荆路 128 号",
        lon=2.5,
        lat=5.25,
        citizen_phone="13900139000",
    )
    errors = collect_js_errors(page)
    log_in(page, staff["operator"].username)
    page.goto(f"{live_server.url}/appeals/intake/")
    page.wait_for_selector("#appeal-map.leaflet-container")

    # The caller's number brings up the earlier appeal (masked name, no number shown).
    page.fill("#id_citizen_phone", "13800138000")
    history = page.wait_for_selector(f"#caller-history li[data-number='{earlier_call.number}']")
    assert "楼上装修噪音" in history.inner_text()
    assert page.locator("#caller-history li").count() == 1
    page.fill("#id_citizen_name", "李四")

    # The title and text bring up category suggestions; a click chooses one.
    page.fill("#id_title", "紫荆路口路灯不亮")
    page.fill("#id_text", "紫荆路128号门口的路灯晚上不亮，走路很黑。")
    choice = page.wait_for_selector(f"#category-suggestions [data-category-choice='{lights.pk}']")
    first = page.locator("#category-suggestions [data-category-choice]").first
    assert first.get_attribute("data-category-choice") == str(lights.pk)
    choice.click()
    assert page.input_value("#id_category") == str(lights.pk)
    assert "is-chosen" in (choice.get_attribute("class") or "")

    # The address finds the earlier appeal's marked place; a click marks the map.
    page.fill("#id_address", "紫荆路")
    place = page.wait_for_selector("#place-results [data-place-label='紫荆路 128 号']")
    place.click()
    assert page.input_value("#id_lon") == "2.500000"
    assert page.input_value("#id_lat") == "5.250000"
    label = page.get_attribute("#appeal-map", "data-label-point")
    assert page.inner_text("[data-point-text]") == f"{label}: 2.500000, 5.250000"
    assert page.locator("#appeal-map path.leaflet-interactive").count() == 1  # the marker
    assert page.locator("#place-results li").count() == 0

    # The neighbour's appeal is offered as a likely duplicate; once the place is marked, with
    # its distance (it was marked at the very same place).
    duplicates = page.locator("[data-testid=duplicate-suggestions] li")
    expect(duplicates.locator("[data-testid=duplicate-reasons]")).to_contain_text("0 米")
    assert duplicates.evaluate_all("items => items.map(item => item.dataset.number)") == [
        neighbour.number
    ]

    # Ctrl+Enter in the text saves; the appeal's page shows the new number.
    page.focus("#id_text")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    number = page.inner_text("h1 .appeal-number").strip()
    appeal = Appeal.objects.get(number=number)
    assert number not in (earlier_call.number, neighbour.number)
    assert number in page.inner_text("ul.messages")
    assert (appeal.channel, appeal.category_id, appeal.lon, appeal.lat) == (
        Channel.HOTLINE,
        lights.pk,
        2.5,
        5.25,
    )
    assert (appeal.title, appeal.address, appeal.citizen_phone) == (
        "紫荆路口路灯不亮",
        "紫荆路",
        "13800138000",
    )
    assert appeal.admin_unit_code == "440402001001001"
    assert errors == []


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    image = Image.new("RGB", (width, height), (200, 60, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_grid_worker_reports_with_a_photo_on_a_phone(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    staff: dict[str, Any],  # noqa: F811
) -> None:
    errors = collect_js_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, staff["xz_grid"].username)
    page.goto(f"{live_server.url}/appeals/report/")
    assert "440402001001001" in page.inner_text("[data-testid=grid-name]")
    page.wait_for_selector("#appeal-map path")  # the worker's grid, drawn from the GeoJSON

    photo = png_bytes()
    page.set_input_files(
        "#id_photos", files=[{"name": "井盖.png", "mimeType": "image/png", "buffer": photo}]
    )
    page.fill("#id_title", "井盖缺失")
    page.fill("#id_text", "紫荆路人行道井盖缺失，有行人踩空的危险。")
    # The map fits the grid (lon 0…5, lat 0…10): its middle is inside the grid.
    page.click("#appeal-map")
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert 0 < lon < 5
    assert 0 < lat < 10
    label = page.get_attribute("#appeal-map", "data-label-point")
    assert page.inner_text("[data-point-text]") == (
        f"{label}: {page.input_value('#id_lon')}, {page.input_value('#id_lat')}"
    )
    with page.expect_navigation():
        page.click("[data-testid=grid-report-form] button[type=submit]")

    appeal = Appeal.objects.get(title="井盖缺失")
    assert (appeal.channel, appeal.admin_unit_code) == (Channel.GRID, "440402001001001")
    assert (appeal.lon, appeal.lat) == (lon, lat)
    assert appeal.number in page.inner_text("ul.messages")
    report = page.locator("[data-testid=my-reports] li")
    assert report.count() == 1
    assert appeal.number in report.inner_text()
    attachment = Attachment.objects.get(appeal=appeal)
    assert (attachment.original_name, attachment.kind, attachment.size) == (
        "井盖.png",
        "photo",
        len(photo),
    )

    # The appeal's page shows the photo through the protected URL, and it loads.
    page.click(f"[data-testid=my-reports] a:text-is('{appeal.number}')")
    image = page.locator("[data-testid=attachments] img")
    assert image.get_attribute("src") == f"/appeals/files/{attachment.pk}/"
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [40, 30]
    assert errors == []
