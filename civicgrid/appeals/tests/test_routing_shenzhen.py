"""Sanity check on the real Shenzhen consultations (not in the repository; skipped when absent).

The full comparison (15k training appeals, about 1.5 minutes) is ``bench/appeals_routing.py``.
To stay fast, this test trains on the latest 6,000 appeals only, split by date (earliest 80%
train, rest test), and checks that the router beats the plain character n-gram SVM baseline on
top1 and on coverage at 97% precision. Set ``CIVICGRID_FULL_ROUTING_TEST=1`` to run it on the
whole file instead (slow).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from civicgrid.appeals.routing import (
    RouterModel,
    evaluate,
    figures,
    read_labelled_appeals,
    split_by_date,
)

DATA = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "appeals"
    / "shenzhen_consultations_train.csv"
)
LATEST = 6000

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not available")


def test_router_beats_the_character_ngram_svm_baseline_on_a_date_split() -> None:
    appeals = read_labelled_appeals(DATA).appeals
    assert len(appeals) > 10000
    if not os.environ.get("CIVICGRID_FULL_ROUTING_TEST"):
        appeals = sorted(appeals, key=lambda appeal: (appeal.asked_on, appeal.line))[-LATEST:]
    train, test, _split_date = split_by_date(appeals, 0.8)

    ours = evaluate(
        RouterModel().fit(
            [appeal.text for appeal in train],
            [appeal.department for appeal in train],
            titles=[appeal.title for appeal in train],
            dates=[appeal.asked_on for appeal in train],
        ),
        test,
    )

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    classifier = LinearSVC().fit(
        vectorizer.fit_transform([f"{a.title} {a.text}" for a in train]),
        [appeal.department for appeal in train],
    )
    scores = classifier.decision_function(
        vectorizer.transform([f"{a.title} {a.text}" for a in test])
    )
    order = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    labels = [str(label) for label in classifier.classes_]
    suggestions = []
    for row, ranked in enumerate(order):
        margin = float(scores[row, ranked[0]] - scores[row, ranked[1]])
        suggestions.append([(labels[index], margin) for index in ranked])
    baseline = figures(
        [appeal.department for appeal in test], suggestions, n_train=len(train), labels=len(labels)
    )

    assert ours["n_test"] == baseline["n_test"] == len(test)
    assert ours["top1"] > baseline["top1"], (ours, baseline)
    assert ours["coverage_at_precision_0.97"] > baseline["coverage_at_precision_0.97"], (
        ours,
        baseline,
    )
