"""GET /api/territory/geojson/ — the map layer, scoped to what the user may see."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from civicgrid.territory.models import AdminLevel, AdminUnit

from .conftest import assert_error, assert_refused_anonymous, client_for

URL = "/api/territory/geojson/"

# Codes of the features each actor gets at the grid level of the whole city.
GRIDS_VISIBLE = {
    "citizen": [],
    "staff_without_scope": [],
    "xz_grid_worker": ["440402001001001"],
    "dm_dispatcher": ["440403001001001", "440403001001002"],
    "city_admin": ["440402001001001", "440402001001002", "440403001001001", "440403001001002"],
}
# Default (no parameters): the level below the top of the visible tree.
DEFAULT_VISIBLE = {
    "citizen": [],
    "staff_without_scope": [],
    "xz_grid_worker": ["440402001001001"],  # a grid has no children: the grid itself
    "dm_dispatcher": ["440403001"],
    "city_admin": ["440402", "440403"],
}


def feature_codes(response) -> list[str]:
    return [feature["properties"]["code"] for feature in response.json()["features"]]


def test_grid_level_features_per_actor(actors, actor_name, actor_client):
    response = actor_client.get(URL, {"within": "4404", "level": "grid"})
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert feature_codes(response) == GRIDS_VISIBLE[actor_name]


def test_default_area_and_level_per_actor(actors, actor_name, actor_client):
    response = actor_client.get(URL)
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    assert response.status_code == 200
    assert feature_codes(response) == DEFAULT_VISIBLE[actor_name]


def test_other_district_never_appears(actors, territory):
    client = client_for(actors["dm_dispatcher"])
    for level in AdminLevel.values:
        for within in ("4404", "440402", "440402001", "4404020010010"):
            response = client.get(URL, {"within": within, "level": level})
            assert response.status_code == 200
            assert all(code.startswith("440403") for code in feature_codes(response))


def test_feature_shape(actors, territory):
    response = client_for(actors["city_admin"]).get(URL, {"within": "440402001001"})
    feature = response.json()["features"][0]
    assert feature == {
        "type": "Feature",
        "id": "440402001001001",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[0, 0], [5, 0], [5, 10], [0, 10], [0, 0]]],
        },
        "properties": {
            "code": "440402001001001",
            "name": "紫荆第1网格",
            "level": "grid",
            "parent_code": "440402001001",
            "is_demo_geometry": False,
        },
    }
    assert len(response.json()["features"]) == 2


def test_units_without_boundary_are_skipped(actors, territory):
    AdminUnit.objects.filter(code="440402001001002").update(boundary=None)
    response = client_for(actors["city_admin"]).get(URL, {"within": "4404", "level": "grid"})
    assert feature_codes(response) == ["440402001001001", "440403001001001", "440403001001002"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"within": "44x"}, "within"), ({"level": "planet"}, "level"), ({"within": "12"}, "within")],
)
def test_bad_parameters_are_named(actors, params, field):
    response = client_for(actors["city_admin"]).get(URL, params)
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == [field]


def test_one_query_whatever_the_number_of_grids(actors, territory, django_assert_num_queries):
    community = territory.xz_community
    for number in range(3, 60):
        AdminUnit.objects.create(
            code=f"440402001001{number:03d}",
            name=f"紫荆第{number}网格",
            level=AdminLevel.GRID,
            parent=community,
            boundary={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        )
    client = client_for(actors["city_admin"])
    # token lookup + the features
    with django_assert_num_queries(2):
        response = client.get(URL, {"within": "4404", "level": "grid"})
    assert len(response.json()["features"]) == 61


def test_anonymous_gets_consistent_body():
    assert_refused_anonymous(APIClient().get(URL))
