"""电话号码: mainland China mobile, landline and public service numbers.

Accepted and normalised forms (spaces, hyphens, dots and brackets are ignored; full-width
characters are read as ASCII):

* **mobile** (手机): 11 digits ``1[3-9]xxxxxxxxx``, optionally after ``+86``, ``0086`` or ``86``.
  Normalised to the 11 digits: ``13812345678``.
* **landline** (固定电话): trunk ``0`` + area code + 7 or 8 digit subscriber number (which
  cannot start with 0 or 1), optionally an extension after ``-``, ``转``, ``ext`` or ``#``.
  Area codes starting ``01``/``02`` have 3 digits (``010``, ``020``-``029``), all others 4
  (``0756``), which is how mainland numbering resolves ``07562123456``. ``+86 756 2123456`` is
  read as ``0756-2123456``. Normalised to ``0756-2123456`` or ``0756-2123456-801``.
  A local number without an area code is refused: the platform serves several cities.
* **service** (服务号码): public short numbers that citizens give as a contact, which are kept
  as digits: 3-digit ``110``-``129`` (110, 119, 120, 122), 5-digit numbers starting ``1`` or ``9``
  (12345, 12315, 10086, 95555, 96xxx), 6-digit ``95xxxx``/``96xxxx`` and 10-digit ``400``/``800``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE = "mobile"
LANDLINE = "landline"
SERVICE = "service"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SUBSCRIBER = r"[2-9][0-9]{6,7}"
_LANDLINE = re.compile(rf"(0(?:10|2[0-9]|[3-9][0-9]{{2}}))({_SUBSCRIBER})")
_SERVICE = re.compile(r"1[12][0-9]|[19][0-9]{4}|9[56][0-9]{4}|[48]00[0-9]{7}")
_EXTENSION = re.compile(r"^(.*?)\s*(?:转|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-().（）·]+")

DEFAULT_FIELD = _("Phone number")


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


def is_plain_mobile_number(value: str) -> bool:
    """Whether ``value`` is a mobile number in its normalised form (11 ASCII digits).

    Such a value is its own :func:`parse_phone` number: the fast path of bulk checks.
    """
    return (
        len(value) == 11
        and value[0] == "1"
        and value[1] in "3456789"
        and value.isascii()
        and value.isdigit()
    )


def parse_phone(value: Any) -> PhoneNumber | None:
    """The parsed number, or ``None`` when ``value`` is not a phone number (never raises)."""
    if type(value) is str and is_plain_mobile_number(value):
        return PhoneNumber(kind=MOBILE, number=value)
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


def normalise_phone(value: Any, field: Any = DEFAULT_FIELD) -> PhoneNumber:
    """Parse ``value``; raise ``ValidationError`` naming ``field`` when it is no phone number."""
    parsed = parse_phone(value)
    if parsed is None:
        raise ValidationError(
            _(
                "%(field)s: “%(value)s” is not a mainland phone number; enter an 11-digit mobile "
                "number or a landline with its area code, e.g. 0756-2123456."
            ),
            code="phone_invalid",
            params={"field": field, "value": str(value or "")[:40]},
        )
    return parsed


def validate_phone(value: Any, field: Any = DEFAULT_FIELD) -> str:
    """Django validator; returns the normalised number when it is valid."""
    return normalise_phone(value, field).number
