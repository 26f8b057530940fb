"""``civicgrid territory …`` with bad input: clear messages, no traceback, nothing written."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicgrid.territory.models import AdminUnit


def run(*args: str) -> str:
    out = StringIO()
    call_command("territory", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("locate", "abc", "22.27"), "The longitude must be a number, got abc."),
        (("locate", "113.5", "95"), "The latitude must lie between -90 and 90, got 95."),
        (("import-divisions", "/no/such/file.csv"), "The file /no/such/file.csv does not exist."),
        (
            ("import-boundaries", "/no/such.geojson", "--level", "district"),
            "The file /no/such.geojson does not exist.",
        ),
        (("import-departments", "/no/such.csv"), "The file /no/such.csv does not exist."),
        (("import-divisions", "x.csv", "--city", "44"), "The city code must be 4 digits, got 44."),
        (
            ("generate-demo-geometry", "--city", "4404", "--seed", "x"),
            "The seed must be a whole number, got x.",
        ),
        (("generate-demo-geometry", "--city", "9999"), "There is no city with the code 9999."),
        (("locate", "113.5", "22.2"), "No admin unit has a boundary yet; import boundaries first."),
    ],
)
def test_bad_input_gives_a_clear_message(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == message
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_import_divisions_prints_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "code,name,level,parent_code\n4404,珠海市,city,\n440402,,district,4404\n",
        encoding="utf-8",
    )
    assert run("import-divisions", str(path)) == (
        "Created: 1, updated: 0, unchanged: 0, rejected: 1.\n"
        "Line 3 (code 440402): the name is empty\n"
    )
