"""Targets: achievement per comparator, progress, least-squares forecast and status rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.indicators.compute.errors import TargetError
from civicgrid.indicators.compute.periods import Period
from civicgrid.indicators.compute.targets import (
    TargetSpec,
    TargetStatus,
    assess_target,
    forecast,
    is_achieved,
    progress,
)

END_2015 = dt.date(2015, 12, 31)
END_2017 = dt.date(2017, 12, 31)


def test_achievement_per_comparator() -> None:
    at_least = TargetSpec(10, "ge", END_2017)  # 每万人中不少于10名社工
    assert is_achieved(at_least, 10.0)
    assert is_achieved(at_least, 12.0)
    assert not is_achieved(at_least, 9.99)
    at_most = TargetSpec(5, "le", END_2017)  # 控制在5%以下
    assert is_achieved(at_most, 5.0)
    assert not is_achieved(at_most, 5.01)
    about = TargetSpec(100, "about", END_2017)  # 100 左右: ±5 %
    assert is_achieved(about, 95.0)
    assert is_achieved(about, 105.0)
    assert not is_achieved(about, 94.9)
    exact = TargetSpec(100, "eq", END_2017)
    assert is_achieved(exact, 100.0)
    assert not is_achieved(exact, 99.9)
    band = TargetSpec((60.0, 80.0), "range", END_2017)
    assert is_achieved(band, 60.0)
    assert is_achieved(band, 80.0)
    assert not is_achieved(band, 81)
    assert not is_achieved(at_least, None)


def test_invalid_targets_are_refused() -> None:
    with pytest.raises(TargetError):
        TargetSpec(10, "gt", END_2017)
    with pytest.raises(TargetError):
        TargetSpec(10, "range", END_2017)
    with pytest.raises(TargetError):
        TargetSpec((80.0, 60.0), "range", END_2017)
    with pytest.raises(TargetError):
        TargetSpec((1.0, 2.0), "ge", END_2017)
    with pytest.raises(TargetError):
        TargetSpec(float("nan"), "ge", END_2017)


def test_progress_is_direction_aware() -> None:
    # Volunteers ≥ 10 % from a baseline of 4 %: at 7 % half way ((7 − 4) / (10 − 4) = 0.5).
    assert progress(TargetSpec(10, "ge", END_2015, baseline=4), 7) == pytest.approx(0.5)
    # Lower is better: from 20 down to 10; at 12 → (12 − 20) / (10 − 20) = 0.8.
    assert progress(TargetSpec(10, "le", END_2015, baseline=20), 12) == pytest.approx(0.8)
    # Worse than the baseline → 0; achieved → 1.
    assert progress(TargetSpec(10, "ge", END_2015, baseline=4), 3) == 0.0
    assert progress(TargetSpec(10, "ge", END_2015, baseline=4), 11) == 1.0
    # No baseline: value / target (ge), target / value (le).
    assert progress(TargetSpec(30, "ge", END_2015), 24) == pytest.approx(0.8)
    assert progress(TargetSpec(10, "le", END_2015), 20) == pytest.approx(0.5)
    # Range 60–80 from a baseline of 40: distance 20 → at 50 distance 10 → 1 − 10/20 = 0.5.
    assert progress(TargetSpec((60.0, 80.0), "range", END_2015, baseline=40), 50) == 0.5
    assert progress(TargetSpec(10, "ge", END_2015), None) is None


def test_forecast_is_the_least_squares_line_at_the_deadline() -> None:
    # Yearly values 2012–2014 of 4, 6, 8 (exactly linear, +2 a year) → 2015 → 10; 2017 → 14.
    observations = [("2012", 4.0), ("2013", 6.0), ("2014", 8.0)]
    result = forecast(observations, END_2017)
    assert result is not None
    assert result.slope_per_year == pytest.approx(2.0, rel=2e-3)  # 365.25-day years
    assert result.value == pytest.approx(14.0, abs=0.01)
    assert result.points == 3
    assert forecast([("2012", 4.0)], END_2017) is None
    # Noisy: 2012 → 5, 2013 → 5, 2014 → 8: slope = Σ(x−x̄)(y−ȳ) / Σ(x−x̄)² = (−1·−1 + 0 + 1·2)/2
    # = 1.5 a year; ȳ = 6 at 2013; 2015 → 6 + 2 × 1.5 = 9.
    noisy = forecast([("2012", 5.0), ("2013", 5.0), ("2014", 8.0)], END_2015)
    assert noisy is not None
    assert noisy.value == pytest.approx(9.0, abs=0.01)


def test_status_met_when_achieved_before_the_deadline() -> None:
    spec = TargetSpec(10, "ge", END_2017)
    result = assess_target(spec, [("2014", 8.0), ("2015", 10.5)], today=dt.date(2016, 3, 1))
    assert (result.status, result.reason) == (TargetStatus.MET, "achieved")
    assert result.latest_value == 10.5


def test_status_on_track_when_the_trend_reaches_it() -> None:
    spec = TargetSpec(10, "ge", END_2017)
    # 4, 6, 8 in 2012–2014: forecast for 2017 ≈ 14 ≥ 10.
    result = assess_target(spec, [("2012", 4), ("2013", 6), ("2014", 8)], today=dt.date(2015, 2, 1))
    assert result.status is TargetStatus.ON_TRACK
    assert result.forecast is not None
    assert result.forecast.value > 10


def test_status_at_risk_when_the_trend_falls_short_or_cannot_be_told() -> None:
    spec = TargetSpec(10, "ge", END_2017, baseline=4)
    slow = assess_target(spec, [("2012", 4), ("2013", 4.5), ("2014", 5)], today=dt.date(2015, 1, 5))
    # +0.5 a year → 2017 ≈ 6.5 < 10
    assert (slow.status, slow.reason) == (TargetStatus.AT_RISK, "forecast_falls_short")
    assert slow.progress == pytest.approx(1 / 6)  # (5 − 4) / (10 − 4)
    single = assess_target(spec, [("2014", 5)], today=dt.date(2015, 1, 5))
    assert (single.status, single.reason) == (TargetStatus.AT_RISK, "too_few_points")


def test_status_missed_or_met_once_the_deadline_has_passed() -> None:
    spec = TargetSpec(30, "ge", END_2015)  # 每千名老人养老床位不少于30张 by 2015
    observations = [("2013", 22.0), ("2014", 26.0), ("2015", 29.0), ("2016", 31.0)]
    result = assess_target(spec, observations, today=dt.date(2017, 1, 10))
    # Judged on 2015 (the deadline period): 29 < 30 → the deadline was missed; 2016 reached 31,
    # so the target is met late, and progress is that of the latest value.
    assert (result.status, result.judged_value, result.latest_value) == (
        TargetStatus.MET_LATE,
        29.0,
        31.0,
    )
    assert result.reason == "achieved_after_deadline"
    assert result.progress == 1.0
    still = assess_target(spec, [*observations[:3], ("2016", 29.5)], today=dt.date(2017, 1, 10))
    assert (still.status, still.reason) == (TargetStatus.MISSED, "not_achieved_by_deadline")
    assert still.progress == pytest.approx(29.5 / 30)  # no baseline: value / target
    met = assess_target(spec, [("2014", 26.0), ("2015", 30.5)], today=dt.date(2016, 6, 1))
    assert (met.status, met.reason) == (TargetStatus.MET, "achieved_by_deadline")


def test_status_no_data() -> None:
    spec = TargetSpec(30, "ge", END_2015)
    assert assess_target(spec, [], today=dt.date(2014, 1, 1)).status is TargetStatus.NO_DATA
    late = assess_target(spec, [("2016", 35.0)], today=dt.date(2017, 1, 1))
    assert (late.status, late.reason) == (TargetStatus.NO_DATA, "no_value_by_deadline")
    only_missing = assess_target(spec, [("2014", None)], today=dt.date(2014, 6, 1))
    assert only_missing.status is TargetStatus.NO_DATA


def test_lower_is_better_targets_read_the_trend_downwards() -> None:
    spec = TargetSpec(5, "le", END_2017)  # e.g. appeals overdue ≤ 5 %
    falling = [("2013", 11.0), ("2014", 9.0), ("2015", 7.0)]  # −2 a year → 2017 ≈ 3
    assert assess_target(spec, falling, today=dt.date(2016, 1, 5)).status is TargetStatus.ON_TRACK
    rising = [("2013", 7.0), ("2014", 8.0), ("2015", 9.0)]
    assert assess_target(spec, rising, today=dt.date(2016, 1, 5)).status is TargetStatus.AT_RISK


def test_observations_accept_dates_periods_and_codes() -> None:
    spec = TargetSpec(10, "ge", END_2017)
    mixed = [(dt.date(2014, 12, 31), 6.0), (Period.yearly(2015), 8.0), ("2016", 9.0)]
    result = assess_target(spec, mixed, today=dt.date(2017, 1, 5))
    assert result.status is TargetStatus.ON_TRACK  # +1.5 a year → 2017 ≈ 7.67 + 2 × 1.5 = 10.67
    assert result.latest_date == dt.date(2016, 12, 31)
    assert result.as_dict()["status"] == "on_track"


@given(
    st.floats(-100, 100),
    st.floats(-10, 10),
    st.lists(st.integers(2000, 2020), min_size=2, max_size=8, unique=True),
)
def test_forecast_recovers_an_exact_line(intercept: float, slope: float, years: list[int]) -> None:
    origin = dt.date(2000, 1, 1)
    observations = [
        (dt.date(year, 6, 30), intercept + slope * (dt.date(year, 6, 30) - origin).days / 365.25)
        for year in years
    ]
    target_day = dt.date(2025, 12, 31)
    result = forecast(observations, target_day)
    assert result is not None
    expected = intercept + slope * (target_day - origin).days / 365.25
    assert result.value == pytest.approx(expected, abs=1e-6)
    assert result.slope_per_year == pytest.approx(slope, abs=1e-9)
