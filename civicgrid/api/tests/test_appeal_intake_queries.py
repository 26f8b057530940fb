"""Intake over the API (POST /api/appeals/): the queries of one submission and the 201 body
built from the objects in hand, identical to the body of the appeal read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.api.appeal_serializers import AppealDetailSerializer, represent
from civicgrid.appeals import clock
from civicgrid.appeals.models import Appeal
from civicgrid.appeals.routing.active import invalidate_active_router
from civicgrid.appeals.services.intake import query_code_matches
from civicgrid.appeals.settings_cache import invalidate_appeal_settings
from civicgrid.appeals.time_limits_cache import invalidate_time_limits
from civicgrid.core.workdays import invalidate_calendar
from civicgrid.territory.locator import invalidate_locator

from .conftest import client_for

pytestmark = pytest.mark.django_db

PRODUCTION_CACHES = {
    "CIVICGRID_CALENDAR_CHECK_SECONDS": 3600.0,
    "CIVICGRID_APPEAL_SETTINGS_CHECK_SECONDS": 3600.0,
    "CIVICGRID_ROUTER_CHECK_SECONDS": 3600.0,
    "CIVICGRID_LOCATOR_CHECK_SECONDS": 3600.0,
    "CIVICGRID_TIME_LIMITS_CHECK_SECONDS": 3600.0,
}


# The writes of one intake inside the test's transaction: savepoint, the writes, release.
# PostgreSQL takes the number and writes the appeal and its event in one statement (outside a
# transaction, as deployed, without the savepoint: see appeals/tests/test_intake_numbers.py);
# elsewhere the counter update, the appeal and the event are three statements.
WRITES = {"postgresql": 3, "sqlite": 5}


def _forget_caches() -> None:
    invalidate_locator()
    invalidate_calendar()
    invalidate_appeal_settings()
    invalidate_active_router()
    invalidate_time_limits()


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # A fixed day whose deadline windows stay inside the bundled calendar year: the number of
    # calendar queries depends on whether a window reaches a year the package does not cover.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 29))
    _forget_caches()
    with translation.override("en"):
        yield
    _forget_caches()


@pytest.fixture
def operator(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.HOTLINE_OPERATOR, scope_unit=territory.city, username="op")


def _body(n: int) -> dict[str, Any]:
    return {
        "channel": "hotline",
        "appeal_type": "complaint",
        "title": f"路灯不亮{n}",
        "text": "紫荆路的路灯坏了一周。",
        "lon": 2,
        "lat": 5,
        "address": "紫荆路",
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
    }


def test_the_201_body_is_the_body_of_the_appeal_read_back(operator: User) -> None:
    client = client_for(operator)
    created = client.post("/api/appeals/", _body(1), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    query_code = body.pop("query_code")
    assert query_code_matches(Appeal.objects.get(number=body["number"]), query_code)
    read_back = client.get(f"/api/appeals/{body['number']}/")
    assert read_back.status_code == 200
    assert body == read_back.json()
    assert [event["kind"] for event in body["timeline"]] == ["accept"]
    assert body["assignments"] == []
    assert body["admin_unit"] == read_back.json()["admin_unit"] is not None


def test_intake_post_queries_without_caches(operator: User, django_assert_num_queries: Any) -> None:
    """The test settings keep no per-process caches: every policy read is a query."""
    client = client_for(operator)
    assert client.post("/api/appeals/", _body(1), format="json").status_code == 201
    # token+user, locator key (city check), locator key (grid), time limits, calendar days,
    # active router, then the writes (WRITES), settings (yellow light), calendar days (no
    # published-years query: both windows end inside 2026). The grid was read by the first
    # POST and is kept while the locator stays the same.
    with django_assert_num_queries(8 + WRITES[connection.vendor]):
        response = client.post("/api/appeals/", _body(2), format="json")
    assert response.status_code == 201
    assert Appeal.objects.count() == 2


def test_intake_post_queries_with_warm_caches(
    operator: User, django_assert_num_queries: Any
) -> None:
    """As deployed (caches checked every few seconds): the calendar, the settings row, the
    time limits, the locator and the grid come from memory; what is left is the token and the
    writes."""
    client = client_for(operator)
    with override_settings(**PRODUCTION_CACHES):
        assert client.post("/api/appeals/", _body(1), format="json").status_code == 201
        # token+user, then the writes (WRITES)
        with django_assert_num_queries(1 + WRITES[connection.vendor]):
            response = client.post("/api/appeals/", _body(2), format="json")
    assert response.status_code == 201
    numbers = sorted(Appeal.objects.values_list("number", flat=True))
    assert [number[-6:] for number in numbers] == ["000001", "000002"]


def test_a_renamed_grid_is_read_again(operator: User, territory: Any) -> None:
    """The grid an appeal is placed in is kept with the point locator, which is rebuilt when
    admin units change: the next appeal shows the new name."""
    client = client_for(operator)
    first = client.post("/api/appeals/", _body(1), format="json").json()
    assert first["admin_unit"] == {"code": territory.xz_grid_1.code, "name": "紫荆第1网格"}
    territory.xz_grid_1.name = "紫荆一号网格"
    territory.xz_grid_1.save()
    second = client.post("/api/appeals/", _body(2), format="json").json()
    assert second["admin_unit"] == {"code": territory.xz_grid_1.code, "name": "紫荆一号网格"}
    stored = Appeal.objects.select_related("admin_unit").get(number=second["number"])
    assert stored.admin_unit == territory.xz_grid_1
    assert stored.admin_unit_code == territory.xz_grid_1.code


def test_the_kept_serializer_answers_as_a_new_one_whatever_came_before(operator: User) -> None:
    """represent() keeps one serializer per thread: each answer equals a fresh serializer's,
    for the staff and then the citizen and again the staff, and no context stays behind."""
    client = client_for(operator)
    number = client.post("/api/appeals/", _body(1), format="json").json()["number"]
    appeal = Appeal.objects.prefetch_related("events", "assignments").get(number=number)
    appeal.routing_suggestions = [
        {"department": "x", "name": "某部门", "confidence": 0.5, "source": "model"}
    ]
    staff = {"lights": {appeal.pk: "green"}, "citizen_view": False}
    citizen = {"lights": {}, "citizen_view": True}
    for context in (staff, citizen, staff):
        fresh = AppealDetailSerializer(appeal, context=context).data
        assert represent(AppealDetailSerializer, appeal, context) == fresh
    assert represent(AppealDetailSerializer, appeal, citizen)["routing_suggestions"] == []
    assert represent(AppealDetailSerializer, appeal, staff)["light"] == "green"
    assert represent(AppealDetailSerializer, appeal, {})["light"] == ""
