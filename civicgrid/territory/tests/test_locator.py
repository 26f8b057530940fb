"""Point → grid lookup on the small square territory, the validator and the cache."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from civicgrid.territory.locator import LocateResult, Locator, UnitRef, get_locator
from civicgrid.territory.models import AdminLevel, AdminUnit
from civicgrid.territory.selectors import locate_point
from civicgrid.territory.validators import validate_coordinates_in_city


def test_locate_returns_the_whole_chain(territory: Any) -> None:
    assert locate_point(2.0, 5.0) == LocateResult(
        city=UnitRef("4404", "珠海市"),
        district=UnitRef("440402", "香洲区"),
        street=UnitRef("440402001", "翠香街道"),
        community=UnitRef("440402001001", "紫荆社区居民委员会"),
        grid=UnitRef("440402001001001", "紫荆第1网格"),
    )
    result = locate_point(17.5, 0.5)
    assert result is not None
    assert result.grid == UnitRef("440403001001002", "白藤第2网格")
    assert result.unit == result.grid


@pytest.mark.parametrize(
    ("lon", "lat", "grid_code"),
    [
        (5.0, 5.0, "440402001001001"),  # border of the two 香洲 grids: the smaller code
        (10.0, 5.0, "440402001001002"),  # border of the two districts
        (0.0, 0.0, "440402001001001"),  # outer corner counts as inside
        (20.0, 10.0, "440403001001002"),
    ],
)
def test_points_on_borders_go_to_the_smallest_code(
    territory: Any, lon: float, lat: float, grid_code: str
) -> None:
    result = locate_point(lon, lat)
    assert result is not None
    assert result.grid is not None
    assert result.grid.code == grid_code


@pytest.mark.parametrize(("lon", "lat"), [(25.0, 5.0), (-0.001, 5.0), (116.4, 39.9)])
def test_points_outside_give_none(territory: Any, lon: float, lat: float) -> None:
    assert locate_point(lon, lat) is None


def test_locate_many_agrees_with_locate(territory: Any) -> None:
    locator = Locator.from_database()
    rng = np.random.default_rng(5)
    lons = np.concatenate([rng.uniform(-2, 22, 2000), [5.0, 10.0, 15.0, np.nan]])
    lats = np.concatenate([rng.uniform(-2, 12, 2000), [5.0, 10.0, 3.0, 1.0]])

    indices = locator.locate_many(lons, lats)

    assert indices.shape == lons.shape
    assert set(np.unique(indices)) == {-1, 0, 1, 2, 3}
    for lon, lat, index in zip(lons, lats, indices, strict=True):
        result = locator.locate(float(lon), float(lat))
        if index < 0:
            assert result is None
        else:
            assert result is not None
            assert result.grid is not None
            assert result.grid.code == locator.codes[index]
    # Exact expectation from the squares: grid i covers x in [5i, 5i+5).
    plain = (lons >= -0.0) & (lons <= 20) & (lats >= 0) & (lats <= 10)
    expected = np.where(plain, np.clip(np.floor(lons / 5), 0, 3), -1)
    on_border = plain & (lons % 5 == 0) & (lons > 0) & (lons < 20)
    expected[on_border] -= 1
    assert np.array_equal(indices, expected.astype(np.intp))
    assert locator.locate_many(np.array([]), np.array([])).shape == (0,)
    with pytest.raises(ValueError, match="same length"):
        locator.locate_many(np.array([1.0]), np.array([1.0, 2.0]))


def test_locator_falls_back_to_the_lowest_level_with_boundaries(territory: Any) -> None:
    AdminUnit.objects.filter(level=AdminLevel.GRID).update(boundary=None)

    locator = get_locator()

    assert locator.level == AdminLevel.COMMUNITY
    result = locator.locate(12.0, 3.0)
    assert result is not None
    assert (result.grid, result.community) == (
        None,
        UnitRef("440403001001", "白藤一社区居民委员会"),
    )


def test_cached_locator_is_rebuilt_when_units_change(territory: Any) -> None:
    first = get_locator()
    assert get_locator() is first
    grid = territory.xz_grid_1
    grid.boundary = {
        "type": "Polygon",
        "coordinates": [[[30, 30], [31, 30], [31, 31], [30, 31], [30, 30]]],
    }
    grid.save()

    second = get_locator()

    assert second is not first
    result = second.locate(30.5, 30.5)
    assert result is not None
    assert result.grid == UnitRef("440402001001001", "紫荆第1网格")
    assert second.locate(2.0, 5.0) is None


@pytest.mark.django_db
def test_empty_locator() -> None:
    locator = get_locator()
    assert locator.is_empty
    assert locator.locate(1.0, 1.0) is None
    assert list(locator.locate_many(np.array([1.0]), np.array([1.0]))) == [-1]


# ---------------------------------------------------------------- validator


def test_validator_accepts_a_point_in_the_city(territory: Any) -> None:
    assert validate_coordinates_in_city("3.5", 4, field="位置") == (3.5, 4.0)


@pytest.mark.parametrize(
    ("lon", "lat", "code", "message"),
    [
        (25, 5, "outside_city", "location: the point (25.0, 5.0) lies outside 珠海市."),
        ("east", 5, "invalid_coordinates", "location: longitude and latitude must be numbers."),
        (
            200,
            5,
            "coordinates_out_of_range",
            "location: the longitude must lie between -180 and 180 and the latitude between -90 "
            "and 90.",
        ),
        (
            float("nan"),
            5,
            "coordinates_out_of_range",
            "location: the longitude must lie between -180 and 180 and the latitude between -90 "
            "and 90.",
        ),
    ],
)
def test_validator_refuses_bad_points(
    territory: Any, lon: Any, lat: Any, code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_coordinates_in_city(lon, lat)
    assert caught.value.code == code
    assert caught.value.messages == [message]


def test_validator_without_city_boundary_uses_the_units(territory: Any) -> None:
    AdminUnit.objects.filter(code="4404").update(boundary=None)
    validate_coordinates_in_city(12, 3, field="place")
    with pytest.raises(ValidationError) as caught:
        validate_coordinates_in_city(25, 3, field="place")
    assert caught.value.messages == ["place: the point (25.0, 3.0) lies outside 珠海市."]


@pytest.mark.django_db
def test_validator_without_any_boundary_checks_only_the_range() -> None:
    assert validate_coordinates_in_city(116.4, 39.9) == (116.4, 39.9)
