"""Collect the JavaScript errors of a page (uncaught exceptions and console errors), so a
browser test can fail on them."""

from __future__ import annotations

from typing import Any


def collect_js_errors(browser_page: Any) -> list[str]:
    """Start listening on ``browser_page``; the returned list fills as errors happen."""
    errors: list[str] = []
    browser_page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    browser_page.on("console", on_console)
    return errors
