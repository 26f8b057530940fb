"""Aggregates over periods: monthly values build quarters and years with each element's
aggregation (sum for flows, last for stocks), then roll up the tree."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.indicators.models import IndicatorAggregate
from civicgrid.indicators.services import definitions, imports
from civicgrid.indicators.services.aggregates import aggregates_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


@pytest.fixture
def monthly(territory):
    definitions.element_create(actor=None, code="CASES", name="个案", aggregation="sum")
    definitions.element_create(actor=None, code="WORKERS", name="社工", aggregation="last")
    definitions.data_set_create(
        actor=None,
        code="MONTHLY",
        name="月报",
        period_type="monthly",
        element_codes=["CASES", "WORKERS"],
        unit_level="community",
    )
    load = definitions.indicator_create(
        actor=None,
        code="CASES_PER_WORKER",
        name="人均个案",
        kind="index",
        numerator="#{CASES}",
        denominator="#{WORKERS}",
    )
    rows = []
    for month, (xz_cases, xz_workers, dm_cases, dm_workers) in {
        "201501": (10, 2, 4, 1),
        "201502": (20, 2, 6, 1),
        "201503": (30, 4, 8, 2),
    }.items():
        rows += [
            {"dataElement": "CASES", "period": month, "orgUnit": "440402001001", "value": xz_cases},
            {
                "dataElement": "WORKERS",
                "period": month,
                "orgUnit": "440402001001",
                "value": xz_workers,
            },
            {"dataElement": "CASES", "period": month, "orgUnit": "440403001001", "value": dm_cases},
            {
                "dataElement": "WORKERS",
                "period": month,
                "orgUnit": "440403001001",
                "value": dm_workers,
            },
        ]
    imports.data_values_import(actor=None, rows=rows, as_approved=True, today=TODAY)
    return load


def _row(indicator, unit: str, period: str) -> tuple:
    row = IndicatorAggregate.objects.get(indicator=indicator, unit_code=unit, period=period)
    return (row.numerator, row.denominator, row.value)


def test_quarters_and_years_from_months(territory, monthly) -> None:
    # 香洲 Q1: cases 10+20+30 = 60, workers as at March = 4 → 15 per worker
    assert _row(monthly, "440402001001", "2015Q1") == (60.0, 4.0, pytest.approx(15.0))
    # city Q1: cases 60 + 18 = 78, workers 4 + 2 = 6 → 13
    assert _row(monthly, "4404", "2015Q1") == (78.0, 6.0, pytest.approx(13.0))
    assert _row(monthly, "4404", "2015") == (78.0, 6.0, pytest.approx(13.0))
    # each month rolls up too: February 20+6 over 2+1
    assert _row(monthly, "4404", "201502") == (26.0, 3.0, pytest.approx(26 / 3))
    assert set(
        IndicatorAggregate.objects.filter(indicator=monthly, unit_code="4404").values_list(
            "period", flat=True
        )
    ) == {"201501", "201502", "201503", "2015Q1", "2015"}


def test_full_refresh_gives_the_same_rows(territory, monthly) -> None:
    before = sorted(
        IndicatorAggregate.objects.values_list("unit_code", "period", "numerator", "denominator")
    )
    result = aggregates_refresh(reason="test")
    assert result.rows == len(before)
    after = sorted(
        IndicatorAggregate.objects.values_list("unit_code", "period", "numerator", "denominator")
    )
    assert after == before


def test_division_by_zero_leaves_no_value(territory, monthly) -> None:
    imports.data_values_import(
        actor=None,
        rows=[
            {"dataElement": "CASES", "period": "201504", "orgUnit": "440402001001", "value": 5},
            {"dataElement": "WORKERS", "period": "201504", "orgUnit": "440402001001", "value": 0},
        ],
        as_approved=True,
        today=TODAY,
    )
    assert _row(monthly, "440402001001", "201504") == (5.0, 0.0, None)
