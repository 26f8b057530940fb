"""去除个人信息: strip personal data out of free text before it is shown to the public.

:func:`strip_personal_data` masks, inside any text:

* ID numbers (18 digits with a check character, or 15 digits) — completely;
* mobile numbers (``138****5678``) and landlines with an area code (``0756-***3456``);
* any other run of 7 or more digits (bank cards, house-hold numbers, …) — completely;
* e-mail addresses (``z***@example.com``);
* names the caller knows (the citizen's own name) wherever they occur, and names introduced by
  a phrase such as ``我叫`` / ``姓名：`` / ``联系人`` / ``联系电话`` (surname kept: ``张**``).

It never raises and keeps the text's length except for phone numbers, which take their masked
form. Public service numbers (12345, 110) are too short to be touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .masking import MASK, mask_name, mask_phone

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-?)\d{7,8}(?!\d)")
_DIGIT_RUN = re.compile(r"\d{7,}")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_INTRODUCED_NAME = re.compile(
    r"(我叫|我的名字是|本人姓名[:：]?|姓名[:：]|联系人[:：]?|报料人[:：]?|投诉人[:：]?|申请人[:：]?)"
    r"(\s*)([\u4e00-\u9fff·]{2,4}?)(?=[，。,.;；：:！!？?、\s\d（(]|先生|女士|电话|手机|$)"
)


def _hide(match: re.Match[str]) -> str:
    return MASK * len(match.group())


def strip_personal_data(text: Any, *, names: Iterable[str] = ()) -> str:
    """``text`` with personal data masked (see the module docstring); ``names`` are masked
    wherever they occur (names shorter than 2 characters are ignored)."""
    if text is None:
        return ""
    result = str(text)
    for name in sorted({(name or "").strip() for name in names}, key=len, reverse=True):
        if len(name) >= 2:
            result = result.replace(name, mask_name(name))
    result = _ID_NUMBER.sub(_hide, result)
    result = _MOBILE.sub(lambda match: mask_phone(match.group()), result)
    result = _LANDLINE.sub(lambda match: mask_phone(match.group()), result)
    result = _DIGIT_RUN.sub(_hide, result)
    result = _EMAIL.sub(lambda match: f"{match.group(1)}***{match.group(2)}", result)
    return _INTRODUCED_NAME.sub(
        lambda match: match.group(1) + match.group(2) + mask_name(match.group(3)), result
    )
