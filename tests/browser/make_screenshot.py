"""Screenshot of the territory page for the README, taken from a running CivicGrid with the demo
data (``make demo``). Not a test; run it by hand:

    .venv/bin/python tests/browser/make_screenshot.py http://127.0.0.1:8000 USER PASSWORD out.png

It signs in, opens 行政区划, expands 珠海市 → 香洲区 → 翠香街道 (communities and grids drawn on
the map) and clicks a grid so that the locate result is shown.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

POLYGONS = "#territory-map path.leaflet-interactive"


def main(base_url: str, username: str, password: str, output: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page.goto(f"{base_url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form.stacked-form button[type=submit]")
        page.wait_for_url(f"{base_url}/")
        page.goto(f"{base_url}/territory/")
        page.wait_for_function(f"document.querySelectorAll('{POLYGONS}').length > 0")
        for code, child in [("4404", "440402"), ("440402", "440402001"), ("440402001", "")]:
            page.click(f"#unit-tree .tree-link[data-code='{code}']")
            if child:
                page.wait_for_selector(f"#unit-tree .tree-link[data-code='{child}']")
        page.wait_for_selector("#unit-tree .tree-link[data-code='440402001001']")
        page.wait_for_timeout(800)  # let the map finish its zoom animation
        page.locator(POLYGONS).nth(40).click(force=True)
        page.wait_for_selector("#locate-result dd[data-level=grid]")
        page.mouse.move(0, 0)
        page.screenshot(path=output, full_page=True)
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
