"""Reading labelled appeal CSVs and measuring a router (分拨评估).

Metrics, for test appeals with their true department:

* ``top1`` — share whose first suggestion is right;
* ``top3`` — share whose right department is among the first three suggestions;
* ``coverage_at_precision_0.97`` — the largest share of the test appeals that could be
  dispatched automatically, surest first, while at least 97% of those dispatched are right.

A test department the router never saw in training can never be suggested, so it is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _

from civicgrid.core.textfiles import decode_chinese_text

from .model import RoutingError, Suggestion

REQUIRED_COLUMNS = ("text", "department")
OPTIONAL_COLUMNS = ("id", "asked_on", "title")
AUTO_DISPATCH_PRECISION = 0.97


@dataclass(frozen=True)
class LabelledAppeal:
    """One appeal (诉求) with the department (承办部门) that answered it."""

    line: int
    identifier: str
    asked_on: dt.date | None
    title: str
    text: str
    department: str


@dataclass
class LabelledAppeals:
    """The good rows of a CSV and a message for every row left out."""

    appeals: list[LabelledAppeal] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_labelled_appeals(path: Path | str) -> LabelledAppeals:
    """The appeals of the CSV at ``path`` (UTF-8 or GBK; columns ``id,asked_on,title,text,
    department``, of which ``text`` and ``department`` are required).

    Raises ``RoutingError`` when the file cannot be read or a required column is missing; a bad
    row is left out and described in ``problems`` with its line number.
    """
    path = Path(path)
    try:
        content = decode_chinese_text(path.read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise RoutingError(
            _("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": error}
        ) from error
    return parse_labelled_appeals(content, source=str(path))


def parse_labelled_appeals(content: str, *, source: str = "") -> LabelledAppeals:
    """Like ``read_labelled_appeals`` on text already decoded; ``source`` names it in messages."""
    reader = csv.reader(content.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise RoutingError(_("%(file)s is empty.") % {"file": source}) from None
    except csv.Error as error:
        raise RoutingError(
            _("%(file)s, line 1: %(reason)s") % {"file": source, "reason": error}
        ) from error
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise RoutingError(
            _("%(file)s lacks the column(s) %(columns)s; it has %(header)s.")
            % {"file": source, "columns": ", ".join(missing), "header": ", ".join(header)}
        )
    position = {
        name: header.index(name)
        for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        if name in header
    }
    result = LabelledAppeals()
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problems.append(
                _("%(file)s, line %(line)s: %(reason)s")
                % {"file": source, "line": line, "reason": error}
            )
            line = reader.line_num + 1
            continue
        problem = _row_problem(row, header, position)
        if problem is None:
            result.appeals.append(_appeal(row, position, line))
        elif problem:
            result.problems.append(
                _("%(file)s, line %(line)s: %(reason)s")
                % {"file": source, "line": line, "reason": problem}
            )
        line = reader.line_num + 1
    return result


def _cell(row: Sequence[str], position: dict[str, int], name: str) -> str:
    index = position.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _row_problem(row: Sequence[str], header: Sequence[str], position: dict[str, int]) -> str | None:
    """Why ``row`` cannot be used, ``""`` for a blank line to skip silently, None when good."""
    if not any(cell.strip() for cell in row):
        return ""
    if len(row) != len(header):
        return _("it has %(found)s fields instead of %(expected)s.") % {
            "found": len(row),
            "expected": len(header),
        }
    if not _cell(row, position, "department"):
        return _("the department is empty.")
    if not _cell(row, position, "text") and not _cell(row, position, "title"):
        return _("both the title and the text are empty.")
    asked_on = _cell(row, position, "asked_on")
    if asked_on:
        try:
            parse_date(asked_on)
        except ValueError:
            return _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": asked_on}
    return None


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)|(\d{4})(\d{2})(\d{2})(?!\d)"
)


def parse_date(value: str) -> dt.date:
    """The day of ``value``: ``2024-03-01``, ``2024/3/1``, ``2024.03.01``, ``2024年3月1日`` or
    ``20240301``, optionally followed by a time. Raises ``ValueError`` otherwise."""
    match = _DATE.match(value.strip())
    if match is None:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups() if part is not None)
    try:
        return dt.date(year, month, day)
    except ValueError:  # 2024-13-01: name the value, not the calendar rule
        raise ValueError(value) from None


def _appeal(row: Sequence[str], position: dict[str, int], line: int) -> LabelledAppeal:
    asked_on = _cell(row, position, "asked_on")
    return LabelledAppeal(
        line=line,
        identifier=_cell(row, position, "id"),
        asked_on=parse_date(asked_on) if asked_on else None,
        title=_cell(row, position, "title"),
        text=_cell(row, position, "text"),
        department=_cell(row, position, "department"),
    )


def split_by_date(
    appeals: Sequence[LabelledAppeal], train_share: float = 0.8
) -> tuple[list[LabelledAppeal], list[LabelledAppeal], dt.date | None]:
    """The earliest appeals (about ``train_share`` of them) for training and the rest for
    testing, with the first test date: every training appeal was asked before it, every test
    appeal on or after it. Appeals without a date are left out."""
    dated = sorted(
        (appeal for appeal in appeals if appeal.asked_on is not None),
        key=lambda appeal: (appeal.asked_on, appeal.line),
    )
    if not dated:
        return [], [], None
    split_date = dated[min(int(len(dated) * train_share), len(dated) - 1)].asked_on
    train = [appeal for appeal in dated if appeal.asked_on < split_date]  # type: ignore[operator]
    test = [appeal for appeal in dated if appeal.asked_on >= split_date]  # type: ignore[operator]
    return train, test, split_date


# -- metrics --------------------------------------------------------------------------------


def top_k_accuracy(truth: Sequence[str], rankings: Sequence[Sequence[str]], k: int) -> float:
    """Share of appeals whose true department is among the first ``k`` of its ranking."""
    if len(truth) != len(rankings):
        raise ValueError("truth and rankings differ in length")
    if not truth:
        return 0.0
    hits = sum(1 for label, ranking in zip(truth, rankings, strict=True) if label in ranking[:k])
    return hits / len(truth)


def coverage_at_precision(
    is_correct: Sequence[bool], confidence: Sequence[float], precision: float
) -> float:
    """The largest share of all appeals that can be dispatched automatically, surest first,
    with at least ``precision`` of the dispatched ones right.

    Appeals are taken in decreasing ``confidence``; a cut is only possible between two different
    confidences (a threshold cannot split equal ones). 0.0 when no cut reaches ``precision``.
    """
    if len(is_correct) != len(confidence):
        raise ValueError("is_correct and confidence differ in length")
    total = len(is_correct)
    if total == 0:
        return 0.0
    order = sorted(range(total), key=lambda index: -confidence[index])
    best = 0
    right = 0
    for taken, index in enumerate(order, start=1):
        right += bool(is_correct[index])
        is_group_end = taken == total or confidence[order[taken]] != confidence[index]
        if is_group_end and right >= precision * taken - 1e-9:  # 97 of 100 is 97%
            best = taken
    return best / total


class Router(Protocol):
    n_train: int

    @property
    def labels(self) -> list[str]: ...

    def predict_top(
        self, texts: Sequence[str], k: int = 3, *, titles: Sequence[str] | None = None
    ) -> list[list[Suggestion]]: ...


def evaluate(model: Router, test_appeals: Iterable[LabelledAppeal]) -> dict[str, Any]:
    """The routing figures of ``model`` on ``test_appeals`` (keys in the order printed)."""
    appeals = list(test_appeals)
    suggestions = model.predict_top(
        [appeal.text for appeal in appeals], k=3, titles=[appeal.title for appeal in appeals]
    )
    return figures(
        [appeal.department for appeal in appeals],
        suggestions,
        n_train=model.n_train,
        labels=len(model.labels),
    )


def figures(
    truth: Sequence[str],
    suggestions: Sequence[Sequence[Suggestion]],
    *,
    n_train: int,
    labels: int,
) -> dict[str, Any]:
    """The figures of ranked ``suggestions`` (confidence of the first one decides dispatch)."""
    rankings = [[label for label, _confidence in ranked] for ranked in suggestions]
    first_right = [
        bool(ranking) and ranking[0] == label
        for label, ranking in zip(truth, rankings, strict=True)
    ]
    confidence = [ranked[0][1] if ranked else float("-inf") for ranked in suggestions]
    return {
        "n_train": n_train,
        "n_test": len(truth),
        "labels": labels,
        "top1": round(top_k_accuracy(truth, rankings, 1), 4),
        "top3": round(top_k_accuracy(truth, rankings, 3), 4),
        "coverage_at_precision_0.97": round(
            coverage_at_precision(first_right, confidence, AUTO_DISPATCH_PRECISION), 4
        ),
    }
