"""Point → grid lookup (坐标落格): which grid, community, street and district contain a point.

A :class:`Locator` holds the grid polygons in a shapely STRtree; a lookup is one vectorised tree
query, never a Python loop over polygons. The ancestors of the containing grid follow from its
code (district = first 6 digits, street = 9, community = 12).

:func:`get_locator` caches one locator per process and rebuilds it when the admin units change
(count or latest ``updated_at``; checked at most every ``CIVICGRID_LOCATOR_CHECK_SECONDS``,
default 0 = on every call, one cheap aggregate query). Services call :func:`invalidate_locator`
after they change boundaries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max
from shapely.geometry.base import BaseGeometry

from .geometry import GeometryError, area_from_geojson
from .models import CODE_LENGTH, LEVEL_ORDER, AdminLevel, AdminUnit

LEVEL_BY_LENGTH = {length: AdminLevel(level) for level, length in CODE_LENGTH.items()}


@dataclass(frozen=True)
class UnitRef:
    """A unit found by the locator: its division code and name."""

    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class LocateResult:
    """The units containing a point; levels below the locator's level are ``None``."""

    city: UnitRef | None
    district: UnitRef | None
    street: UnitRef | None
    community: UnitRef | None
    grid: UnitRef | None

    @property
    def unit(self) -> UnitRef:
        """The smallest unit found (the grid when grids have boundaries)."""
        for ref in (self.grid, self.community, self.street, self.district, self.city):
            if ref is not None:
                return ref
        raise ValueError("empty LocateResult")  # pragma: no cover - never built empty


class Locator:
    """An immutable index of unit polygons of one level (normally grids)."""

    def __init__(
        self,
        codes: list[str],
        geometries: list[BaseGeometry],
        names: dict[str, str],
        level: str | None,
        city_areas: dict[str, BaseGeometry] | None = None,
    ) -> None:
        if len(codes) != len(geometries):
            raise ValueError("codes and geometries differ in length")
        self.codes = list(codes)
        self.level = level
        self.names = dict(names)
        self.geometries = np.array(geometries, dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self.city_areas = dict(city_areas or {})
        for area in self.city_areas.values():
            shapely.prepare(area)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def is_empty(self) -> bool:
        return not self.codes

    @classmethod
    def from_database(cls) -> Locator:
        """Index the grids with boundaries; without any, the lowest level that has boundaries."""
        with_boundary = AdminUnit.objects.filter(boundary__isnull=False)
        levels = set(with_boundary.values_list("level", flat=True).distinct())
        level = next((lvl for lvl in reversed(LEVEL_ORDER) if lvl in levels), None)
        codes: list[str] = []
        geometries: list[BaseGeometry] = []
        city_areas: dict[str, BaseGeometry] = {}
        if level is not None:
            for code, boundary in (
                with_boundary.filter(level=level).order_by("code").values_list("code", "boundary")
            ):
                try:
                    geometry = area_from_geojson(boundary)
                except GeometryError:
                    continue
                codes.append(code)
                geometries.append(geometry)
            for code, boundary in with_boundary.filter(level=AdminLevel.CITY).values_list(
                "code", "boundary"
            ):
                try:
                    city_areas[code] = area_from_geojson(boundary)
                except GeometryError:
                    continue
        names = dict(AdminUnit.objects.values_list("code", "name"))
        return cls(codes, geometries, names, level, city_areas)

    def locate_many(self, lons: Any, lats: Any) -> np.ndarray:
        """Index into :attr:`codes` of the unit containing each point, -1 outside every unit.

        A point on a border shared by several units goes to the one with the smallest index
        (the smallest code), so the answer is deterministic.
        """
        xs = np.asarray(lons, dtype=float)
        ys = np.asarray(lats, dtype=float)
        if xs.shape != ys.shape or xs.ndim != 1:
            raise ValueError("lons and lats must be one-dimensional arrays of the same length")
        result = np.full(len(xs), -1, dtype=np.intp)
        if self.is_empty or len(xs) == 0:
            return result
        point_index, unit_index = self.tree.query(shapely.points(xs, ys), predicate="intersects")
        if len(point_index) == 0:
            return result
        result[point_index] = unit_index
        if len(point_index) > 1:
            is_sorted = bool(np.all(point_index[1:] >= point_index[:-1]))
            if is_sorted:
                repeated = point_index[1:] == point_index[:-1]
                if repeated.any():
                    # Only the few points on shared borders: keep their smallest unit index.
                    border = np.unique(point_index[1:][repeated])
                    mask = np.isin(point_index, border)
                    result[border] = np.iinfo(np.intp).max
                    np.minimum.at(result, point_index[mask], unit_index[mask])
            else:  # pragma: no cover - shapely returns pairs ordered by input point
                result[point_index] = np.iinfo(np.intp).max
                np.minimum.at(result, point_index, unit_index)
        return result

    def result_for(self, index: int) -> LocateResult:
        """The :class:`LocateResult` of the unit at ``index`` (from :meth:`locate_many`)."""
        code = self.codes[index]
        refs: dict[str, UnitRef | None] = {}
        for level in LEVEL_ORDER:
            length = CODE_LENGTH[level]
            prefix = code[:length]
            found = len(code) >= length and prefix in self.names
            refs[str(level)] = UnitRef(prefix, self.names[prefix]) if found else None
        return LocateResult(
            city=refs[AdminLevel.CITY],
            district=refs[AdminLevel.DISTRICT],
            street=refs[AdminLevel.STREET],
            community=refs[AdminLevel.COMMUNITY],
            grid=refs[AdminLevel.GRID],
        )

    def locate(self, lon: float, lat: float) -> LocateResult | None:
        """The units containing the point (WGS-84 longitude, latitude), or ``None`` outside."""
        index = int(self.locate_many(np.array([lon], dtype=float), np.array([lat], dtype=float))[0])
        if index < 0:
            return None
        return self.result_for(index)

    def city_contains(self, city_code: str, lon: float, lat: float) -> bool | None:
        """Whether the city's boundary contains the point; ``None`` if the city has none."""
        area = self.city_areas.get(city_code)
        if area is None:
            return None
        return bool(shapely.intersects_xy(area, lon, lat))


_lock = threading.Lock()
_cached: Locator | None = None
_cached_key: tuple[Any, ...] | None = None
_checked_at = 0.0


def _database_key() -> tuple[Any, ...]:
    stats = AdminUnit.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    return (stats["count"], stats["latest"])


def invalidate_locator() -> None:
    """Forget the cached locator; the next :func:`get_locator` rebuilds it."""
    global _cached, _cached_key
    with _lock:
        _cached = None
        _cached_key = None


def get_locator() -> Locator:
    """The process-wide locator, rebuilt when the admin units have changed."""
    global _cached, _cached_key, _checked_at
    interval = float(getattr(settings, "CIVICGRID_LOCATOR_CHECK_SECONDS", 0))
    with _lock:
        now = time.monotonic()
        if _cached is not None and interval > 0 and now - _checked_at < interval:
            return _cached
        key = _database_key()
        _checked_at = now
        if _cached is None or key != _cached_key:
            _cached = Locator.from_database()
            _cached_key = key
        return _cached
