"""Homes of the synthetic city: grids, buildings and rooms, and their standard addresses."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import tables
from .common import ADDRESS_COLUMNS


@dataclass(frozen=True)
class GridArea:
    """A grid (网格) with its polygon and the names its addresses carry."""

    code: str  # 15 digits
    district: str  # 香洲区
    street: str  # 拱北街道
    community: str  # short name: 夏湾社区, 南门村
    polygon: Any  # shapely polygon (lon/lat)

    @property
    def is_village(self) -> bool:
        return self.community.endswith("村")


def grids_from_database(city_code: str = "4404") -> list[GridArea]:
    """The grids of ``city_code`` that have a boundary (``civicgrid demo load`` makes them)."""
    from shapely.geometry import shape

    from civicgrid.territory.models import AdminLevel, AdminUnit
    from civicgrid.territory.services.demo_geometry import community_short_name

    names = dict(
        AdminUnit.objects.filter(
            code__startswith=city_code,
            level__in=[AdminLevel.DISTRICT, AdminLevel.STREET, AdminLevel.COMMUNITY],
        ).values_list("code", "name")
    )
    grids = []
    for code, boundary in (
        AdminUnit.objects.filter(
            code__startswith=city_code, level=AdminLevel.GRID, boundary__isnull=False
        )
        .order_by("code")
        .values_list("code", "boundary")
    ):
        community = names.get(code[:12])
        if not community or code[:6] not in names or code[:9] not in names:
            continue
        grids.append(
            GridArea(
                code=code,
                district=names[code[:6]],
                street=names[code[:9]],
                community=community_short_name(community),
                polygon=shape(boundary),
            )
        )
    return grids


# ---------------------------------------------------------------- homes


@dataclass(frozen=True)
class Dwelling:
    """One home (地址/房屋): a room of a building, or of a village house."""

    index: int
    grid_code: str
    district: str
    street: str
    community: str
    road: str
    house_number: str  # "12号"
    building: str  # "3栋" or ""
    unit: str  # "2单元" or ""
    room: str  # "501"
    lon: float
    lat: float

    @property
    def local_text(self) -> str:
        """The part from the road on: ``夏湾路12号3栋2单元501``."""
        return f"{self.road}{self.house_number}{self.building}{self.unit}{self.room}"

    @property
    def text(self) -> str:
        """The standard address text, from the city down to the room."""
        return f"{tables.ZHUHAI_CITY}{self.district}{self.street}{self.community}{self.local_text}"

    @property
    def parts(self) -> tuple[str, ...]:
        return (
            self.district,
            self.street,
            self.community,
            self.road,
            self.house_number,
            self.building,
            self.unit,
            self.room,
        )

    def row(self) -> dict[str, str]:
        """The addresses.csv row."""
        return {
            **dict(zip(ADDRESS_COLUMNS[:8], self.parts, strict=True)),
            "lon": f"{self.lon:.6f}",
            "lat": f"{self.lat:.6f}",
        }


@dataclass(frozen=True)
class _Building:
    grid: int
    road: str
    house_number: str
    name: str  # "3栋" or "" (village house)
    units: int  # 0: no units
    floors: int
    rooms: int  # per floor (and unit)
    lon: float
    lat: float
    count: int  # homes generated in it (the last building of a grid may be partly used)


def _point_in(polygon: Any, prepared: Any, rng: random.Random) -> tuple[float, float]:
    from shapely.geometry import Point

    min_x, min_y, max_x, max_y = polygon.bounds
    for _attempt in range(50):
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if prepared.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    point = polygon.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _quotas(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weight_sum = sum(weights)
    exact = [total * weight / weight_sum for weight in weights]
    quotas = [math.floor(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: quotas[i] - exact[i])
    for index in order[: total - sum(quotas)]:
        quotas[index] += 1
    return quotas


class Homes:
    """The homes of the city: buildings in the grids, each home numbered 0 … count-1."""

    def __init__(self, grids: Sequence[GridArea], count: int, seed: int) -> None:
        if not grids:
            raise ValueError("no grids with a boundary: load the demo territory first")
        if count < 1:
            raise ValueError("at least one home is needed")
        self.grids = list(grids)
        self.count = count
        self._buildings: list[_Building] = []
        self._starts: list[int] = []
        self._district_ranges: dict[str, tuple[int, int]] | None = None
        self._build(count, seed)

    def _build(self, total: int, seed: int) -> None:
        from shapely.prepared import prep

        rng = random.Random(f"{seed}:homes")
        per_district: dict[str, int] = {}
        for grid in self.grids:
            per_district[grid.code[:6]] = per_district.get(grid.code[:6], 0) + 1
        weights = []
        for grid in self.grids:
            share = tables.DISTRICT_SHARES.get(grid.code[:6], 0.1) / per_district[grid.code[:6]]
            sparse = tables.SPARSE_STREETS.get(grid.code[:9], 1.0)
            village = 0.6 if grid.is_village else 1.0
            weights.append(share * sparse * village * rng.lognormvariate(0, 0.45))
        quotas = _quotas(total, weights)
        community_roads: dict[str, list[str]] = {}
        numbers: dict[tuple[str, str], int] = {}
        start = 0
        for grid_index, (grid, quota) in enumerate(zip(self.grids, quotas, strict=True)):
            if quota == 0:
                continue
            prepared = prep(grid.polygon)
            roads = community_roads.get(grid.code[:12])
            if roads is None:
                roads = self._roads_for(grid, rng)
                community_roads[grid.code[:12]] = roads
            left = quota
            while left > 0:
                road = rng.choice(roads)
                key = (grid.code[:6], road)  # a house number is unique on its road
                number = numbers.get(key, 0) + rng.choice((1, 2, 2, 4))
                numbers[key] = number
                lon, lat = _point_in(grid.polygon, prepared, rng)
                if grid.is_village:
                    floors, rooms = rng.choice((3, 4, 4, 5, 5, 6, 7)), rng.choice((1, 2, 2, 3, 4))
                    count = min(left, floors * rooms)
                    self._add(
                        grid_index, road, f"{number}号", "", 0, floors, rooms, lon, lat, count
                    )
                    left -= count
                    continue
                for building_number in range(1, rng.choice((1, 2, 4, 6, 8, 12, 16)) + 1):
                    if left <= 0:
                        break
                    units = rng.choice((1, 1, 2, 2, 3))
                    floors = rng.choice((6, 7, 8, 9, 11, 18, 18, 26, 30, 33))
                    rooms = rng.choice((2, 2, 3, 4))
                    count = min(left, units * floors * rooms)
                    if building_number > 1:
                        lon, lat = _point_in(grid.polygon, prepared, rng)
                    self._add(
                        grid_index,
                        road,
                        f"{number}号",
                        f"{building_number}栋",
                        units,
                        floors,
                        rooms,
                        lon,
                        lat,
                        count,
                    )
                    left -= count
        for building in self._buildings:
            self._starts.append(start)
            start += building.count

    def _add(self, grid: int, road: str, number: str, name: str, *shape: Any) -> None:
        units, floors, rooms, lon, lat, count = shape
        self._buildings.append(
            _Building(grid, road, number, name, units, floors, rooms, lon, lat, count)
        )

    def _roads_for(self, grid: GridArea, rng: random.Random) -> list[str]:
        if grid.is_village:
            base = grid.community.removesuffix("村")
            return [f"{base}{lane}" for lane in rng.sample(tables.VILLAGE_LANES, 3)]
        pool = tables.ROADS.get(grid.code[:6]) or tables.ROADS["440402"]
        return rng.sample(pool, rng.choice((2, 3, 3, 4)))

    def dwelling(self, index: int) -> Dwelling:
        """Home number ``index`` (0 ≤ index < ``dwelling_count``)."""
        if not 0 <= index < self.count:
            raise IndexError(index)
        position = bisect.bisect_right(self._starts, index) - 1
        building = self._buildings[position]
        return self._dwelling_in(building, index, index - self._starts[position])

    def _dwelling_in(self, building: _Building, index: int, offset: int) -> Dwelling:
        grid = self.grids[building.grid]
        per_unit = building.floors * building.rooms
        unit = f"{offset // per_unit + 1}单元" if building.units else ""
        floor, room = divmod(offset % per_unit, building.rooms)
        return Dwelling(
            index=index,
            grid_code=grid.code,
            district=grid.district,
            street=grid.street,
            community=grid.community,
            road=building.road,
            house_number=building.house_number,
            building=building.name,
            unit=unit,
            room=f"{floor + 1}{room + 1:02d}",
            lon=building.lon,
            lat=building.lat,
        )

    def in_district(self, rng: random.Random, district: str) -> Dwelling:
        """A random home in ``district`` (homes are numbered grid by grid, so a district's
        homes are one range of numbers); any home when the district has none."""
        if self._district_ranges is None:
            ranges: dict[str, list[int]] = {}
            for building, start in zip(self._buildings, self._starts, strict=True):
                code = self.grids[building.grid].code[:6]
                first_last = ranges.setdefault(code, [start, start])
                first_last[1] = start + building.count
            self._district_ranges = {code: (low, high) for code, (low, high) in ranges.items()}
        low, high = self._district_ranges.get(district, (0, self.count))
        return self.dwelling(rng.randrange(low, high))

    def __iter__(self) -> Iterator[Dwelling]:
        """Every home, in order (grid by grid)."""
        for building, start in zip(self._buildings, self._starts, strict=True):
            for offset in range(building.count):
                yield self._dwelling_in(building, start + offset, offset)
