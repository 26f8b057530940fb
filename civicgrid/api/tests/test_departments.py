"""/api/departments/ and /api/departments/<code>/ per actor."""

from __future__ import annotations

import pytest

from civicgrid.territory.models import Department, DepartmentAlias, DepartmentKind

from .conftest import assert_error, assert_refused_anonymous, client_for

VISIBLE = {
    "citizen": [],
    "staff_without_scope": [],
    "xz_grid_worker": ["city-civil-affairs", "xiangzhou-government"],
    "dm_dispatcher": ["city-civil-affairs", "doumen-government"],
    "city_admin": ["city-civil-affairs", "xiangzhou-government", "doumen-government"],
}


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


def test_department_list_per_actor(actors, actor_name, actor_client):
    response = actor_client.get("/api/departments/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    assert response.status_code == 200
    assert codes(response) == VISIBLE[actor_name]


@pytest.mark.parametrize(
    "code", ["city-civil-affairs", "xiangzhou-government", "doumen-government"]
)
def test_department_detail_per_actor(actors, actor_name, actor_client, code):
    response = actor_client.get(f"/api/departments/{code}/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
    elif code in VISIBLE[actor_name]:
        assert response.status_code == 200
        assert response.json()["code"] == code
    else:
        assert_error(response, 404, "not_found")


@pytest.fixture
def aliases(territory):
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="民政")
    DepartmentAlias.objects.create(department=territory.dm_government, alias="斗门政府")
    DepartmentAlias.objects.create(department=territory.dm_government, alias="斗门区府")


def test_department_detail_shape(actors, territory, aliases):
    response = client_for(actors["dm_dispatcher"]).get("/api/departments/doumen-government/")
    assert response.json() == {
        "code": "doumen-government",
        "name": "珠海市斗门区人民政府",
        "short_name": "斗门区政府",
        "kind": "district",
        "admin_unit_code": "440403",
        "admin_unit_name": "斗门区",
        "is_active": True,
        "aliases": ["斗门区府", "斗门政府"],
        "parent_code": None,
    }


@pytest.mark.parametrize(
    ("actor", "params", "expected"),
    [
        ("city_admin", {"q": "民政局"}, ["city-civil-affairs"]),
        ("city_admin", {"q": "斗门区府"}, ["doumen-government"]),  # alias only
        ("city_admin", {"q": "香洲区政府"}, ["xiangzhou-government"]),  # short name
        ("city_admin", {"q": "人民政府"}, ["xiangzhou-government", "doumen-government"]),
        ("city_admin", {"q": "斗门"}, ["doumen-government"]),  # name and two aliases: once
        ("city_admin", {"unit": "440403"}, ["doumen-government"]),
        ("xz_grid_worker", {"q": "斗门"}, []),
        ("xz_grid_worker", {"unit": "440403"}, []),
    ],
)
def test_department_search(actors, aliases, actor, params, expected):
    assert codes(client_for(actors[actor]).get("/api/departments/", params)) == expected


def test_department_list_query_count_is_constant(
    actors, territory, aliases, django_assert_num_queries
):
    for number in range(30):
        Department.objects.create(
            code=f"xz-office-{number}",
            name=f"香洲区第{number}办公室",
            kind=DepartmentKind.GOVERNMENT,
            admin_unit=territory.xiangzhou,
        )
    client = client_for(actors["city_admin"])
    # token, count, page
    with django_assert_num_queries(3):
        response = client.get("/api/departments/", {"q": "办公室", "limit": 100})
    assert len(codes(response)) == 30
