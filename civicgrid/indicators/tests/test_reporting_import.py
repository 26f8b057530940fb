"""Excel templates filled offline and DHIS2-shaped rows imported back: all or nothing, with
row-level messages, and columns found by their headers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from civicgrid.core.errors import PermissionDeniedError
from civicgrid.indicators.models import (
    DataSubmission,
    DataValue,
    IndicatorAggregate,
    SubmissionStatus,
)
from civicgrid.indicators.services import imports, reporting
from civicgrid.indicators.services.errors import ImportRejected

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


def _rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _values() -> dict[tuple[str, str], Decimal]:
    return {
        (code, unit): value
        for code, unit, value in DataValue.objects.values_list(
            "element__code", "unit_code", "value"
        )
    }


def test_template_lists_the_reporters_units_and_imports_back(
    territory, catalogue: Catalogue, people: People
) -> None:
    content = imports.template_build(
        actor=people.xz_reporter, data_set=catalogue.care, period="2015"
    )
    rows = _rows(content)
    assert rows[1] == [
        gettext("Unit code"),
        gettext("Unit name"),
        gettext("Period"),
        "养老床位 [BEDS]",
        "核定床位 [BED_CAPACITY]",
    ]
    assert rows[2][:3] == ["440402001001", "紫荆社区居民委员会", "2015"]
    assert len(rows) == 3  # only the reporter's own community
    rows[2][3:] = [95, 120]
    result = imports.template_import(
        actor=people.xz_reporter, data_set=catalogue.care, content=_book(rows), today=TODAY
    )
    assert result.values == 2
    assert _values() == {
        ("BED_CAPACITY", "440402001001"): Decimal("120"),
        ("BEDS", "440402001001"): Decimal("95"),
    }
    submission = DataSubmission.objects.get()
    assert submission.status == SubmissionStatus.OPEN
    assert list(submission.events.values_list("kind", flat=True)) == ["open", "import"]
    # re-running the same file is safe
    imports.template_import(
        actor=people.xz_reporter, data_set=catalogue.care, content=_book(rows), today=TODAY
    )
    assert DataValue.objects.count() == 2


def test_columns_are_found_by_header_when_moved(
    territory, catalogue: Catalogue, people: People
) -> None:
    rows = [
        ["养老服务年报"],
        [],
        [None, "养老床位 [BEDS]", "Period", None, "Unit code", "BED_CAPACITY"],
        [None, 95, "2015", None, "440402001001", 120],
    ]
    imports.template_import(
        actor=people.xz_reporter, data_set=catalogue.care, content=_book(rows), today=TODAY
    )
    assert _values() == {
        ("BED_CAPACITY", "440402001001"): Decimal("120"),
        ("BEDS", "440402001001"): Decimal("95"),
    }


def test_unknown_or_repeated_headers_reject_the_file(
    territory, catalogue: Catalogue, people: People
) -> None:
    rows = [
        ["Unit code", "Period", "养老床位 [BEDS]", "护理员 [NURSES]", "BEDS"],
        ["440402001001", "2015", 95, 3, 96],
    ]
    with pytest.raises(ImportRejected) as rejected:
        imports.template_import(
            actor=people.xz_reporter, data_set=catalogue.care, content=_book(rows), today=TODAY
        )
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, "D"), (1, "E")]
    assert not DataValue.objects.exists()


def test_bad_rows_are_all_reported_and_nothing_is_saved(
    territory, catalogue: Catalogue, people: People, make_user
) -> None:
    street_staff = people.xz_street  # reports nothing: not assigned, but approves
    assert street_staff
    rows = [
        ["Unit code", "Unit name", "Period", "养老床位 [BEDS]", "核定床位 [BED_CAPACITY]"],
        ["440402001001", "紫荆", "2015", 95, 120],  # good
        ["440402001001", "紫荆", "2014", "九十", 120],  # not a number
        ["440402001001", "紫荆", "2013", -4, None],  # negative
        ["440402001001", "紫荆", "2020", 1, None],  # period not begun
        ["440402001001", "紫荆", "2015Q2", 1, None],  # wrong period type
        ["440403001001", "白藤", "2015", 1, None],  # outside the reporter's scope
        ["440402001001", "紫荆", "2015", 97, None],  # given twice
    ]
    with pytest.raises(ImportRejected) as rejected:
        imports.template_import(
            actor=people.xz_reporter, data_set=catalogue.care, content=_book(rows), today=TODAY
        )
    found = [(e.row, e.column) for e in rejected.value.errors]
    assert found == [(3, "D"), (4, "D"), (5, "D"), (6, "D"), (7, "D"), (8, "D")]
    messages = [e.message for e in rejected.value.errors]
    assert "not a number" in messages[0]
    assert "negative" in messages[1]
    assert "not begun" in messages[2]
    assert "outside the units you report" in messages[4]
    assert "also given in row 2" in messages[5]
    assert not DataValue.objects.exists()
    assert not DataSubmission.objects.exists()


def test_values_of_an_approved_submission_cannot_be_imported_over(
    territory, catalogue: Catalogue, people: People
) -> None:
    submission = reporting.values_save(
        actor=people.xz_reporter,
        data_set=catalogue.care,
        unit=territory.xz_community,
        period="2015",
        values={"BEDS": "80"},
        today=TODAY,
    )
    reporting.submission_submit(actor=people.xz_reporter, submission=submission)
    reporting.submission_approve(actor=people.xz_street, submission=submission)
    with pytest.raises(ImportRejected) as rejected:
        imports.data_values_import(
            actor=people.xz_reporter,
            rows=[
                {"dataElement": "BEDS", "period": "2014", "orgUnit": "440402001001", "value": 1},
                {"dataElement": "BEDS", "period": "2015", "orgUnit": "440402001001", "value": 99},
            ],
            today=TODAY,
        )
    assert [e.row for e in rejected.value.errors] == [3]
    assert "approved" in rejected.value.errors[0].message
    assert _values() == {("BEDS", "440402001001"): Decimal("80")}


def test_system_import_as_approved_counts_at_once(territory, catalogue: Catalogue) -> None:
    result = imports.data_values_import(
        actor=None,
        rows=[
            {"dataElement": "BEDS", "period": "2014", "orgUnit": "440402001001", "value": "30"},
            {
                "dataElement": "BED_CAPACITY",
                "period": "2014",
                "orgUnit": "440402001001",
                "value": 60,
            },
            {"dataElement": "BEDS", "period": "2014", "orgUnit": "440403001001", "value": "10"},
            {
                "dataElement": "BED_CAPACITY",
                "period": "2014",
                "orgUnit": "440403001001",
                "value": 40,
            },
        ],
        as_approved=True,
        today=TODAY,
    )
    assert result.values == 4
    assert set(DataSubmission.objects.values_list("status", flat=True)) == {"approved_city"}
    city = IndicatorAggregate.objects.get(
        indicator=catalogue.occupancy, unit_code="4404", period="2014"
    )
    assert city.value == pytest.approx(40.0)


def test_only_definers_import_as_approved(territory, catalogue: Catalogue, people: People) -> None:
    with pytest.raises(PermissionDeniedError):
        imports.data_values_import(
            actor=people.xz_reporter,
            rows=[{"dataElement": "BEDS", "period": "2015", "orgUnit": "440402001001", "value": 1}],
            as_approved=True,
            today=TODAY,
        )
    assert not DataValue.objects.exists()


def test_computed_elements_and_unknown_codes_are_refused(territory, catalogue: Catalogue) -> None:
    with pytest.raises(ImportRejected) as rejected:
        imports.data_values_import(
            actor=None,
            rows=[
                {
                    "dataElement": "ELDERLY60",
                    "period": "2015",
                    "orgUnit": "440402001001",
                    "value": 1,
                },
                {"dataElement": "NOPE", "period": "2015", "orgUnit": "440402001001", "value": 1},
                {"dataElement": "BEDS", "period": "2015", "orgUnit": "999999", "value": 1},
                {"dataElement": "BEDS", "period": "2015", "orgUnit": "440402001001"},
            ],
            today=TODAY,
        )
    assert [(e.row, e.column) for e in rejected.value.errors] == [
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "value"),
    ]
