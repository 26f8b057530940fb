"""Selectors: data scopes on aggregates, values and approval queues; target statuses;
equalisation from the aggregates."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.indicators.selectors import reporting as reporting_selectors
from civicgrid.indicators.selectors import targets as target_selectors
from civicgrid.indicators.selectors import values as value_selectors
from civicgrid.indicators.services import definitions, imports, reporting

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


def _load(rows: list[tuple[str, str, str, int]]) -> None:
    imports.data_values_import(
        actor=None,
        rows=[{"dataElement": e, "period": p, "orgUnit": u, "value": v} for e, p, u, v in rows],
        as_approved=True,
        today=TODAY,
    )


@pytest.fixture
def history(territory, catalogue: Catalogue) -> None:
    rows = []
    for year, (xz_beds, dm_beds) in {2013: (20, 10), 2014: (30, 12), 2015: (40, 14)}.items():
        rows += [
            ("BEDS", str(year), "440402001001", xz_beds),
            ("BED_CAPACITY", str(year), "440402001001", 50),
            ("BEDS", str(year), "440403001001", dm_beds),
            ("BED_CAPACITY", str(year), "440403001001", 50),
        ]
    _load(rows)


def test_aggregates_follow_the_scope(territory, catalogue: Catalogue, people: People, history):
    use = catalogue.occupancy
    city = value_selectors.aggregate_units(
        people.city, indicator=use, period="2015", level="district"
    )
    assert [(row.code, row.value) for row in city] == [
        ("440402", pytest.approx(80.0)),
        ("440403", pytest.approx(28.0)),
    ]
    mine = value_selectors.aggregate_units(
        people.xz_district, indicator=use, period="2015", level="district"
    )
    assert [row.code for row in mine] == ["440402"]
    assert (
        value_selectors.aggregate_series(
            people.xz_district, indicator=use, unit_code="440403", period_type="yearly"
        )
        == []
    )
    assert value_selectors.aggregate_units(people.citizen, indicator=use, period="2015") == []
    many = value_selectors.aggregate_series_many(people.city, unit_code="4404")
    assert [p.period for p in many["BED_USE"]] == ["2013", "2014", "2015"]
    assert [p.value for p in many["BED_USE"]] == [
        pytest.approx(30.0),
        pytest.approx(42.0),
        pytest.approx(54.0),
    ]
    assert value_selectors.periods_with_values(people.xz_reporter) == ["2013", "2014", "2015"]
    exported = reporting_selectors.data_values_export(people.xz_district, periods=["2015"])
    assert exported == [
        {
            "dataElement": "BEDS",
            "period": "2015",
            "orgUnit": "440402001001",
            "value": "40",
            "comment": "",
            "status": "approved_city",
        },
        {
            "dataElement": "BED_CAPACITY",
            "period": "2015",
            "orgUnit": "440402001001",
            "value": "50",
            "comment": "",
            "status": "approved_city",
        },
    ]


def test_target_status_per_district_follows_the_trend(
    territory, catalogue: Catalogue, people: People, history
) -> None:
    definitions.target_create(
        actor=None,
        indicator=catalogue.occupancy,
        value=60,
        deadline_period="2016",
        scope="each_district",
        source_passage="床位使用率达到60%以上",
    )
    definitions.target_create(
        actor=None, indicator=catalogue.occupancy, value=50, deadline_period="2015"
    )
    rows = target_selectors.target_statuses(people.city, today=TODAY)
    found = {(row.target.deadline_period, row.unit_code): row.status for row in rows}
    assert found == {
        ("2016", "440402"): "met",  # 80 % already
        ("2016", "440403"): "at_risk",  # 20 → 24 → 28 %: the trend gives 32 % in 2016
        ("2015", "4404"): "met",  # 54 % in 2015
    }
    district_rows = target_selectors.target_statuses(people.xz_district, today=TODAY)
    assert [(row.unit_code, row.status) for row in district_rows] == [("440402", "met")]
    as_dict = next(row for row in rows if row.unit_code == "440403").as_dict()
    assert as_dict["source_passage"] == "床位使用率达到60%以上"
    assert as_dict["observations"]


def test_equalisation_from_aggregates(territory, catalogue: Catalogue, people: People, history):
    rows, summary = value_selectors.equalisation_for(
        people.city, indicator=catalogue.occupancy, period="2015"
    )
    assert [row.value for row in rows] == [pytest.approx(80.0), pytest.approx(28.0)]
    assert summary.max_min_ratio.value == pytest.approx(80 / 28)
    overview = value_selectors.equalisation_overview(people.city, period="2015")
    # beds per 1,000 elderly has rows (numerator only: no elderly computed) but no values
    assert set(overview) == {catalogue.occupancy.pk, catalogue.beds_rate.pk}
    assert overview[catalogue.beds_rate.pk][1].units == 0
    assert overview[catalogue.occupancy.pk][1].max_min_ratio.value == pytest.approx(80 / 28)
    # Asked for by name, an indicator without any aggregate is there too, with no units.
    asked = value_selectors.equalisation_overview(
        people.city, period="2019", indicators=[catalogue.occupancy]
    )
    assert list(asked) == [catalogue.occupancy.pk]
    assert asked[catalogue.occupancy.pk] == (
        [],
        value_selectors.equalisation_for(people.city, indicator=catalogue.occupancy, period="2019")[
            1
        ],
    )
    trend = value_selectors.equalisation_series(people.city, indicator=catalogue.occupancy)
    assert trend is not None
    assert list(trend.periods) == ["2013", "2014", "2015"]


def test_approval_queue_shows_what_waits_for_each_level(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "3"},
        today=TODAY,
    )
    assert reporting_selectors.approval_queue(people.xz_street) == []
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    assert reporting_selectors.approval_queue(people.xz_street) == [submission]
    assert reporting_selectors.approval_queue(people.dm_street) == []
    assert reporting_selectors.approval_queue(people.xz_district) == []
    reporting.submission_approve(actor=people.xz_street, submission=submission)
    assert reporting_selectors.approval_queue(people.xz_street) == []
    assert reporting_selectors.approval_queue(people.xz_district) == [submission]
    form = reporting_selectors.entry_form(
        people.xz_district, data_set=catalogue.care, unit_code="440402001001", period="2015"
    )
    assert form is not None
    assert (form.can_edit, form.can_approve, form.next_level) == (False, True, "district")
    assert (
        reporting_selectors.entry_form(
            people.dm_street, data_set=catalogue.care, unit_code="440402001001", period="2015"
        )
        is None
    )
    reporter_form = reporting_selectors.entry_form(
        people.xz_reporter, data_set=catalogue.care, unit_code="440402001001", period="2015"
    )
    assert reporter_form is not None
    assert (reporter_form.can_edit, reporter_form.can_submit) == (False, False)


def test_reporting_tasks_flag_overdue_periods(territory, catalogue: Catalogue, people: People):
    tasks = reporting_selectors.reporting_tasks(people.xz_reporter, today=TODAY)
    assert [(t.unit.code, t.period, t.due_on, t.is_overdue) for t in tasks] == [
        ("440402001001", "2015", dt.date(2016, 1, 15), True),
        ("440402001001", "2014", dt.date(2015, 1, 15), True),
        ("440402001001", "2013", dt.date(2014, 1, 15), True),
    ]
    assert reporting_selectors.reporting_tasks(people.xz_street, today=TODAY) == []


def test_cockpit_reads_are_a_fixed_number_of_queries(
    territory, catalogue: Catalogue, people: People, history, django_assert_num_queries
) -> None:
    definitions.target_create(
        actor=None,
        indicator=catalogue.occupancy,
        value=60,
        deadline_period="2016",
        scope="each_district",
    )
    with django_assert_num_queries(1):
        value_selectors.aggregate_series_many(people.city, unit_code="4404")
    with django_assert_num_queries(1):
        value_selectors.aggregate_units(
            people.city, indicator=catalogue.occupancy, period="2015", level="district"
        )
    # targets, districts, one series query per (indicator, period type)
    with django_assert_num_queries(3):
        target_selectors.target_statuses(people.city, today=TODAY)
