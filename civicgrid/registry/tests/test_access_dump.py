"""A database dump alone does not expose ID numbers: after persons are created, looked up,
revealed and exported, no table holds a plain ID number (nor does ``dumpdata``)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.db import connection

from civicgrid.accounts.models import User
from civicgrid.registry.selectors.people import person_by_id_number
from civicgrid.registry.services.access import person_reveal, persons_export

from .sharing_fixtures import build_people


def _all_rows_as_text() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


def test_no_plain_id_number_in_a_dump(territory: Any, xz_grid_worker: User) -> None:
    people = build_people(territory)
    number = people.numbers["张三"]
    assert person_by_id_number(xz_grid_worker, number.lower()) == people.zhang
    revealed = person_reveal(
        actor=xz_grid_worker, person=people.zhang, fields=["id_number"], purpose="核实身份"
    )
    assert revealed["id_number"] == number
    persons_export(
        actor=xz_grid_worker,
        file_format="csv",
        query=number,
        unmasked=True,
        purpose="核实身份",
    )
    text = _all_rows_as_text()
    assert people.zhang.id_masked in text  # the rows were read
    output = io.StringIO()
    call_command("dumpdata", stdout=output)
    dump = output.getvalue()
    assert people.zhang.id_hash in dump
    for plain in people.numbers.values():
        assert plain not in text
        assert plain not in dump
        assert plain.lower() not in text.lower()
