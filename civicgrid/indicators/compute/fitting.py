"""Least-squares straight line through observed points (the trend of targets and equalisation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LinearFit:
    """``y = intercept + slope × x`` fitted by ordinary least squares."""

    slope: float
    intercept: float
    points: int
    r_squared: float | None  # None when all y are equal (nothing to explain)

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> LinearFit | None:
    """The least-squares line, or ``None`` with fewer than two distinct x values.

    slope = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)², intercept = ȳ − slope × x̄.
    """
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    count = len(xs)
    if count < 2:
        return None
    mean_x = sum(xs) / count
    mean_y = sum(ys) / count
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    syy = sum((y - mean_y) ** 2 for y in ys)
    r_squared = None if syy == 0 else (sxy * sxy) / (sxx * syy)
    return LinearFit(slope=slope, intercept=intercept, points=count, r_squared=r_squared)
