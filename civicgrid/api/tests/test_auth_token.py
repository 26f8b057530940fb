"""POST /api/auth/token/: token for username + password, audited, throttled, axes lockout."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civicgrid.core.models import AuditRecord

from .conftest import assert_error

URL = "/api/auth/token/"
PASSWORD = "pass-Word-2026"


def test_token_is_issued_and_audited(dm_dispatcher):
    response = APIClient().post(
        URL, {"username": "dm-dispatcher", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = Token.objects.get(user=dm_dispatcher)
    assert response.json() == {"token": token.key}
    record = AuditRecord.objects.get()
    assert (record.action, record.actor) == ("auth.token", dm_dispatcher)
    # The token works, and asking again gives the same token.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/accounts/me/").json()["username"] == "dm-dispatcher"
    again = APIClient().post(URL, {"username": "dm-dispatcher", "password": PASSWORD})
    assert again.json() == {"token": token.key}


def test_wrong_password(dm_dispatcher):
    response = APIClient().post(URL, {"username": "dm-dispatcher", "password": "nope"})
    error = assert_error(response, 400, "invalid_credentials")
    assert list(error["fields"]) == ["password"]
    assert not Token.objects.exists()
    assert AuditRecord.objects.count() == 0
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_inactive_user_gets_no_token(dm_dispatcher):
    dm_dispatcher.is_active = False
    dm_dispatcher.save()
    response = APIClient().post(URL, {"username": "dm-dispatcher", "password": PASSWORD})
    assert_error(response, 400, "invalid_credentials")
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields"), [({}, ["password", "username"]), ({"username": "x"}, ["password"])]
)
def test_missing_fields_are_named(db, data, fields):
    error = assert_error(APIClient().post(URL, data, format="json"), 400, "invalid")
    assert sorted(error["fields"]) == fields


def test_five_failures_lock_out_even_the_right_password(dm_dispatcher, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100/minute"},
    }
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    for _attempt in range(4):
        assert_error(
            client.post(URL, {"username": "dm-dispatcher", "password": "nope"}),
            400,
            "invalid_credentials",
        )
    # The fifth failure reaches the limit and locks the username from this address.
    fifth = client.post(URL, {"username": "dm-dispatcher", "password": "nope"})
    assert_error(fifth, 429, "locked_out")
    response = client.post(URL, {"username": "dm-dispatcher", "password": PASSWORD})
    assert_error(response, 429, "locked_out")
    assert not Token.objects.exists()
    assert AuditRecord.objects.count() == 0


def test_token_endpoint_is_throttled(db, settings):
    from rest_framework.throttling import ScopedRateThrottle

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    # DRF reads the rates when the class is defined; follow the overridden setting.
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {"token": "3/minute"}
    try:
        client = APIClient()
        statuses = [
            client.post(URL, {"username": f"nobody-{n}", "password": "x"}).status_code
            for n in range(3)
        ]
        assert statuses == [400, 400, 400]
        response = client.post(URL, {"username": "nobody", "password": "x"})
        assert_error(response, 429, "throttled")
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
