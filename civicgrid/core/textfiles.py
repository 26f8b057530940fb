"""Reading text files people bring from Chinese offices: UTF-8 (with or without BOM) or the
GBK/GB18030 that Excel writes by default on Chinese Windows."""

from __future__ import annotations


def decode_chinese_text(raw: bytes) -> str:
    """The text of ``raw``: UTF-8 first, then GB18030 (a superset of GBK and GB2312).

    Raises ``UnicodeDecodeError`` when it is neither.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")
