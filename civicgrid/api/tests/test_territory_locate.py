"""GET /api/territory/locate/ — point → district / street / community / grid, within scope."""

from __future__ import annotations

import pytest

from civicgrid.core.models import AuditRecord

from .conftest import assert_error, assert_refused_anonymous, client_for

URL = "/api/territory/locate/"

XZ_GRID_1 = {
    "district": {"code": "440402", "name": "香洲区"},
    "street": {"code": "440402001", "name": "翠香街道"},
    "community": {"code": "440402001001", "name": "紫荆社区居民委员会"},
    "grid": {"code": "440402001001001", "name": "紫荆第1网格"},
    "lon": 2.5,
    "lat": 5.0,
}
DM_GRID_2 = {
    "district": {"code": "440403", "name": "斗门区"},
    "street": {"code": "440403001", "name": "白藤街道"},
    "community": {"code": "440403001001", "name": "白藤一社区居民委员会"},
    "grid": {"code": "440403001001002", "name": "白藤第2网格"},
    "lon": 17.0,
    "lat": 3.0,
}
# What each actor gets for a point in 紫荆第1网格 (香洲区) and one in 白藤第2网格 (斗门区).
EXPECTED = {
    "citizen": (None, None),
    "staff_without_scope": (None, None),
    "xz_grid_worker": (XZ_GRID_1, None),
    "dm_dispatcher": (None, DM_GRID_2),
    "city_admin": (XZ_GRID_1, DM_GRID_2),
}


def test_locate_per_actor(actors, actor_name, actor_client):
    xz_response = actor_client.get(URL, {"lon": "2.5", "lat": "5"})
    dm_response = actor_client.get(URL, {"lon": "17", "lat": "3"})
    if actor_name == "anonymous":
        assert_refused_anonymous(xz_response)
        assert_refused_anonymous(dm_response)
        return
    for response, expected in zip((xz_response, dm_response), EXPECTED[actor_name], strict=True):
        if expected is None:
            error = assert_error(response, 404, "outside_scope")
            # Never leak the names of units the user may not see.
            assert "香洲" not in response.content.decode()
            assert "斗门" not in response.content.decode()
            assert error["fields"] == {}
        else:
            assert response.status_code == 200
            assert response.json() == expected


def test_grid_worker_next_grid_is_outside_scope(actors):
    response = client_for(actors["xz_grid_worker"]).get(URL, {"lon": 7, "lat": 5})
    assert_error(response, 404, "outside_scope")


@pytest.mark.parametrize("point", [(30, 5), (5, -1), (-0.5, 5)])
def test_outside_the_city(actors, point):
    response = client_for(actors["city_admin"]).get(URL, {"lon": point[0], "lat": point[1]})
    error = assert_error(response, 404, "outside_city")
    assert error["fields"] == {}


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"lon": "abc", "lat": "5"}, ["lon"]),
        ({"lon": "5"}, ["lat"]),
        ({}, ["lon", "lat"]),
        ({"lon": "5", "lat": "91"}, ["lat"]),
        ({"lon": "nan", "lat": "5"}, ["lon"]),
        ({"lon": "5", "lat": "inf"}, ["lat"]),
    ],
)
def test_bad_coordinates_name_the_field(actors, params, fields):
    response = client_for(actors["city_admin"]).get(URL, params)
    error = assert_error(response, 400, "invalid")
    assert sorted(error["fields"]) == sorted(fields)
    for field in fields:
        assert field in error["message"]


def test_locate_writes_nothing(actors):
    client_for(actors["city_admin"]).get(URL, {"lon": 2.5, "lat": 5})
    assert AuditRecord.objects.count() == 0
