"""地址检索 on the hotline form: earlier appeals' addresses and admin units, in scope only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from civicgrid.appeals.models import Appeal
from civicgrid.appeals.selectors.places import place_candidates
from civicgrid.appeals.tests.conftest import accept, staff  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def buttons(html: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'data-place-lon="([^"]+)" data-place-lat="([^"]+)" data-place-label="([^"]+)"', html
    )


def test_earlier_addresses_then_units_in_scope(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    django_assert_num_queries: Any,
) -> None:
    accept(address="紫荆路 128 号菜市场", lon=2.5, lat=5.25)
    accept(address="紫荆路 128 号菜市场", lon=2.6, lat=5.3)  # same address again: listed once
    accept(address="紫荆路小学", lon=None, lat=None)  # no point: not offered
    accept(address="白藤湖紫荆花园", lon=12, lat=5)  # 斗门区
    client = client_for(staff["xz_dispatcher"])
    with django_assert_num_queries(5):  # session, user, scope unit, appeals, units
        response = client.get("/appeals/places/", {"address": "紫荆"})
    assert response.status_code == 200
    assert buttons(response.content.decode()) == [
        ("2.600000", "5.300000", "紫荆路 128 号菜市场"),  # newest first
        ("5.000000", "5.000000", "紫荆社区居民委员会"),
        ("2.500000", "5.000000", "紫荆第1网格"),
        ("7.500000", "5.000000", "紫荆第2网格"),
    ]
    # The city-wide operator also sees 斗门区's address.
    labels = [place.label for place in place_candidates(staff["operator"], "紫荆")]
    assert labels[:2] == ["白藤湖紫荆花园", "紫荆路 128 号菜市场"]


def test_short_or_unmatched_queries(
    staff: dict[str, Any],  # noqa: F811
) -> None:
    client = client_for(staff["xz_dispatcher"])
    assert buttons(client.get("/appeals/places/", {"address": "紫"}).content.decode()) == []
    html = client.get("/appeals/places/", {"address": "没有这个地方"}).content.decode()
    assert 'data-testid="place-results-empty"' in html


def test_only_staff(staff: dict[str, Any]) -> None:  # noqa: F811
    assert Client().get("/appeals/places/", {"address": "紫荆"}).status_code == 302
