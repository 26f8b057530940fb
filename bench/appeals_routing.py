"""Benchmark: the department router against a plain character n-gram SVM baseline.

    .venv/bin/python bench/appeals_routing.py [--data PATH] [--train-share 0.8]

Splits the labelled appeals BY DATE (the earliest ~80% train, the rest test: every training
appeal was asked before ``split_date``), trains both models on the training part only and prints
one JSON line with top1, top3, coverage_at_precision_0.97, training and prediction seconds.

Baseline: ``TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)`` on
title + text + ``LinearSVC()``; its confidence is the decision-function margin between its first
and second department (that ranks better than the raw top score; ``baseline_top_score`` shows the
raw top score for comparison). Goal: ours beats the baseline on top1 and on coverage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from civicgrid.appeals.routing import (  # noqa: E402
    LabelledAppeal,
    RouterModel,
    figures,
    read_labelled_appeals,
    split_by_date,
)

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "appeals" / "shenzhen_consultations_train.csv"


def _ours(train: Sequence[LabelledAppeal], test: Sequence[LabelledAppeal]) -> dict[str, Any]:
    started = time.perf_counter()
    model = RouterModel().fit(
        [appeal.text for appeal in train],
        [appeal.department for appeal in train],
        titles=[appeal.title for appeal in train],
        dates=[appeal.asked_on for appeal in train],
    )
    trained = time.perf_counter()
    suggestions = model.predict_top(
        [appeal.text for appeal in test], k=3, titles=[appeal.title for appeal in test]
    )
    predicted = time.perf_counter()
    result = figures(
        [appeal.department for appeal in test],
        suggestions,
        n_train=len(train),
        labels=len(model.labels),
    )
    return _timed(result, trained - started, predicted - trained)


def _baseline(
    train: Sequence[LabelledAppeal], test: Sequence[LabelledAppeal]
) -> tuple[dict[str, Any], dict[str, Any]]:
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    features = vectorizer.fit_transform([f"{appeal.title} {appeal.text}" for appeal in train])
    classifier = LinearSVC().fit(features, [appeal.department for appeal in train])
    trained = time.perf_counter()
    scores = classifier.decision_function(
        vectorizer.transform([f"{appeal.title} {appeal.text}" for appeal in test])
    )
    predicted = time.perf_counter()
    labels = [str(label) for label in classifier.classes_]
    order = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    rows = np.arange(len(test))
    margin = scores[rows, order[:, 0]] - scores[rows, order[:, 1]]
    truth = [appeal.department for appeal in test]
    results = []
    for confidence in (margin, scores[rows, order[:, 0]]):
        suggestions = [
            [(labels[index], float(confidence[row])) for index in order[row]] for row in rows
        ]
        figures_ = figures(truth, suggestions, n_train=len(train), labels=len(labels))
        results.append(_timed(figures_, trained - started, predicted - trained))
    return results[0], results[1]


def _timed(result: dict[str, Any], train_seconds: float, predict_seconds: float) -> dict[str, Any]:
    keep = ("top1", "top3", "coverage_at_precision_0.97")
    timed = {key: result[key] for key in keep}
    timed["train_seconds"] = round(train_seconds, 1)
    timed["predict_seconds"] = round(predict_seconds, 1)
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--train-share", type=float, default=0.8)
    options = parser.parse_args()
    appeals = read_labelled_appeals(options.data)
    train, test, split_date = split_by_date(appeals.appeals, options.train_share)
    ours = _ours(train, test)
    baseline, baseline_top_score = _baseline(train, test)
    print(
        json.dumps(
            {
                "data": options.data.name,
                "rows_left_out": len(appeals.problems),
                "split_date": split_date.isoformat() if split_date else None,
                "n_train": len(train),
                "n_test": len(test),
                "ours": ours,
                "baseline": baseline,
                "baseline_top_score": baseline_top_score,
                "ours_beats_baseline": ours["top1"] > baseline["top1"]
                and ours["coverage_at_precision_0.97"] > baseline["coverage_at_precision_0.97"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
