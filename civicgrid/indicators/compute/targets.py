"""Progress toward a target, a forecast on the current trend, and the target's status.

A target (:class:`TargetSpec`) is a value, a comparator — the same words as the plans module's
extracted targets — and a deadline (the last day of the period meant: "by 2015" is 2015-12-31):

- ``ge`` 不少于 / 以上 / 达到: achieved when value ≥ target (higher is better);
- ``le`` 不超过 / 以下 / 控制在: achieved when value ≤ target (lower is better);
- ``eq``: achieved when value = target (to 1e-9 relative, for rounding);
- ``about`` 左右 / 约: achieved within ± ``tolerance`` (5 %) of the target;
- ``range`` a–b: achieved when a ≤ value ≤ b.

Observations are ``(when, value)`` pairs; ``when`` is a date, a :class:`Period` or a period code,
and a period counts at its **end date** (the value of 2015 is the value at 2015-12-31).

Forecast: the least-squares straight line through all observations (time in years), read at
the deadline. It needs at least two observations at different times.

Status (:func:`assess_target`, with ``today``):

1. ``no_data`` — no observation at all; or the deadline has passed and nothing was observed on
   or before it.
2. Deadline passed (today > deadline): judged on the latest observation on or before the
   deadline — ``met`` when it achieves the target; otherwise ``met_late`` when the latest
   observation (after the deadline) achieves it — the deadline was missed, the target reached
   since — and ``missed`` when it is still not achieved.
3. Deadline not passed: ``met`` when the latest observation achieves the target; else
   ``on_track`` when the forecast at the deadline achieves it; else ``at_risk`` (the trend falls
   short, or there are too few observations for a trend).

Progress is that of the latest observation: how far the unit has come by now, also after a
missed deadline (the value judged at the deadline is kept in ``judged_value``).

Progress (:func:`progress`) is the share of the way from the baseline to the target, direction
aware, clipped to 0–1: for ``ge``/``le`` ``(value − baseline) / (target − baseline)``; without a
baseline ``value / target`` (``ge``) or ``target / value`` (``le``). For ``eq``/``about``/``range``
it is ``1 − distance(value) / distance(baseline)``, the distance being how far a value lies
outside the accepted band (without a baseline, the distance is measured against the target's size).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from django.utils.translation import gettext as _

from .errors import TargetError
from .fitting import linear_fit
from .periods import Period, parse_period

Comparator = Literal["ge", "le", "eq", "about", "range"]
COMPARATORS: tuple[str, ...] = ("ge", "le", "eq", "about", "range")
DAYS_PER_YEAR = 365.25
EQUALITY_TOLERANCE = 1e-9


class TargetStatus(StrEnum):
    MET = "met"  # achieved (by now, or by the deadline once it has passed)
    ON_TRACK = "on_track"  # not yet achieved; the trend reaches it by the deadline
    AT_RISK = "at_risk"  # not yet achieved; the trend falls short or cannot be told
    MISSED = "missed"  # the deadline passed without achieving it, and it is still not achieved
    MET_LATE = "met_late"  # not achieved by the deadline, achieved since
    NO_DATA = "no_data"  # nothing observed (by the deadline) to judge on


Observation = tuple[dt.date | Period | str, float | None]


@dataclass(frozen=True)
class TargetSpec:
    value: float | tuple[float, float]
    comparator: str
    deadline: dt.date
    baseline: float | None = None
    tolerance: float = 0.05  # relative half-width of "about"

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise TargetError(
                _("Unknown comparator “%(comparator)s”: use ge, le, eq, about or range.")
                % {"comparator": self.comparator},
                field="comparator",
            )
        if self.comparator == "range":
            if not isinstance(self.value, tuple) or len(self.value) != 2:
                raise TargetError(_("A range target needs two values (from, to)."), field="value")
            low, high = self.value
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise TargetError(
                    _(
                        "A range target runs from the lower value to the higher, "
                        "not %(low)s–%(high)s."
                    )
                    % {"low": low, "high": high},
                    field="value",
                )
        elif isinstance(self.value, tuple) or not math.isfinite(float(self.value)):
            raise TargetError(
                _("The target value must be one finite number for comparator “%(comparator)s”.")
                % {"comparator": self.comparator},
                field="value",
            )
        if self.tolerance < 0:
            raise TargetError(_("The tolerance cannot be negative."), field="tolerance")

    @property
    def higher_is_better(self) -> bool | None:
        """True for ge, False for le, None when closeness counts (eq, about, range)."""
        return {"ge": True, "le": False}.get(self.comparator)

    @property
    def band(self) -> tuple[float, float]:
        """The accepted values [low, high] (infinite on the open side)."""
        if self.comparator == "range":
            low, high = self.value  # type: ignore[misc]
            return float(low), float(high)
        target = float(self.value)  # type: ignore[arg-type]
        if self.comparator == "ge":
            return target, math.inf
        if self.comparator == "le":
            return -math.inf, target
        width = (
            self.tolerance * abs(target)
            if self.comparator == "about"
            else EQUALITY_TOLERANCE * max(1.0, abs(target))
        )
        return target - width, target + width

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": list(self.value) if isinstance(self.value, tuple) else self.value,
            "comparator": self.comparator,
            "deadline": self.deadline.isoformat(),
            "baseline": self.baseline,
            "tolerance": self.tolerance,
        }


def is_achieved(spec: TargetSpec, value: float | None) -> bool:
    if value is None or not math.isfinite(value):
        return False
    low, high = spec.band
    return low <= value <= high


def _distance(spec: TargetSpec, value: float) -> float:
    low, high = spec.band
    if value < low:
        return low - value
    if value > high:
        return value - high
    return 0.0


def progress(spec: TargetSpec, value: float | None, baseline: float | None = None) -> float | None:
    """Share of the way to the target (0–1; see the module docstring), or None without a value."""
    if value is None or not math.isfinite(value):
        return None
    start = spec.baseline if baseline is None else baseline
    if is_achieved(spec, value):
        return 1.0
    if spec.comparator in ("ge", "le"):
        target = float(spec.value)  # type: ignore[arg-type]
        if start is not None and start != target:
            raw = (value - start) / (target - start)
        elif spec.comparator == "ge":
            raw = value / target if target > 0 else 0.0
        else:
            raw = target / value if value > 0 else 0.0
    else:
        gap = _distance(spec, value)
        if start is not None and _distance(spec, start) > 0:
            raw = 1 - gap / _distance(spec, start)
        else:
            low, high = spec.band
            size = max(abs(low), abs(high))
            raw = 1 - gap / size if size > 0 else 0.0
    return min(1.0, max(0.0, raw))


def observation_date(when: dt.date | Period | str) -> dt.date:
    """A date as it is; a period (or period code) at its end date."""
    if isinstance(when, dt.date):
        return when
    return parse_period(when).end


@dataclass(frozen=True)
class Forecast:
    value: float
    at: dt.date
    slope_per_year: float
    intercept: float  # value at the first observation's date
    points: int
    r_squared: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "at": self.at.isoformat(),
            "slope_per_year": self.slope_per_year,
            "intercept": self.intercept,
            "points": self.points,
            "r_squared": self.r_squared,
        }


def _clean(observations: Sequence[Observation]) -> list[tuple[dt.date, float]]:
    cleaned = [
        (observation_date(when), float(value))
        for when, value in observations
        if value is not None and math.isfinite(float(value))
    ]
    return sorted(cleaned, key=lambda pair: pair[0])


def forecast(observations: Sequence[Observation], at: dt.date) -> Forecast | None:
    """The least-squares line through the observations, read at ``at`` (None: < 2 time points)."""
    points = _clean(observations)
    if not points:
        return None
    origin = points[0][0]
    xs = [(day - origin).days / DAYS_PER_YEAR for day, _value in points]
    fit = linear_fit(xs, [value for _day, value in points])
    if fit is None:
        return None
    return Forecast(
        value=fit.at((at - origin).days / DAYS_PER_YEAR),
        at=at,
        slope_per_year=fit.slope,
        intercept=fit.intercept,
        points=fit.points,
        r_squared=fit.r_squared,
    )


@dataclass(frozen=True)
class TargetAssessment:
    status: TargetStatus
    reason: str  # which rule decided (see the module docstring)
    latest_value: float | None
    latest_date: dt.date | None
    judged_value: float | None  # the value the status rests on
    judged_date: dt.date | None
    progress: float | None
    forecast: Forecast | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "reason": self.reason,
            "latest_value": self.latest_value,
            "latest_date": self.latest_date.isoformat() if self.latest_date else None,
            "judged_value": self.judged_value,
            "judged_date": self.judged_date.isoformat() if self.judged_date else None,
            "progress": self.progress,
            "forecast": self.forecast.as_dict() if self.forecast else None,
        }


def assess_target(
    spec: TargetSpec, observations: Sequence[Observation], *, today: dt.date
) -> TargetAssessment:
    """Status, progress and forecast of ``spec`` given the observations so far."""
    points = _clean(observations)
    latest_date, latest_value = points[-1] if points else (None, None)
    prediction = forecast(observations, spec.deadline) if points else None
    if not points:
        return TargetAssessment(
            TargetStatus.NO_DATA, "no_observations", None, None, None, None, None, None
        )
    if today > spec.deadline:
        by_deadline = [pair for pair in points if pair[0] <= spec.deadline]
        if not by_deadline:
            return TargetAssessment(
                TargetStatus.NO_DATA,
                "no_value_by_deadline",
                latest_value,
                latest_date,
                None,
                None,
                progress(spec, latest_value),
                prediction,
            )
        judged_date, judged_value = by_deadline[-1]
        if is_achieved(spec, judged_value):
            status, reason = TargetStatus.MET, "achieved_by_deadline"
        elif is_achieved(spec, latest_value):
            status, reason = TargetStatus.MET_LATE, "achieved_after_deadline"
        else:
            status, reason = TargetStatus.MISSED, "not_achieved_by_deadline"
        return TargetAssessment(
            status,
            reason,
            latest_value,
            latest_date,
            judged_value,
            judged_date,
            progress(spec, latest_value),
            prediction,
        )
    current = progress(spec, latest_value)
    if is_achieved(spec, latest_value):
        status, reason = TargetStatus.MET, "achieved"
    elif prediction is None:
        status, reason = TargetStatus.AT_RISK, "too_few_points"
    elif is_achieved(spec, prediction.value):
        status, reason = TargetStatus.ON_TRACK, "forecast_meets_target"
    else:
        status, reason = TargetStatus.AT_RISK, "forecast_falls_short"
    return TargetAssessment(
        status, reason, latest_value, latest_date, latest_value, latest_date, current, prediction
    )
