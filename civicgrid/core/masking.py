"""脱敏: masking of personal data for display to people not entitled to see it in full.

Every function accepts any value (``None``, empty, too short, malformed) without raising and
never returns more of the value than its rule keeps: a value too short for the rule is masked
completely. Masks keep the length of the value, so the shape stays recognisable.
"""

from __future__ import annotations

from typing import Any

from .phones import LANDLINE, MOBILE, SERVICE, parse_phone

MASK = "*"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def mask_middle(value: Any, keep_start: int, keep_end: int) -> str:
    """Keep ``keep_start`` leading and ``keep_end`` trailing characters; mask the rest.

    When the value has no more characters than are to be kept, all of it is masked.
    """
    text = _text(value)
    if len(text) <= keep_start + keep_end:
        return MASK * len(text)
    end = text[len(text) - keep_end :] if keep_end else ""
    return text[:keep_start] + MASK * (len(text) - keep_start - keep_end) + end


def mask_phone(value: Any) -> str:
    """``13812345678`` → ``138****5678``; ``0756-2123456`` → ``0756-***3456``.

    Landlines keep the area code and the last 4 digits of the subscriber number (the extension
    is dropped). Public service numbers (12345, 110) are not personal and are returned as they
    are. Anything unparsable keeps its first 3 and last 4 characters if it has more than 8,
    and is masked completely otherwise.
    """
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


def mask_id_number(value: Any) -> str:
    """``44040219900101123X`` → ``440402********123X`` (first 6 and last 4 kept).

    Values of 10 characters or fewer are masked completely.
    """
    return mask_middle(value, 6, 4)


def mask_name(value: Any) -> str:
    """``张三`` → ``张*``; ``欧阳娜娜`` → ``欧***``; a one-character name → ``*``.

    Separators inside a name (``·`` of transliterated names, spaces) are kept.
    """
    text = _text(value)
    if len(text) <= 1:
        return MASK * len(text)
    return text[0] + "".join(char if char in "·• " else MASK for char in text[1:])
