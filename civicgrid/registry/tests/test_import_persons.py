"""Registry import of persons: validation, idempotence, 一数一源 conflicts, resume."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    Address,
    Building,
    FieldConflict,
    ImportRowError,
    ImportRun,
    ImportStatus,
    Person,
    Residence,
    Source,
    SourceRecord,
)
from civicgrid.registry.services import SimulatedCrash, error_report_csv, registry_import

HEADER = ["身份证号", "姓名", "联系电话", "现住址", "经度", "纬度", "人口类型", "工作单位"]


def make_id(region: str, birth: str, sequence: int) -> str:
    body = f"{region}{birth}{sequence:03d}"
    return body + id_number_check_digit(body)


def write_csv(
    path: Path, rows: list[list[Any]], *, header: list[str] = HEADER, encoding: str = "utf-8"
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def import_until_a_crash(
    path: Path, *, chunk_size: int, chunks: int, pipeline: bool = False
) -> None:
    """Import ``path`` (gongan persons) and crash after ``chunks`` chunks committed."""
    with pytest.raises(SimulatedCrash):
        registry_import(
            actor=None,
            kind="persons",
            source="gongan",
            path=path,
            chunk_size=chunk_size,
            crash_after_chunks=chunks,
            pipeline=pipeline,
        )


@pytest.fixture
def ids() -> list[str]:
    return [make_id("440402", f"19{50 + n:02d}0{1 + n % 9}1{n % 9}", 100 + n) for n in range(20)]


def test_mixed_file_imports_valid_rows_once_and_reports_every_invalid_row(
    territory: Any, tmp_path: Path, ids: list[str]
) -> None:
    good = ids[0]
    bad_check = ids[1][:17] + ("0" if ids[1][17] != "0" else "1")
    rows = [
        [
            good,
            "张三",
            "13800001111",
            "珠海市香洲区翠香街道紫荆社区紫荆路12号3栋2单元501",
            "",
            "",
            "户籍",
            "",
        ],
        [bad_check, "李四", "", "", "", "", "", ""],
        [make_id("440402", "19900230", 123)[:17] + "X", "王五", "", "", "", "", "", ""],
        [ids[2], "赵六", "12345678", "", "", "", "", ""],
        [
            good,
            "张三",
            "13800001111",
            "珠海市香洲区翠香街道紫荆社区紫荆路12号3栋2单元501",
            "",
            "",
            "户籍",
            "",
        ],
        [ids[3], "钱七", "", "", "2.5", "5", "流动人口", "某公司"],
        [ids[4], "孙八", "", "", "", "", "火星人", ""],
    ]
    path = write_csv(tmp_path / "persons.csv", rows, encoding="gbk")
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert run.status == ImportStatus.COMPLETED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (2, 0, 0)
    assert run.invalid_count == 5
    errors = {(e.line, e.field_name): e.message for e in ImportRowError.objects.filter(run=run)}
    assert set(errors) == {
        (3, "id_number"),
        (4, "id_number"),
        (5, "phone"),
        (6, ""),
        (8, "residence_status"),
    }
    assert "校验码" in errors[(3, "id_number")] or "check digit" in errors[(3, "id_number")]
    assert "2" in errors[(6, "")]  # the line of the first occurrence
    persons = {p.name: p for p in Person.objects.all()}
    assert set(persons) == {"张三", "钱七"}
    zhang = persons["张三"]
    assert zhang.id_hash == crypto.id_hash(good)
    assert crypto.unseal(zhang.id_sealed) == good
    assert good not in zhang.id_masked
    assert zhang.admin_unit_code == territory.xz_community.code
    assert zhang.current_address is not None
    assert zhang.current_address.key == "香洲区|||紫荆路|12|3|2|501"
    assert zhang.field_sources["name"]["source"] == "gongan"
    # The ID number and what it states (sex, birth date) name their source like any field.
    for field in ("id_number", "sex", "birth_date"):
        assert zhang.field_sources[field]["source"] == "gongan"
    qian = persons["钱七"]
    assert qian.admin_unit_code == territory.xz_grid_1.code
    assert qian.residence_status == "floating"
    assert SourceRecord.objects.count() == 2
    assert all(good not in str(r.fields) for r in SourceRecord.objects.all())
    report = error_report_csv(run).decode("utf-8-sig")
    assert report.count("\n") == 6
    assert good not in report

    again = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert again.invalid_count == 5
    assert Person.objects.count() == 2
    assert SourceRecord.objects.count() == 2


def test_two_sources_with_different_names_open_one_conflict(
    territory: Any, tmp_path: Path, ids: list[str]
) -> None:
    gongan = write_csv(tmp_path / "gongan.csv", [[ids[0], "张三", "", "", "", "", "", ""]])
    minzheng = write_csv(
        tmp_path / "minzheng.csv", [[ids[0], "张叁", "13800001111", "", "", "", "", ""]]
    )
    registry_import(actor=None, kind="persons", source="gongan", path=gongan)
    run = registry_import(actor=None, kind="persons", source="minzheng", path=minzheng)
    assert (run.created_count, run.updated_count, run.conflict_count) == (0, 1, 1)
    person = Person.objects.get()
    assert person.name == "张三"
    assert person.phone == "13800001111"  # an empty field is filled by any source
    assert person.field_sources["phone"]["source"] == "minzheng"
    conflict = FieldConflict.objects.get()
    assert (conflict.field_name, conflict.current_value, conflict.proposed_value) == (
        "name",
        "张三",
        "张叁",
    )
    assert conflict.proposed_source.code == "minzheng"
    assert conflict.status == "open"
    # 民政 again with one more field: a new source record, the same conflict stays single.
    minzheng2 = write_csv(
        tmp_path / "minzheng2.csv", [[ids[0], "张叁", "13800001111", "", "", "", "", "民政局"]]
    )
    run2 = registry_import(actor=None, kind="persons", source="minzheng", path=minzheng2)
    assert run2.conflict_count == 0
    assert FieldConflict.objects.count() == 1
    # The authority overwrites a value that a non-authoritative source gave first.
    other = write_csv(tmp_path / "m3.csv", [[ids[5], "王伍", "", "", "", "", "", ""]])
    registry_import(actor=None, kind="persons", source="minzheng", path=other)
    fix = write_csv(tmp_path / "g3.csv", [[ids[5], "王五", "", "", "", "", "", ""]])
    run3 = registry_import(actor=None, kind="persons", source="gongan", path=fix)
    assert (run3.updated_count, run3.conflict_count) == (1, 0)
    wang = Person.objects.get(name="王五")
    assert wang.field_sources["name"]["source"] == "gongan"


def test_resume_after_a_crash_keeps_only_whole_chunks(territory: Any, tmp_path: Path) -> None:
    rows = [
        [
            make_id("440402", f"1980{1 + n % 12:02d}{1 + n % 28:02d}", n),
            f"人{n}",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
        for n in range(23)
    ]
    rows[7][0] = "44040219800101001"  # 17 characters: invalid
    path = write_csv(tmp_path / "persons.csv", rows)
    import_until_a_crash(path, chunk_size=10, chunks=1)
    assert Person.objects.count() == 9
    run = registry_import(
        actor=None, kind="persons", source="gongan", path=path, chunk_size=10, resume=True
    )
    assert run.committed_lines == 24
    assert (run.created_count, run.invalid_count) == (22, 1)
    assert Person.objects.count() == 22
    assert SourceRecord.objects.count() == 22
    assert ImportRowError.objects.filter(run=run).count() == 1


def test_a_building_known_by_its_community_moves_into_the_grid_of_a_later_point(
    territory: Any, tmp_path: Path
) -> None:
    home = "香洲区翠香街道紫荆社区紫荆路20号1栋101"
    people = [
        [make_id("440402", "19800101", 1), "甲", "", home, "", "", "", ""],
        [make_id("440402", "19800101", 2), "乙", "", home, "7", "5", "", ""],
        [make_id("440402", "19800101", 3), "丙", "", home, "", "", "", ""],
    ]
    path = write_csv(tmp_path / "p.csv", people)
    registry_import(actor=None, kind="persons", source="gongan", path=path, chunk_size=1)
    units = dict(Person.objects.values_list("name", "admin_unit_code"))
    assert units == {
        "甲": territory.xz_community.code,  # placed before anything better was known
        "乙": territory.xz_grid_2.code,
        "丙": territory.xz_grid_2.code,
    }
    person = Person.objects.get(name="丙")
    assert person.current_address.admin_unit_code == territory.xz_grid_2.code
    assert person.current_address.building.admin_unit == territory.xz_grid_2


def test_a_new_dwelling_with_a_point_moves_its_community_placed_building_into_the_grid(
    territory: Any, tmp_path: Path
) -> None:
    first = "香洲区翠香街道紫荆社区紫荆路21号1栋101"
    second = "香洲区翠香街道紫荆社区紫荆路21号1栋102"  # same building, a dwelling not seen yet
    people = [
        [make_id("440402", "19800101", 4), "丁", "", first, "", "", "", ""],
        [make_id("440402", "19800101", 5), "戊", "", second, "7", "5", "", ""],
    ]
    path = write_csv(tmp_path / "p.csv", people)
    registry_import(actor=None, kind="persons", source="gongan", path=path, chunk_size=1)
    addresses = dict(Address.objects.values_list("room", "admin_unit_code"))
    assert addresses == {"101": territory.xz_grid_2.code, "102": territory.xz_grid_2.code}
    assert Person.objects.get(name="戊").admin_unit_code == territory.xz_grid_2.code
    assert Person.objects.get(name="丁").admin_unit_code == territory.xz_community.code


def test_a_foreign_permanent_resident_card_imports(territory: Any, tmp_path: Path) -> None:
    """外国人永久居留身份证 (2023 design: 9 + issuing province + nationality + birth date …)."""
    number = make_id("944840", "19850615", 13)
    path = write_csv(tmp_path / "foreign.csv", [[number, "约翰", "", "", "", "", "境外", ""]])
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert (run.created_count, run.invalid_count) == (1, 0)
    person = Person.objects.get(id_hash=crypto.id_hash(number))
    assert (person.residence_status, person.sex, str(person.birth_date)) == (
        "foreign",
        "M",
        "1985-06-15",
    )


def test_imported_addresses_become_residences_that_end_when_the_person_moves(
    territory: Any, tmp_path: Path, ids: list[str]
) -> None:
    header = [*HEADER, "居住方式", "入住日期"]
    first = "珠海市香洲区翠香街道紫荆社区紫荆路12号3栋2单元501"
    second = "珠海市香洲区翠香街道紫荆社区紫荆路14号1栋1单元101"
    rows = [
        [ids[0], "张三", "", first, "", "", "流动人口", "", "租住", "2025-03-01"],
        [ids[1], "李四", "", first, "", "", "户籍", "", "", ""],
        [ids[2], "王五", "", "", "", "", "户籍", "", "", ""],  # no address: no residence
        [ids[3], "赵六", "", first, "", "", "户籍", "", "帐篷", "2025-13-01"],
    ]
    path = write_csv(tmp_path / "p.csv", rows, header=header)
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert (run.created_count, run.invalid_count) == (3, 1)
    reasons = " ".join(ImportRowError.objects.filter(line=5).values_list("message", flat=True))
    assert "居住方式" in reasons
    assert "帐篷" in reasons
    assert "入住日期" in reasons
    zhang = Person.objects.get(name="张三")
    (residence,) = zhang.residences.all()
    assert residence.address == zhang.current_address
    assert (residence.kind, residence.moved_in, residence.moved_out) == (
        "rent",
        dt.date(2025, 3, 1),
        None,
    )
    assert residence.source is not None
    assert residence.source.code == "gongan"
    assert residence.admin_unit_code == zhang.admin_unit_code
    assert Person.objects.get(name="李四").residences.get().kind == "unknown"
    assert not Person.objects.get(name="王五").residences.exists()
    assert Residence.objects.count() == 2

    # The same file again changes nothing; a later file moves 张三 on 2026-06-01.
    registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert Residence.objects.count() == 2
    moved = write_csv(
        tmp_path / "moved.csv",
        [[ids[0], "张三", "", second, "", "", "流动人口", "", "自有", "2026-06-01"]],
        header=header,
    )
    run = registry_import(actor=None, kind="persons", source="gongan", path=moved)
    assert run.updated_count == 1
    zhang.refresh_from_db()
    old, new = zhang.residences.order_by("pk")
    assert (old.moved_out, old.kind) == (dt.date(2026, 6, 1), "rent")
    assert (new.address, new.kind, new.moved_in, new.moved_out) == (
        zhang.current_address,
        "own",
        dt.date(2026, 6, 1),
        None,
    )
    registry_import(actor=None, kind="persons", source="gongan", path=moved)
    assert zhang.residences.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection")
@pytest.mark.django_db(transaction=True)
def test_the_pipelined_import_writes_whole_chunks_and_resumes(
    territory: Any, tmp_path: Path
) -> None:
    """The CLI's way on PostgreSQL: writer threads on connections of their own (two for
    persons), chunks of 4 rows whose people share addresses and buildings across chunks, and
    buildings first known by their community that a later chunk's point moves into a grid.
    Every valid row lands once and is placed as the file order says, addresses are not
    doubled, a crash after two chunks keeps exactly those two, and the resume finishes."""
    # A transactional test may follow another, which emptied the tables migrations fill.
    Source.objects.get_or_create(code="gongan", defaults={"name": "公安"})
    homes = [f"珠海市香洲区翠香街道紫荆社区紫荆路{12 + n % 3}号3栋2单元50{n % 2}" for n in range(6)]
    with_point = {n for n in range(30) if n % 5 == 4 and n != 9}
    rows = [
        [
            make_id("440402", f"1970{1 + n % 12:02d}{1 + n % 28:02d}", 200 + n),
            f"人{n}",
            "",
            homes[n % len(homes)],
            "7" if n in with_point else "",
            "5" if n in with_point else "",
            "",
            "",
        ]
        for n in range(30)
    ]
    rows[9][0] = "44040219800101001"  # 17 characters: invalid
    path = write_csv(tmp_path / "persons.csv", rows)
    import_until_a_crash(path, chunk_size=4, chunks=2, pipeline=True)
    assert Person.objects.count() == 8  # lines 2-9: two whole chunks
    run = registry_import(
        actor=None,
        kind="persons",
        source="gongan",
        path=path,
        chunk_size=4,
        resume=True,
        pipeline=True,
    )
    assert run.status == ImportStatus.COMPLETED
    assert run.committed_lines == 31
    assert (run.created_count, run.invalid_count) == (29, 1)
    assert Person.objects.count() == 29
    assert SourceRecord.objects.count() == 29
    assert Address.objects.count() == len({home for home in homes})
    assert Residence.objects.count() == 29
    assert not Person.objects.filter(current_address__isnull=True).exists()
    # Row n is in chunk n // 4; a building is in the grid from the chunk of its first point.
    first_point: dict[int, int] = {}
    for n in sorted(with_point):
        first_point.setdefault(n % 3, n // 4)  # homes[n % 6] is in building 12 + n % 3
    expected = {
        f"人{n}": territory.xz_grid_2.code
        if n // 4 >= first_point[n % 3]
        else territory.xz_community.code
        for n in range(30)
        if n != 9
    }
    assert dict(Person.objects.values_list("name", "admin_unit_code")) == expected
    assert set(Address.objects.values_list("admin_unit_code", flat=True)) == {
        territory.xz_grid_2.code
    }
    again = registry_import(
        actor=None, kind="persons", source="gongan", path=path, chunk_size=4, pipeline=True
    )
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 29)
    assert Person.objects.count() == 29


def _registry_state() -> dict[str, set[tuple[Any, ...]]]:
    """What an import wrote, by natural keys (ids and times differ between two imports)."""
    return {
        "buildings": set(Building.objects.values_list("key", "admin_unit_code", "admin_unit_id")),
        "addresses": set(Address.objects.values_list("key", "admin_unit_code", "building__key")),
        "persons": {
            (
                person.id_hash,
                person.name,
                person.admin_unit_code,
                person.current_address.key if person.current_address else None,
                tuple(sorted((k, v["source"]) for k, v in person.field_sources.items())),
            )
            for person in Person.objects.select_related("current_address")
        },
        "residences": set(
            Residence.objects.values_list(
                "person__id_hash", "address__key", "admin_unit_code", "kind", "moved_in"
            )
        ),
        "records": set(
            SourceRecord.objects.values_list(
                "natural_key", "fingerprint", "admin_unit_code", "line"
            )
        ),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several writer connections")
@pytest.mark.django_db(transaction=True)
def test_a_synthetic_city_imports_the_same_with_and_without_the_writers(
    territory: Any, tmp_path: Path, settings: Any
) -> None:
    """2,000 synthetic persons (homes shared across chunks, half of the rows with a point)
    in chunks of 100: the pipelined import with three writers (the setting; two by default)
    leaves exactly what the plain import leaves."""
    settings.CIVICGRID_REGISTRY_IMPORT_WRITERS = 3
    Source.objects.get_or_create(code="gongan", defaults={"name": "公安"})
    sizes = ["--persons", "2000", "--dwellings", "400", "--entities", "1", "--noisy", "0"]
    call_command("registry", "generate", str(tmp_path), *sizes, stdout=io.StringIO())
    path = tmp_path / "persons.csv"
    states = []
    for pipeline in (True, False):
        run = registry_import(
            actor=None,
            kind="persons",
            source="gongan",
            path=path,
            chunk_size=100,
            pipeline=pipeline,
        )
        assert (run.status, run.created_count) == (ImportStatus.COMPLETED, 2000)
        states.append(_registry_state())
        for model in (SourceRecord, Residence, Person, Address, Building, ImportRun):
            model.objects.all().delete()
    piped, plain = states
    assert len(plain["persons"]) == 2000
    assert len(plain["addresses"]) > 300
    for name in plain:
        assert piped[name] == plain[name], name
