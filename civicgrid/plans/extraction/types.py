"""What the extractor gives back: plain data, no database.

The extractor (:mod:`civicgrid.plans.extraction`) reads a policy document and returns an
:class:`ExtractedDocument`. The plans services store it as a document version and a draft plan
that staff review; ``civicgrid plans extract FILE --json`` prints :meth:`ExtractedDocument.as_json`.

Offsets (:class:`Span`) are character offsets into :attr:`ExtractedDocument.text`, the cleaned
text the review screen shows beside the plan, so that every extracted field can be highlighted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

# How a deadline is meant: a date (``date`` set), a recurring duty (常态化 / 长期坚持 / 每年),
# unspecified (根据市相关工作部署), or unreadable words kept for review (``flagged``).
DeadlineKind = Literal["date", "recurring", "unspecified", "flagged"]
# ≥ (不少于 / 以上 / 达到), ≤ (不超过 / 以下 / 控制在), = (exactly), about (左右 / 约), range (a–b).
Comparator = Literal["ge", "le", "eq", "about", "range"]
# Where an item came from: the body's numbered text or a row of a task table (分工表).
ItemSource = Literal["body", "table"]
UnitRole = Literal["lead", "cooperating"]


@dataclass(frozen=True)
class Span:
    """Characters ``start`` (inclusive) to ``end`` (exclusive) of the document text."""

    start: int
    end: int


@dataclass
class UnitMention:
    """A responsible unit as written (市人社局, 各区, 市委政法委(市综治办))."""

    name: str
    role: UnitRole
    span: Span | None = None
    # The first of several leads in 牵头落实单位: A、B、C is the main lead.
    is_main_lead: bool = False
    # 各区 / 相关单位 / 各乡镇(处): a name that stands for several units.
    is_collective: bool = False


@dataclass
class Deadline:
    """完成时间: the normalised date (last day of the period meant) and the words as written."""

    text: str
    kind: DeadlineKind
    date: dt.date | None = None
    span: Span | None = None
    # Why a deadline was flagged (e.g. "201412": characters lost in conversion).
    note: str = ""


@dataclass
class ExtractedTarget:
    """A quantitative target (每万人中不少于10名社工, by 2017)."""

    subject: str
    value: float | tuple[float, float]
    unit: str  # "%", "名", "个", "张/千名老人", "名/万人", "㎡", "" when none
    comparator: Comparator
    year: int | None
    text: str  # the sentence or clause it came from
    span: Span | None = None
    item_key: str | None = None  # ExtractedItem.key of the item it belongs to


@dataclass
class ExtractedItem:
    """A numbered item of the body or a row of a task table."""

    key: str  # stable path within the document, e.g. "三/(二)/(5)" or "table-1/row-3"
    number: str  # as written: "(5)", "5", "一"
    level: int  # 1 for 一、, 2 for (一), 3 for 1., 4 for (1), 5 for bullets
    title: str  # heading text without its number ("" when the item has none)
    body: str
    source: ItemSource
    is_task: bool  # True for items that assign work (measures, table rows)
    span: Span | None = None
    parent_key: str | None = None
    lead_units: list[UnitMention] = field(default_factory=list)
    cooperating_units: list[UnitMention] = field(default_factory=list)
    deadline: Deadline | None = None
    basis: list[str] = field(default_factory=list)  # 依据: documents the task rests on
    remarks: str = ""  # 备注
    # Problems for the reviewer ("no lead unit found", "deadline unreadable: 201412").
    flags: list[str] = field(default_factory=list)


@dataclass
class ExtractedDocument:
    """A policy document read into structure, tasks and targets."""

    title: str
    text: str  # the cleaned text (page furniture removed) that spans point into
    kind: Literal["text", "docx", "pdf", "xlsx"]
    encoding: str | None  # detected encoding of a text file
    items: list[ExtractedItem] = field(default_factory=list)
    targets: list[ExtractedTarget] = field(default_factory=list)
    # Messages about the whole document (Chinese first): dropped furniture, tables found, …
    warnings: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[ExtractedItem]:
        return [item for item in self.items if item.is_task]

    def as_json(self) -> dict[str, Any]:
        """The shape ``civicgrid plans extract FILE --json`` prints (names as written)."""
        return {
            "title": self.title,
            "tasks": [
                {
                    "key": item.key,
                    "number": item.number,
                    "title": item.title,
                    "source": item.source,
                    "lead_units": [unit.name for unit in item.lead_units],
                    "cooperating_units": [unit.name for unit in item.cooperating_units],
                    "deadline": (
                        item.deadline.date.isoformat()
                        if item.deadline and item.deadline.date
                        else None
                    ),
                    "deadline_text": item.deadline.text if item.deadline else None,
                    "deadline_kind": item.deadline.kind if item.deadline else None,
                    "basis": item.basis,
                    "flags": item.flags,
                }
                for item in self.tasks
            ],
            "targets": [
                {
                    "subject": target.subject,
                    "value": (
                        list(target.value) if isinstance(target.value, tuple) else target.value
                    ),
                    "unit": target.unit,
                    "comparator": target.comparator,
                    "year": target.year,
                    "text": target.text,
                    "task_key": target.item_key,
                }
                for target in self.targets
            ],
            "warnings": self.warnings,
        }


class IngestError(Exception):
    """A file that cannot be read as a policy document; the message says why (Chinese first)."""
