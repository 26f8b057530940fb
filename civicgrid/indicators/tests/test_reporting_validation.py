"""Validation rules: A ≤ B between elements blocks submission, sudden jumps are flagged for the
approver, bounds of an element refuse the value; department-assigned data sets."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.accounts.models import Role
from civicgrid.core.errors import PermissionDeniedError
from civicgrid.indicators.models import SubmissionStatus, ValidationFinding
from civicgrid.indicators.selectors.access import reporting_units
from civicgrid.indicators.services import definitions, reporting
from civicgrid.indicators.services.errors import InvalidInput, ValidationFailed

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


@pytest.fixture
def rules(catalogue: Catalogue) -> None:
    definitions.validation_rule_create(
        actor=None,
        code="BEDS_LE_CAPACITY",
        name="床位数不超过核定床位",
        left="#{BEDS}",
        operator="<=",
        right="#{BED_CAPACITY}",
    )
    definitions.validation_rule_create(
        actor=None,
        code="BEDS_JUMP",
        name="床位数突变",
        kind="jump",
        left="BEDS",
        jump_percent=50,
        severity="warning",
    )


def _save(territory, catalogue, people, period: str, **values: str):
    return reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period=period,
        values=values,
        today=TODAY,
    )


def test_a_rule_error_blocks_submission_until_corrected(
    territory, catalogue: Catalogue, people: People, rules
) -> None:
    submission = _save(territory, catalogue, people, "2015", BEDS="120", BED_CAPACITY="100")
    finding = ValidationFinding.objects.get(submission=submission)
    assert finding.severity == "error"
    assert finding.message == "床位数不超过核定床位: 120 ≤ 100 does not hold."
    with pytest.raises(ValidationFailed):
        reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.OPEN
    _save(territory, catalogue, people, "2015", BEDS="100")
    assert not ValidationFinding.objects.filter(submission=submission).exists()
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)


def test_a_sudden_jump_is_flagged_but_does_not_block(
    territory, catalogue: Catalogue, people: People, rules
) -> None:
    _save(territory, catalogue, people, "2014", BEDS="40", BED_CAPACITY="100")
    submission = _save(territory, catalogue, people, "2015", BEDS="90", BED_CAPACITY="100")
    finding = ValidationFinding.objects.get(submission=submission)
    assert (finding.severity, finding.left_value, finding.right_value) == ("warning", 90.0, 40.0)
    assert "+125.0%" in finding.message
    submitted = reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert submitted.events.get(kind="submit").details["warnings"] == [finding.message]


def test_bounds_of_an_element(territory, catalogue: Catalogue, people: People) -> None:
    rate = definitions.element_create(
        actor=None, code="COVERAGE", name="覆盖率", min_value=0, max_value=100
    )
    catalogue.care.elements.add(rate)
    with pytest.raises(InvalidInput) as refused:
        _save(territory, catalogue, people, "2015", COVERAGE="100.5")
    assert "at most 100" in str(refused.value.message)
    _save(territory, catalogue, people, "2015", COVERAGE="99.5")


def test_rules_and_definitions_refuse_bad_expressions(territory, catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput):
        definitions.validation_rule_create(
            actor=None, code="R", name="r", left="#{NOPE}", right="#{BEDS}"
        )
    with pytest.raises(InvalidInput):
        definitions.indicator_create(
            actor=None, code="X", name="x", kind="percentage", numerator="#{BEDS}"
        )
    with pytest.raises(InvalidInput):
        definitions.indicator_create(
            actor=None,
            code="Y",
            name="y",
            kind="count",
            numerator="#{BEDS}",
            denominator="#{ELDERLY60}",
        )
    with pytest.raises(InvalidInput):
        definitions.indicator_create(
            actor=None, code="BED_USE", name="dup", kind="count", numerator="#{BEDS}"
        )


def test_definitions_need_the_programme_office(
    territory, catalogue: Catalogue, people: People
) -> None:
    with pytest.raises(PermissionDeniedError):
        definitions.element_create(actor=people.xz_district, code="Z", name="z")
    definitions.element_create(actor=people.city, code="Z", name="z")


def test_department_reports_for_the_districts_of_its_area(
    territory, catalogue: Catalogue, make_user
) -> None:
    definitions.data_set_create(
        actor=None,
        code="CIVIL",
        name="民政年报",
        period_type="yearly",
        element_codes=["BEDS"],
        department_codes=["city-civil-affairs"],
        department_report_level="district",
    )
    from civicgrid.indicators.models import DataSet

    data_set = DataSet.objects.get(code="CIVIL")
    staff = make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs)
    other = make_user(Role.DEPARTMENT_STAFF, department=territory.xz_government)
    assert [u.code for u in reporting_units(staff, data_set)] == ["440402", "440403"]
    assert reporting_units(other, data_set) == []
    submission = reporting.values_save(
        actor=staff,
        data_set=data_set,
        unit=territory.doumen,
        period="2015",
        values={"BEDS": "300"},
        today=TODAY,
    )
    assert submission.department == territory.civil_affairs
    with pytest.raises(PermissionDeniedError):
        reporting.values_save(
            actor=other,
            data_set=data_set,
            unit=territory.xiangzhou,
            period="2015",
            values={"BEDS": "1"},
            today=TODAY,
        )
