"""Plain geometry helpers for admin-unit boundaries (边界): GeoJSON ⇄ shapely, representative
points, and the Voronoi partition used to generate demo boundaries.

Nothing here touches the database; services and the locator call these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry


class GeometryError(ValueError):
    """The GeoJSON geometry is missing, unreadable, empty or not an area."""


def _lists(value: Any) -> Any:
    """Turn the tuples of ``shapely.geometry.mapping`` into JSON-friendly lists."""
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    return value


def to_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    """The GeoJSON geometry object (a dict of lists) of a shapely geometry."""
    return dict(_lists(dict(mapping(geometry))))


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Only the areas of ``geometry`` (drops points and lines a clip or repair can leave)."""
    if geometry.is_empty:
        return shapely.MultiPolygon()
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    polygons: list[BaseGeometry] = []
    for part in parts:
        polygons.extend(shapely.get_parts(part))
    if not polygons:
        return shapely.MultiPolygon()
    if len(polygons) == 1:
        return polygons[0]
    return shapely.MultiPolygon(polygons)


def area_from_geojson(data: Any) -> BaseGeometry:
    """Read a GeoJSON geometry as a valid, non-empty (multi)polygon, repairing it if needed.

    Raises :class:`GeometryError` with a short translated reason when that is impossible.
    """
    if not isinstance(data, dict) or "type" not in data:
        raise GeometryError(_("the geometry is missing"))
    try:
        geometry = shape(data)
    except Exception as error:  # shapely raises several types for malformed input
        raise GeometryError(_("the geometry cannot be read")) from error
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError(_("the geometry is not a polygon or multipolygon"))
    if not geometry.is_valid:
        geometry = polygonal_part(shapely.make_valid(geometry))
    if geometry.is_empty or geometry.area <= 0:
        raise GeometryError(_("the geometry is empty or has no area"))
    return geometry


def representative_point(geometry: BaseGeometry) -> tuple[float, float]:
    """The centroid if it lies inside the area, else a point guaranteed inside (point on surface).

    Multipolygons (a district with islands) and crescent shapes often have their centroid in the
    sea or in a neighbour; a label or a map marker must sit inside the unit.
    """
    centroid = geometry.centroid
    point = centroid if geometry.contains(centroid) else geometry.point_on_surface()
    return float(point.x), float(point.y)


def random_points_inside(
    geometry: BaseGeometry, count: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` distinct points drawn uniformly inside ``geometry`` (rejection sampling)."""
    min_x, min_y, max_x, max_y = geometry.bounds
    fill = max(geometry.area / max((max_x - min_x) * (max_y - min_y), 1e-18), 1e-3)
    shapely.prepare(geometry)
    found: list[np.ndarray] = []
    total = 0
    for _attempt in range(1000):
        batch = int(count / fill * 2) + 16
        xs = rng.uniform(min_x, max_x, batch)
        ys = rng.uniform(min_y, max_y, batch)
        inside = shapely.contains_xy(geometry, xs, ys)
        points = np.column_stack([xs[inside], ys[inside]])
        found.append(points)
        total += len(points)
        if total >= count:
            break
    all_points = np.unique(np.concatenate(found), axis=0) if found else np.empty((0, 2))
    if len(all_points) < count:
        raise GeometryError(_("the area is too small to place seed points"))
    # np.unique sorts; shuffle back deterministically so the draw order does not bias the result.
    return all_points[rng.permutation(len(all_points))[:count]]


def voronoi_partition(
    parent: BaseGeometry,
    count: int,
    rng: np.random.Generator,
    anchors: Sequence[tuple[float, float] | None] | None = None,
) -> list[BaseGeometry]:
    """Split ``parent`` into ``count`` disjoint areas that together cover it exactly.

    Seed points are drawn inside ``parent``; ``anchors[i]``, where given and inside ``parent``
    (and not on top of another seed), replaces the i-th seed, so the i-th cell forms around a
    known place. Each seed's Voronoi cell is clipped to ``parent``. Every cell contains its seed,
    so none is empty. Parts of ``parent`` without a seed (a small island) fall to the cell of
    the nearest seed.
    """
    if count <= 0:
        return []
    if count == 1:
        return [parent]
    seeds = random_points_inside(parent, count, rng)
    for index, anchor in enumerate((anchors or [])[:count]):
        if anchor is None or not shapely.contains_xy(parent, anchor[0], anchor[1]):
            continue
        if any(np.allclose(seeds[other], anchor) for other in range(count) if other != index):
            continue
        seeds[index] = anchor
    min_x, min_y, max_x, max_y = parent.bounds
    margin = max(max_x - min_x, max_y - min_y) + 1.0
    frame = shapely.box(min_x - margin, min_y - margin, max_x + margin, max_y + margin)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    clipped = shapely.intersection(shapely.get_parts(cells), parent)
    return [polygonal_part(cell) for cell in clipped]


def union_of(geometries: Sequence[BaseGeometry]) -> BaseGeometry:
    return polygonal_part(shapely.union_all(list(geometries)))
