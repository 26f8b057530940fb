"""分类推荐: categories ranked for the text an operator is typing.

Two signals, added up per category:

* **name match** — the category's name (or its parent's) occurs in the text (1.0), else the
  share of the name's character pairs found in the text (up to 0.5);
* **similar appeals** — cosine similarity between the text and the category's centroid: the
  mean character 2–3-gram TF-IDF vector of recent appeals filed under it (the newest
  ``TRAINING_LIMIT`` with a category). The vectoriser and centroids are built once per process
  and rebuilt at most every ``REBUILD_SECONDS`` when new appeals came in, so a keystroke costs
  one small query and one sparse product, not a fit.

Categories are not personal data and the suggestions show no appeal, so the model uses every
appeal, not only the ones in the operator's scope.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Max
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from ..models import Appeal, Category

TRAINING_LIMIT = 5000
REBUILD_SECONDS = 300
MIN_TEXT = 2
NAME_WEIGHT = 1.0
SIMILAR_WEIGHT = 1.0
MIN_SCORE = 0.05


@dataclass
class _CentroidModel:
    key: Any
    built_at: float
    vectorizer: TfidfVectorizer | None
    category_ids: list[int]
    centroids: Any  # sparse matrix, one L2-normalised row per category


_lock = threading.Lock()
_model: _CentroidModel | None = None


def invalidate_category_model() -> None:
    """Forget the built model (tests; after a bulk import)."""
    global _model
    with _lock:
        _model = None


def _build(key: Any) -> _CentroidModel:
    rows = list(
        Appeal.objects.filter(category__isnull=False)
        .order_by("-id")
        .values_list("category_id", "title", "text")[:TRAINING_LIMIT]
    )
    if not rows:
        return _CentroidModel(key, time.monotonic(), None, [], None)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, max_features=50_000
    )
    matrix = vectorizer.fit_transform([f"{title} {text}" for _cat, title, text in rows])
    category_ids = sorted({cat for cat, _title, _text in rows})
    index = {cat: position for position, cat in enumerate(category_ids)}
    membership = sparse.csr_matrix(
        (
            np.ones(len(rows)),
            ([index[cat] for cat, _title, _text in rows], np.arange(len(rows))),
        ),
        shape=(len(category_ids), len(rows)),
    )
    centroids = normalize(membership @ matrix)  # sum of rows per category, then unit length
    return _CentroidModel(key, time.monotonic(), vectorizer, category_ids, centroids)


def _current_model() -> _CentroidModel:
    global _model
    key = Appeal.objects.filter(category__isnull=False).aggregate(last=Max("id"))["last"]
    with _lock:
        model = _model
        stale = model is None or (
            model.key != key and time.monotonic() - model.built_at > REBUILD_SECONDS
        )
        if stale:
            model = _model = _build(key)
        assert model is not None
        return model


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _name_score(name: str, text: str) -> float:
    name = name.strip()
    if not name:
        return 0.0
    if name in text:
        return 1.0
    pairs = _pairs(name)
    if not pairs:
        return 0.0
    return 0.5 * len(pairs & _pairs(text)) / len(pairs)


def suggest_categories(text: str, *, limit: int = 5) -> list[dict[str, Any]]:
    """Up to ``limit`` active categories for ``text``, best first:
    ``{"category": Category, "score": float, "by_name": bool, "by_similar": bool}``."""
    text = " ".join((text or "").split())
    if len(text) < MIN_TEXT:
        return []
    categories = list(Category.objects.filter(is_active=True).select_related("parent"))
    scores: dict[int, dict[str, Any]] = {}
    for category in categories:
        by_name = max(
            _name_score(category.name, text),
            0.5 * _name_score(category.parent.name, text) if category.parent else 0.0,
        )
        scores[category.pk] = {
            "category": category,
            "score": NAME_WEIGHT * by_name,
            "by_name": by_name >= 0.5,
            "by_similar": False,
        }
    model = _current_model()
    if model.vectorizer is not None:
        query = model.vectorizer.transform([text])
        similarity = np.asarray((model.centroids @ query.T).todense()).ravel()
        for category_id, value in zip(model.category_ids, similarity, strict=True):
            if category_id in scores and value > 0:
                scores[category_id]["score"] += SIMILAR_WEIGHT * float(value)
                scores[category_id]["by_similar"] = value >= MIN_SCORE
    ranked = sorted(
        (entry for entry in scores.values() if entry["score"] >= MIN_SCORE),
        key=lambda entry: (-entry["score"], entry["category"].code),
    )
    for entry in ranked:
        entry["score"] = round(entry["score"], 4)
    return ranked[:limit]
