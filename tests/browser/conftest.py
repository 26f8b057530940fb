"""Browser tests: real Debian Chromium driven by Playwright (sync API) against live_server.

Never downloads a browser. Without /usr/bin/chromium the tests are skipped, unless
CIVICGRID_REQUIRE_BROWSER=1 (CI), in which case they fail. A screenshot of every failing test
is kept in tests/browser/artifacts/.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's async-safety guard must be told so.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "pass-Word-2026"  # the make_user fixture's default password


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def _empty_audit_table_before_flush(transactional_db: Any) -> Iterator[None]:
    """Let the transactional test database be flushed despite the append-only audit table.

    On SQLite, Django flushes with ``DELETE``, which the core trigger (core migration 0002)
    refuses while audit rows exist. After the test (before the flush, as this fixture depends
    on ``transactional_db``), the rows are removed with the trigger lifted, then the trigger is
    put back. PostgreSQL flushes with ``TRUNCATE``, which the row triggers do not see.
    """
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("civicgrid.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for statement in triggers.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute("DELETE FROM core_auditrecord")
        for statement in triggers.SQLITE_FORWARD:
            cursor.execute(statement)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install Debian's chromium: make browser-deps)"
        if os.environ.get("CIVICGRID_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; CIVICGRID_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(10_000)
    browser_page = context.new_page()
    yield browser_page
    call_report = getattr(request.node, "report_call", None)
    if call_report is not None and call_report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.nodeid.split("::")[-1].replace("/", "_").replace("[", "-").strip("]")
        browser_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def log_in(live_server: Any) -> Callable[[Any, str], None]:
    """Sign in through the login form, as a person would."""

    def do_log_in(browser_page: Any, username: str, password: str = PASSWORD) -> None:
        browser_page.goto(f"{live_server.url}/login/")
        browser_page.fill("input[name=username]", username)
        browser_page.fill("input[name=password]", password)
        browser_page.click("form.stacked-form button[type=submit]")
        browser_page.wait_for_url(f"{live_server.url}/")

    return do_log_in
