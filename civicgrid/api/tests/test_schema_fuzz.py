"""Property-based run over the OpenAPI schema (schemathesis): no operation answers 5xx.

The schema is loaded from the WSGI application itself; calls are made in-process as a city
administrator on the small test territory, a few examples per operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from civicgrid.accounts.models import User
from civicgrid.appeals.services import appeal_accept
from civicgrid.territory.locator import invalidate_locator


@pytest.fixture
def keep_test_connection() -> Any:
    """Requests made through the WSGI handler fire request_started/finished, whose
    close_old_connections() would close the test transaction's connection on PostgreSQL;
    Django's own test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(territory: Any, city_admin: User, keep_test_connection: Any) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=city_admin)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture
def appeal_number(territory: Any, city_admin: User) -> str:
    """An existing appeal, so that the appeal operations reach their validation and services
    instead of answering 404 for a random number."""
    invalidate_locator()
    appeal, _code = appeal_accept(
        actor=city_admin,
        channel="hotline",
        appeal_type="complaint",
        title="占道经营",
        text="小区门口占道经营。",
        lon=2,
        lat=5,
        citizen_name="张三",
        citizen_phone="13800138000",
    )
    return appeal.number


# Loaded at collection time: serving the schema needs no database. (schemathesis' lazy
# ``from_fixture`` loader does not work with pytest 9, which removed ``Node._nodeid``.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler()).exclude(
    operation_id="auth_token"
)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(case: Any, admin_headers: dict[str, str], appeal_number: str) -> None:
    if "number" in (case.path_parameters or {}):
        case.path_parameters["number"] = appeal_number
    case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])


def test_schema_is_served_and_lists_every_endpoint(client: Any, db: Any) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths == {
        "/api/auth/token/",
        "/api/territory/geojson/",
        "/api/territory/locate/",
        "/api/territory/units/",
        "/api/territory/units/{code}/",
        "/api/territory/tree/",
        "/api/departments/",
        "/api/departments/{code}/",
        "/api/accounts/me/",
        "/api/accounts/users/",
        "/api/accounts/users/{username}/",
        "/api/accounts/users/{username}/reveal/",
        "/api/registry/persons/",
        "/api/registry/persons/lookup/",
        "/api/registry/persons/{id}/",
        "/api/registry/persons/{id}/reveal/",
        "/api/registry/entities/",
        "/api/registry/entities/{id}/",
        "/api/registry/figures/",
        "/api/registry/figures/residents/",
        "/api/appeals/",
        "/api/appeals/statistics/",
        "/api/appeals/statistics/grids/",
        "/api/appeals/{number}/",
        "/api/appeals/{number}/reveal/",
        "/api/appeals/{number}/dispatch/",
        "/api/appeals/{number}/sign-for/",
        "/api/appeals/{number}/return/",
        "/api/appeals/{number}/reply/",
        "/api/appeals/{number}/reply-approve/",
        "/api/appeals/{number}/reply-reject/",
        "/api/appeals/{number}/follow-up/",
        "/api/appeals/{number}/close/",
        "/api/appeals/{number}/reopen/",
        "/api/appeals/{number}/cancel/",
        "/api/appeals/{number}/suspend/",
        "/api/appeals/{number}/resume/",
        "/api/indicators/",
        "/api/indicators/targets/",
        "/api/indicators/scores/",
        "/api/indicators/data-values/",
        "/api/indicators/{code}/series/",
    }


def test_docs_page_works_offline(client: Any, db: Any) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "swagger-ui" in content
    assert "cdn.jsdelivr.net" not in content
    assert "unpkg.com" not in content
