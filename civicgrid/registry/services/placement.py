"""Placement (落地): Chinese address text → standard address key and admin unit; points → grid.

Every part of the registry that handles an address calls this module: imports, grid workers'
collection, linkage. Nobody else parses addresses.

**Parsing** (:func:`parse_address`): the text is normalised (full-width to ASCII, spaces and
punctuation removed), a leading province and city are dropped, then the district, street (镇街)
and community (村居) are matched against the admin-unit names in the database, each level only
among the children of the level found before (a level the text leaves out is skipped: a
community name found under the district implies its street). Names match in their full form
(``拱北街道``, ``将军山社区居民委员会``) and the usual short forms (``拱北街道办``,
``将军山社区``, ``将军山居委会``, ``XX村委会``, ``XX村``). The rest is read as road and house
number (``迎宾南路12号``), an optional compound name (``华发新城``), building (``3栋``, ``3幢``,
``A座``, ``3号楼``), unit (``2单元``) and room (``501``, ``501室``).

**Standard key** (:func:`address_key`, :func:`building_key`): eight ``|``-separated
parts ``district|street|community|road|number|building|unit|room`` with the unit names
from the database as addresses write them (``紫荆社区``, not ``紫荆社区居民委员会``;
the parsed address and its text keep the official name) and the bare numbers (``12``,
``3``, ``2``, ``501``). When the address has a road and a house number, street and
community are left out of the key: a road number is unique in its district whatever
community the writer named (or did not name), so ``香洲区迎宾南路12号`` and
``香洲区拱北街道迎宾南路12号`` are the same building. Without a road (village
addresses such as ``XX村12号``) the street and community stay in the key. The building
key is the first six parts; the address (dwelling) key all eight. An address without a
house number has no key (it is not a standard address; its admin unit is still found).

**Admin unit**: coordinates inside a grid give the grid (:func:`Placer.locate_many`); otherwise
the finest unit the text names (community, street, district). The compound name is kept in the
readable text but not in the key (two files rarely write it the same way).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings

from civicgrid.territory.locator import Locator
from civicgrid.territory.models import AdminLevel, AdminUnit
from civicgrid.territory.selectors import current_locator

KEY_SEPARATOR = "|"
BUILDING_KEY_MAX = 200
ADDRESS_KEY_MAX = 240
# Model field limits of the parts (Building/Address columns).
PART_MAX = {
    "district": 40,
    "street": 40,
    "community": 60,
    "road": 60,
    "house_number": 20,
    "building": 60,
    "unit": 20,
    "room": 20,
}

_DROP = re.compile(r"[\s,，、。;；:：()（）\[\]【】\"'“”‘’]+")
_PROVINCE = re.compile(r"^(广东省|广东)")
_ROAD_NUMBER = re.compile(
    r"^(?P<road>.+?(?:大道|大街|路|街|巷|弄|里|胡同|道))"
    r"(?P<number>[0-9]+(?:[-之][0-9]+)?)号(?!楼)"
)
_NUMBER_ONLY = re.compile(r"^(?P<number>[0-9]+(?:[-之][0-9]+)?)号(?!楼)")
_BUILDING = re.compile(r"^(?P<compound>.*?)(?P<building>[0-9A-Za-z]+)(?:栋|幢|座|号楼)")
_UNIT = re.compile(r"^(?P<unit>[0-9A-Za-z]+)单元")
_ROOM = re.compile(r"^(?P<room>[0-9]+(?:-[0-9]+)?)(?:室|房|号房|号)?$")


def normalise_text(value: Any) -> str:
    """Full-width to ASCII, spaces and punctuation removed."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(value or "")))


def _bare(value: str, suffixes: Sequence[str]) -> str:
    text = normalise_text(value)
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def short_unit_name(name: str) -> str:
    """The name as addresses write it: 紫荆社区居民委员会 → 紫荆社区, 桂海村民委员会 → 桂海村."""
    text = normalise_text(name)
    for suffix, short in (
        ("社区居民委员会", "社区"),
        ("居民委员会", "社区"),
        ("村民委员会", "村"),
        ("社区居委会", "社区"),
        ("村委会", "村"),
    ):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + short
    return text


@dataclass(frozen=True)
class UnitName:
    """An admin unit as the parser knows it."""

    pk: int
    code: str
    name: str
    level: str


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """A standard address: canonical parts (empty when unknown) and the units found."""

    district: str = ""
    street: str = ""
    community: str = ""
    road: str = ""
    house_number: str = ""
    compound: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    unit_code: str = ""  # the finest admin unit named (community, street or district)
    unit_pk: int | None = None
    rest: str = ""  # text the parser could not read
    lon: float | None = None
    lat: float | None = None

    @property
    def is_standard(self) -> bool:
        """Whether the address has a key (a house number on a road or in a community)."""
        return bool(self.house_number and (self.road or self.community or self.street))

    def parts(self) -> list[str]:
        with_road = bool(self.road and self.house_number)
        return [
            self.district,
            "" if with_road else short_unit_name(self.street),
            "" if with_road else short_unit_name(self.community),
            self.road,
            self.house_number,
            self.building,
            self.unit,
            self.room,
        ]

    def text(self) -> str:
        """The address written out (canonical names)."""
        out = [self.district, self.street, self.community, self.road]
        if self.house_number:
            out.append(self.house_number + "号")
        out.append(self.compound)
        if self.building:
            out.append(self.building + "栋")
        if self.unit:
            out.append(self.unit + "单元")
        if self.room:
            out.append(self.room)
        return "".join(out)

    def too_long(self) -> list[str]:
        """Names of parts longer than the registry keeps."""
        if (
            len(self.district) <= 40
            and len(self.street) <= 40
            and len(self.community) <= 60
            and len(self.road) <= 60
            and len(self.house_number) <= 20
            and len(self.building) <= 60
            and len(self.unit) <= 20
            and len(self.room) <= 20
        ):
            return []  # the usual case, without building the list below
        values = {
            "district": self.district,
            "street": self.street,
            "community": self.community,
            "road": self.road,
            "house_number": self.house_number,
            "building": self.building,
            "unit": self.unit,
            "room": self.room,
        }
        return [name for name, value in values.items() if len(value) > PART_MAX[name]]


def building_key(parsed: ParsedAddress) -> str:
    """The standard key of the building (first six parts), ``""`` for a non-standard address."""
    if not parsed.is_standard:
        return ""
    return KEY_SEPARATOR.join(parsed.parts()[:6])


def address_key(parsed: ParsedAddress) -> str:
    """The standard key of the dwelling (all eight parts), ``""`` for a non-standard address."""
    if not parsed.is_standard:
        return ""
    return KEY_SEPARATOR.join(parsed.parts())


@dataclass
class _Level:
    by_variant: dict[str, list[UnitName]] = field(default_factory=dict)
    longest: int = 0
    # The first two characters of the variants → their lengths, longest first.
    lengths: dict[str, list[int]] = field(default_factory=dict)

    def add(self, variant: str, unit: UnitName) -> None:
        if len(variant) < 2:
            return
        units = self.by_variant.setdefault(variant, [])
        if unit not in units:
            units.append(unit)
        self.longest = max(self.longest, len(variant))
        lengths = self.lengths.setdefault(variant[:2], [])
        if len(variant) not in lengths:
            lengths.append(len(variant))
            lengths.sort(reverse=True)

    def match(self, text: str, start: int, within: str) -> tuple[UnitName, int] | None:
        """The longest name at ``start`` of a unit whose code starts with ``within``."""
        room = len(text) - start
        # Only the lengths of the names that begin like the text can match.
        for length in self.lengths.get(text[start : start + 2], ()):
            if length > room:
                continue
            units = self.by_variant.get(text[start : start + length])
            if not units:
                continue
            if len(units) == 1:
                if units[0].code.startswith(within):
                    return units[0], start + length
                continue
            inside = [unit for unit in units if unit.code.startswith(within)]
            if len(inside) == 1:
                return inside[0], start + length
        return None


def _variants(unit: UnitName) -> list[str]:
    name = normalise_text(unit.name)
    out = [name]
    if unit.level == AdminLevel.DISTRICT:
        return out
    if unit.level == AdminLevel.CITY:
        return [*out, _bare(name, ["市"])]
    if unit.level == AdminLevel.STREET:
        if name.endswith("街道"):
            out += [name + "办事处", name + "办"]
        elif name.endswith("镇"):
            out += [name + "人民政府"]
        return out
    for suffix, short in (
        ("社区居民委员会", ("社区居委会", "社区", "居委会")),
        ("社区居委会", ("社区居民委员会", "社区", "居委会")),
        ("居民委员会", ("居委会", "社区")),
        ("居委会", ("居民委员会", "社区")),
        ("村民委员会", ("村委会", "村")),
        ("村委会", ("村民委员会", "村")),
    ):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            out += [stem + item for item in short]
            break
    return out


class Placer:
    """The admin-unit names of the city and the point locator, loaded once; parses addresses.

    One placer per import (or per process for short-lived callers): parsing is cached per
    distinct text, so a file with many people at the same address parses it once.
    """

    def __init__(
        self, units: Iterable[UnitName], *, locator: Locator | None = None, city_code: str = ""
    ) -> None:
        self.city_code = city_code
        self.locator = locator
        self.units = {unit.code: unit for unit in units}
        self.levels: dict[str, _Level] = {
            level: _Level()
            for level in (
                AdminLevel.CITY,
                AdminLevel.DISTRICT,
                AdminLevel.STREET,
                AdminLevel.COMMUNITY,
            )
        }
        for unit in self.units.values():
            if unit.level in self.levels:
                for variant in _variants(unit):
                    self.levels[unit.level].add(variant, unit)
        self._city = self.levels[AdminLevel.CITY]
        self._below_city = tuple(
            self.levels[level]
            for level in (AdminLevel.DISTRICT, AdminLevel.STREET, AdminLevel.COMMUNITY)
        )
        self._cache: dict[str, ParsedAddress] = {}
        self._parts_cache: dict[tuple[str, ...], ParsedAddress] = {}
        self._names_cache: dict[str, tuple[str, str, str]] = {}
        self._unit_stems: dict[str, ParsedAddress] = {}  # see _parse_room
        self._rooms_shortcut = not any(
            char in "0123456789"
            for level in self.levels.values()
            for variant in level.by_variant
            for char in variant
        )

    @classmethod
    def from_database(cls, *, with_locator: bool = True) -> Placer:
        """The units of ``CIVICGRID_CITY_CODE`` (all units when the city is not loaded)."""
        city = str(getattr(settings, "CIVICGRID_CITY_CODE", "") or "")
        units = AdminUnit.objects.exclude(level=AdminLevel.GRID)
        if city and AdminUnit.objects.filter(code=city).exists():
            units = units.filter(code__startswith=city)
        else:
            city = ""
        rows = units.values_list("pk", "code", "name", "level")
        return cls(
            [UnitName(pk, code, name, level) for pk, code, name, level in rows],
            locator=current_locator() if with_locator else None,
            city_code=city,
        )

    def unit(self, code: str) -> UnitName | None:
        return self.units.get(code)

    # ------------------------------------------------------------------------------ text

    def parse(self, text: Any) -> ParsedAddress:
        """The standard address in ``text`` (see the module docstring); cached per text."""
        raw = text if type(text) is str else str(text or "")
        found = self._cache.get(raw)
        if found is None:
            found = self._parse_room(normalise_text(raw))
            if len(self._cache) < 500_000:
                self._cache[raw] = found
        return found

    def _parse_room(self, text: str) -> ParsedAddress:
        """:meth:`_parse`, shortened for the rooms of a unit (``…2单元501``, ``…2单元502``).

        When ``text`` ends with ``单元`` and a room number of ASCII digits, everything up to the
        room number (the stem) parses the same whatever the number is, as long as no admin-unit
        name contains a digit: the names cannot reach into the number, and each pattern of
        :meth:`_finish` ends at a character of the stem (号, 栋, 单元 …) that the number is
        never followed by. So a stem whose first address read building, unit and that room
        number gives every other room number in it without parsing again.
        """
        room_start = len(text.rstrip("0123456789"))
        if (
            room_start == len(text)
            or not text.endswith("单元", 0, room_start)
            or not self._rooms_shortcut
        ):
            return self._parse(text)
        stem, room = text[:room_start], text[room_start:]
        same_unit = self._unit_stems.get(stem)
        if same_unit is not None:
            return ParsedAddress(
                district=same_unit.district,
                street=same_unit.street,
                community=same_unit.community,
                road=same_unit.road,
                house_number=same_unit.house_number,
                compound=same_unit.compound,
                building=same_unit.building,
                unit=same_unit.unit,
                room=room,
                unit_code=same_unit.unit_code,
                unit_pk=same_unit.unit_pk,
            )
        parsed = self._parse(text)
        # The room (all of the digits) came after the unit, and nothing was left unread.
        is_room_of_unit = parsed.unit and parsed.room == room and not parsed.rest
        if is_room_of_unit and len(self._unit_stems) < 200_000:
            self._unit_stems[stem] = parsed
        return parsed

    def _parse(self, text: str) -> ParsedAddress:
        text = _PROVINCE.sub("", text)
        position = 0
        within = self.city_code
        matched = self._city.match(text, position, "")
        if matched:
            position = matched[1]
            within = matched[0].code
        finest: UnitName | None = None  # the last level found is the finest
        for level in self._below_city:
            matched = level.match(text, position, within)
            if matched:
                finest, position = matched
                within = finest.code
        return self._finish(finest, text[position:])

    def _finish(self, finest: UnitName | None, rest: str) -> ParsedAddress:
        district, street, community = self._canonical_names(finest)
        road = house_number = compound = building = unit = room = ""
        match = _ROAD_NUMBER.match(rest)
        if match:
            road = match.group("road")
        else:
            match = _NUMBER_ONLY.match(rest)
        if match:
            house_number = match.group("number").replace("之", "-")
            rest = rest[match.end() :]
            building_match = _BUILDING.match(rest)
            if building_match:
                compound, building = building_match.group("compound", "building")
                building = building.upper()
                rest = rest[building_match.end() :]
                unit_match = _UNIT.match(rest)
                if unit_match:
                    unit = unit_match.group("unit").upper()
                    rest = rest[unit_match.end() :]
                room_match = _ROOM.match(rest)
                if room_match:
                    room = room_match.group("room")
                    rest = ""
            elif rest:
                room_match = _ROOM.match(rest)
                if room_match:  # a house without buildings: 8号201
                    room = room_match.group("room")
                else:
                    compound = rest
                rest = ""
        return ParsedAddress(
            district=district,
            street=street,
            community=community,
            road=road,
            house_number=house_number,
            compound=compound,
            building=building,
            unit=unit,
            room=room,
            unit_code=finest.code if finest else "",
            unit_pk=finest.pk if finest else None,
            rest=rest,
        )

    def _canonical(self, finest: UnitName | None) -> dict[str, str]:
        """District, street and community names of ``finest`` and its ancestors."""
        district, street, community = self._canonical_names(finest)
        return {"district": district, "street": street, "community": community}

    def _canonical_names(self, finest: UnitName | None) -> tuple[str, str, str]:
        """(district, street, community) names of ``finest`` and its ancestors; cached."""
        if finest is None:
            return "", "", ""
        found = self._names_cache.get(finest.code)
        if found is None:
            names = []
            for length in (6, 9, 12):
                unit = self.units.get(finest.code[:length]) if len(finest.code) >= length else None
                names.append(normalise_text(unit.name) if unit is not None else "")
            found = (names[0], names[1], names[2])
            self._names_cache[finest.code] = found
        return found

    # ----------------------------------------------------------------------------- parts

    def parse_parts(
        self,
        *,
        district: str = "",
        street: str = "",
        community: str = "",
        road: str = "",
        house_number: str = "",
        building: str = "",
        unit: str = "",
        room: str = "",
    ) -> ParsedAddress:
        """A standard address given in columns (the addresses file); names are resolved to
        the admin units like in :meth:`parse` (unknown names are kept as written)."""
        key = (district, street, community, road, house_number, building, unit, room)
        found = self._parts_cache.get(key)
        if found is not None:
            return found
        names: dict[str, UnitName] = {}
        within = self.city_code
        level: str
        for level, value in (
            (AdminLevel.DISTRICT, district),
            (AdminLevel.STREET, street),
            (AdminLevel.COMMUNITY, community),
        ):
            text = normalise_text(value)
            if not text:
                continue
            matched = self.levels[level].match(text, 0, within)
            if matched and matched[1] == len(text):
                names[level] = matched[0]
                within = matched[0].code
        finest = (
            names.get(AdminLevel.COMMUNITY)
            or names.get(AdminLevel.STREET)
            or names.get(AdminLevel.DISTRICT)
        )
        canonical = self._canonical(finest)
        for level, value in (("district", district), ("street", street), ("community", community)):
            if not canonical[level]:
                canonical[level] = normalise_text(value)
        parsed = ParsedAddress(
            district=canonical["district"],
            street=canonical["street"],
            community=canonical["community"],
            road=normalise_text(road),
            house_number=_bare(house_number, ["号"]).replace("之", "-"),
            building=_bare(building, ["号楼", "栋", "幢", "座"]).upper(),
            unit=_bare(unit, ["单元"]).upper(),
            room=_bare(room, ["号房", "室", "房", "号"]),
            unit_code=finest.code if finest else "",
            unit_pk=finest.pk if finest else None,
        )
        if len(self._parts_cache) < 500_000:
            self._parts_cache[key] = parsed
        return parsed

    # ---------------------------------------------------------------------------- points

    def locate_many(
        self, points: Sequence[tuple[float, float]]
    ) -> list[tuple[str, int | None] | None]:
        """(unit code, unit pk) of the grid (or finest unit with a boundary) containing each
        point, ``None`` outside every unit; one vectorised lookup."""
        if not points or self.locator is None or self.locator.is_empty:
            return [None] * len(points)
        lons = [point[0] for point in points]
        lats = [point[1] for point in points]
        found: list[tuple[str, int | None] | None] = []
        codes = self.locator.codes
        for index in self.locator.locate_many(lons, lats).tolist():
            if index < 0:
                found.append(None)
                continue
            code = codes[index]
            found.append((code, self._grid_pks.get(code)))
        return found

    @property
    def _grid_pks(self) -> dict[str, int]:
        pks = getattr(self, "_grid_pk_map", None)
        if pks is None:
            codes = self.locator.codes if self.locator is not None else []
            pks = dict(AdminUnit.objects.filter(code__in=codes).values_list("code", "pk"))
            self._grid_pk_map = pks
        return pks

    def city_contains(self, lon: float, lat: float) -> bool | None:
        """Whether the point lies inside the city (``None``: nothing to tell it by)."""
        if self.locator is None or not self.city_code:
            return None
        return self.locator.city_contains(self.city_code, lon, lat)

    def with_point(self, parsed: ParsedAddress, lon: float, lat: float) -> ParsedAddress:
        return replace(parsed, lon=lon, lat=lat)


def parse_address(text: Any, *, placer: Placer | None = None) -> ParsedAddress:
    """Parse one address (loads the admin-unit names; bulk callers keep a :class:`Placer`)."""
    return (placer or Placer.from_database(with_locator=False)).parse(text)
