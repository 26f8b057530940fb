"""/api/territory/units/, /api/territory/units/<code>/ and /api/territory/tree/ per actor."""

from __future__ import annotations

import pytest

from civicgrid.territory.models import AdminLevel, AdminUnit

from .conftest import assert_error, assert_refused_anonymous, client_for

XZ = ["440402", "440402001", "440402001001", "440402001001001", "440402001001002"]
DM = ["440403", "440403001", "440403001001", "440403001001001", "440403001001002"]
UNITS_VISIBLE = {
    "citizen": [],
    "staff_without_scope": [],
    "xz_grid_worker": ["440402001001001"],
    "dm_dispatcher": DM,
    "city_admin": ["4404", *XZ, *DM],
}


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_units_list_per_actor(actors, actor_name, actor_client):
    response = actor_client.get("/api/territory/units/", {"limit": 100})
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    assert response.status_code == 200
    assert codes(response) == UNITS_VISIBLE[actor_name]
    assert response.json()["count"] == len(UNITS_VISIBLE[actor_name])
    for row in response.json()["results"]:
        assert "boundary" not in row


def test_units_list_row_shape(actors):
    response = client_for(actors["city_admin"]).get("/api/territory/units/", {"q": "紫荆第2"})
    assert response.json()["results"] == [
        {
            "code": "440402001001002",
            "name": "紫荆第2网格",
            "level": "grid",
            "parent_code": "440402001001",
            "centroid_lon": 7.5,
            "centroid_lat": 5.0,
            "is_demo_geometry": False,
        }
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "district"}, ["440402", "440403"]),
        ({"parent": "440403001001"}, ["440403001001001", "440403001001002"]),
        ({"q": "4404020"}, XZ[1:]),
        ({"q": "白藤"}, ["440403001", "440403001001", "440403001001001", "440403001001002"]),
        ({"q": "白藤", "level": "grid"}, ["440403001001001", "440403001001002"]),
        ({"parent": "9999"}, []),
    ],
)
def test_units_list_filters(actors, params, expected):
    response = client_for(actors["city_admin"]).get("/api/territory/units/", params)
    assert codes(response) == expected


def test_units_list_filters_never_widen_scope(actors):
    client = client_for(actors["dm_dispatcher"])
    assert codes(client.get("/api/territory/units/", {"q": "紫荆"})) == []
    assert codes(client.get("/api/territory/units/", {"parent": "440402001001"})) == []
    assert codes(client.get("/api/territory/units/", {"level": "district"})) == ["440403"]


def test_units_list_bad_level_is_named(actors):
    response = client_for(actors["city_admin"]).get("/api/territory/units/", {"level": "moon"})
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["level"]


def test_units_list_pagination(actors):
    response = client_for(actors["city_admin"]).get(
        "/api/territory/units/", {"limit": 2, "offset": 1}
    )
    assert response.json()["count"] == 11
    assert codes(response) == ["440402", "440402001"]


def test_units_list_query_count_is_constant(actors, territory, django_assert_num_queries):
    for number in range(3, 40):
        AdminUnit.objects.create(
            code=f"440402001001{number:03d}",
            name=f"紫荆第{number}网格",
            level=AdminLevel.GRID,
            parent=territory.xz_community,
        )
    client = client_for(actors["dm_dispatcher"])
    # token, scope unit, count, page
    with django_assert_num_queries(4):
        client.get("/api/territory/units/", {"limit": 100})
    client = client_for(actors["city_admin"])
    # token, count, page
    with django_assert_num_queries(3):
        response = client.get("/api/territory/units/", {"limit": 100})
    assert len(response.json()["results"]) == 48


DETAIL_VISIBLE = {
    "citizen": set(),
    "staff_without_scope": set(),
    "xz_grid_worker": {"440402001001001"},
    "dm_dispatcher": set(DM),
    "city_admin": {"4404", *XZ, *DM},
}


@pytest.mark.parametrize("code", ["440402", "440403001001002", "440402001001001", "4404"])
def test_unit_detail_per_actor(actors, actor_name, actor_client, code):
    response = actor_client.get(f"/api/territory/units/{code}/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    if code in DETAIL_VISIBLE[actor_name]:
        assert response.status_code == 200
        assert response.json()["code"] == code
    else:
        error = assert_error(response, 404, "not_found")
        assert "斗门" not in error["message"]
        assert "香洲" not in error["message"]


def test_unknown_unit_is_the_same_404_as_another_districts(actors):
    client = client_for(actors["dm_dispatcher"])
    other = client.get("/api/territory/units/440402/")
    missing = client.get("/api/territory/units/999999/")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_unit_detail_shape(actors):
    response = client_for(actors["xz_grid_worker"]).get("/api/territory/units/440402001001001/")
    assert response.json() == {
        "code": "440402001001001",
        "name": "紫荆第1网格",
        "level": "grid",
        "parent_code": "440402001001",
        "centroid_lon": 2.5,
        "centroid_lat": 5.0,
        "is_demo_geometry": False,
        "boundary": {
            "type": "Polygon",
            "coordinates": [[[0, 0], [5, 0], [5, 10], [0, 10], [0, 0]]],
        },
        "breadcrumb": [
            {"code": "4404", "name": "珠海市", "level": "city"},
            {"code": "440402", "name": "香洲区", "level": "district"},
            {"code": "440402001", "name": "翠香街道", "level": "street"},
            {"code": "440402001001", "name": "紫荆社区居民委员会", "level": "community"},
            {"code": "440402001001001", "name": "紫荆第1网格", "level": "grid"},
        ],
        "children": [],
    }


def test_unit_detail_children_are_only_visible_ones(actors, make_user, territory):
    from civicgrid.accounts.models import Role

    street_worker = make_user(Role.GRID_WORKER, scope_unit=territory.xz_community)
    admin = client_for(actors["city_admin"]).get("/api/territory/units/4404/")
    assert [child["code"] for child in admin.json()["children"]] == ["440402", "440403"]
    community = client_for(street_worker).get("/api/territory/units/440402001001/")
    assert [child["code"] for child in community.json()["children"]] == [
        "440402001001001",
        "440402001001002",
    ]


TREE_DEFAULT = {
    "citizen": None,
    "staff_without_scope": None,
    "xz_grid_worker": {"code": "440402001001001", "children": []},
    "dm_dispatcher": {"code": "440403", "children": [{"code": "440403001", "children": []}]},
    "city_admin": {
        "code": "4404",
        "children": [{"code": "440402", "children": []}, {"code": "440403", "children": []}],
    },
}


def strip(node):
    return {"code": node["code"], "children": [strip(child) for child in node["children"]]}


def test_tree_default_per_actor(actors, actor_name, actor_client):
    response = actor_client.get("/api/territory/tree/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    expected = TREE_DEFAULT[actor_name]
    if expected is None:
        assert_error(response, 404, "not_found")
    else:
        assert response.status_code == 200
        assert strip(response.json()) == expected


def test_tree_depth_three(actors):
    response = client_for(actors["city_admin"]).get(
        "/api/territory/tree/", {"root": "4404", "depth": 3}
    )
    assert strip(response.json()) == {
        "code": "4404",
        "children": [
            {
                "code": "440402",
                "children": [
                    {"code": "440402001", "children": [{"code": "440402001001", "children": []}]}
                ],
            },
            {
                "code": "440403",
                "children": [
                    {"code": "440403001", "children": [{"code": "440403001001", "children": []}]}
                ],
            },
        ],
    }
    assert response.json()["children"][0] == {
        "code": "440402",
        "name": "香洲区",
        "level": "district",
        "children": response.json()["children"][0]["children"],
    }


def test_tree_of_other_district_is_404_and_depth_is_limited(actors):
    client = client_for(actors["dm_dispatcher"])
    assert_error(client.get("/api/territory/tree/", {"root": "440402"}), 404, "not_found")
    assert_error(client.get("/api/territory/tree/", {"root": "4404"}), 404, "not_found")
    response = client.get("/api/territory/tree/", {"root": "440403", "depth": 4})
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["depth"]


def test_tree_query_count_is_constant(actors, territory, django_assert_num_queries):
    for number in range(3, 30):
        AdminUnit.objects.create(
            code=f"440402001001{number:03d}",
            name=f"紫荆第{number}网格",
            level=AdminLevel.GRID,
            parent=territory.xz_community,
        )
    client = client_for(actors["city_admin"])
    # token, city (default root), root unit, descendants
    with django_assert_num_queries(4):
        response = client.get("/api/territory/tree/", {"depth": 3})
    with django_assert_num_queries(3):
        response = client.get("/api/territory/tree/", {"root": "440402", "depth": 3})
    grids = response.json()["children"][0]["children"][0]["children"]
    assert len(grids) == 29
