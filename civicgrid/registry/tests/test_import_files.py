"""Registry import: Excel with merged header rows, missing columns, the other record kinds,
the CLI and the background pipeline."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from civicgrid.core.creditcodes import credit_code_check_char
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import (
    Address,
    Building,
    FieldConflict,
    Household,
    HouseholdMember,
    ImportRowError,
    ImportRun,
    ImportStatus,
    LegalEntity,
    Person,
)
from civicgrid.registry.services import registry_import

from .test_import_persons import make_id, write_csv


def make_uscc(body: str) -> str:
    return body + credit_code_check_char(body)


def test_excel_with_title_and_merged_two_row_header(territory: Any, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["珠海市人口信息采集表（2026年12月）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["身份证号", "姓名", "居住证", None, "现住址", "人口类型"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("E2:E3")
    sheet.merge_cells("F2:F3")
    sheet.append([None, None, "居住证号", "居住证有效期至", None, None])
    first = make_id("440402", "19880512", 321)
    second = make_id("360111", "19950101", 122)
    sheet.append([first, "陈一", None, None, "香洲区翠香街道紫荆社区紫荆路8号1栋101", "户籍"])
    sheet.append([second, "林二", "440400123", "2027-06-30", "", "流动人口"])
    sheet.append(["36011119950230122X", "错日期", None, None, "", ""])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert run.status == ImportStatus.COMPLETED
    assert (run.created_count, run.invalid_count) == (2, 1)
    error = ImportRowError.objects.get(run=run)
    assert (error.line, error.field_name) == (6, "id_number")
    lin = Person.objects.get(name="林二")
    assert lin.permit_number == "440400123"
    assert str(lin.permit_valid_until) == "2027-06-30"
    assert lin.residence_status == "floating"
    chen = Person.objects.get(name="陈一")
    assert chen.current_address.key == "香洲区|||紫荆路|8|1||101"


def test_missing_required_columns_fail_the_file_with_one_message(
    territory: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "x.csv", [["张三", "13800001111"]], header=["姓名", "联系电话"])
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert run.status == ImportStatus.FAILED
    assert "身份证号 (id_number)" in run.message
    assert Person.objects.count() == 0
    assert AuditRecord.objects.filter(action="registry.import_finish").count() == 1


def test_entities_are_upserted_by_credit_code_and_placed(territory: Any, tmp_path: Path) -> None:
    uscc = make_uscc("91440402MA4UX1234")
    header = ["统一社会信用代码", "名称", "类型", "法定代表人", "实际经营地址", "状态", "成立日期"]
    bad = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    path = write_csv(
        tmp_path / "e.csv",
        [
            [
                uscc,
                "珠海紫荆科技有限公司",
                "",
                "王大",
                "香洲区紫荆社区紫荆路3号",
                "存续",
                "2015-03-01",
            ],
            [bad, "坏码公司", "企业", "", "", "", ""],
            [make_uscc("52440400MJL12345X"), "明日社工服务中心", "", "", "", "", "2099-01-01"],
        ],
        header=header,
    )
    run = registry_import(actor=None, kind="entities", source="shichang", path=path)
    assert (run.created_count, run.invalid_count) == (1, 2)
    entity = LegalEntity.objects.get()
    assert (entity.kind, entity.status) == ("company", "active")
    assert entity.admin_unit_code == territory.xz_community.code
    assert entity.actual_address.key == "香洲区|||紫荆路|3|||"
    assert entity.field_sources["name"]["source"] == "shichang"
    fields = {e.line: e.field_name for e in ImportRowError.objects.filter(run=run)}
    assert fields == {3: "uscc", 4: "established_on"}
    # 民政 gives another name: a conflict, the name stays.
    other = write_csv(tmp_path / "e2.csv", [[uscc, "紫荆科技", "", "", "", "", ""]], header=header)
    run2 = registry_import(actor=None, kind="entities", source="minzheng", path=other)
    assert run2.conflict_count == 1
    entity.refresh_from_db()
    assert entity.name == "珠海紫荆科技有限公司"
    assert FieldConflict.objects.get().entity == entity


def test_addresses_and_households(territory: Any, tmp_path: Path) -> None:
    addresses = write_csv(
        tmp_path / "a.csv",
        [
            ["香洲区", "翠香街道", "紫荆社区", "紫荆路", "12号", "3栋", "2单元", "501", "6", "5"],
            ["香洲区", "", "", "紫荆路", "12", "3", "2", "502", "", ""],
            ["斗门区", "白藤街道", "白藤一社区", "", "7号", "", "", "", "", ""],
            ["香洲区", "", "", "", "9号", "", "", "", "", ""],
        ],
        header=["区", "街道", "社区", "路/街", "门牌号", "楼栋", "单元", "房号", "经度", "纬度"],
    )
    run = registry_import(actor=None, kind="addresses", source="grid", path=addresses)
    assert (run.created_count, run.invalid_count) == (3, 1)
    assert Building.objects.count() == 2
    home = Address.objects.get(key="香洲区|||紫荆路|12|3|2|501")
    assert home.admin_unit_code == territory.xz_grid_2.code
    assert home.building.lon == 6.0
    village = Address.objects.get(key="斗门区|白藤街道|白藤一社区||7|||")
    assert village.admin_unit_code == territory.dm_community.code
    again = registry_import(actor=None, kind="addresses", source="grid", path=addresses)
    assert (again.created_count, again.unchanged_count) == (0, 3)

    head, spouse, stranger = (
        make_id("440402", "19700101", 111),
        make_id("440402", "19720202", 222),
        make_id("440402", "19800303", 333),
    )
    persons = write_csv(
        tmp_path / "p.csv",
        [[head, "户主甲", "", "", "", "", "", ""], [spouse, "配偶乙", "", "", "", "", "", ""]],
    )
    registry_import(actor=None, kind="persons", source="gongan", path=persons)
    households = write_csv(
        tmp_path / "h.csv",
        [
            ["H001", "家庭户", "香洲区紫荆路12号3栋2单元501", head, "户主"],
            ["H001", "家庭户", "香洲区紫荆路12号3栋2单元501", spouse, "配偶"],
            ["H001", "家庭户", "香洲区紫荆路12号3栋2单元501", stranger, "子女"],
            ["H002", "家庭户", "", spouse, "户主"],
            ["H003", "", "", head, "叔叔"],
        ],
        header=["户号", "户类型", "地址", "身份证号", "与户主关系"],
    )
    run = registry_import(actor=None, kind="households", source="gongan", path=households)
    assert (run.created_count, run.invalid_count) == (3, 2)
    household = Household.objects.get(number="H001")
    assert household.address == home
    assert household.admin_unit_code == territory.xz_grid_2.code
    relations = dict(household.members.values_list("person__name", "relation"))
    assert relations == {"户主甲": "head", "配偶乙": "spouse"}
    assert HouseholdMember.objects.count() == 3
    reasons = {e.line: e.field_name for e in ImportRowError.objects.filter(run=run)}
    assert reasons == {4: "id_number", 6: "relation"}
    again = registry_import(actor=None, kind="households", source="gongan", path=households)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_cli_prints_summary_and_exits_1_on_invalid_rows(territory: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            [make_id("440402", "19700101", 111), "甲", "", "", "", "", "", ""],
            ["1", "乙", "", "", "", "", "", ""],
        ],
    )
    out = io.StringIO()
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError) as raised:
        call_command(
            "registry",
            "import",
            "persons",
            str(path),
            "--source",
            "gongan",
            "--report",
            str(report),
            stdout=out,
        )
    assert raised.value.returncode == 1
    summary = json.loads(out.getvalue())
    assert (summary["created"], summary["invalid"]) == (1, 1)
    assert summary["error_report"] == str(report)
    assert "身份证号" in report.read_text(encoding="utf-8-sig")
    with pytest.raises(CommandError) as raised:
        call_command(
            "registry", "import", "persons", str(path), "--source", "nope", stdout=io.StringIO()
        )
    assert raised.value.returncode == 2


def _fake_commit(
    write: Callable[[Any, int, int | None], None], committed: Callable[[int], None]
) -> Callable[..., None]:
    """A stand-in for ``imports._commit`` (the writers' own connections cannot see a test's
    transaction; the chunk writing itself is tested above): ``write(ctx, last line, lock
    key)`` where the chunk is written, then the turn to commit, then ``committed(last
    line)``."""

    def fake(
        run: Any,
        ctx: Any,
        spec: Any,
        chunk: list[Any],
        errors: Any,
        last: int,
        key: int | None,
        *,
        before_commit: Callable[[], None],
    ) -> None:
        write(ctx, last, key)
        before_commit()
        committed(last)

    return fake


def _committer(pk: int, writers: int, crash_after: int | None = None) -> Any:
    from civicgrid.registry.services import imports

    return imports._Committer(
        ImportRun(pk=pk),
        SimpleNamespace(address_turn=None),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        0,
        crash_after,
        threaded=True,
        writers=writers,
        session_lock=writers > 1,
    )


def _feed(committer: Any, lines: range) -> None:
    for line in lines:
        committer.commit([line], [], line)
    committer.close()


def test_writer_thread_commits_in_order_and_hands_errors_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One writer thread: chunks commit in order on it; its error comes back to the reading
    thread, as does a simulated crash."""
    from civicgrid.registry.services import imports

    done: list[tuple[int, str]] = []

    def write(ctx: Any, last: int, key: int | None) -> None:
        if last == 30:
            raise RuntimeError("disk full")

    monkeypatch.setattr(
        imports,
        "_commit",
        _fake_commit(write, lambda last: done.append((last, threading.current_thread().name))),
    )
    _feed(_committer(7, 1), range(10, 30, 10))
    assert done == [(10, "registry-import-writer-7-0"), (20, "registry-import-writer-7-0")]
    with pytest.raises(RuntimeError, match="disk full"):
        _feed(_committer(7, 1), range(30, 1000, 10))
    with pytest.raises(imports.SimulatedCrash):
        _feed(_committer(7, 1, crash_after=1), range(50, 60, 10))


def test_several_writers_place_addresses_and_commit_in_file_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two writers take chunks in turn; each chunk's address step and commit wait for the
    chunk before (the even chunks are slowed down to tempt the odd ones ahead), and once a
    chunk fails no later chunk commits, while the earlier ones do."""
    from civicgrid.registry.services import imports

    placed: list[int] = []
    done: list[int] = []
    threads: set[str] = set()

    def write(ctx: Any, last: int, key: int | None) -> None:
        assert key is None  # the run holds the lock, not each chunk
        threads.add(threading.current_thread().name)
        if last % 20 == 0:
            time.sleep(0.02)
        with ctx.address_turn():
            placed.append(last)
        if last == 70:
            raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_commit", _fake_commit(write, done.append))
    _feed(_committer(8, 2), range(10, 70, 10))
    assert placed == done == [10, 20, 30, 40, 50, 60]
    assert len(threads) == 2
    placed.clear()
    done.clear()
    with pytest.raises(RuntimeError, match="disk full"):
        _feed(_committer(9, 2), range(10, 200, 10))
    assert done == [10, 20, 30, 40, 50, 60]
    assert placed[:7] == [10, 20, 30, 40, 50, 60, 70]


def test_closing_stops_every_writer_whichever_takes_which_end_mark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Any writer may take any end mark: closing puts one per writer, not one per writer
    found still running (a writer that took an earlier mark would leave another waiting)."""
    from civicgrid.registry.services import imports

    monkeypatch.setattr(
        imports, "_commit", _fake_commit(lambda ctx, last, key: None, lambda last: None)
    )
    for attempt in range(40):
        closing = threading.Thread(
            target=_feed, args=(_committer(attempt, 3), range(attempt % 3)), daemon=True
        )
        closing.start()
        closing.join(timeout=10)
        assert not closing.is_alive(), f"close() hung (attempt {attempt})"


def test_a_file_in_neither_utf8_nor_gbk_fails_with_a_clear_message(
    territory: Any, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes("身份证号,姓名\n".encode("gbk") + b"\xff\xff\xff,\x80\n")
    run = registry_import(actor=None, kind="persons", source="gongan", path=path)
    assert run.status == ImportStatus.FAILED
    assert "GBK" in run.message
    assert Person.objects.count() == 0
