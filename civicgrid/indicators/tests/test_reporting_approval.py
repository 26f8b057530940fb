"""Reporting: entering values, bottom-up approval that locks them, returns, and the
aggregates following what is approved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from civicgrid.core.errors import ConflictError, PermissionDeniedError
from civicgrid.indicators.models import (
    DataValue,
    IndicatorAggregate,
    SubmissionEvent,
    SubmissionStatus,
)
from civicgrid.indicators.services import reporting
from civicgrid.indicators.services.errors import InvalidInput, LockedError

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


def _aggregate(catalogue: Catalogue, code: str, period: str = "2015") -> IndicatorAggregate:
    return IndicatorAggregate.objects.get(
        indicator=catalogue.occupancy, unit_code=code, period=period
    )


def test_community_reports_and_street_district_city_approve_in_turn(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "80", "BED_CAPACITY": "100"},
        today=TODAY,
    )
    assert submission.status == SubmissionStatus.OPEN
    assert DataValue.objects.get(element=catalogue.beds).value == Decimal("80")
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    # not counted before the first approval
    assert not IndicatorAggregate.objects.filter(indicator=catalogue.occupancy).exists()
    # the district may not skip the street; the other street may not approve
    with pytest.raises(PermissionDeniedError):
        reporting.submission_approve(actor=people.xz_district, submission=submission)
    with pytest.raises(PermissionDeniedError):
        reporting.submission_approve(actor=people.dm_street, submission=submission)
    submission = reporting.submission_approve(actor=people.xz_street, submission=submission)
    assert submission.status == SubmissionStatus.APPROVED_STREET
    assert _aggregate(catalogue, "440402001001").value == pytest.approx(80.0)
    assert _aggregate(catalogue, "440402").value == pytest.approx(80.0)
    assert _aggregate(catalogue, "4404").numerator == pytest.approx(80.0)
    submission = reporting.submission_approve(actor=people.xz_district, submission=submission)
    assert submission.status == SubmissionStatus.APPROVED_DISTRICT
    submission = reporting.submission_approve(actor=people.city, submission=submission)
    assert submission.status == SubmissionStatus.APPROVED_CITY
    kinds = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("kind", "to_status")
    )
    assert kinds == [
        ("open", "open"),
        ("edit", ""),
        ("submit", "submitted"),
        ("approve", "approved_street"),
        ("approve", "approved_district"),
        ("approve", "approved_city"),
    ]


def test_approved_values_are_locked_and_resubmission_is_refused_with_a_reason(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "80", "BED_CAPACITY": "100"},
        today=TODAY,
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    reporting.submission_approve(actor=people.xz_street, submission=submission)
    with pytest.raises(LockedError) as refused:
        reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    assert "approved" in str(refused.value.message)
    with pytest.raises(LockedError):
        reporting.values_save(
            actor=people.xz_reporter,
            data_set=catalogue.care,
            unit=territory.xz_community,
            period="2015",
            values={"BEDS": "90"},
            today=TODAY,
        )
    assert DataValue.objects.get(element=catalogue.beds).value == Decimal("80")


def test_return_sends_values_back_and_takes_them_out_of_the_aggregates(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "80", "BED_CAPACITY": "100"},
        today=TODAY,
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    reporting.submission_approve(actor=people.xz_street, submission=submission)
    with pytest.raises(InvalidInput):
        reporting.submission_return(actor=people.xz_district, submission=submission, reason=" ")
    submission = reporting.submission_return(
        actor=people.xz_district, submission=submission, reason="床位数与民政台账不符"
    )
    assert submission.status == SubmissionStatus.RETURNED
    assert not IndicatorAggregate.objects.filter(indicator=catalogue.occupancy).exists()
    reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "75"},
        today=TODAY,
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    reporting.submission_approve(actor=people.xz_street, submission=submission)
    assert _aggregate(catalogue, "440402").value == pytest.approx(75.0)


def test_ratio_rolls_up_from_summed_numerator_and_denominator(
    territory, catalogue: Catalogue, people: People
) -> None:
    for reporter, street, unit, beds, capacity in (
        (people.xz_reporter, people.xz_street, territory.xz_community, "30", "40"),
        (people.dm_reporter, people.dm_street, territory.dm_community, "90", "200"),
    ):
        submission = reporting.values_save(
            actor=reporter,
            data_set=catalogue.care,
            unit=unit,
            period="2015",
            values={"BEDS": beds, "BED_CAPACITY": capacity},
            today=TODAY,
        )
        reporting.submission_submit(actor=reporter, submission=submission)
        reporting.submission_approve(actor=street, submission=submission)
    assert _aggregate(catalogue, "440402").value == pytest.approx(75.0)
    assert _aggregate(catalogue, "440403").value == pytest.approx(45.0)
    city = _aggregate(catalogue, "4404")
    # (30 + 90) / (40 + 200) = 50 %, not the mean of 75 % and 45 % (60 %)
    assert (city.numerator, city.denominator, city.value) == (120.0, 240.0, pytest.approx(50.0))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [("abc", "not a number"), ("-3", "negative"), ("2.5", "whole number")],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    territory, catalogue: Catalogue, people: People, raw: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        reporting.values_save(
            actor=people.xz_reporter,
            data_set=catalogue.care,
            unit=territory.xz_community,
            period="2015",
            values={"BED_CAPACITY": "100", "BEDS": raw},
            today=TODAY,
        )
    assert fragment in str(refused.value.message)
    assert refused.value.field == "BEDS"
    assert not DataValue.objects.exists()


def test_units_outside_the_scope_and_periods_outside_the_data_set_are_refused(
    territory, catalogue: Catalogue, people: People
) -> None:
    with pytest.raises(PermissionDeniedError):
        reporting.values_save(
            actor=people.xz_reporter,
            data_set=catalogue.care,
            unit=territory.dm_community,
            period="2015",
            values={"BEDS": "1"},
            today=TODAY,
        )
    for period in ("2011", "2015Q1", "2017", "20x5"):
        with pytest.raises(InvalidInput) as refused:
            reporting.values_save(
                actor=people.xz_reporter,
                data_set=catalogue.care,
                unit=territory.xz_community,
                period=period,
                values={"BEDS": "1"},
                today=TODAY,
            )
        assert refused.value.field == "period"
    with pytest.raises(PermissionDeniedError):
        reporting.values_save(
            actor=people.citizen,
            data_set=catalogue.care,
            unit=territory.xz_community,
            period="2015",
            values={"BEDS": "1"},
            today=TODAY,
        )
    assert not DataValue.objects.exists()


def test_submitting_twice_or_approving_an_open_submission_is_refused(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.submission_open(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        today=TODAY,
    )
    with pytest.raises(InvalidInput):
        reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    with pytest.raises(ConflictError):
        reporting.submission_approve(actor=people.xz_street, submission=submission)
    reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "5"},
        today=TODAY,
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    with pytest.raises(ConflictError):
        reporting.submission_submit(actor=people.xz_reporter, submission=submission)
