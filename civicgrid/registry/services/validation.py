"""Row checks of registry imports: one function per record kind, pure (no database writes).

Each checker takes the line number and the row's texts by column key and returns a cleaned
record, or ``None`` with the problems added to ``errors`` (line, column, masked value, reason).
Checks: ID numbers (GB 11643 check digit, real birth date), credit codes (GB 32100 check
character), real dates (2023-02-30 is refused) not in the future where that is impossible,
division codes, phone numbers, coordinates, known codes (人口类型, 与户主关系 …), lengths, and
that a given sex and birth date agree with the ID number.

Person rows, a million to a file, first take a fast path that reads a row whose every value is
valid and plainly written (remembering choices, dates, division codes and addresses already
seen); any other row goes through the full checks, which alone word the errors. Both give the
same result for every row (``tests/test_checks_equivalence.py``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civicgrid.core.creditcodes import validate_credit_code
from civicgrid.core.idnumbers import PROVINCE_CODES, parse_id_number, valid_id_number_parts
from civicgrid.core.masking import mask_id_number, mask_middle, mask_name, mask_phone
from civicgrid.core.phones import is_plain_mobile_number, parse_phone

from ..models import (
    EntityKind,
    EntityKindOfLaw,
    EntityStatus,
    Household,
    Relation,
    ResidenceKind,
    ResidenceStatus,
    Sex,
)
from .placement import ParsedAddress, Placer
from .rows import column_label

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)

RESIDENCE_NAMES: dict[str, tuple[str, ...]] = {
    ResidenceStatus.REGISTERED: ("户籍", "户籍人口", "常住户籍", "registered"),
    ResidenceStatus.FLOATING: ("流动", "流动人口", "外来人口", "floating"),
    ResidenceStatus.HMT: ("港澳台", "港澳台居民", "港澳台人员", "hmt"),
    ResidenceStatus.FOREIGN: ("境外", "境外人员", "外籍", "外籍人员", "foreign"),
}
RESIDENCE_KIND_NAMES: dict[str, tuple[str, ...]] = {
    ResidenceKind.OWN: ("自有", "自有住房", "自购", "自住", "own"),
    ResidenceKind.RENT: ("租住", "租赁", "出租屋", "租房", "rent"),
    ResidenceKind.DORMITORY: ("宿舍", "单位宿舍", "集体宿舍", "dormitory"),
    ResidenceKind.OTHER: ("其他", "借住", "other"),
}
SEX_NAMES: dict[str, tuple[str, ...]] = {
    Sex.MALE: ("男", "男性", "m", "male", "1"),
    Sex.FEMALE: ("女", "女性", "f", "female", "2"),
}
RELATION_NAMES: dict[str, tuple[str, ...]] = {
    Relation.HEAD: ("户主", "本人", "head"),
    Relation.SPOUSE: ("配偶", "妻", "夫", "妻子", "丈夫", "spouse"),
    Relation.CHILD: ("子女", "子", "女", "儿子", "女儿", "长子", "长女", "次子", "次女", "child"),
    Relation.PARENT: ("父母", "父亲", "母亲", "父", "母", "parent"),
    Relation.GRANDCHILD: ("孙子女", "孙子", "孙女", "外孙子", "外孙女", "grandchild"),
    Relation.GRANDPARENT: ("祖父母", "祖父", "祖母", "外祖父", "外祖母", "grandparent"),
    Relation.SIBLING: (
        "兄弟姐妹",
        "兄",
        "弟",
        "姐",
        "妹",
        "哥哥",
        "弟弟",
        "姐姐",
        "妹妹",
        "sibling",
    ),
    Relation.OTHER: ("其他", "other"),
}
HOUSEHOLD_KIND_NAMES: dict[str, tuple[str, ...]] = {
    Household.Kind.FAMILY: ("家庭户", "家庭", "family"),
    Household.Kind.COLLECTIVE: ("集体户", "集体", "collective"),
}
ENTITY_KIND_NAMES: dict[str, tuple[str, ...]] = {
    EntityKindOfLaw.COMPANY: (
        "企业",
        "公司",
        "有限责任公司",
        "股份有限公司",
        "个体工商户",
        "农民专业合作社",
        "company",
    ),
    EntityKindOfLaw.INSTITUTION: ("事业单位", "机关", "机关事业单位", "institution"),
    EntityKindOfLaw.SOCIAL_ORGANISATION: (
        "社会组织",
        "社会团体",
        "民办非企业单位",
        "社会服务机构",
        "基金会",
        "social_org",
        "social_organisation",
    ),
    EntityKindOfLaw.OTHER: ("其他", "other"),
}
ENTITY_STATUS_NAMES: dict[str, tuple[str, ...]] = {
    EntityStatus.ACTIVE: ("存续", "在业", "开业", "正常", "active"),
    EntityStatus.REVOKED: ("吊销", "吊销未注销", "revoked"),
    EntityStatus.DEREGISTERED: ("注销", "已注销", "deregistered"),
}
_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_DIVISION = re.compile(r"[0-9]{6}(?:[0-9]{3}(?:[0-9]{3})?)?")
# Bounds of the caches of one checker (values that passed, by their text as written).
_CODES_CACHED = 1_000
_DIVISIONS_CACHED = 20_000
_DATES_CACHED = 200_000
_ADDRESSES_CACHED = 500_000


def _is_division_code(value: str) -> bool:
    """6, 9 or 12 ASCII digits starting with a province code."""
    return bool(_DIVISION.fullmatch(value)) and int(value[:2]) in PROVINCE_CODES


def _date_parts(value: str) -> tuple[int, int, int] | None:
    """Year, month and day as ``value`` writes them (``2024-03-05``, ``2024/3/5``,
    ``2024.3.5``, ``2024年3月5日``, ``20240305``, full-width or not, a time after a space or
    ``T`` ignored); ``None`` when it is written in no such form."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        # The usual ``YYYY-MM-DD``: what the first pattern reads, without normalising.
        year, month, day = value[:4], value[5:7], value[8:]
        if year.isdigit() and month.isdigit() and day.isdigit():
            return int(year), int(month), int(day)
    text = unicodedata.normalize("NFKC", value).strip()
    if " " in text:
        text = text.split(" ", 1)[0]
    if "T" in text:
        text = text.split("T", 1)[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year_number, month_number, day_number = (int(part) for part in match.groups())
            return year_number, month_number, day_number
    return None


def _choice_code(table: dict[str, str], value: str) -> str | None:
    return table.get(unicodedata.normalize("NFKC", value).strip().lower())


def _lookup(names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias.lower(): str(code) for code, aliases in names.items() for alias in aliases} | {
        str(code).lower(): str(code) for code in names
    }


_RESIDENCE = _lookup(RESIDENCE_NAMES)
_SEX = _lookup(SEX_NAMES)
_RESIDENCE_KIND = _lookup(RESIDENCE_KIND_NAMES)
_RELATION = _lookup(RELATION_NAMES)
_HOUSEHOLD_KIND = _lookup(HOUSEHOLD_KIND_NAMES)
_ENTITY_KIND = _lookup(ENTITY_KIND_NAMES)
_ENTITY_STATUS = _lookup(ENTITY_STATUS_NAMES)

_MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
    "permit_number": lambda value: mask_middle(value, 2, 2),
    "registered_address": lambda value: mask_middle(value, 6, 0),
    "current_address": lambda value: mask_middle(value, 6, 0),
    "legal_representative": mask_name,
}


def masked(field_name: str, value: str, kind: str = EntityKind.PERSON) -> str:
    """The value as an error report may show it (personal fields masked), at most 100 chars."""
    masker = _MASKERS.get(field_name)
    if kind == EntityKind.ENTITY and field_name == "name":
        masker = None  # a company name is public
    text = masker(value) if masker else value
    return text[:100]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str  # column key ("" for the whole row)
    value: str  # masked
    message: str


@dataclass(slots=True)
class PersonRow:
    line: int
    id_number: str  # plain: kept in memory only, sealed for new persons
    values: dict[str, Any]  # merge field → value (only the fields the row gives)
    sex: str
    birth_date: dt.date
    region_code: str
    address_text: str = ""
    address: ParsedAddress | None = None
    point: tuple[float, float] | None = None
    # How and since when the person lives at ``address`` (a Residence, not a person field).
    residence_kind: str = ""
    moved_in: dt.date | None = None


@dataclass
class EntityRow:
    line: int
    uscc: str
    values: dict[str, Any]
    address_text: str = ""
    address: ParsedAddress | None = None


@dataclass
class AddressRow:
    line: int
    address: ParsedAddress
    point: tuple[float, float] | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class HouseholdRow:
    line: int
    number: str
    id_number: str
    relation: str
    values: dict[str, Any]  # kind, address (text)
    address_text: str = ""
    address: ParsedAddress | None = None


# Free-text person columns with their longest length, in the order a row's values are written
# (both the full checks and the fast path read it).
_FREE_TEXTS = (("registered_address", 300), ("permit_number", 40), ("employer", 200))


class RowChecker:
    """Checks the rows of one file of ``kind``; ``errors`` collects what is wrong."""

    def __init__(self, kind: str, placer: Placer, *, today: dt.date | None = None) -> None:
        self.kind = kind
        self.placer = placer
        self.today = today or dt.date.today()
        self.errors: list[RowError] = []
        self._line = 0
        self._bad = False
        self._values: dict[str, str] = {}
        # What the fast path of ``person`` learnt: texts as written → what they mean (only
        # texts that passed every check that does not depend on the row).
        self._sex_codes: dict[str, str] = {}
        self._status_codes: dict[str, str] = {}
        self._residence_kind_codes: dict[str, str] = {}
        self._divisions: set[str] = set()
        self._dates: dict[str, dt.date] = {}
        self._addresses: dict[str, ParsedAddress] = {}

    # --------------------------------------------------------------------------- helpers

    def error(self, field_name: str, message: str) -> None:
        self._bad = True
        value = self._values.get(field_name, "")
        self.errors.append(
            RowError(self._line, field_name, masked(field_name, value, self.kind), message)
        )

    def _start(self, line: int, values: dict[str, str]) -> None:
        self._line = line
        self._values = values
        self._bad = False

    def label(self, key: str) -> str:
        return column_label(self.kind, key)

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        value = self._values.get(key, "")
        if not value:
            if required:
                self.error(key, _("%(field)s may not be empty.") % {"field": self.label(key)})
            return ""
        if len(value) > limit:
            self.error(
                key,
                _("%(field)s: at most %(max)s characters (this one has %(length)s).")
                % {"field": self.label(key), "max": limit, "length": len(value)},
            )
            return ""
        return value

    def choice(self, key: str, table: dict[str, str], names: dict[str, tuple[str, ...]]) -> str:
        value = self._values.get(key, "")
        if not value:
            return ""
        code = _choice_code(table, value)
        if code is None:
            self.error(
                key,
                _("%(field)s: unknown value “%(value)s” (expected one of %(names)s).")
                % {
                    "field": self.label(key),
                    "value": value[:40],
                    "names": "、".join(aliases[0] for aliases in names.values()),
                },
            )
            return ""
        return code

    def date(self, key: str, *, is_past: bool) -> dt.date | None:
        value = self._values.get(key, "")
        if not value:
            return None
        parts = _date_parts(value)
        if parts is None:
            self.error(
                key,
                _("%(field)s: “%(value)s” is not a date such as 2024-03-05.")
                % {"field": self.label(key), "value": value[:40]},
            )
            return None
        try:
            parsed = dt.date(*parts)
        except ValueError:
            self.error(
                key,
                _("%(field)s: %(value)s is not a real date.")
                % {"field": self.label(key), "value": value[:40]},
            )
            return None
        if parsed < EARLIEST_DATE or parsed > LATEST_DATE:
            self.error(
                key,
                _("%(field)s: the date %(value)s is out of range.")
                % {"field": self.label(key), "value": parsed.isoformat()},
            )
            return None
        if is_past and parsed > self.today:
            self.error(
                key,
                _("%(field)s: the date %(value)s lies in the future.")
                % {"field": self.label(key), "value": parsed.isoformat()},
            )
            return None
        return parsed

    def phone(self, key: str) -> str:
        value = self._values.get(key, "")
        if not value:
            return ""
        parsed = parse_phone(value)
        if parsed is None:
            self.error(
                key,
                _(
                    "%(field)s: not a mainland phone number; give an 11-digit mobile number or a "
                    "landline with its area code, e.g. 0756-2123456."
                )
                % {"field": self.label(key)},
            )
            return ""
        return parsed.number

    def id_number(self, key: str = "id_number") -> Any:
        value = self._values.get(key, "")
        if not value:
            self.error(key, _("%(field)s may not be empty.") % {"field": self.label(key)})
            return None
        try:
            return parse_id_number(value, self.label(key), today=self.today)
        except ValidationError as error:
            self.error(key, " ".join(error.messages))
            return None

    def point(self) -> tuple[float, float] | None:
        lon_text = self._values.get("lon", "")
        lat_text = self._values.get("lat", "")
        if not lon_text and not lat_text:
            return None
        if not lon_text or not lat_text:
            self.error(
                "lon" if not lon_text else "lat",
                _("Give both longitude (经度) and latitude (纬度), or neither."),
            )
            return None
        try:
            lon, lat = float(lon_text), float(lat_text)
        except ValueError:
            self.error("lon", _("Longitude and latitude must be numbers."))
            return None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180):
            self.error("lon", _("The longitude must lie between -180 and 180."))
            return None
        if not -90 <= lat <= 90:
            self.error("lat", _("The latitude must lie between -90 and 90."))
            return None
        return lon, lat

    def address(self, key: str) -> tuple[str, ParsedAddress | None]:
        text = self.text(key, 300)
        if not text:
            return "", None
        parsed = self.placer.parse(text)
        too_long = parsed.too_long()
        if too_long:
            self.error(
                key,
                _("%(field)s: a part of the address is too long (%(parts)s).")
                % {"field": self.label(key), "parts": ", ".join(too_long)},
            )
            return "", None
        return text, parsed

    # ---------------------------------------------------------------------------- kinds

    def person(self, line: int, values: dict[str, str]) -> PersonRow | None:
        self._start(line, values)  # the row a later ``error`` (e.g. a duplicate) is about
        row = self._clean_person(line, values)
        if row is None:
            row = self._checked_person(line, values)
        return row

    def _checked_person(self, line: int, values: dict[str, str]) -> PersonRow | None:
        """Every check of a person row, each problem reported (see :meth:`person`)."""
        self._start(line, values)
        info = self.id_number()
        out: dict[str, Any] = {}
        name = self.text("name", 60, required=True)
        if name:
            out["name"] = name
        for key, limit in _FREE_TEXTS:
            text = self.text(key, limit)
            if text:
                out[key] = text
        phone = self.phone("phone")
        if phone:
            out["phone"] = phone
        division = values.get("registered_division_code", "")
        if division:
            if not _is_division_code(division):
                self.error(
                    "registered_division_code",
                    _(
                        "%(field)s: “%(value)s” is not a division code (6, 9 or 12 digits "
                        "starting with a province code)."
                    )
                    % {"field": self.label("registered_division_code"), "value": division[:40]},
                )
            else:
                out["registered_division_code"] = division
        status = self.choice("residence_status", _RESIDENCE, RESIDENCE_NAMES)
        if status:
            out["residence_status"] = status
        valid_until = self.date("permit_valid_until", is_past=False)
        if valid_until:
            out["permit_valid_until"] = valid_until
        sex = self.choice("sex", _SEX, SEX_NAMES)
        birth = self.date("birth_date", is_past=True)
        if info is not None:
            if sex and sex != info.sex:
                self.error(
                    "sex",
                    _("%(field)s: the sex does not agree with the ID number.")
                    % {"field": self.label("sex")},
                )
            if birth and birth != info.birth_date:
                self.error(
                    "birth_date",
                    _("%(field)s: the birth date does not agree with the ID number (%(expected)s).")
                    % {"field": self.label("birth_date"), "expected": info.birth_date.isoformat()},
                )
        address_text, parsed = self.address("current_address")
        point = self.point()
        residence_kind = self.choice("residence_kind", _RESIDENCE_KIND, RESIDENCE_KIND_NAMES)
        moved_in = self.date("moved_in", is_past=True)
        if self._bad or info is None:
            return None
        return PersonRow(
            line=line,
            id_number=info.number,
            values=out,
            sex=info.sex,
            birth_date=info.birth_date,
            region_code=info.region_code,
            address_text=address_text,
            address=parsed,
            point=point,
            residence_kind=residence_kind,
            moved_in=moved_in,
        )

    def _clean_person(self, line: int, values: dict[str, str]) -> PersonRow | None:
        """The row when every value in it is valid (the common case), read with shortcuts;
        ``None`` when :meth:`_checked_person` must look at it.

        For every row that this accepts, :meth:`_checked_person` gives an equal row and no
        error (``test_checks_equivalence`` compares them); on anything unusual it gives up
        rather than report, so that the reasons come from one place.
        """
        get = values.get
        parts = valid_id_number_parts(get("id_number", ""), self.today)
        if parts is None:
            return None
        number, birth_date, sex, region_code = parts
        name = get("name", "")
        if not name or len(name) > 60:
            return None
        # The same order of keys as in ``_checked_person``: the values are written as JSON.
        out: dict[str, Any] = {"name": name}
        for field_name, longest in _FREE_TEXTS:
            text = get(field_name, "")
            if text:
                if len(text) > longest:
                    return None
                out[field_name] = text
        text = get("phone", "")
        if text:
            if is_plain_mobile_number(text):
                out["phone"] = text
            else:
                phone = parse_phone(text)
                if phone is None:
                    return None
                out["phone"] = phone.number
        text = get("registered_division_code", "")
        if text:
            if text not in self._divisions:
                if not _is_division_code(text):
                    return None
                if len(self._divisions) < _DIVISIONS_CACHED:
                    self._divisions.add(text)
            out["registered_division_code"] = text
        text = get("residence_status", "")
        if text:
            code = self._status_codes.get(text) or self._known_code(
                self._status_codes, _RESIDENCE, text
            )
            if not code:
                return None
            out["residence_status"] = code
        text = get("permit_valid_until", "")
        if text:
            date = self._dates.get(text) or self._known_date(text)
            if date is None:
                return None
            out["permit_valid_until"] = date
        text = get("sex", "")
        if text:
            code = self._sex_codes.get(text) or self._known_code(self._sex_codes, _SEX, text)
            if code != sex:
                return None
        text = get("birth_date", "")
        if text:
            date = self._dates.get(text) or self._known_date(text)
            if date != birth_date:  # which is not in the future
                return None
        address_text = get("current_address", "")
        address = None
        if address_text:
            address = self._addresses.get(address_text)
            if address is None:
                if len(address_text) > 300:
                    return None
                address = self.placer.parse(address_text)
                if address.too_long():
                    return None
                if len(self._addresses) < _ADDRESSES_CACHED:
                    self._addresses[address_text] = address
        point = None
        lon_text = get("lon", "")
        lat_text = get("lat", "")
        if lon_text or lat_text:
            if not lon_text or not lat_text:
                return None
            try:
                lon, lat = float(lon_text), float(lat_text)
            except ValueError:
                return None
            if not (
                math.isfinite(lon)
                and math.isfinite(lat)
                and -180 <= lon <= 180
                and -90 <= lat <= 90
            ):
                return None
            point = (lon, lat)
        residence_kind = get("residence_kind", "")
        if residence_kind:
            residence_kind = self._residence_kind_codes.get(residence_kind) or self._known_code(
                self._residence_kind_codes, _RESIDENCE_KIND, residence_kind
            )
            if not residence_kind:
                return None
        moved_in = None
        text = get("moved_in", "")
        if text:
            moved_in = self._dates.get(text) or self._known_date(text)
            if moved_in is None or moved_in > self.today:
                return None
        return PersonRow(
            line=line,
            id_number=number,
            values=out,
            sex=sex,
            birth_date=birth_date,
            region_code=region_code,
            address_text=address_text,
            address=address,
            point=point,
            residence_kind=residence_kind,
            moved_in=moved_in,
        )

    def _known_code(self, cache: dict[str, str], table: dict[str, str], value: str) -> str:
        """The code of a choice written ``value`` (remembered in ``cache``), ``""`` if none."""
        code = _choice_code(table, value)
        if code is None:
            return ""
        if len(cache) < _CODES_CACHED:
            cache[value] = code
        return code

    def _known_date(self, value: str) -> dt.date | None:
        """The real date in range written ``value`` (remembered), ``None`` if it is none."""
        parts = _date_parts(value)
        if parts is None:
            return None
        try:
            date = dt.date(*parts)
        except ValueError:
            return None
        if date < EARLIEST_DATE or date > LATEST_DATE:
            return None
        if len(self._dates) < _DATES_CACHED:
            self._dates[value] = date
        return date

    def entity(self, line: int, values: dict[str, str]) -> EntityRow | None:
        self._start(line, values)
        uscc = ""
        raw = values.get("uscc", "")
        if not raw:
            self.error("uscc", _("%(field)s may not be empty.") % {"field": self.label("uscc")})
        else:
            try:
                uscc = validate_credit_code(raw, self.label("uscc"))
            except ValidationError as error:
                self.error("uscc", " ".join(error.messages))
        out: dict[str, Any] = {}
        name = self.text("name", 200, required=True)
        if name:
            out["name"] = name
        kind = self.choice("kind", _ENTITY_KIND, ENTITY_KIND_NAMES)
        if not kind and uscc and not values.get("kind"):
            kind = _kind_from_credit_code(uscc)
        if kind:
            out["kind"] = kind
        for key, limit in (("legal_representative", 60), ("registered_address", 300)):
            text = self.text(key, limit)
            if text:
                out[key] = text
        status = self.choice("status", _ENTITY_STATUS, ENTITY_STATUS_NAMES)
        if status:
            out["status"] = status
        established = self.date("established_on", is_past=True)
        if established:
            out["established_on"] = established
        address_text, parsed = self.address("actual_address")
        if self._bad or not uscc:
            return None
        return EntityRow(
            line=line, uscc=uscc, values=out, address_text=address_text, address=parsed
        )

    def address_row(self, line: int, values: dict[str, str]) -> AddressRow | None:
        self._start(line, values)
        parts = {
            key: self.text(key, limit)
            for key, limit in (
                ("district", 40),
                ("street", 40),
                ("community", 60),
                ("road", 60),
                ("house_number", 20),
                ("building", 60),
                ("unit", 20),
                ("room", 20),
            )
        }
        if not parts["district"]:
            self.error(
                "district", _("%(field)s may not be empty.") % {"field": self.label("district")}
            )
        if not parts["house_number"]:
            self.error(
                "house_number",
                _("%(field)s may not be empty.") % {"field": self.label("house_number")},
            )
        if not parts["road"] and not parts["community"] and not self._bad:
            self.error(
                "road",
                _("Give a road (路/街) or a community (社区/村) with the house number."),
            )
        point = self.point()
        if self._bad:
            return None
        parsed = self.placer.parse_parts(**parts)
        too_long = parsed.too_long()
        if too_long:
            self.error(
                "road",
                _("A part of the address is too long (%(parts)s).")
                % {"parts": ", ".join(too_long)},
            )
            return None
        out: dict[str, Any] = {}
        if point is not None:
            out["lon"], out["lat"] = point
        return AddressRow(line=line, address=parsed, point=point, values=out)

    def household(self, line: int, values: dict[str, str]) -> HouseholdRow | None:
        self._start(line, values)
        number = self.text("household_number", 40, required=True)
        info = self.id_number()
        relation = self.choice("relation", _RELATION, RELATION_NAMES)
        if not relation and not values.get("relation"):
            self.error(
                "relation", _("%(field)s may not be empty.") % {"field": self.label("relation")}
            )
        out: dict[str, Any] = {}
        kind = self.choice("kind", _HOUSEHOLD_KIND, HOUSEHOLD_KIND_NAMES)
        if kind:
            out["kind"] = kind
        address_text, parsed = self.address("address")
        if address_text:
            out["address"] = address_text
        if self._bad or info is None or not number or not relation:
            return None
        return HouseholdRow(
            line=line,
            number=number,
            id_number=info.number,
            relation=relation,
            values=out,
            address_text=address_text,
            address=parsed,
        )


def _kind_from_credit_code(uscc: str) -> str:
    """The kind of legal entity the registration authority of a USCC implies."""
    authority = uscc[0]
    if authority == "9":
        return EntityKindOfLaw.COMPANY
    if authority == "1":
        return EntityKindOfLaw.INSTITUTION
    if authority == "5":
        return EntityKindOfLaw.SOCIAL_ORGANISATION
    return EntityKindOfLaw.OTHER
