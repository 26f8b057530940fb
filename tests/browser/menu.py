"""Opening a menu entry as a user does: the entry's group (a drop-down) first, then the link."""

from __future__ import annotations

from typing import Any


def click_menu_entry(page: Any, key: str) -> None:
    """Click the menu entry ``key`` (its ``data-nav-key``), opening its group when it has one."""
    link = page.locator(f"nav.main-nav a[data-nav-key={key}]")
    group = page.locator(f"nav.main-nav details:has(a[data-nav-key={key}]) > summary")
    if group.count() and not link.is_visible():
        group.click()
    link.click()
