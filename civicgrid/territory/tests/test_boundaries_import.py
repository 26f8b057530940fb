"""Boundaries import restricted to some cities: other cities' features are skipped, not errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicgrid.territory.models import AdminUnit
from civicgrid.territory.services import boundaries_import

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]}


def _feature(code: str) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code}, "geometry": SQUARE}


@pytest.mark.django_db
def test_city_filter_skips_other_cities(territory: Any, tmp_path: Path) -> None:
    path = tmp_path / "districts.geojson"
    collection = {
        "type": "FeatureCollection",
        "features": [_feature("440303"), _feature("440402"), _feature("440304")],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")

    report = boundaries_import(actor=None, path=path, level="district", city_codes={"4404"})

    assert report.errors == []
    assert (report.updated, report.skipped) == (1, 2)
    assert AdminUnit.objects.get(code="440402").boundary == SQUARE
