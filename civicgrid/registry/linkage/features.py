"""What linkage compares: names, phones, birth dates and addresses reduced to comparable keys.

Every record (a registry person or a source row) becomes one :class:`Features` row:

* **name**: NFKC, spaces and middle dots removed (``张 三`` = ``张三``); ``name_pinyin`` is the
  toneless pinyin of every character (``张三丰`` → ``zhangsanfeng``), so homophone typos
  (``章三丰``) and traditional characters (``張三豐``) still agree on it; ``surname_pinyin`` is the
  first syllable (the first character: compound surnames are rare and agree either way) and
  ``given_pinyin`` the rest (blocking only: it finds 陈/程 written for the same person).
  Pinyin comes from :mod:`pypinyin`, cached per character (a city has a few thousand distinct
  characters in its names, so 2.5 million names cost one dictionary lookup per character).
* **phone**: the digits of the number as :func:`civicgrid.core.phones.parse_phone` normalises it
  (``+86 138-1234-5678`` → ``13812345678``); a string that is no valid number keeps its digits
  (a typo must still be comparable); ``phone_tail`` is its last four digits (blocking only).
* **birth date**: ISO ``YYYY-MM-DD`` from a date or common text forms, ``birth_year`` for
  blocking; missing is ``None`` (linkage treats it as unknown, not as a disagreement).
* **address**: the standard address parts (district / street / community / road and number /
  building / unit / room) from :func:`address_parts`; the keys compared are the full key, the
  building key (road and number + building), the road and number, the community and the
  district.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from civicgrid.core.phones import parse_phone

_NAME_NOISE = re.compile(r"[\s·•．.\-_'’\"“”()（）]+")
_DIGITS = re.compile(r"[0-9]+")


@lru_cache(maxsize=65536)
def _char_pinyin(char: str) -> str:
    from pypinyin import lazy_pinyin  # imported lazily: its dictionaries take a moment to load

    if char.isascii():
        return char.lower()
    return "".join(lazy_pinyin(char, errors="ignore")) or char


def normalise_name(value: Any) -> str:
    """The name as compared: NFKC, no spaces or separators (``'张 三'`` → ``'张三'``)."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", str(value or ""))).lower()


def name_pinyin(name: str) -> str:
    """Toneless pinyin of a normalised name, no separators (``'張三'`` → ``'zhangsan'``)."""
    return "".join(_char_pinyin(char) for char in name)


_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_phone_digits(value: Any) -> str:
    """The phone's digits: the normalised number when it parses, else the digits it holds."""
    text = str(value or "").strip()
    if not text:
        return ""
    if _PLAIN_MOBILE.fullmatch(text):  # the common case, already normalised
        return text
    first = re.split(r"[,，;；/、]", text)[0]
    parsed = parse_phone(first)
    if parsed is not None:
        return parsed.number.replace("-", "")
    digits = "".join(_DIGITS.findall(unicodedata.normalize("NFKC", first)))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?\s*$")


def normalise_birth_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` of a birth date given as a date or text; ``None`` if unknown/invalid."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = _DATE_TEXT.match(unicodedata.normalize("NFKC", str(value)))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


# --- addresses -------------------------------------------------------------------------------

ADDRESS_PARTS = (
    "district",
    "street",
    "community",
    "road",
    "house_number",
    "building",
    "unit",
    "room",
)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号|栋|座|幢|单元|楼|层|室|房)")
_PROVINCE_CITY = re.compile(r"^(广东省|广东)?(珠海市|珠海)?")
_ADDRESS = re.compile(
    r"^(?P<district>[^区社]{1,6}区|[^县]{1,6}县)?"
    r"(?P<street>[^街镇道]{1,8}(?:街道办事处|街道|镇))?"
    r"(?P<community>[^社村]{1,10}(?:社区居民委员会|社区居委会|社区|村委会|村))?"
    r"(?P<road>[^路街道巷号]{1,12}(?:大道|路|街|巷|道)[东西南北中]?)?"
    r"(?P<house_number>[0-9]+(?:-[0-9]+)?号)?"
    r"(?P<estate>[^0-9栋座幢楼]{1,16}?)?"
    r"(?P<building>[0-9A-Za-z]+(?:栋|座|幢|号楼|楼))?"
    r"(?P<unit>[0-9]+单元)?"
    r"(?P<room>[0-9A-Za-z-]+(?:房|室|号)?)?$"
)


def _chinese_number(text: str) -> str:
    """``'十二'`` → ``'12'``, ``'三'`` → ``'3'``, ``'二〇一'`` → ``'201'`` (small numbers only)."""
    if "十" not in text and "百" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text)
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return str(total + current)


def _plain_address_text(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s,，、()（）#]+", "", text)
    text = _CN_NUMBER.sub(lambda m: _chinese_number(m.group(0)), text)
    return _PROVINCE_CITY.sub("", text)


def simple_address_parts(value: Any) -> dict[str, str]:
    """Standard address parts from free text, by a simple pattern (the fallback of
    :func:`address_parts`); parts not recognised stay empty, an unparsed rest is kept whole in
    ``road`` so that equal texts still compare equal."""
    text = _plain_address_text(value)
    parts = dict.fromkeys(ADDRESS_PARTS, "")
    if not text:
        return parts
    match = _ADDRESS.match(text)
    if match is None:
        parts["road"] = text
        return parts
    groups = match.groupdict()
    if not any(groups.get(name) for name in ("district", "street", "community", "road")):
        parts["road"] = text
        return parts
    for name in ADDRESS_PARTS:
        parts[name] = (groups.get(name) or "").strip()
    parts["street"] = re.sub(r"(办事处)$", "", parts["street"])
    parts["community"] = re.sub(r"(居民委员会|居委会|委会)$", "", parts["community"])
    parts["building"] = re.sub(r"(栋|座|幢|号楼|楼)$", "栋", parts["building"])
    parts["room"] = re.sub(r"(房|室|号)$", "", parts["room"])
    if not parts["building"] and "-" in parts["room"]:
        room, parts["room"] = parts["room"], ""
        _split_dashed(parts, room)
        if not parts["building"]:
            parts["room"] = room
    estate = (groups.get("estate") or "").strip()
    if estate and not parts["road"]:
        # Without a road and number, the estate's name is what places the building.
        parts["building"] = estate + parts["building"]
    return parts


def address_parts(value: Any) -> dict[str, str]:
    """Standard address parts of an address text (see the module docstring)."""
    return simple_address_parts(value)


_NUMBER_SUFFIX = re.compile(r"号$")
_BUILDING_SUFFIX = re.compile(r"(栋|座|幢|号楼|楼)$")
_ROOM_SUFFIX = re.compile(r"(号房|房|室|号)$")


_AREA_PREFIX = re.compile(r"^.*?(?:社区居民委员会|居委会|村委会|社区|街道|村|镇|区)")


def _road_name(value: Any) -> str:
    """The road without an area name written before it (``新伟社区新港路`` → ``新港路``,
    ``红星村红星新村路`` → ``红星新村路``), unless too little would remain (``新村路``)."""
    road = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _AREA_PREFIX.match(road)
    if match and len(road) - match.end() >= 3:
        return road[match.end() :]
    return road


def _bare(value: Any, suffix: re.Pattern[str]) -> str:
    return suffix.sub("", unicodedata.normalize("NFKC", str(value or "")).strip())


_DASHED = re.compile(r"^([0-9A-Za-z]+)-([0-9]+)-([0-9]+)$|^([0-9A-Za-z]+)-([0-9]+)$")


def _split_dashed(parts: dict[str, str], text: str) -> dict[str, str]:
    """``3-2-501`` (building-unit-room) or ``3-501`` (building-room) read into the parts when
    no building was found."""
    dashed = _DASHED.match(text.strip()) if not parts.get("building") else None
    if dashed:
        if dashed.group(1):
            parts["building"], parts["unit"], parts["room"] = dashed.group(1, 2, 3)
        else:
            parts["building"], parts["room"] = dashed.group(4, 5)
    return parts


class AddressReader:
    """Address text → standard parts, cached per text.

    The registry's placement parser (:func:`civicgrid.registry.services.placement`, which
    knows the admin-unit names) reads it first, as an import does; where it finds no road, the
    simple pattern of :func:`simple_address_parts` is tried, and a building written as
    ``3-2-501`` (building-unit-room) or ``3-501`` is split."""

    def __init__(self, *, use_placement: bool = True) -> None:
        self._cache: dict[str, dict[str, str]] = {}
        self._placer: Any = None
        if use_placement:
            try:
                from civicgrid.registry.services.placement import Placer
            except ImportError:  # pragma: no cover - placement not installed
                return
            self._placer = Placer.from_database(with_locator=False)

    def parts(self, text: Any) -> dict[str, str] | None:
        key = str(text or "").strip()
        if not key:
            return None
        cached = self._cache.get(key)
        if cached is None:
            cached = self._read(key)
            self._cache[key] = cached
        return cached

    def _read(self, text: str) -> dict[str, str]:
        if self._placer is None:
            return simple_address_parts(text)
        parsed = self._placer.parse(text)
        parts = {name: str(getattr(parsed, name, "") or "") for name in ADDRESS_PARTS}
        if not parts["road"]:
            simple = simple_address_parts(getattr(parsed, "rest", "") or text)
            if simple["road"] and simple["house_number"]:
                for name in ("road", "house_number", "building", "unit", "room"):
                    parts[name] = simple[name]
        leftover = str(getattr(parsed, "compound", "") or getattr(parsed, "rest", "") or "")
        return _split_dashed(parts, leftover)


@dataclass(frozen=True)
class AddressKeys:
    full: str | None
    building: str | None
    road: str | None
    community: str | None
    district: str | None


def address_keys(parts: Mapping[str, str]) -> AddressKeys:
    """The keys linkage compares, from standard address parts (``None`` when unknown)."""
    # Parsers differ in whether they keep the suffixes (``12号`` / ``12``, ``3栋`` / ``3``):
    # the keys use the bare values.
    number = _bare(parts.get("house_number"), _NUMBER_SUFFIX)
    building_part = _bare(parts.get("building"), _BUILDING_SUFFIX)
    room = _bare(parts.get("room"), _ROOM_SUFFIX)
    road = _road_name(parts.get("road")) + ("#" + number if number else "")
    building = road + "|" + building_part if road else ""
    if not road and building_part:
        building = (parts.get("community") or "") + "|" + building_part
    # The unit (单元) is often left out of a written address, the room rarely: the full key is
    # the building and the room.
    return AddressKeys(
        full=(building + "|" + room) if (building and room) else (building or None),
        building=building or None,
        road=road or None,
        community=(parts.get("community") or None),
        district=(parts.get("district") or None),
    )


# --- one record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Features:
    """One record as linkage compares it (see the module docstring)."""

    name: str | None
    name_pinyin: str | None
    surname_pinyin: str | None
    given_pinyin: str | None
    phone: str | None
    phone_tail: str | None
    birth_date: str | None
    birth_year: str | None
    address_full: str | None
    address_building: str | None
    address_road: str | None
    address_community: str | None
    address_district: str | None


FEATURE_COLUMNS = tuple(Features.__dataclass_fields__)


def features_of(
    *,
    name: Any,
    phone: Any = "",
    birth_date: Any = None,
    address: Any = "",
    address_parts_given: Mapping[str, str] | None = None,
) -> Features:
    """Features of one record; ``address_parts_given`` (already standard parts, e.g. of a
    registry address) wins over parsing ``address``."""
    clean_name, pinyin, surname, given = _name_features(str(name or ""))
    digits = normalise_phone_digits(phone)
    birth = normalise_birth_date(birth_date)
    if address_parts_given is not None:
        keys = _keys_of_parts(tuple(address_parts_given.get(n) or "" for n in ADDRESS_PARTS))
    else:
        keys = address_keys(address_parts(address))
    return Features(
        name=clean_name or None,
        name_pinyin=pinyin or None,
        surname_pinyin=surname or None,
        given_pinyin=given or None,
        phone=digits or None,
        phone_tail=digits[-4:] if digits else None,
        birth_date=birth,
        birth_year=birth[:4] if birth else None,
        address_full=keys.full,
        address_building=keys.building,
        address_road=keys.road,
        address_community=keys.community,
        address_district=keys.district,
    )


@lru_cache(maxsize=500_000)
def _name_features(name: str) -> tuple[str, str, str, str]:
    """(normalised name, its pinyin, surname pinyin, given-name pinyin); names repeat a lot."""
    clean = normalise_name(name)
    if not clean:
        return "", "", "", ""
    syllables = [_char_pinyin(char) for char in clean]
    return clean, "".join(syllables), syllables[0], "".join(syllables[1:])


@lru_cache(maxsize=500_000)
def _keys_of_parts(parts: tuple[str, ...]) -> AddressKeys:
    """Address keys per distinct parts (the people of one dwelling share them)."""
    return address_keys(dict(zip(ADDRESS_PARTS, parts, strict=True)))
