"""统一社会信用代码: the 18-character unified social credit code (USCC) of GB 32100-2015.

Layout: registration authority (登记管理部门代码, 1 character), organisation category
(机构类别代码, 1), division code of the registering authority (登记管理机关行政区划码, 6 digits),
the organisation's subject code (主体标识码, 9 characters, GB 11714) and a MOD 31 check
character. Characters come from ``0-9`` and ``A-Y`` without ``I O Z S V``.

The authority/category table is GB 32100-2015 table 1 together with the authority codes
assigned later by the national USCC centre (外交, 司法行政, 文化, 旅游, 宗教, 工会,
中央军委, 农业); extend :data:`CATEGORIES_BY_AUTHORITY` when a new one is assigned.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {character: value for value, character in enumerate(CHARACTERS)}
WEIGHTS = tuple(pow(3, position, 31) for position in range(17))

CATEGORIES_BY_AUTHORITY: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("123459"),  # 司法行政: 律所, 公证处, 基层法律服务所, 司法鉴定, 仲裁委, 其他
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国/港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商/市场监管: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他
}
_FORMAT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_BODY = re.compile(r"[0-9A-HJ-NPQRTUWXY]{17}")

DEFAULT_FIELD = _("Unified social credit code")


def normalise_credit_code(value: Any) -> str:
    """Full-width characters to ASCII, whitespace removed, upper case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text).upper()


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character (MOD 31) of the first 17 characters."""
    if not _BODY.fullmatch(first17):
        raise ValueError("the first 17 characters of a credit code must come from its charset")
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARACTERS[(31 - total % 31) % 31]


def validate_credit_code(value: Any, field: Any = DEFAULT_FIELD) -> str:
    """Django validator; returns the normalised code when it is valid."""
    code = normalise_credit_code(value)
    params: dict[str, Any] = {"field": field}
    if len(code) != 18:
        raise ValidationError(
            _(
                "%(field)s: a unified social credit code has 18 characters; this one has "
                "%(length)s."
            ),
            code="credit_code_length",
            params={**params, "length": len(code)},
        )
    if not _FORMAT.fullmatch(code):
        wrong = next(char for char in code if char not in VALUES)
        raise ValidationError(
            _(
                "%(field)s: the character “%(character)s” is not allowed (only digits and "
                "capital letters except I, O, Z, S, V)."
            ),
            code="credit_code_characters",
            params={**params, "character": wrong},
        )
    categories = CATEGORIES_BY_AUTHORITY.get(code[0])
    if categories is None:
        raise ValidationError(
            _("%(field)s: “%(character)s” is not a registration authority code (1st character)."),
            code="credit_code_authority",
            params={**params, "character": code[0]},
        )
    if code[1] not in categories:
        raise ValidationError(
            _(
                "%(field)s: “%(character)s” is not an organisation category of registration "
                "authority %(authority)s (2nd character)."
            ),
            code="credit_code_category",
            params={**params, "character": code[1], "authority": code[0]},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("%(field)s: characters 3 to 8 must be the six digits of a division code."),
            code="credit_code_division",
            params=params,
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("%(field)s: the credit code's check character is wrong (expected %(expected)s)."),
            code="credit_code_check_char",
            params={**params, "expected": expected},
        )
    return code
