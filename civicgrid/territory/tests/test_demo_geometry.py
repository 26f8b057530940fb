"""Demo geometry on the real 金湾区 boundary: grids partition the district exactly."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from civicgrid.core.errors import DomainError
from civicgrid.core.models import AuditRecord
from civicgrid.territory.models import AdminLevel, AdminUnit
from civicgrid.territory.services import (
    DEMO_BOUNDARY_SOURCE,
    boundaries_import,
    demo_geometry_generate,
    divisions_import,
)

DATA = Path(__file__).resolve().parent.parent / "data"
JINWAN = "440404"


@pytest.fixture
def jinwan(db: Any, tmp_path: Path) -> shapely.Geometry:
    """Zhuhai's division codes and only 金湾区's real boundary."""
    divisions_import(actor=None, path=DATA / "divisions_4403_4404.csv", city_codes={"4404"})
    collection = json.loads((DATA / "districts_4403_4404.geojson").read_text(encoding="utf-8"))
    collection["features"] = [
        item for item in collection["features"] if item["properties"]["code"] == JINWAN
    ]
    path = tmp_path / "jinwan.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    report = boundaries_import(actor=None, path=path, level="district")
    assert (report.updated, report.errors) == (1, [])
    return shape(AdminUnit.objects.get(code=JINWAN).boundary)


def grid_geometries() -> tuple[list[str], np.ndarray]:
    grids = list(
        AdminUnit.objects.filter(level=AdminLevel.GRID)
        .order_by("code")
        .values_list("code", "boundary")
    )
    return [code for code, _ in grids], np.array([shape(boundary) for _, boundary in grids])


def test_every_point_of_the_district_lies_in_exactly_one_grid(jinwan: Any) -> None:
    summary = demo_geometry_generate(actor=None, city_code="4404", seed=7)

    communities = AdminUnit.objects.filter(level=AdminLevel.COMMUNITY, code__startswith=JINWAN)
    streets = AdminUnit.objects.filter(level=AdminLevel.STREET, code__startswith=JINWAN)
    assert summary.districts == 1
    assert summary.streets == streets.count() == 6
    assert summary.communities == communities.count()
    codes, geometries = grid_geometries()
    assert summary.grids == summary.created == len(codes)
    # Only 金湾区 has a real boundary: nothing is generated in the other districts.
    assert all(code.startswith(JINWAN) for code in codes)
    per_community = Counter(code[:12] for code in codes)
    assert set(per_community) == set(communities.values_list("code", flat=True))
    assert min(per_community.values()) >= 2
    assert max(per_community.values()) <= 6
    assert len(set(per_community.values())) > 1  # the count really varies

    rng = np.random.default_rng(1)
    min_x, min_y, max_x, max_y = jinwan.bounds
    xs = rng.uniform(min_x, max_x, 20000)
    ys = rng.uniform(min_y, max_y, 20000)
    inside = shapely.contains_xy(jinwan, xs, ys)
    assert inside.sum() > 5000
    points = shapely.points(xs, ys)
    point_index, grid_index = shapely.STRtree(geometries).query(points, predicate="intersects")
    hits = np.bincount(point_index, minlength=len(xs))
    assert np.array_equal(hits[inside], np.ones(inside.sum(), dtype=hits.dtype))
    assert not hits[~inside].any()
    # Nested: each grid lies inside its community, each community inside its street.
    first_grid = np.full(len(xs), -1)
    first_grid[point_index] = grid_index
    community_area = {
        unit.code: shape(unit.boundary) for unit in communities if unit.boundary is not None
    }
    for index in np.flatnonzero(inside)[:300]:
        code = codes[first_grid[index]]
        assert community_area[code[:12]].intersects(points[index])
    assert sum(geometry.area for geometry in geometries) == pytest.approx(jinwan.area, rel=1e-9)

    grid = AdminUnit.objects.get(code=codes[0])
    assert grid.is_demo_geometry is True
    assert grid.boundary_source == DEMO_BOUNDARY_SOURCE
    assert grid.parent is not None
    assert (grid.code, grid.parent.name, grid.name) == (
        "440404100001001",
        "三灶社区居民委员会",
        "三灶社区第1网格",
    )
    assert shape(grid.boundary).contains(shapely.Point(grid.centroid_lon, grid.centroid_lat))
    city = AdminUnit.objects.get(code="4404")
    assert shape(city.boundary).area == pytest.approx(jinwan.area, rel=1e-9)
    assert city.is_demo_geometry is False
    district = AdminUnit.objects.get(code=JINWAN)
    assert district.is_demo_geometry is False
    assert AuditRecord.objects.get(action="territory.generate_demo_geometry").target_id == str(
        city.pk
    )


def test_rerun_with_the_same_seed_changes_nothing(jinwan: Any) -> None:
    first = demo_geometry_generate(actor=None, city_code="4404", seed=7)
    before = list(AdminUnit.objects.order_by("code").values_list("code", "updated_at", "boundary"))

    again = demo_geometry_generate(actor=None, city_code="4404", seed=7)

    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == first.created + first.updated
    assert (
        list(AdminUnit.objects.order_by("code").values_list("code", "updated_at", "boundary"))
        == before
    )

    other = demo_geometry_generate(actor=None, city_code="4404", seed=8)
    # Existing grids are reused (same codes, new shapes), never duplicated.
    assert other.created == 0
    assert other.updated > 0
    assert AdminUnit.objects.filter(level=AdminLevel.GRID).count() == first.grids


def test_official_street_boundary_is_kept_and_cut_out(jinwan: Any) -> None:
    street = AdminUnit.objects.get(code="440404100")  # 三灶镇
    min_x, min_y, max_x, max_y = jinwan.bounds
    official = shapely.box(min_x, min_y, (min_x + max_x) / 2, (min_y + max_y) / 2).intersection(
        jinwan
    )
    street.boundary = json.loads(shapely.to_geojson(official))
    street.save()

    demo_geometry_generate(actor=None, city_code="4404", seed=7)

    street.refresh_from_db()
    assert street.is_demo_geometry is False
    assert shape(street.boundary).equals(official)
    others = [
        shape(unit.boundary)
        for unit in AdminUnit.objects.filter(
            level=AdminLevel.STREET, code__startswith=JINWAN
        ).exclude(pk=street.pk)
    ]
    assert all(other.intersection(official).area < 1e-12 for other in others)
    assert sum(other.area for other in others) + official.area == pytest.approx(
        jinwan.area, rel=1e-9
    )


def test_official_boundaries_below_districts_are_left_alone(territory: Any) -> None:
    before = list(AdminUnit.objects.exclude(level=AdminLevel.CITY).values_list("code", "boundary"))

    summary = demo_geometry_generate(actor=None, city_code="4404", seed=3)

    assert (summary.grids, summary.created, summary.updated) == (4, 0, 1)  # 1: the city
    city = AdminUnit.objects.get(code="4404")
    assert shape(city.boundary).equals(shapely.box(0, 0, 20, 10))
    assert (
        list(AdminUnit.objects.exclude(level=AdminLevel.CITY).values_list("code", "boundary"))
        == before
    )


def test_existing_demo_grids_of_a_community_get_new_boundaries(territory: Any) -> None:
    AdminUnit.objects.exclude(level__in=[AdminLevel.CITY, AdminLevel.DISTRICT]).update(
        is_demo_geometry=True
    )

    summary = demo_geometry_generate(actor=None, city_code="4404", seed=3)

    assert (summary.grids, summary.created) == (4, 0)  # the two grids of each community reused
    assert AdminUnit.objects.filter(level=AdminLevel.GRID).count() == 4
    grid = AdminUnit.objects.get(code="440402001001001")
    assert grid.name == "紫荆第1网格"
    assert grid.is_demo_geometry is True
    assert grid.boundary_source == DEMO_BOUNDARY_SOURCE
    first = shape(grid.boundary)
    second = shape(AdminUnit.objects.get(code="440402001001002").boundary)
    assert first.area != pytest.approx(50.0)  # no longer the fixture's left half
    assert first.intersection(second).area == pytest.approx(0.0, abs=1e-12)
    assert first.union(second).area == pytest.approx(100.0)


@pytest.mark.django_db
def test_unknown_city_and_bad_range_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        demo_geometry_generate(actor=None, city_code="9999")
    assert str(caught.value) == "There is no city with the code 9999."
    with pytest.raises(DomainError):
        demo_geometry_generate(actor=None, city_code="9999", grids_per_community=(4, 2))
