"""Page furniture out, paragraphs back together.

Documents arrive scraped from web pages or converted from Word/PDF: a site's navigation menu
above the title, a footer with 备案号 and links below the body, the whole body printed twice,
table headers and page numbers repeated on every page, paragraphs cut where a page or a line
ended. :func:`clean_lines` keeps the document's own lines and says what it dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from civicgrid.plans.extraction.responsibility import LABEL_RE
from civicgrid.plans.extraction.structure import HEADING_RE, heading_of
from civicgrid.plans.extraction.tables import header_role

# Normalised before anything else: full-width brackets, colon and digits, odd spaces.
TRANSLATE = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "\u00a0": " ",
        "\u3000": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u200b": "",
        "\ufeff": "",
        "\t": " ",
        "\r": "",
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
    }
)

FOOTER_RE = re.compile(
    r"(来源于网络|仅供参考|备案序号|备案号|ICP备|ICP证|公网安备|技术支持[:：]|版权所有|Copyright|"
    r"©|本文来源[:：]|网站地图|上一篇|下一篇|相关阅读|相关文章|相关链接|打印本页|关闭窗口|"
    r"【打印】|【关闭】|扫一扫|分享到|责任编辑|重新编辑)",
    re.IGNORECASE,
)
HEADER_FURNITURE_RE = re.compile(
    r"^(当前位置|您的位置|您现在的位置|首页|发布时间|更新时间|阅读量|浏览次数|来源[:：]|"
    r"说明[:：].{0,40}(预览|下载)|字号|【字体|Admin\b|.{0,20}于\d{4}年\d+月\d+日发表)"
)
PAGE_NUMBER_RE = re.compile(
    r"^([-—－–\s]*\d{1,3}[-—－–\s]*|第\s*\d+\s*页.*|\d+\s*/\s*\d+|Page \d+.*|共\s*\d+\s*页.*)$"
)
TOC_LINE_RE = re.compile(r"(…{2,}|\.{4,}|·{4,})\s*\d+\s*")
SENTENCE_END = '。;；!！?？:：”"）)'


@dataclass
class Cleaned:
    """The kept lines and messages about what was dropped (Chinese first)."""

    lines: list[str]
    warnings: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    return text.translate(TRANSLATE)


def _is_prose(line: str) -> bool:
    return len(line) >= 30 or bool(re.search(r"[。,，;；]", line) and len(line) >= 15)


def drop_head_furniture(lines: list[str]) -> tuple[list[str], int]:
    """A navigation menu and page head above the document: short lines before the body."""
    first_body = None
    for index, line in enumerate(lines):
        if (_is_prose(line) or heading_of(line) is not None) and not HEADER_FURNITURE_RE.match(
            line
        ):
            first_body = index
            break
    if first_body is None:
        return lines, 0
    kept = []
    dropped = 0
    for index, line in enumerate(lines):
        if index >= first_body:
            kept.append(line)
            continue
        if header_role(line) is not None or re.fullmatch(r"目\s*录", line):
            kept.append(line)  # a table's header or a table of contents, not a menu
            continue
        if HEADER_FURNITURE_RE.match(line) or re.fullmatch(r"[\d\-:./ ]+", line):
            dropped += 1
            continue
        # A menu: short words separated by spaces, or a word of at most four characters.
        words = line.split()
        if len(line) <= 4 or (len(words) >= 2 and all(len(word) <= 6 for word in words)):
            dropped += 1
            continue
        kept.append(line)
    return kept, dropped


def drop_footer(lines: list[str]) -> tuple[list[str], int]:
    """Everything from the first footer marker in the second half of the document."""
    half = len(lines) // 2
    for index in range(half, len(lines)):
        line = lines[index]
        if len(line) <= 120 and FOOTER_RE.search(line):
            return lines[:index], len(lines) - index
    # A trailing "Top" / "返回顶部" and the like.
    end = len(lines)
    while end > 0 and re.fullmatch(r"(Top|TOP|返回顶部|返回|打印|关闭)", lines[end - 1]):
        end -= 1
    return lines[:end], len(lines) - end


def _key(line: str) -> str:
    return re.sub(r"\s+", "", line)


def drop_duplicate_blocks(lines: list[str]) -> tuple[list[str], int]:
    """A body printed twice: a later run of lines equal to an earlier run (3+ prose lines)."""
    keys = [_key(line) for line in lines]
    first_seen: dict[str, int] = {}
    drop = [False] * len(lines)
    index = 0
    while index < len(lines):
        key = keys[index]
        earlier = first_seen.get(key)
        if earlier is not None and _is_prose(lines[index]) and not drop[earlier]:
            length = 0
            prose = 0
            while (
                index + length < len(lines)
                and earlier + length < index
                and keys[earlier + length] == keys[index + length]
            ):
                prose += _is_prose(lines[index + length])
                length += 1
            if prose >= 3:
                back = 0
                while (
                    index - back - 1 > earlier + length - 1
                    and earlier - back - 1 >= 0
                    and keys[earlier - back - 1] == keys[index - back - 1]
                ):
                    back += 1
                for position in range(index - back, index + length):
                    drop[position] = True
                index += length
                continue
        first_seen.setdefault(key, index)
        index += 1
    kept = [line for line, dropped in zip(lines, drop, strict=True) if not dropped]
    return kept, sum(drop)


def drop_repeated_headers(lines: list[str], protected: set[str]) -> tuple[list[str], int]:
    """Page numbers and short lines repeated on every page (running heads)."""
    counts = Counter(_key(line) for line in lines)
    kept = []
    dropped = 0
    for line in lines:
        key = _key(line)
        if PAGE_NUMBER_RE.match(line):
            dropped += 1
            continue
        if (
            counts[key] >= 3
            and len(key) <= 30
            and key not in protected
            and not HEADING_RE.match(line)
            and not re.search(r"[。;；]$", line)
            # "牵头单位:区发改局" under several items is content, not a running head.
            and not LABEL_RE.match(line.strip().lstrip("(（"))
        ):
            dropped += 1
            continue
        kept.append(line)
    return kept, dropped


def drop_table_of_contents(lines: list[str]) -> tuple[list[str], int]:
    """目录 and the headings listed under it; lines with dot leaders and page numbers."""
    kept: list[str] = []
    dropped = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if re.fullmatch(r"目\s*录", line.strip()):
            dropped += 1
            index += 1
            while index < len(lines) and not _is_prose(lines[index]) and len(lines[index]) < 40:
                dropped += 1
                index += 1
            continue
        if TOC_LINE_RE.search(line) and len(TOC_LINE_RE.findall(line)) >= 2:
            dropped += 1
            index += 1
            continue
        kept.append(line)
        index += 1
    return kept, dropped


def join_broken_lines(lines: list[str]) -> list[str]:
    """Re-join a paragraph that a page or line end cut in two.

    A line is continued by the next when it is prose that does not end a sentence and the next
    line starts no heading or bullet.
    """
    joined: list[str] = []
    for line in lines:
        if joined:
            previous = joined[-1]
            heading = heading_of(previous)
            previous_is_title = heading is not None and len(previous) < 40 and "。" not in previous
            if (
                _is_prose(previous)
                and not previous_is_title
                and not previous.endswith(tuple(SENTENCE_END))
                and heading_of(line) is None
                and not re.match(r"^[—\-•●◆■▲]", line)
            ):
                joined[-1] = previous + line
                continue
        joined.append(line)
    return joined


def clean_lines(text: str) -> Cleaned:
    """Text → the document's own lines (furniture dropped), with what was dropped."""
    lines = [line.strip() for line in normalise(text).split("\n")]
    lines = [line for line in lines if line]
    warnings = []
    lines, toc = drop_table_of_contents(lines)
    lines, head = drop_head_furniture(lines)
    if head:
        warnings.append(f"已去除页面顶部导航等 {head} 行 (page head removed)")
    lines, foot = drop_footer(lines)
    if foot:
        warnings.append(f"已去除页脚及无关链接 {foot} 行 (page footer removed)")
    lines, duplicated = drop_duplicate_blocks(lines)
    if duplicated:
        warnings.append(f"已去除重复的正文 {duplicated} 行 (duplicated body removed)")
    if toc:
        warnings.append(f"已去除目录 {toc} 行 (table of contents removed)")
    return Cleaned(lines=lines, warnings=warnings)
