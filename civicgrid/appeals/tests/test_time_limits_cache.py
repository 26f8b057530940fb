"""The time limits kept per process for intake answer as the selector does, and a change
applies once the interval has passed or the kept rows were forgotten."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from civicgrid.appeals import time_limits_cache
from civicgrid.appeals.models import AppealType, Category, TimeLimit
from civicgrid.appeals.selectors import time_limits_for
from civicgrid.appeals.time_limits_cache import current_time_limits, invalidate_time_limits

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept_for_an_hour() -> Iterator[None]:
    invalidate_time_limits()
    with override_settings(CIVICGRID_TIME_LIMITS_CHECK_SECONDS=3600.0):
        yield
    invalidate_time_limits()


def test_the_kept_limits_answer_as_the_selector() -> None:
    city = Category.objects.create(code="city-management", name="城市管理")
    stalls = Category.objects.create(code="street-stalls", name="占道经营", parent=city)
    lights = Category.objects.create(code="street-lights", name="路灯", parent=city)
    TimeLimit.objects.create(appeal_type="complaint", category=city, handling_days=7)
    TimeLimit.objects.create(
        appeal_type="complaint", category=lights, sign_for_days=2, handling_days=3
    )
    TimeLimit.objects.filter(appeal_type="suggestion", category__isnull=True).delete()
    for appeal_type in AppealType.values:
        for category in (None, city, stalls, lights):
            assert current_time_limits(appeal_type, category) == time_limits_for(
                appeal_type, category
            ), (appeal_type, category)
    assert current_time_limits("complaint", stalls) == (1, 7)  # the parent's row
    assert current_time_limits("complaint", lights) == (2, 3)  # its own row
    assert current_time_limits("complaint", None) == (1, 10)  # the type's row (migration)
    assert current_time_limits("suggestion", None) == (1, 15)  # built-in default


def test_one_query_for_all_types_then_none(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert current_time_limits("complaint", None) == (1, 10)
    with django_assert_num_queries(0):
        assert current_time_limits("help", None) == (1, 5)
        assert current_time_limits("complaint", None) == (1, 10)


def test_a_change_applies_after_the_interval_or_at_once_when_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert current_time_limits("complaint", None) == (1, 10)
    TimeLimit.objects.filter(appeal_type="complaint", category__isnull=True).update(handling_days=8)
    assert current_time_limits("complaint", None) == (1, 10)  # kept
    invalidate_time_limits()
    assert current_time_limits("complaint", None) == (1, 8)
    TimeLimit.objects.filter(appeal_type="complaint", category__isnull=True).update(handling_days=6)
    later = time_limits_cache.time.monotonic() + 3600
    monkeypatch.setattr(time_limits_cache.time, "monotonic", lambda: later)
    assert current_time_limits("complaint", None) == (1, 6)


def test_with_no_interval_every_call_reads_the_rows(django_assert_num_queries: Any) -> None:
    with override_settings(CIVICGRID_TIME_LIMITS_CHECK_SECONDS=0.0):
        for _call in range(2):
            with django_assert_num_queries(1):
                assert current_time_limits("complaint", None) == (1, 10)
