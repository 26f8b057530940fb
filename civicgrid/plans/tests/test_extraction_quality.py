"""Extraction quality on the three shared policy documents, scored against hand-made gold files.

The gold files (``gold/<document stem>.json``) were annotated by reading the documents; the
conventions are in ``gold/README.md``. The documents themselves are in ``documents/`` (public
government documents, see ``documents/SOURCES.md``) so that the test runs on a fresh clone.

For every document the extractor's ``extract_file(path).as_json()`` is matched to the gold and
precision / recall are computed for tasks, lead units, cooperating units and targets. The
figures are printed (also without ``-s``) and the issue's thresholds are asserted per document
and overall: tasks, lead and cooperating units >= 0.95, targets >= 0.90.

Matching (see also gold/README.md, "How the quality test scores"):

* Tasks are matched one-to-one by an order-preserving alignment, first within each source
  (body / table), then among the tasks left over regardless of source. A predicted task may
  pair with a gold task when their normalised numbers are equal (brackets, separators and
  Chinese numerals normalised: "(5)" = "5", "(十四)" = "14") and the titles are not unrelated
  (similarity >= 0.2, or the predicted title is empty), or, whatever the numbers, when the
  titles are similar (>= 0.5). Title similarity is the larger of difflib's ratio and the
  share of the shorter title's character bigrams found in the other (so a title that is the
  first clause of the other counts as similar); gold table rows that share a number also carry
  the task's ``group_title``, and the better of the two is used. The alignment maximises the
  sum of pair scores (1 for equal numbers + title similarity), so duplicate numbers (12 in
  several table rows, "1" in several sections) pair in document order.
* Lead / cooperating units: pairs (matched task, normalised unit name). Names are normalised
  only by removing whitespace and unifying full-/half-width brackets and punctuation. A unit
  of an unmatched predicted task is a false positive; of an unmatched gold task, a miss.
* Targets: a predicted and a gold target may pair when comparator, value (万 folded into the
  number), deadline year and unit (平方米 = ㎡, 每 and 个 in rates ignored) are equal; among
  several candidates the most similar subject wins.
* 0/0 counts as 1.0 (a document without any unit named: nothing to find, nothing found).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
GOLD_DIR = HERE / "gold"
DOCUMENT_DIR = HERE / "documents"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))

THRESHOLDS = {"tasks": 0.95, "lead": 0.95, "cooperating": 0.95, "targets": 0.90}
METRICS = ("tasks", "lead", "cooperating", "targets")

NUMBER_PAIR_MIN_SIMILARITY = 0.2
TITLE_PAIR_MIN_SIMILARITY = 0.5


# --------------------------------------------------------------------------------------------
# Normalisation


_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")"})


def normalise_unit(name: str) -> str:
    """Whitespace removed, full-/half-width brackets and punctuation unified; nothing else."""
    text = unicodedata.normalize("NFKC", name).translate(_BRACKETS)
    return re.sub(r"\s+", "", text)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS.update({"七": 7, "八": 8, "九": 9})


def _chinese_number(text: str) -> int | None:
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


def normalise_number(number: str | None) -> str:
    """ "(5)" / "5." / "5、" -> "5"; "(十四)" -> "14"; bullets ("——") and "" -> ""."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or ""))
    text = text.strip("()[]〔〕.、,:;-—")
    if not text:
        return ""
    if text.isdigit():
        return str(int(text))
    value = _chinese_number(text)
    return str(value) if value is not None else text


def _title_chars(title: str | None) -> str:
    text = unicodedata.normalize("NFKC", title or "")
    return "".join(ch for ch in text if ch.isalnum())


def title_similarity(a: str | None, b: str | None) -> float:
    x, y = _title_chars(a), _title_chars(b)
    if not x or not y:
        return 0.0
    ratio = difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()
    bx = {x[i : i + 2] for i in range(len(x) - 1)}
    by = {y[i : i + 2] for i in range(len(y) - 1)}
    overlap = 0.0
    if min(len(bx), len(by)) >= 3:
        overlap = len(bx & by) / min(len(bx), len(by))
    return max(ratio, overlap)


def normalise_target_unit(unit: str | None, value: Any) -> tuple[str, Any]:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit or ""))
    text = text.replace("平方米", "m2").replace("每", "").replace("/个", "/")
    if text.startswith("万") and not text.startswith("万/"):
        text = text[1:]
        value = [v * 10000 for v in value] if isinstance(value, list) else value * 10000
    return text, value


def target_key(target: dict[str, Any]) -> tuple[Any, ...]:
    value = target.get("value")
    if isinstance(value, tuple):
        value = list(value)
    unit, value = normalise_target_unit(target.get("unit"), value)
    if isinstance(value, list):
        norm_value: Any = tuple(round(float(v), 6) for v in value)
    elif value is None:
        norm_value = None
    else:
        norm_value = round(float(value), 6)
    year = target.get("year")
    return (target.get("comparator"), norm_value, int(year) if year is not None else None, unit)


# --------------------------------------------------------------------------------------------
# Matching


def _pair_score(pred: dict[str, Any], gold: dict[str, Any]) -> float | None:
    similarity = max(
        title_similarity(pred.get("title"), gold.get("title")),
        title_similarity(pred.get("title"), gold.get("group_title")),
    )
    p_number = normalise_number(pred.get("number"))
    g_number = normalise_number(gold.get("number"))
    titled = similarity >= NUMBER_PAIR_MIN_SIMILARITY or not _title_chars(pred.get("title"))
    if p_number and p_number == g_number and titled:
        return 1.0 + similarity
    if similarity >= TITLE_PAIR_MIN_SIMILARITY:
        return similarity
    return None


def _align(
    preds: list[tuple[int, dict[str, Any]]], golds: list[tuple[int, dict[str, Any]]]
) -> list[tuple[int, int]]:
    """Order-preserving alignment maximising the sum of pair scores; returns index pairs."""
    n, m = len(preds), len(golds)
    if not n or not m:
        return []
    scores = [[_pair_score(p, g) for _, g in golds] for _, p in preds]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            score = scores[i][j]
            if score is not None:
                options.append(score + best[i + 1][j + 1])
            best[i][j] = max(options)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        score = scores[i][j]
        if score is not None and abs(best[i][j] - (score + best[i + 1][j + 1])) < 1e-9:
            pairs.append((preds[i][0], golds[j][0]))
            i, j = i + 1, j + 1
        elif abs(best[i][j] - best[i + 1][j]) < 1e-9:
            i += 1
        else:
            j += 1
    return pairs


def match_tasks(
    predicted: list[dict[str, Any]], gold: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for source in ("body", "table"):
        pairs += _align(
            [(i, t) for i, t in enumerate(predicted) if t.get("source") == source],
            [(j, t) for j, t in enumerate(gold) if t.get("source") == source],
        )
    used_p = {p for p, _ in pairs}
    used_g = {g for _, g in pairs}
    pairs += _align(
        [(i, t) for i, t in enumerate(predicted) if i not in used_p],
        [(j, t) for j, t in enumerate(gold) if j not in used_g],
    )
    return pairs


def match_targets(
    predicted: list[dict[str, Any]], gold: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    candidates: list[tuple[float, int, int]] = []
    gold_keys = [target_key(g) for g in gold]
    for i, p in enumerate(predicted):
        key = target_key(p)
        for j, g_key in enumerate(gold_keys):
            if key == g_key:
                similarity = title_similarity(p.get("subject"), gold[j].get("subject"))
                candidates.append((similarity, i, j))
    pairs: list[tuple[int, int]] = []
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_p and j not in used_g:
            pairs.append((i, j))
            used_p.add(i)
            used_g.add(j)
    return pairs


# --------------------------------------------------------------------------------------------
# Scoring


@dataclass
class Count:
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    def add(self, other: Count) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0


@dataclass
class Score:
    counts: dict[str, Count] = field(default_factory=lambda: {m: Count() for m in METRICS})
    deadlines_checked: int = 0
    deadlines_equal: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for metric in METRICS:
            self.counts[metric].add(other.counts[metric])
        self.deadlines_checked += other.deadlines_checked
        self.deadlines_equal += other.deadlines_equal


def _units(task: dict[str, Any], role: str) -> Counter[str]:
    return Counter(normalise_unit(name) for name in task.get(role) or [] if name)


def score_document(predicted: dict[str, Any], gold: dict[str, Any]) -> Score:
    score = Score()
    p_tasks, g_tasks = predicted.get("tasks") or [], gold["tasks"]
    pairs = match_tasks(p_tasks, g_tasks)
    score.counts["tasks"] = Count(len(g_tasks), len(p_tasks), len(pairs))
    for metric, role in (("lead", "lead_units"), ("cooperating", "cooperating_units")):
        count = score.counts[metric]
        count.gold = sum(sum(_units(t, role).values()) for t in g_tasks)
        count.predicted = sum(sum(_units(t, role).values()) for t in p_tasks)
        count.matched = sum(
            sum((_units(p_tasks[p], role) & _units(g_tasks[g], role)).values()) for p, g in pairs
        )
        for p, g in pairs:
            label = f"{g_tasks[g]['source']} {g_tasks[g]['number']}"
            for name in _units(g_tasks[g], role) - _units(p_tasks[p], role):
                score.missed.append(f"{metric} {label}: {name}")
            for name in _units(p_tasks[p], role) - _units(g_tasks[g], role):
                score.spurious.append(f"{metric} {label}: {name}")
    for p, g in pairs:
        score.deadlines_checked += 1
        score.deadlines_equal += p_tasks[p].get("deadline") == g_tasks[g].get("deadline")
    matched_g = {g for _, g in pairs}
    matched_p = {p for p, _ in pairs}
    score.missed += [
        f"task {t['source']} {t['number']} {t['title'][:30]}"
        for j, t in enumerate(g_tasks)
        if j not in matched_g
    ]
    score.spurious += [
        f"task {t.get('source')} {t.get('number')} {(t.get('title') or '')[:30]}"
        for i, t in enumerate(p_tasks)
        if i not in matched_p
    ]
    p_targets, g_targets = predicted.get("targets") or [], gold["targets"]
    target_pairs = match_targets(p_targets, g_targets)
    score.counts["targets"] = Count(len(g_targets), len(p_targets), len(target_pairs))
    matched_g = {g for _, g in target_pairs}
    matched_p = {p for p, _ in target_pairs}
    score.missed += [
        f"target {t['subject']} {t['comparator']} {t['value']}{t['unit']} {t['year']}"
        for j, t in enumerate(g_targets)
        if j not in matched_g
    ]
    score.spurious += [
        f"target {t.get('subject')} {t.get('comparator')} {t.get('value')}{t.get('unit')} "
        f"{t.get('year')}"
        for i, t in enumerate(p_targets)
        if i not in matched_p
    ]
    return score


def format_table(title: str, score: Score) -> str:
    lines = [
        f"== Extraction quality: {title}",
        f"{'':<12}{'gold':>6}{'found':>7}{'match':>7}{'precision':>11}{'recall':>8}{'min':>6}",
    ]
    for metric in METRICS:
        c = score.counts[metric]
        ok = min(c.precision, c.recall) >= THRESHOLDS[metric]
        lines.append(
            f"{metric:<12}{c.gold:>6}{c.predicted:>7}{c.matched:>7}"
            f"{c.precision:>11.3f}{c.recall:>8.3f}{THRESHOLDS[metric]:>6.2f}"
            f"{'' if ok else '  BELOW'}"
        )
    if score.deadlines_checked:
        share = score.deadlines_equal / score.deadlines_checked
        lines.append(
            f"(not asserted) deadlines equal on matched tasks: "
            f"{score.deadlines_equal}/{score.deadlines_checked} = {share:.3f}"
        )
    return "\n".join(lines)


def _failures(score: Score) -> list[str]:
    failures = []
    for metric in METRICS:
        c = score.counts[metric]
        for name, value in (("precision", c.precision), ("recall", c.recall)):
            if value < THRESHOLDS[metric]:
                failures.append(f"{metric} {name} {value:.3f} < {THRESHOLDS[metric]}")
    return failures


# --------------------------------------------------------------------------------------------
# Running the extractor (once per document per session)


def load_gold(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def extracted(document: str) -> dict[str, Any]:
    # Imported here: without the extractor the quality tests fail (they do not skip).
    from civicgrid.plans.extraction import extract_file

    result: dict[str, Any] = extract_file(DOCUMENT_DIR / document).as_json()
    return result


@cache
def document_score(gold_name: str) -> Score:
    gold = load_gold(GOLD_DIR / gold_name)
    return score_document(extracted(gold["document"]), gold)


def _show(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


# --------------------------------------------------------------------------------------------
# Tests


def test_every_shared_document_has_a_gold_file() -> None:
    documents = sorted(p.name for p in DOCUMENT_DIR.glob("*.txt"))
    golds = sorted(load_gold(p)["document"] for p in GOLD_FILES)
    assert documents == golds


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_file_is_consistent_with_its_document(gold_path: Path) -> None:
    """Titles, quotes and deadline words are in the document; fields have the agreed shapes."""
    gold = load_gold(gold_path)
    assert gold_path.stem == Path(gold["document"]).stem
    text = re.sub(r"\s+", "", (DOCUMENT_DIR / gold["document"]).read_text(encoding="utf-8"))
    assert gold["tasks"]
    for task in gold["tasks"]:
        where = f"{task['source']} {task['number']}"
        assert task["source"] in ("body", "table"), where
        assert re.sub(r"\s+", "", task["title"]) in text, where
        for key in ("lead_units", "cooperating_units"):
            assert isinstance(task[key], list), where
            assert all(isinstance(n, str) and n.strip() for n in task[key]), where
        if task["deadline"] is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", task["deadline"]), where
            assert task["deadline_text"], where
        if task["deadline_text"] is not None:
            assert re.sub(r"\s+", "", task["deadline_text"]) in text, where
    for target in gold["targets"]:
        assert target["comparator"] in ("ge", "le", "eq", "about", "range"), target
        assert (target["comparator"] == "range") == isinstance(target["value"], list), target
        assert re.sub(r"\s+", "", target["quote"]) in text, target
        year = target["year"]
        assert year is None or 2000 <= year <= 2030, target


def test_matching_pairs_tasks_by_number_then_title_in_order() -> None:
    gold = [
        {"number": "(5)", "source": "body", "title": "深化收入分配制度改革"},
        {"number": "——", "source": "body", "title": "加大农村和薄弱学校教师培养力度"},
        {"number": "——", "source": "body", "title": "加大农村和薄弱学校教师培养力度"},
        {"number": "12", "source": "table", "title": "健全诉求表达平台", "group_title": "创新机制"},
        {"number": "12", "source": "table", "title": "建立利益协调机制", "group_title": "创新机制"},
    ]
    predicted = [
        {"number": "5", "source": "body", "title": "深化收入分配制度改革,稳步提高最低工资"},
        {"number": "", "source": "body", "title": "加大农村和薄弱学校教师培养力度"},
        {"number": "", "source": "body", "title": "完全不同的一项任务内容"},
        {"number": "12", "source": "table", "title": "创新机制"},
        {"number": "12", "source": "table", "title": "创新机制"},
        {"number": "(十二)", "source": "table", "title": ""},
    ]
    assert sorted(match_tasks(predicted, gold)) == [(0, 0), (1, 1), (3, 3), (4, 4)]
    assert normalise_number("(十四)") == "14"
    assert normalise_number("5、") == "5"
    assert normalise_number("——") == ""


def test_scoring_counts_units_and_targets() -> None:
    gold = {
        "tasks": [
            {
                "number": "(1)",
                "source": "body",
                "title": "深化改革",
                "lead_units": ["市委政法委(市综治办)"],
                "cooperating_units": ["各区", "相关单位"],
                "deadline": None,
            }
        ],
        "targets": [
            {"subject": "社工", "value": 10, "unit": "名/万人", "comparator": "ge", "year": 2017},
            {"subject": "面积", "value": 300, "unit": "㎡", "comparator": "ge", "year": None},
        ],
    }
    predicted = {
        "tasks": [
            {
                "number": "1",
                "source": "body",
                "title": "深化改革",
                "lead_units": ["市委政法委(市综治办)"],
                "cooperating_units": ["各 区", "市民政局"],
                "deadline": None,
            }
        ],
        "targets": [
            {
                "subject": "社工",
                "value": 10.0,
                "unit": "名/每万人",
                "comparator": "ge",
                "year": 2017,
            },
            {"subject": "面积", "value": 300, "unit": "平方米", "comparator": "ge", "year": 2015},
        ],
    }
    score = score_document(predicted, gold)
    assert (score.counts["tasks"].matched, score.counts["lead"].matched) == (1, 1)
    cooperating = score.counts["cooperating"]
    assert (cooperating.gold, cooperating.predicted, cooperating.matched) == (2, 2, 1)
    assert score.counts["targets"].matched == 1
    assert score.counts["targets"].recall == 0.5


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.stem)
def test_extraction_quality_per_document(
    gold_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    score = document_score(gold_path.name)
    details = ""
    failures = _failures(score)
    if failures:
        details = "\n  missed:   " + "\n  missed:   ".join(score.missed[:40])
        details += "\n  spurious: " + "\n  spurious: ".join(score.spurious[:40])
    _show(capsys, format_table(gold_path.stem, score) + details)
    assert not failures, f"{gold_path.stem}: " + "; ".join(failures)


def test_extraction_quality_overall(capsys: pytest.CaptureFixture[str]) -> None:
    total = Score()
    for gold_path in GOLD_FILES:
        total.add(document_score(gold_path.name))
    _show(capsys, format_table(f"all {len(GOLD_FILES)} documents", total))
    failures = _failures(total)
    assert not failures, "overall: " + "; ".join(failures)
