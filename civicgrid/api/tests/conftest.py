"""Fixtures of the API tests: one client per kind of actor, authenticated with a real token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civicgrid.accounts.models import Role, User

ACTORS = [
    "anonymous",
    "citizen",
    "staff_without_scope",
    "xz_grid_worker",
    "dm_dispatcher",
    "city_admin",
]


@pytest.fixture
def dm_dispatcher(territory: Any, make_user: Callable[..., User]) -> User:
    """A dispatcher of 斗门区 (scope: the whole district)."""
    return make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-dispatcher")


@pytest.fixture
def actors(
    territory: Any,
    make_user: Callable[..., User],
    xz_grid_worker: User,
    dm_dispatcher: User,
    city_admin: User,
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "citizen": make_user(Role.CITIZEN, username="citizen"),
        "staff_without_scope": make_user(Role.DISPATCHER, username="no-scope"),
        "xz_grid_worker": xz_grid_worker,
        "dm_dispatcher": dm_dispatcher,
        "city_admin": city_admin,
    }


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(params=ACTORS)
def actor_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def actor_client(actors: dict[str, User | None], actor_name: str) -> APIClient:
    return client_for(actors[actor_name])


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response carries the consistent error body with ``code``; returns the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return dict(body["error"])


def assert_refused_anonymous(response: Any) -> None:
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Throttle counters live in the cache; every test starts without any."""
    from django.core.cache import cache

    cache.clear()
