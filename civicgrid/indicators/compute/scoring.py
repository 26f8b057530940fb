"""Assessment (考核) scoring: rules, weights, bonus and penalty, ranking — each score traceable.

A scheme is a list of :class:`SchemeItem` whose weights sum to 100 (:func:`validate_weights`).
Each item has a rule that turns the achieved value into a **fraction** of the item's weight:

- :class:`LinearToTarget` — higher is better: ``fraction = min(max_fraction, achieved / target)``;
  lower is better (inverted): ``fraction = min(max_fraction, target / achieved)`` (an achieved
  value of 0 or less earns ``max_fraction``). ``max_fraction`` is 1 unless over-achievement earns
  more (1.2 = up to 120 %); the fraction never drops below 0.
- :class:`Thresholds` — tiers ``(threshold, fraction)``: higher is better takes the tier with the
  highest threshold the value reaches (value ≥ threshold), lower is better the tier with the
  lowest threshold the value stays within (value ≤ threshold); no tier reached → ``below``
  (default 0).
- :class:`TargetAchieved` — all or nothing: 1 when the value meets the comparator, else 0.
- :class:`TaskCompletion` — plan tasks: ``(on time + late_credit × late) / total`` with the late
  credit 0.5 by default; an item with no tasks earns ``when_no_tasks`` (default 1).

``points = weight × fraction``, then at most ``cap`` points when the item has a cap. A missing
value earns 0 points, and the trace says so. A unit's total is the sum of its items' points plus
bonuses minus penalties (:class:`Adjustment`), each side capped by ``max_bonus`` /
``max_penalty`` when given, and never below 0.

Every result carries a :class:`ScoreTrace`: the inputs, the formula in symbols, the same formula
with the numbers put in, and the result — what the assessment page shows behind each score.
Ranking (:func:`rank`) is standard competition ranking (1, 2, 2, 4) on scores rounded to the
shown decimals, so two districts that display the same score share a rank.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .errors import ScoringError
from .targets import COMPARATORS, TargetSpec, is_achieved

TOTAL_WEIGHT = 100.0
WEIGHT_TOLERANCE = 1e-6


def number(value: float | None) -> str:
    """A number as a trace shows it: up to 4 decimals, no trailing zeros."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class ScoreTrace:
    inputs: Mapping[str, Any]
    formula: str  # in symbols: "weight × min(1, achieved / target)"
    calculation: str  # with the numbers: "20 × min(1, 8.5 / 10) = 17"
    result: float
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "inputs": dict(self.inputs),
            "formula": self.formula,
            "calculation": self.calculation,
            "result": self.result,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class RuleResult:
    fraction: float
    formula: str  # the fraction's formula in symbols
    calculation: str  # the fraction's formula with the numbers
    inputs: Mapping[str, Any]


class Rule(Protocol):
    def apply(self, value: Any) -> RuleResult: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class LinearToTarget:
    target: float
    higher_is_better: bool = True
    max_fraction: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.target) or self.target <= 0:
            raise ScoringError(
                _("A linear rule needs a positive target, not %(target)s.")
                % {"target": self.target},
                field="target",
            )
        if self.max_fraction <= 0:
            raise ScoringError(_("The highest fraction must be positive."), field="max_fraction")

    def apply(self, value: float) -> RuleResult:
        achieved = float(value)
        cap = number(self.max_fraction)
        if self.higher_is_better:
            raw = achieved / self.target
            formula = f"min({cap}, achieved / target)"
            calculation = f"min({cap}, {number(achieved)} / {number(self.target)})"
        else:
            raw = self.target / achieved if achieved > 0 else math.inf
            formula = f"min({cap}, target / achieved)"
            calculation = f"min({cap}, {number(self.target)} / {number(achieved)})"
        fraction = max(0.0, min(self.max_fraction, raw))
        return RuleResult(
            fraction,
            formula,
            calculation,
            {
                "achieved": achieved,
                "target": self.target,
                "higher_is_better": self.higher_is_better,
            },
        )

    def describe(self) -> dict[str, Any]:
        return {
            "rule": "linear",
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "max_fraction": self.max_fraction,
        }


@dataclass(frozen=True)
class Thresholds:
    tiers: tuple[tuple[float, float], ...]
    higher_is_better: bool = True
    below: float = 0.0

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ScoringError(_("A threshold rule needs at least one tier."), field="tiers")
        thresholds = [threshold for threshold, _fraction in self.tiers]
        if len(set(thresholds)) != len(thresholds):
            raise ScoringError(_("Two tiers have the same threshold."), field="tiers")
        for _threshold, fraction in self.tiers:
            if fraction < 0:
                raise ScoringError(
                    _("A tier's fraction cannot be negative (%(fraction)s).")
                    % {"fraction": fraction},
                    field="tiers",
                )

    def apply(self, value: float) -> RuleResult:
        achieved = float(value)
        if self.higher_is_better:
            reached = [tier for tier in self.tiers if achieved >= tier[0]]
            tier = max(reached) if reached else None
            sign = "≥"
        else:
            reached = [tier for tier in self.tiers if achieved <= tier[0]]
            tier = min(reached) if reached else None
            sign = "≤"
        tiers_text = ", ".join(f"{sign} {number(t)} → {number(f)}" for t, f in sorted(self.tiers))
        if tier is None:
            fraction = self.below
            calculation = f"{number(achieved)}: no tier reached → {number(self.below)}"
        else:
            fraction = tier[1]
            calculation = f"{number(achieved)} {sign} {number(tier[0])} → {number(tier[1])}"
        return RuleResult(
            fraction,
            f"tier({tiers_text}; otherwise {number(self.below)})",
            calculation,
            {"achieved": achieved, "tier": list(tier) if tier else None},
        )

    def describe(self) -> dict[str, Any]:
        return {
            "rule": "thresholds",
            "tiers": [list(tier) for tier in self.tiers],
            "higher_is_better": self.higher_is_better,
            "below": self.below,
        }


@dataclass(frozen=True)
class TargetAchieved:
    target: float | tuple[float, float]
    comparator: str = "ge"
    tolerance: float = 0.05

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ScoringError(
                _("Unknown comparator “%(comparator)s”: use ge, le, eq, about or range.")
                % {"comparator": self.comparator},
                field="comparator",
            )

    def apply(self, value: float) -> RuleResult:
        spec = TargetSpec(self.target, self.comparator, dt.date.max, tolerance=self.tolerance)
        achieved = is_achieved(spec, float(value))
        target = (
            "–".join(number(v) for v in self.target)
            if isinstance(self.target, tuple)
            else number(self.target)
        )
        return RuleResult(
            1.0 if achieved else 0.0,
            f"1 if achieved {self.comparator} target else 0",
            f"{number(float(value))} {self.comparator} {target} → {1 if achieved else 0}",
            {"achieved": float(value), "target": self.target, "comparator": self.comparator},
        )

    def describe(self) -> dict[str, Any]:
        return {"rule": "target_achieved", "target": self.target, "comparator": self.comparator}


@dataclass(frozen=True)
class TaskCounts:
    """Plan tasks of a unit in the assessment year."""

    total: int
    on_time: int  # completed by the deadline
    late: int = 0  # completed after the deadline

    def __post_init__(self) -> None:
        if min(self.total, self.on_time, self.late) < 0 or self.on_time + self.late > self.total:
            raise ScoringError(
                _(
                    "Task counts do not add up: %(on_time)s on time + %(late)s late "
                    "> %(total)s tasks."
                )
                % {"on_time": self.on_time, "late": self.late, "total": self.total},
                field="tasks",
            )


@dataclass(frozen=True)
class TaskCompletion:
    late_credit: float = 0.5
    when_no_tasks: float = 1.0

    def apply(self, value: TaskCounts) -> RuleResult:
        if not isinstance(value, TaskCounts):
            raise ScoringError(_("Task completion is scored from task counts."), field="tasks")
        inputs = {"total": value.total, "on_time": value.on_time, "late": value.late}
        if value.total == 0:
            return RuleResult(
                self.when_no_tasks,
                "no tasks",
                f"0 tasks → {number(self.when_no_tasks)}",
                inputs,
            )
        fraction = (value.on_time + self.late_credit * value.late) / value.total
        return RuleResult(
            fraction,
            "(on_time + late_credit × late) / total",
            f"({value.on_time} + {number(self.late_credit)} × {value.late}) / {value.total}",
            inputs,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "rule": "task_completion",
            "late_credit": self.late_credit,
            "when_no_tasks": self.when_no_tasks,
        }


@dataclass(frozen=True)
class SchemeItem:
    key: str  # indicator code or "tasks"
    label: str
    weight: float
    rule: LinearToTarget | Thresholds | TargetAchieved | TaskCompletion
    cap: float | None = None  # most points the item can give


def validate_weights(items: Sequence[SchemeItem], *, total: float = TOTAL_WEIGHT) -> None:
    """Weights positive, keys unique, sum 100; else :class:`ScoringError` saying what is wrong."""
    if not items:
        raise ScoringError(_("The scheme has no items."), field="items")
    keys = [item.key for item in items]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ScoringError(
            _("Items appear twice in the scheme: %(keys)s.") % {"keys": ", ".join(duplicates)},
            field="items",
        )
    for item in items:
        if not math.isfinite(item.weight) or item.weight <= 0:
            raise ScoringError(
                _("Item %(key)s has weight %(weight)s; weights must be positive.")
                % {"key": item.key, "weight": item.weight},
                field="weight",
            )
        if item.cap is not None and item.cap < 0:
            raise ScoringError(
                _("Item %(key)s has a negative cap.") % {"key": item.key}, field="cap"
            )
    weight_sum = math.fsum(item.weight for item in items)
    if abs(weight_sum - total) > WEIGHT_TOLERANCE:
        raise ScoringError(
            _("The weights add up to %(sum)s, not %(total)s.")
            % {"sum": number(weight_sum), "total": number(total)},
            field="weight",
        )


@dataclass(frozen=True)
class ItemScore:
    key: str
    label: str
    weight: float
    fraction: float | None
    points: float
    trace: ScoreTrace

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "weight": self.weight,
            "fraction": self.fraction,
            "points": self.points,
            "trace": self.trace.as_dict(),
        }


def score_item(item: SchemeItem, value: Any) -> ItemScore:
    """Points of one item for an achieved value (``None`` = not reported: 0 points)."""
    rule = item.rule.describe()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        trace = ScoreTrace(
            {"value": None, "weight": item.weight, **rule},
            "weight × fraction",
            f"{number(item.weight)} × 0 = 0",
            0.0,
            ("missing_value",),
        )
        return ItemScore(item.key, item.label, item.weight, None, 0.0, trace)
    result = item.rule.apply(value)
    points = item.weight * result.fraction
    formula = f"weight × {result.formula}"
    calculation = f"{number(item.weight)} × {result.calculation}"
    notes: list[str] = []
    if item.cap is not None and points > item.cap:
        formula = f"min(cap, {formula})"
        calculation = f"min({number(item.cap)}, {calculation})"
        points = item.cap
        notes.append("capped")
    trace = ScoreTrace(
        {**result.inputs, "weight": item.weight, "cap": item.cap, **rule},
        formula,
        f"{calculation} = {number(points)}",
        points,
        tuple(notes),
    )
    return ItemScore(item.key, item.label, item.weight, result.fraction, points, trace)


@dataclass(frozen=True)
class Adjustment:
    """A bonus (positive points) or penalty (negative points) with its reason."""

    label: str
    points: float
    reason: str = ""


@dataclass(frozen=True)
class UnitScore:
    total: float
    base: float  # sum of the items' points
    bonus: float  # after max_bonus
    penalty: float  # after max_penalty (a positive number, subtracted)
    items: tuple[ItemScore, ...]
    adjustments: tuple[Adjustment, ...]
    trace: ScoreTrace

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "base": self.base,
            "bonus": self.bonus,
            "penalty": self.penalty,
            "items": [item.as_dict() for item in self.items],
            "adjustments": [
                {"label": a.label, "points": a.points, "reason": a.reason} for a in self.adjustments
            ],
            "trace": self.trace.as_dict(),
        }


def score_unit(
    items: Sequence[SchemeItem],
    values: Mapping[str, Any],
    *,
    adjustments: Sequence[Adjustment] = (),
    max_bonus: float | None = None,
    max_penalty: float | None = None,
    validate: bool = True,
) -> UnitScore:
    """A unit's (district's, department's) total: items + bonuses − penalties, never below 0."""
    if validate:
        validate_weights(items)
    scored = tuple(score_item(item, values.get(item.key)) for item in items)
    base = math.fsum(item.points for item in scored)
    raw_bonus = math.fsum(a.points for a in adjustments if a.points > 0)
    raw_penalty = -math.fsum(a.points for a in adjustments if a.points < 0)
    bonus = min(raw_bonus, max_bonus) if max_bonus is not None else raw_bonus
    penalty = min(raw_penalty, max_penalty) if max_penalty is not None else raw_penalty
    total = max(0.0, base + bonus - penalty)
    notes = []
    if bonus < raw_bonus:
        notes.append("bonus_capped")
    if penalty < raw_penalty:
        notes.append("penalty_capped")
    if base + bonus - penalty < 0:
        notes.append("floored_at_zero")
    items_text = " + ".join(number(item.points) for item in scored)
    trace = ScoreTrace(
        {
            "items": {item.key: item.points for item in scored},
            "bonus": raw_bonus,
            "penalty": raw_penalty,
            "max_bonus": max_bonus,
            "max_penalty": max_penalty,
        },
        "max(0, Σ item points + bonus − penalty)",
        f"({items_text}) + {number(bonus)} − {number(penalty)} = {number(total)}",
        total,
        tuple(notes),
    )
    return UnitScore(total, base, bonus, penalty, scored, tuple(adjustments), trace)


@dataclass(frozen=True)
class Ranked:
    unit: str
    score: float | None
    rank: int | None  # None for a unit without a score (listed last)
    tied: bool


def rank(
    scores: Mapping[str, float | None], *, decimals: int = 2, higher_is_better: bool = True
) -> list[Ranked]:
    """Standard competition ranking (1, 2, 2, 4) on scores rounded to ``decimals``."""
    present = [(unit, float(score)) for unit, score in scores.items() if score is not None]
    sign = -1 if higher_is_better else 1
    present.sort(key=lambda pair: (sign * round(pair[1], decimals), pair[0]))
    rounded = [round(score, decimals) for _unit, score in present]
    counts: dict[float, int] = {}
    for value in rounded:
        counts[value] = counts.get(value, 0) + 1
    result: list[Ranked] = []
    current_rank = 0
    for position, ((unit, score), value) in enumerate(zip(present, rounded, strict=True), 1):
        if position == 1 or value != rounded[position - 2]:
            current_rank = position
        result.append(Ranked(unit, score, current_rank, counts[value] > 1))
    for unit, missing in scores.items():
        if missing is None:
            result.append(Ranked(unit, None, None, False))
    return result
