"""Legacy appeal import: CSV in GBK and .xlsx, row-level errors, all-or-nothing or skip-invalid,
re-import safety, and what an imported closed appeal looks like."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import Appeal, AppealEvent, Assignment, Category, TimeLimit
from civicgrid.appeals.services.legacy_import import legacy_appeals_import
from civicgrid.core.errors import PermissionDeniedError
from civicgrid.core.models import AuditRecord
from civicgrid.territory.models import DepartmentAlias

SH = ZoneInfo("Asia/Shanghai")
HEADER = [
    "原编号",
    "受理时间",
    "渠道",
    "类型",
    "分类",
    "标题",
    "内容",
    "地址",
    "经度",
    "纬度",
    "诉求人",
    "电话",
    "承办单位",
    "状态",
    "答复时间",
    "答复内容",
    "满意度",
    "办结时间",
]
CLOSED = [
    "OLD-0001",
    "2025-03-04 09:15",
    "热线",
    "投诉",
    "urban-vending",
    "门口占道经营",
    "每天晚上有商贩占道经营。",
    "紫荆路1号",
    "2",
    "5",
    "李四",
    "13800138000",
    "香洲区政府",
    "已办结",
    "2025-03-06 16:00",
    "已清理占道摊贩。",
    "满意",
    "2025-03-07 10:00",
]
ACCEPTED = [
    "OLD-0002",
    "2025-03-05",
    "网站",
    "consultation",
    "城市管理",
    "",
    "请问垃圾分类时间？",
    "",
    "",
    "",
    "",
    "",
    "",
    "accepted",
    "",
    "",
    "",
    "",
]


@pytest.fixture
def categories(territory: Any) -> dict[str, Category]:
    urban = Category.objects.create(code="urban", name="城市管理")
    vending = Category.objects.create(code="urban-vending", name="占道经营", parent=urban)
    TimeLimit.objects.create(
        appeal_type="complaint", category=vending, sign_for_days=2, handling_days=3
    )
    DepartmentAlias.objects.create(department=territory.xz_government, alias="香洲区人民政府")
    return {"urban": urban, "vending": vending}


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_gbk_csv_closed_appeal_with_events_deadlines_and_assignment(
    categories: dict[str, Category], territory: Any
) -> None:
    report = legacy_appeals_import(
        actor=None, content=_csv([CLOSED, ACCEPTED], "gbk"), file_name="old.csv"
    )
    assert report.errors == []
    assert (report.rows, report.imported, report.already_imported, report.invalid_rows) == (
        2,
        2,
        0,
        0,
    )
    appeal = Appeal.objects.get(source_reference="OLD-0001")
    assert appeal.number == "440420250304000001"
    assert (appeal.channel, appeal.appeal_type, appeal.category) == (
        "import",
        "complaint",
        categories["vending"],
    )
    assert (appeal.status, appeal.satisfaction) == ("closed", "satisfied")
    assert appeal.lead_department == territory.xz_government
    assert (appeal.admin_unit_code, appeal.lon, appeal.lat) == ("440402001001001", 2.0, 5.0)
    assert appeal.accepted_on == dt.date(2025, 3, 4)
    # Tuesday 2025-03-04 + 2 / + 3 working days
    assert appeal.sign_for_deadline == dt.date(2025, 3, 6)
    assert appeal.handling_deadline == dt.date(2025, 3, 7)
    assert appeal.replied_at == dt.datetime(2025, 3, 6, 16, 0, tzinfo=SH)
    assert appeal.closed_at == dt.datetime(2025, 3, 7, 10, 0, tzinfo=SH)
    assert appeal.citizen_phone == "13800138000"
    assert appeal.reply == "已清理占道摊贩。"
    assert appeal.is_auto_dispatched is False
    events = list(
        appeal.events.order_by("at", "id").values_list("kind", "from_status", "to_status", "at")
    )
    received = dt.datetime(2025, 3, 4, 9, 15, tzinfo=SH)
    assert events == [
        ("import", "", "accepted", received),
        ("dispatch", "accepted", "dispatched", received),
        ("sign_for", "dispatched", "signed", received),
        ("reply", "signed", "replied", dt.datetime(2025, 3, 6, 16, 0, tzinfo=SH)),
        ("follow_up", "replied", "followed_up", dt.datetime(2025, 3, 7, 10, 0, tzinfo=SH)),
        ("close", "followed_up", "closed", dt.datetime(2025, 3, 7, 10, 0, tzinfo=SH)),
    ]
    assert all(e.details["source"] == "legacy" for e in appeal.events.all())
    assert appeal.events.get(kind="import").details["legacy_channel"] == "热线"
    assert list(
        Assignment.objects.filter(appeal=appeal).values_list("department__code", "role", "is_open")
    ) == [("xiangzhou-government", "lead", False)]
    accepted = Appeal.objects.get(source_reference="OLD-0002")
    assert (accepted.status, accepted.lead_department, accepted.category) == (
        "accepted",
        None,
        categories["urban"],
    )
    assert accepted.title == "请问垃圾分类时间？"
    assert accepted.admin_unit_code == "4404"  # no coordinates: the city
    assert accepted.handling_deadline == dt.date(2025, 3, 7)  # consultation: 2 working days
    assert list(accepted.events.values_list("kind", flat=True)) == ["import"]
    assert not Assignment.objects.filter(appeal=accepted).exists()
    audit = AuditRecord.objects.get(action="appeals.legacy_import")
    assert (audit.details["file"], audit.details["imported"]) == ("old.csv", 2)


def test_xlsx_with_english_headers_and_excel_dates(categories: dict[str, Category]) -> None:
    header = [
        "source_reference",
        "received_at",
        "type",
        "text",
        "status",
        "lead_department",
        "lon",
        "lat",
    ]
    rows = [
        [
            "X-1",
            dt.datetime(2025, 4, 1, 8, 0),
            "help",
            "路灯不亮",
            "已派单",
            "doumen-government",
            12,
            3,
        ]
    ]
    report = legacy_appeals_import(actor=None, content=_xlsx(rows, header), file_name="old.xlsx")
    assert report.errors == []
    appeal = Appeal.objects.get(source_reference="X-1")
    assert (appeal.status, appeal.admin_unit_code, appeal.lead_department.code) == (
        "dispatched",
        "440403001001001",
        "doumen-government",
    )
    assert Assignment.objects.get(appeal=appeal).is_open is True
    assert list(appeal.events.values_list("kind", flat=True)) == ["import", "dispatch"]


def test_reimport_skips_existing_numbers(categories: dict[str, Category]) -> None:
    content = _xlsx([CLOSED, ACCEPTED])
    legacy_appeals_import(actor=None, content=content)
    again = legacy_appeals_import(actor=None, content=content)
    assert (again.rows, again.imported, again.already_imported) == (2, 0, 2)
    assert again.already_imported_rows == [2, 3]
    assert Appeal.objects.count() == 2
    assert AppealEvent.objects.count() == 7


@pytest.mark.parametrize(
    ("column", "value", "label", "message"),
    [
        ("原编号", "", "原编号", "may not be empty"),
        ("受理时间", "昨天", "受理时间", "is not a date and time"),
        ("受理时间", "2099-01-01", "受理时间", "lies in the future"),
        ("经度", "50", "经度", "lies outside"),
        ("纬度", "", "纬度", "Give both longitude and latitude."),
        ("电话", "12345678", "电话", "is not a mainland phone number"),
        ("分类", "不存在", "分类", "Unknown category “不存在”."),
        ("承办单位", "某某局", "承办单位", "Unknown department “某某局”."),
        ("承办单位", "", "承办单位", "needs its handling department"),
        ("状态", "进行中", "状态", "Unknown status “进行中”"),
        ("办结时间", "", "办结时间", "needs its closing time"),
        ("答复时间", "2025-03-01 10:00", "答复时间", "before the time it was received"),
        ("标题", "长" * 101, "标题", "At most 100 characters"),
        ("满意度", "还行", "满意度", "Unknown satisfaction"),
        ("类型", "抱怨", "类型", "Unknown appeal type “抱怨”"),
    ],
)
def test_row_errors_name_row_and_column_and_nothing_is_written(
    categories: dict[str, Category], column: str, value: str, label: str, message: str
) -> None:
    bad = list(CLOSED)
    bad[0] = "OLD-0009"
    bad[HEADER.index(column)] = value
    report = legacy_appeals_import(actor=None, content=_csv([ACCEPTED, bad]))
    assert report.is_written is False
    assert report.invalid_rows == 1
    assert [(e.row, e.column) for e in report.errors] == [(3, label)]
    assert message in report.errors[0].message
    assert Appeal.objects.count() == 0
    assert not AuditRecord.objects.filter(action="appeals.legacy_import").exists()


def test_skip_invalid_imports_the_valid_rows(categories: dict[str, Category]) -> None:
    bad = list(CLOSED)
    bad[0] = "OLD-0009"
    bad[HEADER.index("电话")] = "abc"
    duplicate = list(ACCEPTED)
    report = legacy_appeals_import(
        actor=None, content=_csv([CLOSED, bad, ACCEPTED, duplicate]), skip_invalid=True
    )
    assert (report.rows, report.imported, report.invalid_rows) == (4, 2, 2)
    assert [(e.row, e.column) for e in report.errors] == [(3, "电话"), (5, "原编号")]
    assert "appears twice in the file (also in row 4)" in report.errors[1].message
    assert sorted(Appeal.objects.values_list("source_reference", flat=True)) == [
        "OLD-0001",
        "OLD-0002",
    ]


def test_dry_run_writes_nothing(categories: dict[str, Category]) -> None:
    report = legacy_appeals_import(actor=None, content=_csv([CLOSED]), dry_run=True)
    assert (report.rows, report.valid_rows, report.imported, report.is_written) == (1, 1, 0, False)
    assert Appeal.objects.count() == 0


def test_html_is_kept_as_text(categories: dict[str, Category]) -> None:
    row = list(ACCEPTED)
    row[HEADER.index("内容")] = "<script>alert(1)</script><b>路灯</b>"
    legacy_appeals_import(actor=None, content=_csv([row]))
    assert Appeal.objects.get().text == "<script>alert(1)</script><b>路灯</b>"


def test_ambiguous_alias_and_short_name_refer_to_department(
    categories: dict[str, Category],
) -> None:
    row = list(CLOSED)
    row[HEADER.index("承办单位")] = "香洲区人民政府"  # alias
    report = legacy_appeals_import(actor=None, content=_csv([row]))
    assert report.errors == []
    assert Appeal.objects.get().lead_department.code == "xiangzhou-government"


def test_missing_key_column_is_a_file_error(categories: dict[str, Category]) -> None:
    from civicgrid.core.errors import DomainError

    with pytest.raises(DomainError, match="原编号"):
        legacy_appeals_import(actor=None, content="标题,内容\na,b\n".encode())


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.CITIZEN])
def test_only_administrators(categories: dict[str, Category], make_user: Any, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        legacy_appeals_import(actor=make_user(role), content=_csv([CLOSED]))
    assert Appeal.objects.count() == 0


def test_console_command(categories: dict[str, Category], tmp_path: Any) -> None:
    bad = list(ACCEPTED)
    bad[HEADER.index("受理时间")] = "2025-13-01"
    path = tmp_path / "old.csv"
    path.write_bytes(_csv([CLOSED, bad], "gbk"))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 rows have errors; nothing was imported\."):
        call_command("appeals", "import-legacy", str(path), stderr=err, stdout=io.StringIO())
    assert "row 3 [受理时间]" in err.getvalue()
    assert Appeal.objects.count() == 0
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 rows had errors and were left out\."):
        call_command(
            "appeals",
            "import-legacy",
            str(path),
            "--skip-invalid",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert '"imported": 1' in out.getvalue()
    assert Appeal.objects.count() == 1
