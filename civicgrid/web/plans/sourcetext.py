"""The document text of the review screen, cut into segments at every highlight boundary.

Highlights (an item's passage, its number, title, lead and cooperating units, deadline words,
targets) may nest or overlap; cutting the text at every start and end gives flat segments,
each carrying the kinds and the items of the highlights it lies in, which the template renders
as ``<span>``s and the page's script uses to show an item's passage when the item is picked.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

# The kinds the template colours (others are shown as a plain passage).
KNOWN_KINDS = frozenset(
    {"item", "number", "title", "lead", "cooperating", "deadline", "target", "unresolved"}
)


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str
    item_id: int | None = None
    label: str = ""


@dataclass
class Segment:
    text: str
    start: int
    kinds: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    # The items whose passage starts here (the page scrolls to these anchors).
    anchors: list[int] = field(default_factory=list)

    @property
    def css(self) -> str:
        return " ".join(f"hl-{kind}" for kind in self.kinds)

    @property
    def items_attr(self) -> str:
        return " ".join(str(item_id) for item_id in self.item_ids)

    @property
    def title(self) -> str:
        return " · ".join(self.labels)


def segments(text: str, marks: Iterable[Mark]) -> list[Segment]:
    """Cut ``text`` at every mark boundary; marks outside the text are clipped or dropped."""
    length = len(text)
    usable = []
    for mark in marks:
        start, end = max(0, mark.start), min(length, mark.end)
        if start < end:
            usable.append(Mark(start, end, mark.kind, mark.item_id, mark.label))
    cuts = sorted({0, length, *(m.start for m in usable), *(m.end for m in usable)})
    starting: dict[int, list[Mark]] = {}
    for mark in usable:
        starting.setdefault(mark.start, []).append(mark)
    active: list[Mark] = []
    result: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        active = [mark for mark in active if mark.end > start]
        opened = starting.get(start, [])
        active.extend(opened)
        kinds: list[str] = []
        item_ids: list[int] = []
        labels: list[str] = []
        for mark in active:
            if mark.kind not in kinds and mark.kind in KNOWN_KINDS:
                kinds.append(mark.kind)
            if mark.item_id is not None and mark.item_id not in item_ids:
                item_ids.append(mark.item_id)
            if mark.label and mark.label not in labels and mark.kind != "item":
                labels.append(mark.label)
        anchors = [m.item_id for m in opened if m.kind == "item" and m.item_id is not None]
        result.append(Segment(text[start:end], start, kinds, item_ids, labels, anchors))
    return result
