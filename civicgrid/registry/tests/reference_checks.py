"""Frozen copy of the row checks of persons as they were before the fast paths (test-only).

The differential tests (``test_checks_equivalence.py``) run the current code and this copy on the
same inputs and require identical results and identical error lists. Taken verbatim, as of
commit fc773ae, from ``civicgrid/core/idnumbers.py``, ``civicgrid/core/phones.py`` (and
``mask_phone``), ``RowChecker`` in ``civicgrid/registry/services/validation.py``, and from
``civicgrid/registry/services/placement.py`` ``ParsedAddress.too_long`` (as ``parts_too_long``)
and ``Placer.parse`` with its helpers (``ReferencePlacer``; ``_Level.match`` as
``level_match``, ``_finish`` as ``_finish_as_before``). Only imports and those names changed:
nothing here calls the new code except ``Placer.__init__``/``parse_parts`` (loading the names),
``column_label`` and the maskers that do not parse phones. Do not "fix" anything here.
"""

# ruff: noqa

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civicgrid.core.masking import mask_id_number, mask_middle, mask_name
from civicgrid.registry.models import (
    EntityKind,
    EntityKindOfLaw,
    EntityStatus,
    Household,
    Relation,
    ResidenceKind,
    ResidenceStatus,
    Sex,
)
from civicgrid.registry.services.placement import PART_MAX, ParsedAddress, Placer, UnitName
from civicgrid.territory.models import AdminLevel
from civicgrid.registry.services.rows import column_label

# ------------------------------------------------------------------ idnumbers.py (verbatim)

WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
CHECK_CHARACTERS = "10X98765432"
PROVINCE_CODES = frozenset(
    {
        *range(11, 16),  # 北京 天津 河北 山西 内蒙古
        *range(21, 24),  # 辽宁 吉林 黑龙江
        *range(31, 38),  # 上海 江苏 浙江 安徽 福建 江西 山东
        *range(41, 47),  # 河南 湖北 湖南 广东 广西 海南
        *range(50, 55),  # 重庆 四川 贵州 云南 西藏
        *range(61, 66),  # 陕西 甘肃 青海 宁夏 新疆
        71,  # 台湾
        81,  # 香港
        82,  # 澳门
        83,  # 台湾居民居住证
    }
)
FOREIGN_PERMANENT_RESIDENCE_PREFIX = "9"  # then the issuing province's code
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_BODY = re.compile(r"[0-9]{17}")

DEFAULT_FIELD = _lazy("ID number")


@dataclass(frozen=True)
class IdNumberInfo:
    """What an ID number says about its holder."""

    number: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the 17th digit
    region_code: str  # the six-digit address code, as issued (9 + province + nationality)

    @property
    def is_foreign_permanent_resident(self) -> bool:
        """A foreigner's permanent residence ID card (2023 design, starting with 9)."""
        return self.number.startswith(FOREIGN_PERMANENT_RESIDENCE_PREFIX)


def normalise_id_number(value: Any) -> str:
    """Full-width characters to ASCII, whitespace removed, ``x`` to ``X``."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).upper()


def id_number_check_digit(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    if not _BODY.fullmatch(first17):
        raise ValueError("the first 17 characters of an ID number must be digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_id_number(
    value: Any, field: Any = DEFAULT_FIELD, *, today: dt.date | None = None
) -> IdNumberInfo:
    """Validate ``value`` and return its parts; raise ``ValidationError`` naming ``field``."""
    number = normalise_id_number(value)
    params: dict[str, Any] = {"field": field}
    if len(number) != 18:
        raise ValidationError(
            _lazy("%(field)s: an ID number has 18 characters; this one has %(length)s."),
            code="id_number_length",
            params={**params, "length": len(number)},
        )
    if not _FORMAT.fullmatch(number):
        raise ValidationError(
            _lazy("%(field)s: only digits are allowed, except that the last character may be X."),
            code="id_number_characters",
            params=params,
        )
    region = number[:6]
    province = number[1:3] if number.startswith(FOREIGN_PERMANENT_RESIDENCE_PREFIX) else number[:2]
    if int(province) not in PROVINCE_CODES:
        raise ValidationError(
            _lazy("%(field)s: the region code %(region)s does not start with a province code."),
            code="id_number_region",
            params={**params, "region": region},
        )
    birth_text = number[6:14]
    try:
        birth_date = dt.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise ValidationError(
            _lazy("%(field)s: the birth date %(birth)s in the ID number is not a real date."),
            code="id_number_birth_date",
            params={**params, "birth": birth_text},
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _lazy("%(field)s: the birth date %(birth)s in the ID number is before 1900."),
            code="id_number_birth_date",
            params={**params, "birth": birth_date.isoformat()},
        )
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(
            _lazy("%(field)s: the birth date %(birth)s in the ID number is in the future."),
            code="id_number_birth_date",
            params={**params, "birth": birth_date.isoformat()},
        )
    expected = id_number_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _lazy("%(field)s: the ID number's check digit is wrong (expected %(expected)s)."),
            code="id_number_check_digit",
            params={**params, "expected": expected},
        )
    return IdNumberInfo(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=region,
    )


# ------------------------------------------------------------------- phones.py (verbatim)

MOBILE = "mobile"
LANDLINE = "landline"
SERVICE = "service"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SUBSCRIBER = r"[2-9][0-9]{6,7}"
_LANDLINE = re.compile(rf"(0(?:10|2[0-9]|[3-9][0-9]{{2}}))({_SUBSCRIBER})")
_SERVICE = re.compile(r"1[12][0-9]|[19][0-9]{4}|9[56][0-9]{4}|[48]00[0-9]{7}")
_EXTENSION = re.compile(r"^(.*?)\s*(?:转|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-().（）·]+")

PHONE_DEFAULT_FIELD = _lazy("Phone number")


@dataclass(frozen=True)
class PhoneNumber:
    kind: str  # MOBILE, LANDLINE or SERVICE
    number: str  # normalised form, see the module docstring
    area_code: str = ""
    subscriber: str = ""
    extension: str = ""


def _strip_country_code(digits: str) -> str | None:
    """Digits after a +86/0086/86 prefix, or ``None`` when there is no such prefix."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 9:
            return digits[len(prefix) :]
    return None


def parse_phone(value: Any) -> PhoneNumber | None:
    """The parsed number, or ``None`` when ``value`` is not a phone number (never raises)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return None
    match = _EXTENSION.match(text)
    if match:
        return _parse_plain(match.group(1), match.group(2))
    parsed = _parse_plain(text, "")
    if parsed is None and "-" in text:
        # "0756-2123456-801": a trailing hyphenated group after a landline is an extension.
        head, tail = text.rsplit("-", 1)
        tail = tail.strip()
        if tail.isascii() and tail.isdigit() and len(tail) <= 6:
            parsed = _parse_plain(head, tail)
    return parsed


def _parse_plain(text: str, extension: str) -> PhoneNumber | None:
    text = text.strip()
    has_plus = text.startswith("+")
    digits = _SEPARATORS.sub("", text.lstrip("+"))
    if not digits.isascii() or not digits.isdigit():
        return None
    national = _strip_country_code(digits)
    if has_plus and national is None:
        return None  # a foreign number
    if national is not None and not national.startswith("0"):
        candidates = [national, "0" + national]
    else:
        candidates = [national if national is not None else digits]
    for candidate in candidates:
        if _MOBILE.fullmatch(candidate):
            if extension:
                return None
            return PhoneNumber(kind=MOBILE, number=candidate)
        landline = _LANDLINE.fullmatch(candidate)
        if landline:
            area, subscriber = landline.group(1), landline.group(2)
            number = f"{area}-{subscriber}" + (f"-{extension}" if extension else "")
            return PhoneNumber(
                kind=LANDLINE,
                number=number,
                area_code=area,
                subscriber=subscriber,
                extension=extension,
            )
    if national is None and not extension and _SERVICE.fullmatch(digits):
        return PhoneNumber(kind=SERVICE, number=digits)
    return None


MASK = "*"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def mask_phone(value: Any) -> str:
    """masking.mask_phone with the frozen ``parse_phone``."""
    text = _text(value)
    parsed = parse_phone(text)
    if parsed is None:
        return mask_middle(text, 3, 4) if len(text) > 8 else MASK * len(text)
    if parsed.kind == MOBILE:
        return mask_middle(parsed.number, 3, 4)
    if parsed.kind == LANDLINE:
        return f"{parsed.area_code}-{mask_middle(parsed.subscriber, 0, 4)}"
    assert parsed.kind == SERVICE
    return parsed.number


# ------------------------------------------------------------ placement.py (verbatim)


def parts_too_long(self: ParsedAddress) -> list[str]:
    """Names of parts longer than the registry keeps."""
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


# ------------------------------------------------------- placement.py Placer.parse (verbatim)

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


def level_match(self: Any, text: str, start: int, within: str) -> tuple[UnitName, int] | None:
    """The longest name at ``start`` of a unit whose code starts with ``within``."""
    for length in range(min(self.longest, len(text) - start), 1, -1):
        units = self.by_variant.get(text[start : start + length])
        if not units:
            continue
        inside = [unit for unit in units if unit.code.startswith(within)]
        if len(inside) == 1:
            return inside[0], start + length
    return None


class ReferencePlacer(Placer):
    """A placer that parses address texts as ``Placer`` did (its units and names as now)."""

    def parse(self, text: Any) -> ParsedAddress:
        """The standard address in ``text`` (see the module docstring); cached per text."""
        raw = str(text or "")
        found = self._cache.get(raw)
        if found is None:
            found = self._parse(normalise_text(raw))
            if len(self._cache) < 500_000:
                self._cache[raw] = found
        return found

    def _parse(self, text: str) -> ParsedAddress:
        text = _PROVINCE.sub("", text)
        position = 0
        within = self.city_code
        matched = level_match(self.levels[AdminLevel.CITY], text, position, "")
        if matched:
            position = matched[1]
            within = matched[0].code
        names: dict[str, UnitName] = {}
        for level in (AdminLevel.DISTRICT, AdminLevel.STREET, AdminLevel.COMMUNITY):
            matched = level_match(self.levels[level], text, position, within)
            if matched:
                names[level] = matched[0]
                position = matched[1]
                within = matched[0].code
        return self._finish_as_before(names, text[position:])

    def _finish_as_before(self, names: dict[str, UnitName], rest: str) -> ParsedAddress:
        finest = (
            names.get(AdminLevel.COMMUNITY)
            or names.get(AdminLevel.STREET)
            or names.get(AdminLevel.DISTRICT)
        )
        names_of = self._canonical(finest)
        road = house_number = compound = building = unit = room = ""
        match = _ROAD_NUMBER.match(rest) or _NUMBER_ONLY.match(rest)
        if match:
            road = match.groupdict().get("road") or ""
            house_number = match.group("number").replace("之", "-")
            rest = rest[match.end() :]
            building_match = _BUILDING.match(rest)
            if building_match:
                compound = building_match.group("compound")
                building = building_match.group("building").upper()
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
            district=names_of["district"],
            street=names_of["street"],
            community=names_of["community"],
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
        out = {"district": "", "street": "", "community": ""}
        if finest is None:
            return out
        for level, length in (("district", 6), ("street", 9), ("community", 12)):
            unit = self.units.get(finest.code[:length]) if len(finest.code) >= length else None
            if unit is not None:
                out[level] = normalise_text(unit.name)
        return out


# ----------------------------------------------------------- validation.py (verbatim)

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
    masker = _MASKERS.get(field_name)
    if kind == EntityKind.ENTITY and field_name == "name":
        masker = None  # a company name is public
    text = masker(value) if masker else value
    return text[:100]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    value: str
    message: str


@dataclass
class PersonRow:
    line: int
    id_number: str
    values: dict[str, Any]
    sex: str
    birth_date: dt.date
    region_code: str
    address_text: str = ""
    address: ParsedAddress | None = None
    point: tuple[float, float] | None = None
    residence_kind: str = ""
    moved_in: dt.date | None = None


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
        code = table.get(unicodedata.normalize("NFKC", value).strip().lower())
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
        text = unicodedata.normalize("NFKC", value).strip()
        if " " in text:
            text = text.split(" ", 1)[0]
        if "T" in text:
            text = text.split("T", 1)[0]
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                year, month, day = (int(part) for part in match.groups())
                break
        else:
            self.error(
                key,
                _("%(field)s: “%(value)s” is not a date such as 2024-03-05.")
                % {"field": self.label(key), "value": value[:40]},
            )
            return None
        try:
            parsed = dt.date(year, month, day)
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
        too_long = parts_too_long(parsed)
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
        self._start(line, values)
        info = self.id_number()
        out: dict[str, Any] = {}
        name = self.text("name", 60, required=True)
        if name:
            out["name"] = name
        for key, limit in (
            ("registered_address", 300),
            ("permit_number", 40),
            ("employer", 200),
        ):
            text = self.text(key, limit)
            if text:
                out[key] = text
        phone = self.phone("phone")
        if phone:
            out["phone"] = phone
        division = values.get("registered_division_code", "")
        if division:
            if not _DIVISION.fullmatch(division) or int(division[:2]) not in PROVINCE_CODES:
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
