"""The per-process working-day cache (CIVICGRID_CALENDAR_CHECK_SECONDS > 0): no calendar query
per call while nothing changed, and administrators' changes are seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from civicgrid.core.models import CalendarDay
from civicgrid.core.services import calendar_year_import
from civicgrid.core.workdays import add_working_days, invalidate_calendar, is_working_day

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    invalidate_calendar()
    yield
    invalidate_calendar()


def test_cached_calendar_reads_nothing_and_sees_an_invalidated_change(
    django_assert_num_queries: Any,
) -> None:
    with override_settings(CIVICGRID_CALENDAR_CHECK_SECONDS=3600.0):
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)  # Fri + 1 = Mon
        with django_assert_num_queries(0):
            assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
            assert is_working_day(D(2026, 11, 23)) is True
        # A row written behind the cache's back is seen after the next check only ...
        CalendarDay.objects.create(date=D(2026, 11, 23), is_working_day=False, name="测试")
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
        # ... or at once after an invalidation (what the admin and the import service do).
        invalidate_calendar()
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)
        assert is_working_day(D(2026, 11, 23)) is False


def test_cached_calendar_checks_again_after_the_interval() -> None:
    with override_settings(CIVICGRID_CALENDAR_CHECK_SECONDS=1e-9):
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
        CalendarDay.objects.create(date=D(2026, 11, 23), is_working_day=False, name="测试")
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)


def test_the_import_service_resets_the_cache(city_admin: Any) -> None:
    with override_settings(CIVICGRID_CALENDAR_CHECK_SECONDS=3600.0):
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)
        calendar_year_import(actor=city_admin, year=2026, rows=[["2026-11-23", "否", "测试"]])
        assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)
