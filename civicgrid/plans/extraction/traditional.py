"""Traditional → simplified Chinese for reading a document, offsets kept.

Documents from Hong Kong, Taiwan or some web archives are written in traditional characters
("牽頭單位", "按職責分工負責"). The extractor reads such a document through a simplified copy
of the same length, so every offset found in the copy is an offset into the original and
names are reported as written. The conversion is OpenCC's (``t2s``); where a phrase would
change a line's length, that line is converted character by character instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _character(ch: str) -> str:
    converted = _converter().convert(ch)
    return converted if len(converted) == 1 else ch


def to_simplified(text: str) -> str:
    """The same text in simplified characters, of the same length."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    lines = []
    for line in text.splitlines(keepends=True):
        simple = _converter().convert(line)
        lines.append(simple if len(simple) == len(line) else "".join(_character(ch) for ch in line))
    return "".join(lines)


def is_traditional(text: str) -> bool:
    """Whether a text is written in traditional characters (not one stray character)."""
    changed = sum(1 for a, b in zip(text, to_simplified(text), strict=True) if a != b)
    cjk = len(_CJK_RE.findall(text))
    return changed >= 5 and changed >= 0.03 * cjk
