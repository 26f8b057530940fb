"""The ``calendar`` management command and the yearly holiday import service."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from civicgrid.core.errors import DomainError
from civicgrid.core.models import AuditRecord, CalendarDay, CalendarYear
from civicgrid.core.services import CalendarImportError, calendar_year_import
from civicgrid.core.workdays import CalendarUnknownYearError, add_working_days

pytestmark = pytest.mark.django_db

HOLIDAYS_2027 = """date,is_working_day,name
2027-01-01,0,元旦
2027-02-06,是,春节
2027-02-08,否,春节
2027-02-09,false,春节
2027-02-10,FALSE,春节
2027-02-20,1,春节
"""


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("calendar", *args, stdout=out)
    return out.getvalue().strip()


def write(tmp_path: Path, text: str, name: str = "holidays.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_working_days_prints_the_date() -> None:
    assert run("add-working-days", "2026-09-30", "1") == "2026-10-08"
    assert run("add-working-days", "2026-02-13", "1") == "2026-02-14"
    assert run("add-working-days", "2026-10-08", "-1") == "2026-09-30"


def test_between_prints_the_count() -> None:
    assert run("between", "2026-09-30", "2026-10-09") == "2"
    assert run("between", "2026-10-09", "2026-09-30") == "-2"


def test_bad_date_argument_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="2026-13-01"):
        run("add-working-days", "2026-13-01", "1")


def test_unknown_year_is_a_command_error_naming_the_year() -> None:
    with pytest.raises(CommandError, match="arrangement for 2027 has not been entered"):
        run("add-working-days", "2026-12-31", "1")


def test_import_year_publishes_and_is_idempotent(tmp_path: Path) -> None:
    path = write(tmp_path, HOLIDAYS_2027)
    output = run("import-year", path, "--year", "2027", "--notice", "国办发明电〔2026〕X号")
    assert output == "2027: 6 added, 0 changed, 0 unchanged, 0 removed; published: yes."
    year = CalendarYear.objects.get(year=2027)
    assert year.is_published is True
    assert year.notice == "国办发明电〔2026〕X号"
    rows = list(CalendarDay.objects.values_list("date", "is_working_day", "name"))
    assert rows == [
        (dt.date(2027, 1, 1), False, "元旦"),
        (dt.date(2027, 2, 6), True, "春节"),
        (dt.date(2027, 2, 8), False, "春节"),
        (dt.date(2027, 2, 9), False, "春节"),
        (dt.date(2027, 2, 10), False, "春节"),
        (dt.date(2027, 2, 20), True, "春节"),
    ]
    assert run("add-working-days", "2026-12-31", "1") == "2027-01-04"
    assert run("add-working-days", "2027-02-05", "1") == "2027-02-06"  # adjusted Saturday
    assert run("add-working-days", "2027-02-06", "1") == "2027-02-11"
    audit = AuditRecord.objects.get()
    assert (audit.action, audit.target_type, audit.target_id) == (
        "calendar.year_import",
        "core.calendaryear",
        "2027",
    )
    assert audit.actor_username == "system"
    assert audit.details["created"] == 6
    assert audit.details["published"] is True

    again = run("import-year", path, "--year", "2027")
    assert again == "2027: 0 added, 0 changed, 6 unchanged, 0 removed; published: yes."
    assert CalendarDay.objects.count() == 6
    assert CalendarYear.objects.count() == 1
    assert AuditRecord.objects.count() == 2


def test_import_replaces_the_years_rows(tmp_path: Path) -> None:
    run("import-year", write(tmp_path, HOLIDAYS_2027), "--year", "2027")
    CalendarDay.objects.create(date=dt.date(2026, 10, 8), is_working_day=False, name="other year")
    corrected = "2027-01-01,0,元旦\n2027-02-06,0,春节调整\n"
    output = run("import-year", write(tmp_path, corrected, "fix.csv"), "--year", "2027")
    assert output == "2027: 0 added, 1 changed, 1 unchanged, 4 removed; published: yes."
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "name")) == [
        (dt.date(2027, 1, 1), "元旦"),
        (dt.date(2027, 2, 6), "春节调整"),
    ]
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 8)).exists()  # other year kept
    assert AuditRecord.objects.latest("id").details["removed"] == [
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-20",
    ]


def test_import_reports_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    text = (
        "date,is_working_day,name\n"  # line 1
        "2027-01-01,0,元旦\n"  # line 2: good
        "2027-02-30,0,春节\n"  # line 3: no such date
        "2026-05-01,0,劳动节\n"  # line 4: other year
        "2027-05-03,maybe,劳动节\n"  # line 5: bad boolean
        "2027-01-01,1,元旦\n"  # line 6: duplicate of line 2
        "\n"  # line 7: blank, skipped
        "2027-10-01\n"  # line 8: one column
        "27-10-01,0,国庆\n"  # line 9: bad format
    )
    with pytest.raises(CommandError) as caught:
        run("import-year", write(tmp_path, text), "--year", "2027")
    message = str(caught.value)
    assert message.splitlines() == [
        "The holiday file has 6 bad row(s); nothing was imported.",
        "Line 3: date: “2027-02-30” is not a date in the form YYYY-MM-DD.",
        "Line 4: date: 2026-05-01 is not in the year 2027.",
        "Line 5: is_working_day: “maybe” is not one of 1, 0, true, false, 是, 否.",
        "Line 6: date: 2027-01-01 already appears on line 2.",
        "Line 8: expected 2 or 3 columns (date, is_working_day, name), found 1.",
        "Line 9: date: “27-10-01” is not a date in the form YYYY-MM-DD.",
    ]
    assert CalendarDay.objects.count() == 0
    assert CalendarYear.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_import_no_publish_keeps_the_year_unknown(tmp_path: Path) -> None:
    output = run("import-year", write(tmp_path, HOLIDAYS_2027), "--year", "2027", "--no-publish")
    assert output == "2027: 6 added, 0 changed, 0 unchanged, 0 removed; published: no."
    assert CalendarDay.objects.count() == 6
    assert not CalendarYear.objects.filter(is_published=True).exists()
    with pytest.raises(CalendarUnknownYearError):
        add_working_days(dt.date(2026, 12, 31), 1)


def test_import_of_an_empty_file_or_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Line 1: the file contains no calendar rows"):
        run("import-year", write(tmp_path, "date,is_working_day,name\n"), "--year", "2027")
    with pytest.raises(CommandError, match="Cannot read"):
        run("import-year", str(tmp_path / "missing.csv"), "--year", "2027")
    assert CalendarYear.objects.count() == 0


def test_import_records_the_actor(tmp_path: Path, city_admin) -> None:  # type: ignore[no-untyped-def]
    run("import-year", write(tmp_path, HOLIDAYS_2027), "--year", "2027", "--actor", "city-admin")
    audit = AuditRecord.objects.get()
    assert audit.actor_id == city_admin.pk
    assert audit.actor_username == "city-admin"
    with pytest.raises(CommandError, match="No user named nobody"):
        run("import-year", write(tmp_path, HOLIDAYS_2027), "--year", "2027", "--actor", "nobody")


def test_service_accepts_rows_and_override_on_a_covered_year() -> None:
    result = calendar_year_import(
        actor=None, year=2026, rows=[["2026-10-08", "否", "临时调整"]], publish=True
    )
    assert (result.created, result.is_published) == (1, True)
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 9)


def test_service_rejects_an_absurd_year() -> None:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        calendar_year_import(actor=None, year=20270, rows=[["20270-01-01", "0", ""]])
    assert caught.value.field == "year"
    assert "20270" in str(caught.value)


def test_service_error_lists_line_numbers_and_boolean_words() -> None:
    rows = [["2027-01-01", "TRUE"], ["2027-01-02", "是"], ["2027-01-03", "yes"]]
    with translation.override("en"), pytest.raises(CalendarImportError) as caught:
        calendar_year_import(actor=None, year=2027, rows=rows, first_line=10)
    assert caught.value.errors == [
        (12, "is_working_day: “yes” is not one of 1, 0, true, false, 是, 否.")
    ]
    assert caught.value.details == {"errors": caught.value.errors}
    assert CalendarDay.objects.count() == 0
