"""The appeal endpoints keep an accepted token's user for CIVICGRID_API_TOKEN_CHECK_SECONDS:
no token query while it is kept, a deleted token or a deactivated user refused once the
interval has passed, unknown keys never kept, and each request its own user object."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from civicgrid.accounts.models import Role, User
from civicgrid.api import authentication
from civicgrid.api.authentication import KeptTokenAuthentication, forget_kept_tokens

from .conftest import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept_for_a_minute() -> Iterator[None]:
    forget_kept_tokens()
    with override_settings(CIVICGRID_API_TOKEN_CHECK_SECONDS=60.0):
        yield
    forget_kept_tokens()


@pytest.fixture
def operator(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.HOTLINE_OPERATOR, scope_unit=territory.city, username="op")


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moment = authentication.time.monotonic() + seconds
    monkeypatch.setattr(authentication.time, "monotonic", lambda: moment)


def _token_queries(queries: Any) -> int:
    return sum('"authtoken_token"' in query["sql"] for query in queries.captured_queries)


def test_a_kept_token_needs_no_query(operator: User, django_assert_max_num_queries: Any) -> None:
    client = client_for(operator)
    with django_assert_max_num_queries(10) as first:
        assert client.get("/api/appeals/").status_code == 200
    with django_assert_max_num_queries(10) as second:
        assert client.get("/api/appeals/").status_code == 200
    assert (_token_queries(first), _token_queries(second)) == (1, 0)


def test_a_deleted_token_is_refused_once_the_interval_has_passed(
    operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(operator)
    assert client.get("/api/appeals/").status_code == 200
    Token.objects.filter(user=operator).delete()
    assert client.get("/api/appeals/").status_code == 200  # kept (at most the interval)
    _later(monkeypatch, 61)
    assert_error(client.get("/api/appeals/"), 401, "authentication_failed")


def test_a_deactivated_user_is_refused_once_the_interval_has_passed(
    operator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(operator)
    assert client.get("/api/appeals/").status_code == 200
    User.objects.filter(pk=operator.pk).update(is_active=False)
    _later(monkeypatch, 61)
    assert_error(client.get("/api/appeals/"), 401, "authentication_failed")


def test_without_an_interval_every_request_reads_the_token(operator: User) -> None:
    client = client_for(operator)
    assert client.get("/api/appeals/").status_code == 200
    Token.objects.filter(user=operator).delete()
    with override_settings(CIVICGRID_API_TOKEN_CHECK_SECONDS=0.0):
        assert_error(client.get("/api/appeals/"), 401, "authentication_failed")


def test_unknown_keys_are_never_kept(operator: User) -> None:
    stranger = client_for(None)
    stranger.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(stranger.get("/api/appeals/"), 401, "authentication_failed")
    Token.objects.create(user=operator, key="0" * 40)
    assert stranger.get("/api/appeals/").status_code == 200


def test_each_request_gets_its_own_user(operator: User) -> None:
    key = Token.objects.create(user=operator).key
    auth = KeptTokenAuthentication()
    first_user, first_token = auth.authenticate_credentials(key)
    first_user.full_name = "changed by one request"
    second_user, second_token = auth.authenticate_credentials(key)
    assert second_user is not first_user
    assert second_token is not first_token
    assert second_user.pk == operator.pk
    assert second_token.key == key
    assert second_user.full_name == operator.full_name
    assert second_token.user is second_user
    assert (second_user.role, second_user.scope_unit_id) == (
        Role.HOTLINE_OPERATOR,
        operator.scope_unit_id,
    )
