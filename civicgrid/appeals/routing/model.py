"""The department router (诉求分拨模型): which department should answer an appeal's text.

Features are learnt from the training data only — nothing here names a city or a department:

* character 1–3-grams (TF-IDF, sublinear) of title + text — robust to unknown words and typos;
* character 1–3-grams of the title alone, weighted, because the title states the request;
* word uni- and bigrams of title + text segmented by jieba (分词).

The classifier is a linear SVM (one-vs-rest). Departments are reorganised and renamed over the
years, so recent appeals say more about today's routing than old ones: when the dates of the
training appeals are known, each appeal weighs ``exp(-age / recency_years)`` with its age
measured from the newest training appeal.

Confidence of a suggested department is its margin over the best other department (决策边距):
``score(label) - max(score(other labels))``. It is positive only for the first suggestion, and
the larger it is the surer the router; it is not a probability. Ranking appeals by this margin
is what decides which may be dispatched automatically (see ``evaluation.coverage_at_precision``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sparse
from django.utils.translation import gettext as _
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from civicgrid.core.errors import DomainError

from .text import normalize_text, words

# (label, confidence): one suggested department.
Suggestion = tuple[str, float]

# Below this many training appeals a term seen once is kept (tiny data sets, tests).
_MIN_DOCUMENTS_FOR_PRUNING = 1000
_FORMAT_VERSION = 1
# Words are already segmented by jieba and joined with spaces.
_WORD_PATTERN = r"\S+"


class RoutingError(DomainError):
    """The router cannot be trained or used with the data it was given."""

    code = "routing_error"


def _document(title: str, text: str) -> str:
    return normalize_text(f"{title} 。 {text}" if title else text)


class RouterModel:
    """Suggests departments for appeal texts.

    >>> model = RouterModel().fit(texts, labels, titles=titles, dates=dates)
    >>> model.predict_top(["路灯不亮"], k=3)  # [[("城管局", 0.41), ("供电局", -0.41), …]]
    """

    def __init__(
        self,
        *,
        title_weight: float = 0.6,
        word_weight: float = 1.0,
        recency_years: float | None = 1.0,
        regularisation: float = 0.5,
    ) -> None:
        self.title_weight = title_weight
        self.word_weight = word_weight
        self.recency_years = recency_years
        self.regularisation = regularisation
        self.n_train = 0
        self._blocks: list[tuple[str, TfidfVectorizer, float]] = []
        self._classifier: LinearSVC | None = None

    # -- training -------------------------------------------------------------------------

    @property
    def labels(self) -> list[str]:
        """The departments the router knows, sorted."""
        if self._classifier is None:
            return []
        return [str(label) for label in self._classifier.classes_]

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        titles: Sequence[str] | None = None,
        dates: Sequence[dt.date | None] | None = None,
    ) -> RouterModel:
        """Learn from ``texts`` (with their ``titles`` and ``dates`` when known) → ``labels``."""
        if len(texts) != len(labels):
            raise RoutingError(_("There must be one department for every text."))
        distinct = set(labels)
        if len(distinct) < 2:
            raise RoutingError(
                _("Training needs appeals of at least two departments; it has %(count)s.")
                % {"count": len(distinct)}
            )
        titles = list(titles) if titles is not None else [""] * len(texts)
        min_df = 2 if len(texts) >= _MIN_DOCUMENTS_FOR_PRUNING else 1
        columns = self._columns(texts, titles)
        self._blocks = []
        matrices = []
        for name, weight in (
            ("document", 1.0),
            ("title", self.title_weight),
            ("words", self.word_weight),
        ):
            vectorizer = self._vectorizer(name, min_df)
            try:
                matrix = vectorizer.fit_transform(columns[name])
            except ValueError:  # empty vocabulary: e.g. no titles at all
                continue
            self._blocks.append((name, vectorizer, weight))
            matrices.append(matrix * weight)
        if not matrices:
            raise RoutingError(_("The training texts contain no words to learn from."))
        features = sparse.hstack(matrices).tocsr()
        classifier = LinearSVC(C=self.regularisation, random_state=0)
        classifier.fit(features, list(labels), sample_weight=self._recency_weights(dates))
        self._classifier = classifier
        self.n_train = len(texts)
        return self

    @staticmethod
    def _vectorizer(name: str, min_df: int) -> TfidfVectorizer:
        if name == "words":
            return TfidfVectorizer(
                token_pattern=_WORD_PATTERN, ngram_range=(1, 2), sublinear_tf=True, min_df=min_df
            )
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=min_df
        )

    @staticmethod
    def _columns(texts: Sequence[str], titles: Sequence[str]) -> dict[str, list[str]]:
        documents = [
            _document(title or "", text or "") for title, text in zip(titles, texts, strict=True)
        ]
        return {
            "document": documents,
            "title": [normalize_text(title or "") for title in titles],
            "words": [" ".join(words(document)) for document in documents],
        }

    def _recency_weights(self, dates: Sequence[dt.date | None] | None) -> np.ndarray | None:
        if dates is None or self.recency_years is None:
            return None
        known = [day.toordinal() for day in dates if day is not None]
        if not known:
            return None
        newest = max(known)
        median = float(np.median(known))
        ordinals = np.array(
            [day.toordinal() if day is not None else median for day in dates], dtype=float
        )
        weights = np.exp(-(newest - ordinals) / (365.25 * self.recency_years))
        return weights / weights.mean()

    # -- prediction -----------------------------------------------------------------------

    def scores(self, texts: Sequence[str], *, titles: Sequence[str] | None = None) -> np.ndarray:
        """Decision values, one row per text and one column per label in ``labels`` order."""
        if self._classifier is None:
            raise RoutingError(_("The router has not been trained."))
        titles = list(titles) if titles is not None else [""] * len(texts)
        if not texts:
            return np.zeros((0, len(self.labels)))
        columns = self._columns(texts, titles)
        features = sparse.hstack(
            [
                vectorizer.transform(columns[name]) * weight
                for name, vectorizer, weight in self._blocks
            ]
        ).tocsr()
        values = np.asarray(self._classifier.decision_function(features), dtype=float)
        if values.ndim == 1:  # two departments: sklearn gives the score of the second only
            values = np.column_stack([-values, values])
        return values

    def predict_top(
        self, texts: Sequence[str], k: int = 3, *, titles: Sequence[str] | None = None
    ) -> list[list[Suggestion]]:
        """The ``k`` most likely departments of each text, surest first, with confidences
        (margin over the best other department; only the first can be positive)."""
        values = self.scores(texts, titles=titles)
        labels = self.labels
        k = max(1, min(k, len(labels)))
        suggestions: list[list[Suggestion]] = []
        for row in values:
            order = np.argsort(-row, kind="stable")
            best, runner_up = row[order[0]], row[order[1]]
            suggestions.append(
                [
                    (labels[index], float(row[index] - (runner_up if rank == 0 else best)))
                    for rank, index in enumerate(order[:k])
                ]
            )
        return suggestions

    # -- persistence ----------------------------------------------------------------------

    def save(self, path: Path | str) -> None:
        """Write the trained router to ``path`` (joblib; load only files you trust)."""
        joblib.dump({"format": _FORMAT_VERSION, "model": self}, path)

    @classmethod
    def load(cls, path: Path | str) -> RouterModel:
        """A router written by ``save``."""
        try:
            payload: Any = joblib.load(path)
        except Exception as error:  # unpickling garbage raises almost anything
            raise RoutingError(
                _("Cannot read the router file %(file)s: %(reason)s")
                % {"file": path, "reason": error}
            ) from error
        if (
            not isinstance(payload, dict)
            or payload.get("format") != _FORMAT_VERSION
            or not isinstance(payload.get("model"), cls)
        ):
            raise RoutingError(_("%(file)s is not a saved router.") % {"file": path})
        model: RouterModel = payload["model"]
        return model
