"""Heading hierarchy: 一、 / (一) / 1. 1、 / (1) 1) ① / —— bullets → a tree of items.

Each numbering style has its usual rank in Chinese official documents (一、 above (一) above 1.
above (1) above bullets); an item's parent is the nearest earlier item of a higher rank, so a
document that skips a rank (一、 then 1.) still nests right. A numbered line is only a heading
when its number follows on (1, or one more than the last of its style): "3.5万人" or a stray
"2." inside a sentence never opens an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUMERALS = "零一二三四五六七八九十百"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# (style, level, pattern); the pattern's group "num" is the number, the match's end the text.
STYLES: list[tuple[str, int, re.Pattern[str]]] = [
    ("chapter", 1, re.compile(r"^第(?P<num>[一二三四五六七八九十百\d]{1,4})(?:章|部分)\s*")),
    ("cn", 1, re.compile(r"^(?P<num>[一二三四五六七八九十]{1,3})\s*[、.．]\s*")),
    ("section", 2, re.compile(r"^第(?P<num>[一二三四五六七八九十百\d]{1,4})节\s*")),
    ("cn_paren", 2, re.compile(r"^\((?P<num>[一二三四五六七八九十]{1,3})\)\s*")),
    ("article", 3, re.compile(r"^第(?P<num>[一二三四五六七八九十百\d]{1,4})条\s*")),
    ("arabic", 3, re.compile(r"^(?P<num>\d{1,3})\s*(?:[.．、](?!\d)|\s(?=[^\d\s]))\s*")),
    ("arabic_paren", 4, re.compile(r"^\((?P<num>\d{1,3})\)\s*")),
    ("arabic_half", 4, re.compile(r"^(?P<num>\d{1,2})\)\s*")),
    ("circled", 4, re.compile(rf"^(?P<num>[{CIRCLED}])\s*")),
    ("bullet", 5, re.compile(r"^(?P<num>——|—|－－|--|•|●|◆|■|▲|►|★|☆|\*)\s*")),
]
HEADING_RE = re.compile(
    "|".join(f"(?:{pattern.pattern})".replace("(?P<num>", "(?:") for _, _, pattern in STYLES)
)
# The title of a document (or of one part of a compilation): 关于…的实施意见 / …工作方案.
DOCUMENT_TITLE_RE = re.compile(
    r"^[^。;；,，:：]{4,60}(意见|决定|方案|规划|办法|通知|纲要|计划|规定|细则|条例|措施|要点|分工表)"
    r"(\((试行|草案|征求意见稿|\d{4}[-—–]\d{4}年?)\))?$"
)


@dataclass(frozen=True)
class Heading:
    """A heading line read: its numbering style, level, number and the text after it."""

    style: str
    level: int
    number: str  # as written: "一", "(一)", "5", "(5)", "——"
    value: int  # the number's value (0 for bullets)
    rest: str  # the line without its number
    marker_end: int  # where the text starts in the line


def cn_value(text: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23 (up to 999)."""
    if text.isdigit():
        return int(text)
    digits = {ch: index for index, ch in enumerate("零一二三四五六七八九")}
    total = 0
    current = 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def heading_of(line: str) -> Heading | None:
    """The heading a line starts with, or None."""
    for style, level, pattern in STYLES:
        match = pattern.match(line)
        if not match:
            continue
        raw = match["num"]
        rest = line[match.end() :]
        if not rest.strip():
            return None
        # "1 总体要求": a number and a space only count before a short title.
        if (
            style == "arabic"
            and not re.search(r"[.．、]", match[0])
            and (len(rest) > 40 or re.search(r"[。,，]", rest))
        ):
            continue
        if style == "bullet":
            value = 0
            number = raw
        elif style == "circled":
            value = CIRCLED.index(raw) + 1
            number = raw
        else:
            value = cn_value(raw)
            number = f"({raw})" if "paren" in style else raw
            if style in {"chapter", "section", "article"}:
                number = match[0].strip()
        return Heading(style, level, number, value, rest, match.end())
    return None


def split_title(rest: str) -> tuple[str, str]:
    """Heading text → (title, body): the title runs to the first 。 (or the whole line)."""
    match = re.search(r"[。]", rest)
    if match:
        return rest[: match.start()].strip(), rest[match.end() :].strip()
    stripped = rest.strip()
    if len(stripped) <= 60 or not re.search(r"[,，;；]", stripped):
        return stripped.rstrip(":："), ""
    return stripped, ""


@dataclass
class Node:
    """An item of the outline while it is being built."""

    heading: Heading
    line_index: int
    key: str
    parent: Node | None
    segment: int
    own_lines: list[int] = field(default_factory=list)  # line indexes of its own text
    children: list[Node] = field(default_factory=list)

    @property
    def level(self) -> int:
        return self.heading.level

    def ancestors(self) -> list[Node]:
        found = []
        node = self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


@dataclass
class Outline:
    """The items of a document in order, and the lines outside any item."""

    nodes: list[Node]
    loose_lines: list[int]  # preamble and document titles
    titles: list[int]  # lines that are titles of documents / parts


def build_outline(lines: list[str], *, skip: set[int] | None = None) -> Outline:
    """Lines → outline of numbered items (lines in ``skip`` belong to tables, not the outline)."""
    skip = skip or set()
    nodes: list[Node] = []
    loose: list[int] = []
    titles: list[int] = []
    stack: list[Node] = []
    last_value: dict[str, int] = {}
    segment = 1
    bullet_counts: dict[str, int] = {}
    used_keys: set[str] = set()
    for index, line in enumerate(lines):
        if index in skip:
            continue
        heading = heading_of(line)
        if heading is not None and heading.style != "bullet":
            previous = last_value.get(heading.style)
            follows = (
                previous is None
                or heading.value == 1
                or previous < heading.value <= previous + 2
                or heading.style in {"chapter", "section", "article"}
            )
            if not follows:
                heading = None
        if heading is None:
            if DOCUMENT_TITLE_RE.match(line) and len(line) <= 60:
                titles.append(index)
                if nodes:
                    # A new document of a compilation starts: its numbering starts again.
                    stack.clear()
                    last_value.clear()
                    segment += 1
                continue
            if stack:
                stack[-1].own_lines.append(index)
            else:
                loose.append(index)
            continue
        if heading.style != "bullet":
            if heading.value == 1 and heading.level == 1 and last_value.get(heading.style, 0) > 1:
                stack.clear()
                last_value.clear()
                segment += 1
            # A restart of a style resets the styles below it.
            last_value[heading.style] = heading.value
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parent = stack[-1] if stack else None
        parent_key = parent.key if parent else ("" if segment == 1 else f"part{segment}")
        if heading.style == "bullet":
            count = bullet_counts.get(parent_key, 0) + 1
            bullet_counts[parent_key] = count
            part = f"-{count}"
        else:
            part = heading.number
        key = f"{parent_key}/{part}" if parent_key else part
        while key in used_keys:
            key += "'"
        used_keys.add(key)
        node = Node(heading, index, key, parent, segment)
        node.own_lines.append(index)
        if parent:
            parent.children.append(node)
        nodes.append(node)
        stack.append(node)
    return Outline(nodes=nodes, loose_lines=loose, titles=titles)
