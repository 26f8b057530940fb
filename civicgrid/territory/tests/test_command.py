"""``civicgrid territory …`` on real Zhuhai data (loaded once for the module) and on bad input."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from civicgrid.territory.locator import Locator, UnitRef, invalidate_locator
from civicgrid.territory.models import AdminLevel, AdminUnit
from civicgrid.territory.selectors import locate_point

DATA = Path(__file__).resolve().parent.parent / "data"


def run(*args: str) -> str:
    out = StringIO()
    call_command("territory", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def zhuhai(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """Real divisions + district boundaries + demo geometry of Zhuhai, through the command,
    rolled back after the module."""
    with django_db_blocker.unblock(), translation.override("en"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            outputs = {
                "divisions": run(
                    "import-divisions", str(DATA / "divisions_4403_4404.csv"), "--city", "4404"
                ),
                "boundaries": run(
                    "import-boundaries",
                    str(DATA / "districts_4403_4404.geojson"),
                    "--level",
                    "district",
                ),
                "demo": run("generate-demo-geometry", "--city", "4404"),
            }
            yield outputs
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            invalidate_locator()


def test_import_outputs(zhuhai: dict[str, str]) -> None:
    assert zhuhai["divisions"] == (
        "Created: 380, updated: 0, unchanged: 0, rejected: 0.\n"
        "Skipped 877 rows outside the requested cities.\n"
    )
    boundary_lines = zhuhai["boundaries"].splitlines()
    assert boundary_lines[0] == "Created: 0, updated: 3, unchanged: 0, rejected: 9."
    assert boundary_lines[1] == "Feature 1 (code 440311): no admin unit has the code 440311"
    assert len(boundary_lines) == 10
    demo_lines = zhuhai["demo"].splitlines()
    grids = AdminUnit.objects.filter(level=AdminLevel.GRID).count()
    assert demo_lines[0] == (f"Districts: 3, streets: 31, communities: 345, grids: {grids}.")
    assert 2 * 345 <= grids <= 6 * 345


@pytest.mark.django_db
def test_locate_gongbei_point_in_xiangzhou(zhuhai: dict[str, str]) -> None:
    result = locate_point(113.5767, 22.2710)
    assert result is not None
    assert result.district == UnitRef("440402", "香洲区")
    assert result.grid is not None
    assert result.grid.code.startswith(result.community.code)  # type: ignore[union-attr]

    lines = run("locate", "113.5767", "22.2710").splitlines()

    assert lines[0] == "District: 香洲区 (440402)"
    assert lines[1] == f"Street / town: {result.street}"
    assert lines[2] == f"Community / village: {result.community}"
    assert lines[3] == f"Grid: {result.grid}"
    assert len(lines) == 4


@pytest.mark.django_db
@pytest.mark.parametrize(("lon", "lat"), [("113.75", "21.9"), ("116.4", "39.9")])
def test_points_in_the_sea_or_in_beijing_are_outside(
    zhuhai: dict[str, str], lon: str, lat: str
) -> None:
    assert locate_point(float(lon), float(lat)) is None
    with pytest.raises(CommandError) as caught:
        run("locate", lon, lat)
    assert str(caught.value) == (
        f"The point ({float(lon)}, {float(lat)}) lies outside the city's admin units."
    )
    assert caught.value.returncode == 1


@pytest.mark.django_db
def test_locate_many_agrees_with_locate_on_real_data(zhuhai: dict[str, str]) -> None:
    locator = Locator.from_database()
    assert locator.level == AdminLevel.GRID
    rng = np.random.default_rng(11)
    lons = rng.uniform(113.0, 114.4, 3000)
    lats = rng.uniform(21.7, 22.5, 3000)

    indices = locator.locate_many(lons, lats)

    assert 0 < (indices >= 0).sum() < len(indices)
    for lon, lat, index in zip(lons[:500], lats[:500], indices[:500], strict=True):
        result = locator.locate(float(lon), float(lat))
        assert (result.grid.code if result and result.grid else None) == (
            locator.codes[index] if index >= 0 else None
        )
    # Every located point is inside the city boundary and vice versa.
    city = locator.city_areas["4404"]
    import shapely

    assert np.array_equal(indices >= 0, shapely.contains_xy(city, lons, lats))
