"""From router margins to confidences (置信度) and the combination with the catalogue.

The router's margin (see :mod:`.model`) ranks suggestions but is not a probability, while the
auto-dispatch threshold an administrator sets ("dispatch when at least 90% sure") is one. So a
:class:`Calibration` is learnt on the held-out appeals of each training run: every held-out
appeal gives its top-3 suggestions as (margin, was it the right department) pairs, and an
isotonic (monotone) regression maps a margin to the share of right suggestions. With few
held-out appeals the curve is capped at ``n / (n + 1)`` so that twenty lucky appeals never
claim certainty.

:func:`combine` merges the router's suggestions with the responsibility catalogue's answer
(权责清单) as a linear opinion pool: the catalogue department gets ``p`` (how often the catalogue
was right on the held-out appeals) and every department the router's confidence times
``1 - p``. When both agree the confidence is ``p + (1 - p) * c`` (a noisy-OR), when they
disagree the catalogue usually wins but with a lower confidence. Nothing here touches the
database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression

from .model import Suggestion

# Used when the catalogue's precision could not be measured (no held-out appeal had a
# catalogue answer): the catalogue is usually right, departments are reorganised now and then.
DEFAULT_CATALOGUE_CONFIDENCE = 0.8
SOURCE_MODEL = "model"
SOURCE_CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Calibration:
    """A monotone step curve margin → confidence (``np.interp`` between its points)."""

    margins: tuple[float, ...]
    confidences: tuple[float, ...]

    def confidence(self, margin: float) -> float:
        if not self.margins or not math.isfinite(margin):
            return 0.0
        return float(np.interp(margin, self.margins, self.confidences))

    def as_dict(self) -> dict[str, list[float]]:
        return {
            "margins": [round(value, 6) for value in self.margins],
            "confidences": [round(value, 6) for value in self.confidences],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Calibration:
        """The calibration stored by :meth:`as_dict`; an empty one for anything else."""
        if not isinstance(data, dict):
            return cls((), ())
        margins = data.get("margins")
        confidences = data.get("confidences")
        if (
            not isinstance(margins, list)
            or not isinstance(confidences, list)
            or len(margins) != len(confidences)
        ):
            return cls((), ())
        try:
            return cls(tuple(float(m) for m in margins), tuple(float(c) for c in confidences))
        except (TypeError, ValueError):
            return cls((), ())


def fit_calibration(
    truth: Sequence[str], suggestions: Sequence[Sequence[Suggestion]]
) -> Calibration:
    """Learn margin → share right from held-out appeals' ``truth`` and ranked ``suggestions``."""
    margins: list[float] = []
    right: list[float] = []
    for label, ranked in zip(truth, suggestions, strict=True):
        for department, margin in ranked:
            margins.append(margin)
            right.append(1.0 if department == label else 0.0)
    if not margins:
        return Calibration((), ())
    cap = len(truth) / (len(truth) + 1)
    regression = IsotonicRegression(y_min=0.0, y_max=cap, out_of_bounds="clip", increasing=True)
    regression.fit(np.array(margins), np.array(right))
    return Calibration(
        tuple(float(x) for x in regression.X_thresholds_),
        tuple(float(y) for y in regression.y_thresholds_),
    )


def combine(
    model_suggestions: Sequence[tuple[str, float]],
    catalogue_department: str | None,
    catalogue_confidence: float,
    k: int = 3,
) -> list[tuple[str, float, str]]:
    """The ``k`` best (department, confidence, source) of the router's calibrated suggestions
    and the catalogue's answer, surest first (see the module docstring)."""
    if catalogue_department is None:
        ranked = [(code, confidence, SOURCE_MODEL) for code, confidence in model_suggestions]
        return sorted(ranked, key=lambda item: -item[1])[:k]
    weight = min(max(catalogue_confidence, 0.0), 1.0)
    pooled = {code: (1 - weight) * confidence for code, confidence in model_suggestions}
    pooled[catalogue_department] = weight + pooled.get(catalogue_department, 0.0)
    ranked = [
        (code, confidence, SOURCE_CATALOGUE if code == catalogue_department else SOURCE_MODEL)
        for code, confidence in pooled.items()
    ]
    ranked.sort(key=lambda item: -item[1])
    return ranked[:k]
