"""``field_sources`` is stored compact (each stamp once) and reads back as it was written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.registry.models import Person
from civicgrid.registry.provenance import STAMPS, compact, expand
from civicgrid.registry.services import registry_import

_names = st.text(min_size=1, max_size=12).filter(lambda name: name != STAMPS)
_stamps = st.fixed_dictionaries(
    {"source": st.sampled_from(["gongan", "minzheng", "grid", ""]), "at": st.text(max_size=32)}
)
_odd = st.one_of(
    st.none(),
    st.text(),
    st.fixed_dictionaries({"source": st.text(), "at": st.text(), "by": st.text()}),
    st.fixed_dictionaries({"source": st.integers(), "at": st.text()}),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_names, st.one_of(_stamps, _stamps, _odd), max_size=15))
def test_compact_then_expand_gives_back_the_mapping(sources: dict[str, Any]) -> None:
    """Through JSON, as the database keeps it; entries that are not stamps survive as they are."""
    assert expand(json.loads(json.dumps(compact(sources)))) == sources


def test_each_stamp_is_stored_once_in_order_of_first_use() -> None:
    a = {"source": "gongan", "at": "2026-12-07T08:00:00+00:00"}
    b = {"source": "grid", "at": "2026-12-07T09:00:00+00:00"}
    stored = compact({"name": a, "phone": b, "sex": a, "employer": {"source": "x", "at": 1}})
    assert stored == {
        STAMPS: [["gongan", a["at"]], ["grid", b["at"]]],
        "name": 0,
        "phone": 1,
        "sex": 0,
        "employer": {"source": "x", "at": 1},
    }
    assert compact({}) == {}
    assert compact({"name": {"source": "gongan"}}) == {"name": {"source": "gongan"}}


def test_the_older_form_and_damaged_rows_read_without_inventing_sources() -> None:
    older = {"name": {"source": "gongan", "at": "2026-01-01T00:00:00+00:00"}}
    assert expand(older) == older
    assert expand({STAMPS: [["gongan", "t"]], "name": 0, "phone": 7, "sex": -1}) == {
        "name": {"source": "gongan", "at": "t"}
    }
    assert expand(None) is None
    assert expand("text") == "text"


HEADER = ["身份证号", "姓名", "联系电话", "现住址", "经度", "纬度", "人口类型", "工作单位"]


def _id(sequence: int) -> str:
    body = f"44040219800101{sequence:03d}"
    return body + id_number_check_digit(body)


def _csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _stored(person: Person) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT field_sources FROM registry_person WHERE id = %s", [person.pk])
        value = cursor.fetchone()[0]
    return json.loads(value) if isinstance(value, str) else value


@pytest.mark.django_db(transaction=False)
def test_imported_and_merged_persons_keep_compact_sources(territory: Any, tmp_path: Path) -> None:
    first = _csv(tmp_path / "g.csv", [[_id(101), "张三", "", "", "", "", "", ""]])
    registry_import(actor=None, kind="persons", source="gongan", path=first)
    person = Person.objects.get()
    stored = _stored(person)
    assert [code for code, _ in stored[STAMPS]] == ["gongan"]
    assert stored["name"] == 0
    assert person.field_sources["name"] == {"source": "gongan", "at": stored[STAMPS][0][1]}
    # A second source fills the phone: two stamps, the name keeps the first.
    second = _csv(tmp_path / "m.csv", [[_id(101), "张三", "13800001111", "", "", "", "", ""]])
    registry_import(actor=None, kind="persons", source="minzheng", path=second)
    person.refresh_from_db()
    stored = _stored(person)
    assert [code for code, _ in stored[STAMPS]] == ["gongan", "minzheng"]
    assert person.field_sources["name"]["source"] == "gongan"
    assert person.field_sources["phone"]["source"] == "minzheng"
    # Saved through the ORM, the field compacts too.
    person.field_sources["employer"] = {"source": "renshe", "at": "2026-12-07T00:00:00+00:00"}
    person.save(update_fields=["field_sources"])
    stored = _stored(person)
    assert ["renshe", "2026-12-07T00:00:00+00:00"] in stored[STAMPS]
    assert Person.objects.get().field_sources["employer"]["source"] == "renshe"
