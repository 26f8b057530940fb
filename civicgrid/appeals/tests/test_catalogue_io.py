"""The Excel catalogue: export → import round trip, every validation error with its place,
nothing written on error, idempotent re-import, the console commands."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import Category, ResponsibilityRule, TimeLimit
from civicgrid.appeals.services.catalogue_io import catalogue_export, catalogue_import
from civicgrid.core.errors import PermissionDeniedError
from civicgrid.core.models import AuditRecord


@pytest.fixture
def catalogue(territory: Any) -> dict[str, Any]:
    urban = Category.objects.create(code="urban", name="城市管理")
    vending = Category.objects.create(code="urban-vending", name="占道经营", parent=urban)
    noise = Category.objects.create(code="urban-noise", name="噪声扰民", parent=urban)
    TimeLimit.objects.create(
        appeal_type="complaint", category=vending, sign_for_days=1, handling_days=3
    )
    rule = ResponsibilityRule.objects.create(
        category=urban, admin_unit=territory.city, lead_department=territory.civil_affairs
    )
    rule.cooperating_departments.set([territory.xz_government, territory.dm_government])
    ResponsibilityRule.objects.create(
        category=vending, admin_unit=territory.xiangzhou, lead_department=territory.xz_government
    )
    return {"urban": urban, "vending": vending, "noise": noise}


def _state() -> tuple[Any, ...]:
    return (
        sorted(Category.objects.values_list("code", "name", "parent__code", "is_active")),
        sorted(
            TimeLimit.objects.values_list(
                "appeal_type", "category__code", "sign_for_days", "handling_days"
            ),
            key=str,
        ),
        sorted(
            (
                rule.category.code,
                rule.admin_unit.code,
                rule.lead_department.code,
                tuple(sorted(d.code for d in rule.cooperating_departments.all())),
            )
            for rule in ResponsibilityRule.objects.all()
        ),
    )


def _edit(content: bytes, sheet: str, cells: dict[str, Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for ref, value in cells.items():
        workbook[sheet][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append(content: bytes, sheet: str, row: list[Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    workbook[sheet].append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_export_layout(catalogue: dict[str, Any]) -> None:
    workbook = load_workbook(io.BytesIO(catalogue_export(actor=None)))
    assert workbook.sheetnames == ["分类", "时限", "权责清单"]
    categories = list(workbook["分类"].iter_rows(values_only=True))
    assert categories[0][:4] == ("分类编码", "分类名称", "上级分类编码", "启用")
    assert categories[1][:4] == ("code", "name", "parent_code", "active")
    # tree order: parent first, then its children by code
    assert [row[0] for row in categories[2:]] == ["urban", "urban-noise", "urban-vending"]
    vending = categories[4]
    headers = categories[0]
    assert vending[headers.index("投诉签收时限(工作日)")] == 1
    assert vending[headers.index("投诉办理时限(工作日)")] == 3
    limits = list(workbook["时限"].iter_rows(values_only=True))
    assert limits[2:] == [
        ("consultation", "咨询", 1, 2),
        ("help", "求助", 1, 5),
        ("complaint", "投诉", 1, 10),
        ("report", "举报", 1, 10),
        ("suggestion", "建议", 1, 15),
    ]
    rules = list(workbook["权责清单"].iter_rows(values_only=True))
    assert rules[2:] == [
        (
            "urban",
            "城市管理",
            "4404",
            "珠海市",
            "city-civil-affairs",
            "珠海市民政局",
            "doumen-government、xiangzhou-government",
        ),
        (
            "urban-vending",
            "占道经营",
            "440402",
            "香洲区",
            "xiangzhou-government",
            "珠海市香洲区人民政府",
            None,
        ),
    ]


def test_round_trip_changes_nothing_and_is_audited(catalogue: dict[str, Any]) -> None:
    before = _state()
    report = catalogue_import(actor=None, content=catalogue_export(actor=None), file_name="c.xlsx")
    assert report.errors == []
    assert report.is_written is True
    assert report.changed == 0
    assert report.counts()["categories"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "deleted": 0,
    }
    assert report.counts()["time_limits"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 6,
        "deleted": 0,
    }
    assert report.counts()["rules"] == {"created": 0, "updated": 0, "unchanged": 2, "deleted": 0}
    assert report.summary().startswith("0 changed")
    assert _state() == before
    audit = AuditRecord.objects.get(action="appeals.catalogue_import")
    assert audit.details["changed"] == 0


def test_import_applies_changes_then_second_import_is_idempotent(
    catalogue: dict[str, Any], territory: Any
) -> None:
    content = catalogue_export(actor=None)
    content = _edit(content, "分类", {"B4": "噪音扰民", "C4": None})  # rename, move to top
    content = _edit(content, "时限", {"D5": 12})  # complaint default 10 → 12
    # new child category with its own consultation limit (sign-for days from the default)
    content = _append(content, "分类", ["urban-dogs", "犬只管理", "urban", "是", None, 4])
    content = _edit(
        content,
        "权责清单",
        {
            "G3": "xiangzhou-government;doumen-government",
            "A4": None,
            "B4": None,
            "C4": None,
            "D4": None,
            "E4": None,
            "F4": None,
        },
    )
    content = _append(
        content, "权责清单", ["urban-dogs", "", "440403", "", "doumen-government", "", ""]
    )
    dry = catalogue_import(actor=None, content=content, dry_run=True)
    assert dry.errors == []
    assert dry.is_written is False
    assert dry.counts()["categories"] == {"created": 1, "updated": 1, "unchanged": 2, "deleted": 0}
    assert dry.counts()["rules"] == {"created": 1, "updated": 0, "unchanged": 1, "deleted": 1}
    assert not Category.objects.filter(code="urban-dogs").exists()
    report = catalogue_import(actor=None, content=content)
    assert report.counts() == dry.counts()
    assert report.counts()["time_limits"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 5,
        "deleted": 0,
    }
    noise = Category.objects.get(code="urban-noise")
    assert (noise.name, noise.parent) == ("噪音扰民", None)
    dogs = TimeLimit.objects.get(category__code="urban-dogs")
    assert (dogs.appeal_type, dogs.sign_for_days, dogs.handling_days) == ("consultation", 1, 4)
    assert TimeLimit.objects.get(category=None, appeal_type="complaint").handling_days == 12
    assert not ResponsibilityRule.objects.filter(category=catalogue["vending"]).exists()
    rule = ResponsibilityRule.objects.get(category__code="urban-dogs")
    assert (rule.admin_unit.code, rule.lead_department.code) == ("440403", "doumen-government")
    again = catalogue_import(actor=None, content=content)
    assert again.changed == 0
    assert again.summary().startswith("0 changed")


def test_override_cell_emptied_deletes_the_override(catalogue: dict[str, Any]) -> None:
    content = catalogue_export(actor=None)
    workbook = load_workbook(io.BytesIO(content))
    headers = [c.value for c in workbook["分类"][1]]
    sign = headers.index("投诉签收时限(工作日)") + 1
    from openpyxl.utils import get_column_letter

    cells = {f"{get_column_letter(sign)}5": None, f"{get_column_letter(sign + 1)}5": None}
    report = catalogue_import(actor=None, content=_edit(content, "分类", cells))
    assert report.counts()["time_limits"]["deleted"] == 1
    assert not TimeLimit.objects.filter(category=catalogue["vending"]).exists()


@pytest.mark.parametrize(
    ("sheet", "cells", "row", "column", "message"),
    [
        ("分类", {"C4": "nowhere"}, 4, "上级分类编码", "Unknown parent category “nowhere”."),
        ("分类", {"C4": "urban-noise"}, 4, "上级分类编码", "cannot be its own parent"),
        (
            "分类",
            {"A5": "urban-noise"},
            5,
            "分类编码",
            "The code “urban-noise” appears twice (also in row 4).",
        ),
        ("分类", {"A4": "城管 x"}, 4, "分类编码", "may only hold letters"),
        ("分类", {"B4": None}, 4, "分类名称", "Enter the category name."),
        ("分类", {"D4": "也许"}, 4, "启用", "Write 是 or 否, not “也许”."),
        ("分类", {"F5": "three"}, 5, "咨询办理时限(工作日)", "“three” is not a whole number"),
        (
            "分类",
            {"F5": 400},
            5,
            "咨询办理时限(工作日)",
            "400 working days is outside the allowed range 1–365.",
        ),
        (
            "时限",
            {"C3": 0},
            3,
            "签收时限(工作日)",
            "0 working days is outside the allowed range 1–30.",
        ),
        ("时限", {"D4": 2.5}, 4, "办理时限(工作日)", "“2.5” is not a whole number"),
        ("时限", {"A4": "求救"}, 4, "类型", "Unknown appeal type “求救”"),
        ("权责清单", {"C3": "999999"}, 3, "区域代码", "Unknown area (division) code “999999”."),
        (
            "权责清单",
            {"E3": "no-such-dept"},
            3,
            "牵头单位编码",
            "Unknown department code “no-such-dept”.",
        ),
        (
            "权责清单",
            {"G4": "ghost、doumen-government"},
            4,
            "配合单位编码",
            "Unknown department code “ghost”.",
        ),
        ("权责清单", {"A4": "nope"}, 4, "分类编码", "Unknown category code “nope”."),
        (
            "权责清单",
            {"A4": "urban", "C4": "4404"},
            4,
            "区域代码",
            "already has a rule for this area in row 3",
        ),
    ],
)
def test_each_error_is_reported_with_its_place_and_nothing_is_written(
    catalogue: dict[str, Any],
    sheet: str,
    cells: dict[str, Any],
    row: int,
    column: str,
    message: str,
) -> None:
    content = _edit(catalogue_export(actor=None), sheet, cells)
    # a valid change in the same file must not be written either
    content = _edit(
        content,
        "时限" if sheet != "时限" else "分类",
        {"D3": 9} if sheet != "时限" else {"B3": "新名称"},
    )
    before = _state()
    report = catalogue_import(actor=None, content=content)
    assert report.is_written is False
    assert len(report.errors) == 1, [str(e) for e in report.errors]
    error = report.errors[0]
    assert (error.sheet, error.row, error.column) == (sheet, row, column)
    assert message in error.message
    assert _state() == before
    assert not AuditRecord.objects.filter(action="appeals.catalogue_import").exists()


def test_cycle_is_reported_on_each_category_in_it(catalogue: dict[str, Any]) -> None:
    content = _edit(catalogue_export(actor=None), "分类", {"C3": "urban-vending"})
    report = catalogue_import(actor=None, content=content)
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("分类", 3, "上级分类编码"),
        ("分类", 5, "上级分类编码"),
    ]
    assert "makes a cycle" in report.errors[0].message
    assert Category.objects.get(code="urban").parent is None


def test_missing_sheet_and_column_are_errors(catalogue: dict[str, Any]) -> None:
    workbook = load_workbook(io.BytesIO(catalogue_export(actor=None)))
    del workbook["时限"]
    workbook["权责清单"]["E1"] = "牵头"
    workbook["权责清单"]["E2"] = "lead"
    out = io.BytesIO()
    workbook.save(out)
    report = catalogue_import(actor=None, content=out.getvalue())
    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("时限", 0, ""),
        ("权责清单", 1, "牵头单位编码"),
    ]


def test_deactivating_a_used_category_is_allowed_with_a_warning(catalogue: dict[str, Any]) -> None:
    content = _edit(catalogue_export(actor=None), "分类", {"D3": "否"})
    report = catalogue_import(actor=None, content=content)
    assert report.errors == []
    assert report.is_written is True
    assert [(w.sheet, w.row, w.column) for w in report.warnings] == [("分类", 3, "启用")]
    assert "1 rules and 0 appeals" in report.warnings[0].message
    assert Category.objects.get(code="urban").is_active is False


def test_english_headers_only_are_accepted(catalogue: dict[str, Any]) -> None:
    workbook = load_workbook(io.BytesIO(catalogue_export(actor=None)))
    for sheet in workbook.worksheets:
        sheet.delete_rows(1)  # the English header row becomes row 1
    out = io.BytesIO()
    workbook.save(out)
    report = catalogue_import(actor=None, content=out.getvalue())
    assert report.errors == []
    assert report.changed == 0


def test_not_a_workbook_is_a_clear_error(catalogue: dict[str, Any]) -> None:
    from civicgrid.core.errors import DomainError

    with pytest.raises(DomainError, match="not an Excel workbook"):
        catalogue_import(actor=None, content=b"code,name\nx,y\n")


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.DEPARTMENT_STAFF, Role.CITIZEN])
def test_only_administrators(catalogue: dict[str, Any], make_user: Any, role: str) -> None:
    user = make_user(role)
    content = _edit(catalogue_export(actor=None), "分类", {"B3": "改名"})
    with pytest.raises(PermissionDeniedError):
        catalogue_import(actor=user, content=content)
    with pytest.raises(PermissionDeniedError):
        catalogue_export(actor=user)
    assert Category.objects.get(code="urban").name == "城市管理"


def test_console_commands(catalogue: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "catalogue.xlsx"
    call_command("appeals", "catalogue-export", str(path))
    out = io.StringIO()
    call_command("appeals", "catalogue-import", str(path), "--dry-run", stdout=out)
    assert "0 changed" in out.getvalue()
    path.write_bytes(_edit(path.read_bytes(), "分类", {"C4": "nowhere"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 errors; nothing was written"):
        call_command("appeals", "catalogue-import", str(path), stderr=err)
    assert "分类 row 4 [上级分类编码]: Unknown parent category “nowhere”." in err.getvalue()
