"""Console: template out, filled template and DHIS2 CSV in, errors listed with row numbers."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from civicgrid.indicators.models import DataValue, IndicatorAggregate

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_template_and_import_through_the_console(
    territory, catalogue: Catalogue, people: People, tmp_path: Path
) -> None:
    template = tmp_path / "care.xlsx"
    call_command("indicators", "template", "ELDERLY_CARE", "2015", str(template), "--user", "xz-c")
    book = load_workbook(template)
    sheet = book.worksheets[0]
    sheet["D3"] = 12
    sheet["E3"] = 20
    book.save(template)
    out = io.StringIO()
    call_command(
        "indicators",
        "import",
        str(template),
        "--data-set",
        "ELDERLY_CARE",
        "--user",
        "xz-c",
        stdout=out,
    )
    assert '"values": 2' in out.getvalue()
    assert DataValue.objects.get(element__code="BEDS").value == Decimal("12")


def test_csv_import_lists_bad_rows_and_saves_nothing(
    territory, catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "values.csv"
    path.write_text(
        "dataElement,period,orgUnit,value\nBEDS,2015,440402001001,10\nBEDS,2015,440403001001,ten\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as failed:
        call_command("indicators", "import", str(path), "--as-approved")
    assert "row 3" in str(failed.value)
    assert not DataValue.objects.exists()
    path.write_text(
        "dataElement,period,orgUnit,value\nBEDS,2015,440402001001,10\n"
        "BED_CAPACITY,2015,440402001001,40\n",
        encoding="utf-8",
    )
    call_command("indicators", "import", str(path), "--as-approved", stdout=io.StringIO())
    assert IndicatorAggregate.objects.get(
        indicator=catalogue.occupancy, unit_code="4404", period="2015"
    ).value == pytest.approx(25.0)
    out = io.StringIO()
    call_command("indicators", "refresh", stdout=out)
    assert '"rows"' in out.getvalue()
