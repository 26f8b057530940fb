"""The department router on small synthetic appeals (no real data)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from civicgrid.appeals.routing import RouterModel, RoutingError, evaluate
from civicgrid.appeals.routing.evaluation import LabelledAppeal

# Invented departments with invented vocabularies: (department, subjects, complaints)
DEPARTMENTS = {
    "交通运输局": (
        ["公交车", "地铁站", "红绿灯", "高速路口"],
        ["经常堵车", "班次太少", "线路绕远"],
    ),
    "教育局": (["小学", "幼儿园", "初中"], ["学位不够", "入学手续复杂", "老师乱收费"]),
    "社会保险局": (["养老保险", "医疗保险", "社保卡"], ["断缴怎么补", "转移接续", "报销太慢"]),
}


def synthetic_appeals(start: dt.date = dt.date(2024, 1, 1)) -> list[LabelledAppeal]:
    """Every subject × complaint of every department, one day apart (deterministic)."""
    appeals = []
    day = start
    for department, (subjects, complaints) in DEPARTMENTS.items():
        for line, (subject, complaint) in enumerate(
            itertools.product(subjects, complaints), start=2
        ):
            appeals.append(
                LabelledAppeal(
                    line=line,
                    identifier=str(len(appeals) + 1),
                    asked_on=day,
                    title=f"{subject}{complaint}",
                    text=f"请问我家附近的{subject}{complaint}，该找谁解决？",
                    department=department,
                )
            )
            day += dt.timedelta(days=1)
    return appeals


def _trained() -> RouterModel:
    appeals = synthetic_appeals()
    return RouterModel().fit(
        [appeal.text for appeal in appeals],
        [appeal.department for appeal in appeals],
        titles=[appeal.title for appeal in appeals],
        dates=[appeal.asked_on for appeal in appeals],
    )


def test_router_suggests_the_department_whose_vocabulary_the_text_uses() -> None:
    model = _trained()
    assert model.labels == sorted(DEPARTMENTS)
    assert model.n_train == 30
    suggestions = model.predict_top(["幼儿园学位不够怎么办", "社保卡报销太慢"], k=3)
    assert [ranked[0][0] for ranked in suggestions] == ["教育局", "社会保险局"]
    for ranked in suggestions:
        assert sorted(label for label, _confidence in ranked) == sorted(DEPARTMENTS)
        confidences = [confidence for _label, confidence in ranked]
        assert confidences == sorted(confidences, reverse=True)
        # margin semantics: first is positive, second is exactly its negative
        assert confidences[0] > 0
        assert confidences[1] == pytest.approx(-confidences[0])


def test_predict_top_limits_k_and_handles_empty_input() -> None:
    model = _trained()
    assert [len(ranked) for ranked in model.predict_top(["地铁站", ""], k=1)] == [1, 1]
    assert len(model.predict_top(["地铁站"], k=10)[0]) == 3
    assert model.predict_top([], k=3) == []


def test_router_survives_a_round_trip_through_a_file(tmp_path: Path) -> None:
    model = _trained()
    model.save(tmp_path / "router.joblib")
    loaded = RouterModel.load(tmp_path / "router.joblib")
    texts = ["公交车班次太少", "初中老师乱收费"]
    assert loaded.predict_top(texts) == model.predict_top(texts)


def test_loading_something_else_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "junk.joblib").write_bytes(b"not a router")
    with pytest.raises(RoutingError, match="Cannot read the router file"):
        RouterModel.load(tmp_path / "junk.joblib")
    with pytest.raises(RoutingError, match="Cannot read the router file"):
        RouterModel.load(tmp_path / "absent.joblib")


def test_training_needs_two_departments_and_matching_lengths() -> None:
    with pytest.raises(RoutingError, match="at least two departments; it has 1"):
        RouterModel().fit(["路灯不亮", "路灯坏了"], ["城管局", "城管局"])
    with pytest.raises(RoutingError, match="one department for every text"):
        RouterModel().fit(["路灯不亮"], ["城管局", "教育局"])
    with pytest.raises(RoutingError, match="no words"):
        RouterModel().fit(["", "  "], ["城管局", "教育局"])
    with pytest.raises(RoutingError, match="not been trained"):
        RouterModel().predict_top(["路灯"])


def test_works_without_titles_or_dates_and_with_two_departments() -> None:
    model = RouterModel().fit(
        ["路灯不亮", "路灯坏了", "学校收费", "学校学位"], ["城管局", "城管局", "教育局", "教育局"]
    )
    ranked = model.predict_top(["路灯又不亮了"], k=3)[0]
    assert [label for label, _confidence in ranked] == ["城管局", "教育局"]
    assert ranked[0][1] > 0


def test_recent_appeals_weigh_more_when_a_department_was_renamed() -> None:
    # The same request went to the old name years ago and to the new name lately.
    texts = ["办理居住证"] * 6 + ["学校学位"] * 3
    labels = ["公安局"] * 3 + ["出入境和户政中心"] * 3 + ["教育局"] * 3
    dates = [dt.date(2015, 1, day) for day in (1, 2, 3)] + [
        dt.date(2024, 1, day) for day in (1, 2, 3, 4, 5, 6)
    ]
    recent = RouterModel().fit(texts, labels, dates=dates)
    assert recent.predict_top(["办理居住证"], k=1)[0][0][0] == "出入境和户政中心"
    assert recent._recency_weights(dates) is not None
    weights = recent._recency_weights(dates)
    assert weights is not None
    assert weights[0] < 0.01 * weights[-1]
    assert RouterModel(recency_years=None)._recency_weights(dates) is None
    assert recent._recency_weights([None, None]) is None


def test_evaluate_reports_every_key_and_counts_unknown_departments_wrong() -> None:
    model = _trained()
    test = [
        LabelledAppeal(2, "a", None, "", "地铁站经常堵车", "交通运输局"),
        LabelledAppeal(3, "b", None, "", "小学学位不够", "教育局"),
        LabelledAppeal(4, "c", None, "", "养老保险断缴怎么补", "人力资源局"),
    ]
    # The unknown department's appeal gets the surest (wrong) suggestion, so no prefix is 97% right.
    surest = max(model.predict_top([appeal.text for appeal in test], k=1), key=lambda r: r[0][1])
    assert surest[0][0] == "社会保险局"
    assert evaluate(model, test) == {
        "n_train": 30,
        "n_test": 3,
        "labels": 3,
        "top1": 0.6667,
        "top3": 0.6667,
        "coverage_at_precision_0.97": 0.0,
    }
    assert evaluate(model, test[:2])["coverage_at_precision_0.97"] == 1.0
