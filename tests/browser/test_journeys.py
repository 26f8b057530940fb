"""Journeys through the web shell in real Chromium: territory tree and map, language switch,
revealing a colleague's phone number."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from civicgrid.accounts.models import Role
from civicgrid.core.models import AuditRecord
from tests.browser.menu import click_menu_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = Path(
    os.environ.get("CIVICGRID_SCREENSHOT_DIR", Path(__file__).resolve().parent / "artifacts")
)
SCREENSHOT = SCREENSHOT_DIR / "territory.png"
POLYGONS = "#territory-map path.leaflet-interactive"


def wait_for_polygons(page: Any, at_least: int) -> int:
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length >= n",
        arg=[POLYGONS, at_least],
    )
    return page.locator(POLYGONS).count()


def test_grid_worker_sees_own_subtree_on_tree_and_map(
    page: Any, live_server: Any, log_in: Callable[..., None], xz_grid_worker: Any
) -> None:
    log_in(page, xz_grid_worker.username)
    click_menu_entry(page, "territory")
    page.wait_for_url(f"{live_server.url}/territory/")
    assert page.inner_text("h1") == "行政区划"
    assert wait_for_polygons(page, 1) >= 1
    tree = page.locator("#unit-tree")
    assert "紫荆第1网格" in tree.inner_text()
    assert "斗门区" not in page.locator("main").inner_text()

    page.fill("#unit-search", "网格")
    page.wait_for_selector("#unit-search-results .tree-node")
    found = page.locator("#unit-search-results .tree-node").evaluate_all(
        "nodes => nodes.map(n => n.dataset.code)"
    )
    assert found == ["440402001001001"]
    page.fill("#unit-search", "白藤")
    page.wait_for_selector("#unit-search-results p.hint")
    assert "白藤" not in page.locator("#unit-search-results .tree").all_inner_texts()

    # Clicking inside the grid's polygon asks the locate service which grid it is.
    page.locator(POLYGONS).first.click()
    page.wait_for_selector("#locate-result dd[data-level=grid]")
    assert "紫荆第1网格 (440402001001001)" in page.inner_text("#locate-result")


def test_city_admin_sees_both_districts_and_expands_the_tree(
    page: Any, live_server: Any, log_in: Callable[..., None], city_admin: Any, territory: Any
) -> None:
    territory.dm_street.is_demo_geometry = True
    territory.dm_street.save()
    log_in(page, city_admin.username)
    page.goto(f"{live_server.url}/territory/")
    assert wait_for_polygons(page, 4) == 4  # 2 districts + 2 streets
    assert page.locator("#territory-map path[stroke-dasharray]").count() == 1
    page.click("#unit-tree .tree-link[data-code='4404']")
    page.wait_for_selector("#unit-tree .tree-link[data-code='440403']")
    tree_text = page.inner_text("#unit-tree")
    assert "香洲区" in tree_text
    assert "斗门区" in tree_text
    assert page.inner_text("#unit-details h2") == "珠海市"
    page.click("#unit-tree .tree-link[data-code='440402']")
    page.wait_for_selector("#unit-tree .tree-link[data-code='440402001']")
    assert page.inner_text("#unit-details h2") == "香洲区"
    page.click("#unit-tree .tree-link[data-code='440402001']")
    page.click("#unit-tree .tree-link[data-code='440402001001']")
    page.wait_for_selector("#unit-tree .tree-link[data-code='440402001001002']")
    # The community's two grids are drawn on top of the overview (4 + community + 2 grids).
    assert wait_for_polygons(page, 7) == 7
    assert page.inner_text("#unit-details h2") == "紫荆社区居民委员会"
    page.set_viewport_size({"width": 1280, "height": 900})
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_language_switch_to_english(
    page: Any, live_server: Any, log_in: Callable[..., None], city_admin: Any
) -> None:
    log_in(page, city_admin.username)
    page.goto(f"{live_server.url}/territory/")
    assert page.inner_text("h1") == "行政区划"
    page.click("form.language-switch button[value=en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("h1") == "Territory"
    # The menu: one entry or drop-down per part of the platform (closed drop-downs show their
    # name only); a drop-down opens on a click and lists its pages.
    nav_items = page.locator("nav.main-nav").inner_text().split("\n")
    assert [item.rstrip(" ▾") for item in nav_items] == [
        "Home",
        "Organisation",
        "Appeals",
        "Base registry",
        "Policy plans",
        "Indicators",
    ]
    assert page.locator("nav.main-nav a[data-nav-key=home]").is_visible()  # a link, no group
    page.click("nav.main-nav details[data-nav-group=registry] > summary")
    assert page.locator("details[data-nav-group=registry] .nav-submenu").inner_text().split(
        "\n"
    ) == [
        "Residents",
        "Legal entities",
        "Source conflicts",
        "Population figures",
        "Data imports",
        "Links to review",
        "Collected data to confirm",
    ]
    # One open at a time: the other closes on the "toggle" event, which the browser fires
    # after the click returns, so wait for it rather than look at once.
    page.click("nav.main-nav details[data-nav-group=appeals] > summary")
    page.wait_for_function(
        "!document.querySelector('details[data-nav-group=registry]').open", timeout=5000
    )
    assert page.locator("details[data-nav-group=appeals]").evaluate("d => d.open")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "!document.querySelector('details[data-nav-group=appeals]').open", timeout=5000
    )
    assert "Log out" in page.inner_text("header")
    page.click("form.language-switch button[value=zh-hans]")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert page.inner_text("h1") == "行政区划"


def test_dispatcher_reveals_a_phone_with_a_purpose(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    territory: Any,
    make_user: Callable[..., Any],
    dm_grid_worker: Any,
) -> None:
    dispatcher = make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-dispatch")
    log_in(page, dispatcher.username)
    page.goto(f"{live_server.url}/staff/")
    row = page.locator("tr[data-username='dm-grid']")
    masked = dm_grid_worker.phone[:3] + "****" + dm_grid_worker.phone[-4:]
    assert row.locator(".masked-phone").inner_text() == masked
    assert dm_grid_worker.phone not in page.content()
    row.locator("summary").click()
    row.locator("input[name=purpose]").fill("核实网格事件上报人")
    row.locator("button[type=submit]").click()
    revealed = row.locator("[data-testid=revealed-phone]")
    revealed.wait_for()
    assert revealed.inner_text() == dm_grid_worker.phone
    assert not row.locator(".masked-phone").is_visible()
    record = AuditRecord.objects.get(action="pii.reveal")
    assert (record.actor_id, record.purpose) == (dispatcher.pk, "核实网格事件上报人")


@pytest.mark.parametrize("path", ["/", "/territory/", "/departments/", "/staff/"])
def test_pages_fit_a_360px_phone_and_the_menu_folds(
    page: Any, live_server: Any, log_in: Callable[..., None], city_admin: Any, path: str
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, city_admin.username)
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    menu = page.locator("nav.main-nav")
    assert not menu.is_visible()
    page.click("[data-nav-toggle]")
    assert menu.is_visible()
    assert page.get_attribute("[data-nav-toggle]", "aria-expanded") == "true"
    if os.environ.get("CIVICGRID_PHONE_SCREENSHOTS"):
        name = path.strip("/") or "home"
        page.screenshot(path=str(SCREENSHOT.parent / f"phone-{name}.png"), full_page=True)
