"""Routing metrics on tiny hand-computed examples."""

from __future__ import annotations

import pytest

from civicgrid.appeals.routing import coverage_at_precision, figures, top_k_accuracy


def test_top_k_accuracy_counts_the_true_label_within_the_first_k() -> None:
    truth = ["A", "B", "C", "D"]
    rankings = [["A", "B", "C"], ["A", "B", "C"], ["A", "B", "D"], ["C", "B", "A"]]
    assert top_k_accuracy(truth, rankings, 1) == 0.25
    assert top_k_accuracy(truth, rankings, 2) == 0.5
    assert top_k_accuracy(truth, rankings, 3) == 0.5


def test_top_k_accuracy_of_nothing_is_zero_and_lengths_must_match() -> None:
    assert top_k_accuracy([], [], 1) == 0.0
    with pytest.raises(ValueError, match="differ in length"):
        top_k_accuracy(["A"], [], 1)


def test_coverage_takes_the_longest_surest_first_prefix_that_is_precise_enough() -> None:
    # sorted by confidence: right, right, wrong, right → precision 1, 1, 2/3, 3/4
    is_correct = [True, False, True, True]
    confidence = [0.8, 0.7, 0.6, 0.9]
    assert coverage_at_precision(is_correct, confidence, 0.97) == 0.5
    assert coverage_at_precision(is_correct, confidence, 0.75) == 1.0
    assert coverage_at_precision(is_correct, confidence, 0.7) == 1.0
    assert coverage_at_precision(is_correct, confidence, 0.76) == 0.5


def test_coverage_is_zero_when_even_the_surest_appeal_is_wrong() -> None:
    assert coverage_at_precision([False, True, True], [0.9, 0.5, 0.4], 0.97) == 0.0
    assert coverage_at_precision([], [], 0.97) == 0.0


def test_coverage_never_cuts_between_equal_confidences() -> None:
    # A threshold keeps both 0.9s or neither: {right, wrong} is 50%, all three 2/3.
    assert coverage_at_precision([True, False, True], [0.9, 0.9, 0.5], 0.97) == 0.0
    assert coverage_at_precision([True, True, False], [0.9, 0.9, 0.5], 0.97) == pytest.approx(2 / 3)


def test_coverage_accepts_exactly_the_required_precision() -> None:
    is_correct = [True] * 97 + [False] * 3
    confidence = [1.0 - index / 1000 for index in range(100)]
    assert coverage_at_precision(is_correct, confidence, 0.97) == 1.0
    # one more wrong appeal at the end drops the last cut below 97%
    assert coverage_at_precision([*is_correct, False], [*confidence, 0.0], 0.97) == pytest.approx(
        100 / 101
    )


def test_figures_count_a_department_unknown_to_the_model_as_wrong() -> None:
    truth = ["A", "B", "New"]
    suggestions = [
        [("A", 2.0), ("B", -2.0), ("C", -3.0)],
        [("B", 1.0), ("A", -1.0), ("C", -1.5)],
        [("C", 0.5), ("A", -0.5), ("B", -0.7)],
    ]
    assert figures(truth, suggestions, n_train=10, labels=3) == {
        "n_train": 10,
        "n_test": 3,
        "labels": 3,
        "top1": 0.6667,
        "top3": 0.6667,
        "coverage_at_precision_0.97": 0.6667,
    }
