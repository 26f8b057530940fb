"""身份证号: the 18-character citizen ID number of GB 11643-1999.

Layout: 6-digit address (region) code, 8-digit birth date ``YYYYMMDD``, 3-digit sequence
number (odd for men, even for women), and an ISO 7064 MOD 11-2 check character (0-9 or X).

Region check: only the first two digits (province level) are checked against the list of
province-level codes. The full six-digit code is *not* looked up in a table on purpose: a
number keeps the address code of the county where it was first issued, and counties are
merged, renamed and re-coded every year, so millions of valid numbers carry codes that no
current table contains.

Accepted province-level prefixes include 71 (Taiwan), 81 (Hong Kong), 82 (Macao) and 83
(residence permits of Taiwan residents), which appear on residence permits for residents of
those regions.

Foreigners' permanent residence ID cards of the 2023 design (外国人永久居留身份证) use the same
18-character layout and check character with ``9`` first: ``9`` + the province code of the
place that issued it + a 3-digit nationality code + birth date + sequence + check character;
they are accepted (:attr:`IdNumberInfo.is_foreign_permanent_resident`). The 15-digit numbers of
the first generation and the 15-character permanent residence cards issued before 2023 are
not accepted here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
_PROVINCE_PREFIXES = frozenset(f"{code:02d}" for code in PROVINCE_CODES)
# YYYYMMDD → the real date, from 1900 on (some 50,000 texts up to today; bounded all the same).
_BIRTH_DATES: dict[str, dt.date] = {}
_BIRTH_DATES_CACHED = 100_000

DEFAULT_FIELD = _("ID number")


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
    return CHECK_CHARACTERS[_weighted_sum_mod_11(first17)]


def _weighted_sum_mod_11(first17: str) -> int:
    """The sum of the 17 digits times :data:`WEIGHTS`, modulo 11, in one C call.

    The weight of position i is 2**(17 - i) mod 11, so the sum is 2 * Σ digit_i * 2**(16 - i)
    modulo 11; read in base 13 (13 = 2 mod 11) the digits give Σ digit_i * 13**(16 - i),
    the same modulo 11. The digits must be ASCII (``int`` would also read other digits).
    """
    return 2 * int(first17, 13) % 11


def _birth_date(text: str) -> dt.date | None:
    """The real date of ``YYYYMMDD`` (8 ASCII digits) if it is not before 1900; cached."""
    found = _BIRTH_DATES.get(text)
    if found is None:
        try:
            found = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
        if found < EARLIEST_BIRTH_DATE:
            return None
        if len(_BIRTH_DATES) < _BIRTH_DATES_CACHED:
            _BIRTH_DATES[text] = found
    return found


def valid_id_number_parts(value: str, today: dt.date) -> tuple[str, dt.date, str, str] | None:
    """(number, birth date, sex, region code) of a valid number written plainly, else ``None``.

    The fast path of bulk checks: it accepts only 18 ASCII characters (a lower-case ``x`` at
    the end is read as ``X``) that :func:`parse_id_number` accepts with the same ``today``,
    and then returns the same parts. ``None`` says nothing about the value: ask
    :func:`parse_id_number` for it and for the reason when it is not valid.
    """
    if len(value) != 18 or not value.isascii():
        return None
    body = value[:17]
    if not body.isdigit():
        return None
    check = value[17]
    if check == "x":
        check = "X"
        value = body + check
    province = value[1:3] if value[0] == FOREIGN_PERMANENT_RESIDENCE_PREFIX else value[:2]
    if province not in _PROVINCE_PREFIXES:
        return None
    birth_date = _birth_date(value[6:14])
    if birth_date is None or birth_date > today:
        return None
    if CHECK_CHARACTERS[_weighted_sum_mod_11(body)] != check:
        return None
    return value, birth_date, "M" if value[16] in "13579" else "F", value[:6]


def parse_id_number(
    value: Any, field: Any = DEFAULT_FIELD, *, today: dt.date | None = None
) -> IdNumberInfo:
    """Validate ``value`` and return its parts; raise ``ValidationError`` naming ``field``."""
    if type(value) is str:
        parts = valid_id_number_parts(value, today or timezone.localdate())
        if parts is not None:
            return IdNumberInfo(*parts)
    number = normalise_id_number(value)
    params: dict[str, Any] = {"field": field}
    if len(number) != 18:
        raise ValidationError(
            _("%(field)s: an ID number has 18 characters; this one has %(length)s."),
            code="id_number_length",
            params={**params, "length": len(number)},
        )
    if not _FORMAT.fullmatch(number):
        raise ValidationError(
            _("%(field)s: only digits are allowed, except that the last character may be X."),
            code="id_number_characters",
            params=params,
        )
    region = number[:6]
    province = number[1:3] if number.startswith(FOREIGN_PERMANENT_RESIDENCE_PREFIX) else number[:2]
    if int(province) not in PROVINCE_CODES:
        raise ValidationError(
            _("%(field)s: the region code %(region)s does not start with a province code."),
            code="id_number_region",
            params={**params, "region": region},
        )
    birth_text = number[6:14]
    try:
        birth_date = dt.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise ValidationError(
            _("%(field)s: the birth date %(birth)s in the ID number is not a real date."),
            code="id_number_birth_date",
            params={**params, "birth": birth_text},
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("%(field)s: the birth date %(birth)s in the ID number is before 1900."),
            code="id_number_birth_date",
            params={**params, "birth": birth_date.isoformat()},
        )
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(
            _("%(field)s: the birth date %(birth)s in the ID number is in the future."),
            code="id_number_birth_date",
            params={**params, "birth": birth_date.isoformat()},
        )
    expected = id_number_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("%(field)s: the ID number's check digit is wrong (expected %(expected)s)."),
            code="id_number_check_digit",
            params={**params, "expected": expected},
        )
    return IdNumberInfo(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=region,
    )


def validate_id_number(
    value: Any, field: Any = DEFAULT_FIELD, *, today: dt.date | None = None
) -> str:
    """Django validator; returns the normalised number (upper-case X) when it is valid."""
    return parse_id_number(value, field, today=today).number
