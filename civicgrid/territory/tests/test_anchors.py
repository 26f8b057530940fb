"""Anchor points: a generated cell forms around the known place of its unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import shapely.geometry

from civicgrid.core.errors import DomainError
from civicgrid.territory.geometry import voronoi_partition
from civicgrid.territory.models import AdminUnit
from civicgrid.territory.services import demo_anchors_read, demo_geometry_generate

SQUARE = shapely.box(0, 0, 10, 10)


def test_each_anchor_lies_in_its_own_cell() -> None:
    anchors = [(1.0, 1.0), None, (9.0, 9.0), (50.0, 50.0)]
    cells = voronoi_partition(SQUARE, 4, np.random.default_rng(1), anchors)
    assert len(cells) == 4
    assert cells[0].contains(shapely.Point(1, 1))
    assert cells[2].contains(shapely.Point(9, 9))
    assert shapely.union_all(cells).equals(SQUARE)
    assert sum(cell.area for cell in cells) == pytest.approx(100)


def test_an_anchor_outside_the_parent_is_ignored() -> None:
    with_outside = voronoi_partition(SQUARE, 3, np.random.default_rng(7), [(50.0, 50.0)])
    without = voronoi_partition(SQUARE, 3, np.random.default_rng(7))
    assert [cell.wkt for cell in with_outside] == [cell.wkt for cell in without]


@pytest.mark.django_db
def test_generated_streets_grow_around_their_anchors(territory: Any) -> None:
    AdminUnit.objects.create(
        code="440402002", name="梅华街道", level="street", parent=territory.xiangzhou
    )
    territory.xz_street.boundary = None
    territory.xz_street.save()
    demo_geometry_generate(
        actor=None,
        city_code="4404",
        anchors={"440402001": (9.0, 9.0), "440402002": (1.0, 1.0)},
    )
    streets = {
        unit.code: shapely.geometry.shape(unit.boundary)
        for unit in AdminUnit.objects.filter(level="street", code__startswith="440402")
    }
    assert streets["440402001"].contains(shapely.Point(9, 9))
    assert streets["440402002"].contains(shapely.Point(1, 1))
    assert AdminUnit.objects.get(code="440402002").is_demo_geometry


def test_anchor_file_errors_name_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "anchors.csv"
    path.write_text("code,lon,lat\n440402001,113.5,22.2\nx,1,2\n440402002,east,22\n")
    with pytest.raises(DomainError) as caught:
        demo_anchors_read(path)
    assert str(caught.value) == (
        "line 3: a division code and a point in degrees are needed; "
        "line 4: lon and lat must be numbers"
    )
    path.write_text("code,lon,lat\n440402001,113.5,22.2\n")
    assert demo_anchors_read(path) == {"440402001": (113.5, 22.2)}
