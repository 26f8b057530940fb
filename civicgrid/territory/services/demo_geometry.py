"""Generated demo geometry (示意边界) below district level, down to grids (网格)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from ..geometry import (
    GeometryError,
    area_from_geojson,
    polygonal_part,
    representative_point,
    to_geojson,
    union_of,
    voronoi_partition,
)
from ..locator import invalidate_locator
from ..models import (
    AdminLevel,
    AdminUnit,
)
from .common import (
    CITY_BOUNDARY_SOURCE,
    COMMUNITY_SUFFIXES,
    DEMO_BOUNDARY_SOURCE,
    DemoGeometrySummary,
    _read_csv,
)


def community_short_name(name: str) -> str:
    """紫荆社区居民委员会 → 紫荆社区; 桂海村委会 → 桂海村; other names stay as they are."""
    for suffix, replacement in COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def demo_geometry_generate(
    *,
    actor: Any,
    city_code: str,
    seed: int = 20141,
    grids_per_community: tuple[int, int] = (2, 6),
    anchors: Mapping[str, tuple[float, float]] | None = None,
) -> DemoGeometrySummary:
    """Generate demo boundaries below every district of ``city_code`` that has a real boundary.

    Each district is split by a Voronoi partition into its streets, each street into its
    communities, and each community into 2-6 grids (网格), which are created (codes
    community + 001…) or updated. Cells are disjoint and cover their parent, so every point of
    a district lies in exactly one grid. Official (non-demo) boundaries of streets, communities
    or grids are kept and cut out of the area shared among their siblings. All generated
    boundaries are marked ``is_demo_geometry``. The same seed gives the same result; a re-run
    writes nothing. The city's boundary becomes the union of its districts. ``anchors`` maps unit
    codes to a known point (lon, lat) inside their parent, around which their cell is formed
    (e.g. the seat of each street office), so the demo map resembles the real one.
    """
    anchors = anchors or {}
    low, high = grids_per_community
    if low < 1 or high < low:
        raise DomainError(
            _("The number of grids per community must be a range like 2-6."),
            code="bad_range",
            field="grids_per_community",
        )
    city = AdminUnit.objects.filter(code=city_code, level=AdminLevel.CITY).first()
    if city is None:
        raise DomainError(
            _("There is no city with the code %(code)s.") % {"code": city_code},
            code="not_found",
            field="city_code",
        )
    units = list(AdminUnit.objects.filter(code__startswith=city_code).order_by("code"))
    children: dict[int, list[AdminUnit]] = defaultdict(list)
    for unit in units:
        if unit.parent_id is not None:
            children[unit.parent_id].append(unit)
    summary = DemoGeometrySummary()
    writer = _GeometryWriter()
    district_areas = []
    for district in children[city.pk]:
        if district.level != AdminLevel.DISTRICT or not _has_official_boundary(district):
            continue
        try:
            district_area = area_from_geojson(district.boundary)
        except GeometryError:
            continue
        district_areas.append(district_area)
        summary.districts += 1
        streets = _partition(
            district, district_area, children, AdminLevel.STREET, seed, writer, anchors
        )
        if not streets:
            summary.without_children.append(district.code)
        for street, street_area in streets:
            summary.streets += 1
            communities = _partition(
                street, street_area, children, AdminLevel.COMMUNITY, seed, writer, anchors
            )
            if not communities:
                summary.without_children.append(street.code)
            for community, community_area in communities:
                summary.communities += 1
                grids = _grid_partition(
                    community, community_area, children, seed, (low, high), writer
                )
                summary.grids += len(grids)
    if district_areas:
        city_area = union_of(district_areas)
        writer.set_boundary(city, city_area, is_demo=False, source=CITY_BOUNDARY_SOURCE)
    with transaction.atomic():
        writer.save(summary)
        audit_record(
            actor=actor,
            action="territory.generate_demo_geometry",
            target=city,
            details={**summary.counts(), "seed": seed, "grids_per_community": [low, high]},
        )
        if summary.created or summary.updated:
            transaction.on_commit(invalidate_locator)
    return summary


def _has_official_boundary(unit: AdminUnit) -> bool:
    return bool(unit.boundary) and not unit.is_demo_geometry


def _rng(seed: int, unit: AdminUnit) -> np.random.Generator:
    return np.random.default_rng([seed, int(unit.code)])


class _GeometryWriter:
    """Collects the units whose generated geometry differs from what is stored."""

    def __init__(self) -> None:
        self.new: list[AdminUnit] = []
        self.changed: list[AdminUnit] = []
        self.unchanged = 0
        self.now = timezone.now()

    def set_boundary(self, unit: AdminUnit, area: Any, *, is_demo: bool, source: str) -> None:
        lon, lat = representative_point(area)
        wanted = {
            "boundary": to_geojson(area),
            "centroid_lon": lon,
            "centroid_lat": lat,
            "is_demo_geometry": is_demo,
            "boundary_source": source,
        }
        if unit.pk is None:
            for key, value in wanted.items():
                setattr(unit, key, value)
            self.new.append(unit)
            return
        if all(getattr(unit, key) == value for key, value in wanted.items()):
            self.unchanged += 1
            return
        for key, value in wanted.items():
            setattr(unit, key, value)
        unit.updated_at = self.now
        self.changed.append(unit)

    def save(self, summary: DemoGeometrySummary) -> None:
        AdminUnit.objects.bulk_create(self.new, batch_size=200)
        AdminUnit.objects.bulk_update(
            self.changed,
            [
                "boundary",
                "centroid_lon",
                "centroid_lat",
                "is_demo_geometry",
                "boundary_source",
                "updated_at",
            ],
            batch_size=200,
        )
        summary.created = len(self.new)
        summary.updated = len(self.changed)
        summary.unchanged = self.unchanged


def _split(
    area: Any,
    units: list[AdminUnit],
    rng: np.random.Generator,
    writer: _GeometryWriter,
    anchors: Mapping[str, tuple[float, float]] | None = None,
) -> list[tuple[AdminUnit, Any]]:
    """Give each unit its part of ``area``: official boundaries stay, the rest is partitioned."""
    result: list[tuple[AdminUnit, Any]] = []
    official = []
    generated = []
    for unit in units:
        if _has_official_boundary(unit):
            try:
                official.append((unit, area_from_geojson(unit.boundary)))
                continue
            except GeometryError:
                pass
        generated.append(unit)
    free_area = area
    if official:
        free_area = polygonal_part(area.difference(union_of([part for _u, part in official])))
        result.extend(official)
    if generated and not free_area.is_empty:
        try:
            cells = voronoi_partition(
                free_area,
                len(generated),
                rng,
                [(anchors or {}).get(unit.code) for unit in generated],
            )
        except GeometryError:
            cells = []
        for unit, cell in zip(generated, cells, strict=False):
            if cell.is_empty:
                continue
            writer.set_boundary(unit, cell, is_demo=True, source=DEMO_BOUNDARY_SOURCE)
            result.append((unit, cell))
    result.sort(key=lambda pair: pair[0].code)
    return result


def _partition(
    parent: AdminUnit,
    area: Any,
    children: dict[int, list[AdminUnit]],
    level: str,
    seed: int,
    writer: _GeometryWriter,
    anchors: Mapping[str, tuple[float, float]],
) -> list[tuple[AdminUnit, Any]]:
    units = [unit for unit in children[parent.pk] if unit.level == level]
    return _split(area, units, _rng(seed, parent), writer, anchors)


def _grid_partition(
    community: AdminUnit,
    area: Any,
    children: dict[int, list[AdminUnit]],
    seed: int,
    count_range: tuple[int, int],
    writer: _GeometryWriter,
) -> list[tuple[AdminUnit, Any]]:
    """Split a community into grids; existing grids are reused (same codes), else 2-6 new."""
    rng = _rng(seed, community)
    drawn = int(rng.integers(count_range[0], count_range[1] + 1))
    grids = [unit for unit in children[community.pk] if unit.level == AdminLevel.GRID]
    if not grids:
        short_name = community_short_name(community.name)
        grids = [
            AdminUnit(
                code=f"{community.code}{number:03d}",
                name=f"{short_name}第{number}网格",
                level=AdminLevel.GRID,
                parent=community,
                source="demo",
            )
            for number in range(1, drawn + 1)
        ]
    return _split(area, grids, rng, writer)


def demo_anchors_read(path: str | Path) -> dict[str, tuple[float, float]]:
    """Read anchor points for :func:`demo_geometry_generate` from a CSV file ``code,lon,lat``.

    Every bad row is reported (line number and reason) in one DomainError; nothing is used then.
    """
    path = Path(path)
    anchors: dict[str, tuple[float, float]] = {}
    problems: list[str] = []
    for line, row in _read_csv(path, ("code", "lon", "lat")):
        code = row.get("code", "")
        try:
            lon, lat = float(row.get("lon", "")), float(row.get("lat", ""))
        except ValueError:
            problems.append(_("line %(line)s: lon and lat must be numbers") % {"line": line})
            continue
        if not (code.isdigit() and -180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(
                _("line %(line)s: a division code and a point in degrees are needed")
                % {"line": line}
            )
            continue
        anchors[code] = (lon, lat)
    if problems:
        raise DomainError("; ".join(problems), code="bad_anchors", field="anchors")
    return anchors
