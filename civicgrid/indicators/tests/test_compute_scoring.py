"""Assessment scoring: rules, caps, weights, bonus/penalty, traces and ranking."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.indicators.compute.errors import ScoringError
from civicgrid.indicators.compute.scoring import (
    Adjustment,
    LinearToTarget,
    SchemeItem,
    TargetAchieved,
    TaskCompletion,
    TaskCounts,
    Thresholds,
    rank,
    score_item,
    score_unit,
    validate_weights,
)

SCHEME = [
    SchemeItem("SOCIAL_WORKERS", "社工每万人", 20, LinearToTarget(10)),
    SchemeItem("OVERDUE_RATE", "诉求超期率", 20, LinearToTarget(5, higher_is_better=False)),
    SchemeItem(
        "BEDS",
        "每千名老人床位",
        30,
        Thresholds(((30.0, 1.0), (25.0, 0.8), (20.0, 0.5))),
    ),
    SchemeItem("TASKS", "重点任务完成", 20, TaskCompletion()),
    SchemeItem("CARD", "社保卡持卡率达标", 10, TargetAchieved(76, "ge")),
]


def test_linear_to_target_higher_is_better_with_the_trace() -> None:
    item = SCHEME[0]
    scored = score_item(item, 8.5)
    # 20 × min(1, 8.5 / 10) = 17
    assert scored.points == pytest.approx(17.0)
    assert scored.fraction == pytest.approx(0.85)
    assert scored.trace.formula == "weight × min(1, achieved / target)"
    assert scored.trace.calculation == "20 × min(1, 8.5 / 10) = 17"
    assert scored.trace.inputs["achieved"] == 8.5
    assert scored.trace.inputs["target"] == 10
    assert score_item(item, 12).points == 20.0  # capped at the full weight


def test_linear_lower_is_better_is_inverted() -> None:
    item = SCHEME[1]
    # 20 × min(1, 5 / 8) = 12.5
    assert score_item(item, 8).points == pytest.approx(12.5)
    assert score_item(item, 8).trace.calculation == "20 × min(1, 5 / 8) = 12.5"
    assert score_item(item, 4).points == 20.0
    assert score_item(item, 0).points == 20.0  # no overdue appeals at all


def test_over_achievement_with_a_point_cap() -> None:
    item = SchemeItem("X", "x", 10, LinearToTarget(100, max_fraction=1.2), cap=11)
    # 10 × min(1.2, 130 / 100) = 12 → capped at 11
    scored = score_item(item, 130)
    assert scored.points == 11.0
    assert scored.trace.notes == ("capped",)
    assert scored.trace.calculation == "min(11, 10 × min(1.2, 130 / 100)) = 11"
    assert score_item(item, 105).points == pytest.approx(10.5)


def test_thresholds_pick_the_tier_reached() -> None:
    item = SCHEME[2]
    assert score_item(item, 31).points == 30.0  # ≥ 30 → 1
    assert score_item(item, 27).points == pytest.approx(24.0)  # ≥ 25 → 0.8
    assert score_item(item, 20).points == pytest.approx(15.0)  # ≥ 20 → 0.5
    assert score_item(item, 19.9).points == 0.0
    assert score_item(item, 27).trace.calculation == "30 × 27 ≥ 25 → 0.8 = 24"
    lower = Thresholds(((5.0, 1.0), (10.0, 0.5)), higher_is_better=False)
    assert lower.apply(4).fraction == 1.0
    assert lower.apply(7).fraction == 0.5
    assert lower.apply(12).fraction == 0.0


def test_plan_task_completion_gives_half_credit_for_late_tasks() -> None:
    item = SCHEME[3]
    # 20 × (6 + 0.5 × 2) / 10 = 14
    scored = score_item(item, TaskCounts(total=10, on_time=6, late=2))
    assert scored.points == pytest.approx(14.0)
    assert scored.trace.calculation == "20 × (6 + 0.5 × 2) / 10 = 14"
    assert score_item(item, TaskCounts(total=0, on_time=0)).points == 20.0
    with pytest.raises(ScoringError):
        TaskCounts(total=3, on_time=3, late=1)


def test_target_achieved_is_all_or_nothing() -> None:
    assert score_item(SCHEME[4], 76.0).points == 10.0
    assert score_item(SCHEME[4], 75.9).points == 0.0


def test_missing_value_scores_zero_and_says_so() -> None:
    scored = score_item(SCHEME[0], None)
    assert (scored.points, scored.fraction, scored.trace.notes) == (0.0, None, ("missing_value",))


def test_unit_total_with_bonus_and_penalty_caps() -> None:
    values = {
        "SOCIAL_WORKERS": 8.5,  # 17
        "OVERDUE_RATE": 8,  # 12.5
        "BEDS": 27,  # 24
        "TASKS": TaskCounts(10, 6, 2),  # 14
        "CARD": 80,  # 10
    }
    result = score_unit(
        SCHEME,
        values,
        adjustments=[
            Adjustment("创新项目", 3, "provincial award"),
            Adjustment("创新项目2", 4),
            Adjustment("安全事故", -2),
        ],
        max_bonus=5,
    )
    # items: 17 + 12.5 + 24 + 14 + 10 = 77.5; bonus 3 + 4 = 7 capped at 5; penalty 2
    assert result.base == pytest.approx(77.5)
    assert (result.bonus, result.penalty) == (5.0, 2.0)
    assert result.total == pytest.approx(80.5)
    assert result.trace.calculation == "(17 + 12.5 + 24 + 14 + 10) + 5 − 2 = 80.5"
    assert result.trace.notes == ("bonus_capped",)
    assert [item.key for item in result.items] == [item.key for item in SCHEME]
    assert result.as_dict()["items"][0]["trace"]["result"] == pytest.approx(17.0)


def test_total_never_goes_below_zero() -> None:
    result = score_unit(SCHEME, {}, adjustments=[Adjustment("事故", -10)])
    assert result.total == 0.0
    assert "floored_at_zero" in result.trace.notes


def test_weights_must_sum_to_100() -> None:
    validate_weights(SCHEME)
    with translation.override("en"), pytest.raises(ScoringError) as caught:
        validate_weights(SCHEME[:4])
    assert str(caught.value.message) == "The weights add up to 90, not 100."
    with pytest.raises(ScoringError):
        validate_weights([SchemeItem("A", "a", 100, LinearToTarget(1)), SCHEME[0]])
    with pytest.raises(ScoringError):
        validate_weights([SchemeItem("A", "a", 50, LinearToTarget(1))] * 2)  # duplicate keys
    with pytest.raises(ScoringError):
        validate_weights([SchemeItem("A", "a", -10, LinearToTarget(1))])
    with pytest.raises(ScoringError):
        score_unit(SCHEME[:2], {})
    with pytest.raises(ScoringError):
        LinearToTarget(0)
    with pytest.raises(ScoringError):
        Thresholds(((1.0, 0.5), (1.0, 1.0)))


def test_ranking_with_ties_on_shown_decimals() -> None:
    ranked = rank({"香洲": 88.5, "斗门": 91.0, "金湾": 88.499, "横琴": 70.0, "高新": None})
    assert [(r.unit, r.rank, r.tied) for r in ranked] == [
        ("斗门", 1, False),
        ("金湾", 2, True),  # 88.499 shows as 88.50: tied with 香洲
        ("香洲", 2, True),
        ("横琴", 4, False),
        ("高新", None, False),
    ]


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0, 100), min_size=1))
def test_ranks_are_consistent(scores: dict[str, float]) -> None:
    ranked = rank(scores)
    assert len(ranked) == len(scores)
    for before, after in itertools.pairwise(ranked):
        assert round(before.score, 2) >= round(after.score, 2)  # type: ignore[arg-type]
        assert before.rank <= after.rank  # type: ignore[operator]
        if round(before.score, 2) == round(after.score, 2):  # type: ignore[arg-type]
            assert before.rank == after.rank
    for position, entry in enumerate(ranked, 1):
        assert entry.rank == 1 + sum(
            1
            for other in scores.values()
            if round(other, 2) > round(entry.score, 2)  # type: ignore[arg-type]
        )
        assert position >= entry.rank  # type: ignore[operator]


@given(st.floats(0, 1000), st.floats(0.1, 100), st.floats(1, 50))
def test_linear_points_stay_between_zero_and_weight(
    value: float, target: float, weight: float
) -> None:
    for higher in (True, False):
        item = SchemeItem("K", "k", weight, LinearToTarget(target, higher_is_better=higher))
        points = score_item(item, value).points
        assert 0.0 <= points <= weight + 1e-9
