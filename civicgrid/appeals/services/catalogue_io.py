"""The taxonomy and responsibility catalogue as one Excel workbook (分类与权责清单导入导出).

The workbook has three sheets; row 1 holds the Chinese headers, row 2 the English column keys
(the importer accepts either language in row 1 and skips row 2 when it is the English header
row), data start in row 3:

* ``分类`` (categories): 分类编码 ``code``, 分类名称 ``name``, 上级分类编码 ``parent_code``,
  启用 ``active`` (是/否), then per appeal type ``<type>_sign_for_days`` / ``<type>_handling_days``
  (咨询签收时限(工作日) …): the category's own time limits; empty cells = no override (the
  category inherits its parent's or the type's default).
* ``时限`` (default time limits per type): 类型 ``type`` (code or Chinese name), 类型名称
  ``type_name`` (informative), 签收时限(工作日) ``sign_for_days``, 办理时限(工作日)
  ``handling_days``.
* ``权责清单`` (responsibility catalogue): 分类编码 ``category_code``, 分类名称 ``category_name``,
  区域代码 ``area_code``, 区域名称 ``area_name``, 牵头单位编码 ``lead_department_code``,
  牵头单位名称 ``lead_department_name``, 配合单位编码 ``cooperating_department_codes``
  (separated by 、 ; ； or ,). Name columns are informative and ignored on import.

Import semantics: the whole file is validated first and every problem is reported as
(sheet, row, column, message); with any error nothing is written. Otherwise one transaction
upserts everything: categories in the file are created or updated (categories missing from
the file are left alone — deactivate them with 启用=否 instead), the time-limit overrides of
the categories in the file and the rules of the 权责清单 sheet become exactly what the file
says (rules missing from the sheet are deleted, and the preview lists how many). Importing
the same file twice changes nothing. Both directions are written to the audit trail.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from civicgrid.accounts.models import Role
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.territory.models import AdminUnit, Department

from ..models import AppealType, Category, ResponsibilityRule, TimeLimit
from ..selectors.catalogue import categories_in_tree_order
from ..time_limits_cache import invalidate_time_limits
from .common import require_role

SHEET_CATEGORIES = "分类"
SHEET_LIMITS = "时限"
SHEET_RULES = "权责清单"
SHEETS = (SHEET_CATEGORIES, SHEET_LIMITS, SHEET_RULES)

# The file format speaks Chinese whatever the interface language (the files go to offices).
TYPE_NAMES: dict[str, str] = {
    AppealType.CONSULTATION: "咨询",
    AppealType.HELP: "求助",
    AppealType.COMPLAINT: "投诉",
    AppealType.REPORT: "举报",
    AppealType.SUGGESTION: "建议",
}
TYPES = [str(value) for value in AppealType.values]

SIGN_FOR_RANGE = (1, 30)  # working days to sign for
HANDLING_RANGE = (1, 365)  # working days to handle
MAX_FILE_BYTES = 5 * 1024 * 1024

IMPORT_ROLES = frozenset({Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Column:
    key: str
    chinese: str
    english: str


CATEGORY_COLUMNS = [
    Column("code", "分类编码", "code"),
    Column("name", "分类名称", "name"),
    Column("parent", "上级分类编码", "parent_code"),
    Column("active", "启用", "active"),
    *[
        column
        for appeal_type in TYPES
        for column in (
            Column(
                f"{appeal_type}_sign",
                f"{TYPE_NAMES[appeal_type]}签收时限(工作日)",
                f"{appeal_type}_sign_for_days",
            ),
            Column(
                f"{appeal_type}_handling",
                f"{TYPE_NAMES[appeal_type]}办理时限(工作日)",
                f"{appeal_type}_handling_days",
            ),
        )
    ],
]
LIMIT_COLUMNS = [
    Column("type", "类型", "type"),
    Column("type_name", "类型名称", "type_name"),
    Column("sign", "签收时限(工作日)", "sign_for_days"),
    Column("handling", "办理时限(工作日)", "handling_days"),
]
RULE_COLUMNS = [
    Column("category", "分类编码", "category_code"),
    Column("category_name", "分类名称", "category_name"),
    Column("area", "区域代码", "area_code"),
    Column("area_name", "区域名称", "area_name"),
    Column("lead", "牵头单位编码", "lead_department_code"),
    Column("lead_name", "牵头单位名称", "lead_department_name"),
    Column("cooperating", "配合单位编码", "cooperating_department_codes"),
]
COLUMNS = {
    SHEET_CATEGORIES: CATEGORY_COLUMNS,
    SHEET_LIMITS: LIMIT_COLUMNS,
    SHEET_RULES: RULE_COLUMNS,
}
REQUIRED = {
    SHEET_CATEGORIES: {"code", "name"},
    SHEET_LIMITS: {"type", "sign", "handling"},
    SHEET_RULES: {"category", "area", "lead"},
}
_LIST_SEPARATORS = re.compile(r"[、;；,，\s]+")
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
_TRUE = {"是", "启用", "y", "yes", "true", "1", "t"}
_FALSE = {"否", "停用", "n", "no", "false", "0", "f"}


@dataclass(frozen=True)
class Problem:
    """One problem of the file: where (sheet, row, column) and what (translated, Chinese
    first). Warnings do not stop the import."""

    sheet: str
    row: int
    column: str
    message: str
    is_warning: bool = False

    def __str__(self) -> str:
        where = f"{self.sheet} {_('row')} {self.row}" if self.row else self.sheet
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


@dataclass
class SectionCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class CatalogueImportReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    categories: SectionCounts = field(default_factory=SectionCounts)
    time_limits: SectionCounts = field(default_factory=SectionCounts)
    rules: SectionCounts = field(default_factory=SectionCounts)
    changes: list[str] = field(default_factory=list)  # readable lines for the preview
    is_dry_run: bool = False
    is_written: bool = False

    @property
    def changed(self) -> int:
        return self.categories.changed + self.time_limits.changed + self.rules.changed

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {
                "created": section.created,
                "updated": section.updated,
                "unchanged": section.unchanged,
                "deleted": section.deleted,
            }
            for name, section in (
                ("categories", self.categories),
                ("time_limits", self.time_limits),
                ("rules", self.rules),
            )
        }

    def summary(self) -> str:
        return _(
            "%(changed)s changed: categories %(c_created)s created, %(c_updated)s updated, "
            "%(c_unchanged)s unchanged; time limits %(t_created)s created, %(t_updated)s "
            "updated, %(t_deleted)s deleted, %(t_unchanged)s unchanged; rules %(r_created)s "
            "created, %(r_updated)s updated, %(r_deleted)s deleted, %(r_unchanged)s unchanged."
        ) % {
            "changed": self.changed,
            "c_created": self.categories.created,
            "c_updated": self.categories.updated,
            "c_unchanged": self.categories.unchanged,
            "t_created": self.time_limits.created,
            "t_updated": self.time_limits.updated,
            "t_deleted": self.time_limits.deleted,
            "t_unchanged": self.time_limits.unchanged,
            "r_created": self.rules.created,
            "r_updated": self.rules.updated,
            "r_deleted": self.rules.deleted,
            "r_unchanged": self.rules.unchanged,
        }


def _require_catalogue_admin(actor: Any) -> None:
    """Administrators; ``actor=None`` is the system (the console command)."""
    if actor is not None:
        require_role(
            actor, IMPORT_ROLES, _("Only administrators may import or export the catalogue.")
        )


# ---------------------------------------------------------------------------------- export


def _categories_in_tree_order() -> list[Category]:
    categories = list(Category.objects.select_related("parent"))
    return [category for category, _depth in categories_in_tree_order(categories)]


def _write_sheet(sheet: Any, columns: list[Column], rows: Iterable[list[Any]]) -> None:
    sheet.append([column.chinese for column in columns])
    sheet.append([column.english for column in columns])
    bold = Font(bold=True)
    grey = Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="F2F2F2")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    for cell in sheet[2]:
        cell.font = grey
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # codes like 440402 stay text
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, len(column.english) + 2, len(column.chinese) * 2 + 2
        )
    sheet.freeze_panes = "A3"


def catalogue_export(*, actor: Any) -> bytes:
    """The categories, time limits and responsibility catalogue as an .xlsx file."""
    _require_catalogue_admin(actor)
    overrides: dict[tuple[int, str], TimeLimit] = {}
    defaults: dict[str, TimeLimit] = {}
    for limit in TimeLimit.objects.all():
        if limit.category_id is None:
            defaults[limit.appeal_type] = limit
        else:
            overrides[(limit.category_id, limit.appeal_type)] = limit
    workbook = Workbook()
    categories_sheet = workbook.active
    categories_sheet.title = SHEET_CATEGORIES
    category_rows = []
    for category in _categories_in_tree_order():
        row: list[Any] = [
            category.code,
            category.name,
            category.parent.code if category.parent else None,
            "是" if category.is_active else "否",
        ]
        for appeal_type in TYPES:
            override = overrides.get((category.pk, appeal_type))
            row += [override.sign_for_days, override.handling_days] if override else [None, None]
        category_rows.append(row)
    _write_sheet(categories_sheet, CATEGORY_COLUMNS, category_rows)
    _write_sheet(
        workbook.create_sheet(SHEET_LIMITS),
        LIMIT_COLUMNS,
        [
            [
                appeal_type,
                TYPE_NAMES[appeal_type],
                defaults[appeal_type].sign_for_days,
                defaults[appeal_type].handling_days,
            ]
            for appeal_type in TYPES
            if appeal_type in defaults
        ],
    )
    rules = (
        ResponsibilityRule.objects.select_related("category", "admin_unit", "lead_department")
        .prefetch_related("cooperating_departments")
        .order_by("category__code", "admin_unit__code")
    )
    _write_sheet(
        workbook.create_sheet(SHEET_RULES),
        RULE_COLUMNS,
        [
            [
                rule.category.code,
                rule.category.name,
                rule.admin_unit.code,
                rule.admin_unit.name,
                rule.lead_department.code,
                rule.lead_department.name,
                "、".join(sorted(dep.code for dep in rule.cooperating_departments.all())) or None,
            ]
            for rule in rules
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(
        actor=actor,
        action="appeals.catalogue_export",
        target_type="appeals.category",
        details={"categories": len(category_rows), "rules": len(rules)},
    )
    return buffer.getvalue()


# ---------------------------------------------------------------------------------- reading


def _text(value: Any) -> str:
    """A cell as text: integers typed as numbers (440402, 5.0) lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Row:
    number: int  # the row number in the sheet (1-based, as Excel shows it)
    values: dict[str, str]


@dataclass
class _Sheet:
    name: str
    headers: dict[str, str]  # key → the header text found (for messages)
    rows: list[_Row]


def _read_sheet(workbook: Any, name: str, report: CatalogueImportReport) -> _Sheet | None:
    if name not in workbook.sheetnames:
        report.errors.append(
            Problem(name, 0, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": name})
        )
        return None
    columns = COLUMNS[name]
    by_label = {}
    for column in columns:
        by_label[column.chinese] = column
        by_label[column.english.lower()] = column
    iterator: Iterator[tuple[Any, ...]] = workbook[name].iter_rows(values_only=True)
    header = next(iterator, None) or ()
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        label = _text(cell)
        matched = by_label.get(label) or by_label.get(label.lower())
        if matched is None or matched.key in positions:
            continue
        positions[matched.key] = index
        headers[matched.key] = label
    missing = [c for c in columns if c.key in REQUIRED[name] and c.key not in positions]
    for column in missing:
        report.errors.append(
            Problem(
                name,
                1,
                column.chinese,
                _("The column “%(chinese)s” (%(english)s) is missing.")
                % {"chinese": column.chinese, "english": column.english},
            )
        )
    if missing:
        return None
    english = {column.english.lower() for column in columns}
    rows: list[_Row] = []
    for number, cells in enumerate(iterator, start=2):
        values = {
            key: _text(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if not any(values.values()):
            continue
        if number == 2 and all(not v or v.lower() in english for v in values.values()):
            continue  # the English header row the exporter writes
        rows.append(_Row(number, values))
    return _Sheet(name, headers, rows)


def _column_label(sheet: _Sheet, key: str) -> str:
    for column in COLUMNS[sheet.name]:
        if column.key == key:
            return column.chinese
    return key


def _days(
    sheet: _Sheet,
    row: _Row,
    key: str,
    bounds: tuple[int, int],
    report: CatalogueImportReport,
) -> int | None:
    raw = row.values.get(key, "")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = float("nan")
    if number != number or not number.is_integer():
        report.errors.append(
            Problem(
                sheet.name,
                row.number,
                _column_label(sheet, key),
                _("“%(value)s” is not a whole number of working days.") % {"value": raw},
            )
        )
        return None
    days = int(number)
    if not bounds[0] <= days <= bounds[1]:
        report.errors.append(
            Problem(
                sheet.name,
                row.number,
                _column_label(sheet, key),
                _("%(days)s working days is outside the allowed range %(low)s–%(high)s.")
                % {"days": days, "low": bounds[0], "high": bounds[1]},
            )
        )
        return None
    return days


def _error(report: CatalogueImportReport, sheet: _Sheet, row: _Row, key: str, message: str) -> None:
    report.errors.append(Problem(sheet.name, row.number, _column_label(sheet, key), message))


def _type_of(value: str) -> str | None:
    if value in TYPES:
        return value
    for appeal_type, chinese in TYPE_NAMES.items():
        if value == chinese:
            return str(appeal_type)
    return None


@dataclass
class _Category:
    row: _Row
    code: str
    name: str
    parent_code: str
    is_active: bool
    limits: dict[str, tuple[int | None, int]] = field(default_factory=dict)


@dataclass
class _Rule:
    row: _Row
    category_code: str
    area_code: str
    lead_code: str
    cooperating: frozenset[str]


@dataclass
class _Plan:
    defaults: dict[str, tuple[int, int]]
    categories: list[_Category]
    rules: list[_Rule]


def _parse_limits(sheet: _Sheet, report: CatalogueImportReport) -> dict[str, tuple[int, int]]:
    defaults: dict[str, tuple[int, int]] = {}
    for row in sheet.rows:
        appeal_type = _type_of(row.values["type"])
        if appeal_type is None:
            _error(
                report,
                sheet,
                row,
                "type",
                _("Unknown appeal type “%(value)s” (expected one of %(types)s).")
                % {"value": row.values["type"], "types": "、".join(TYPE_NAMES.values())},
            )
            continue
        if appeal_type in defaults:
            _error(
                report,
                sheet,
                row,
                "type",
                _("The type “%(value)s” appears more than once.") % {"value": row.values["type"]},
            )
            continue
        sign = _days(sheet, row, "sign", SIGN_FOR_RANGE, report)
        handling = _days(sheet, row, "handling", HANDLING_RANGE, report)
        for key, _value in (("sign", sign), ("handling", handling)):
            if not row.values.get(key):
                _error(report, sheet, row, key, _("Enter the number of working days."))
        if sign is not None and handling is not None:
            defaults[appeal_type] = (sign, handling)
    return defaults


def _parse_categories(sheet: _Sheet, report: CatalogueImportReport) -> list[_Category]:
    parsed: list[_Category] = []
    seen: dict[str, int] = {}
    name_max = Category._meta.get_field("name").max_length or 60
    code_max = Category._meta.get_field("code").max_length or 40
    for row in sheet.rows:
        code = row.values["code"]
        name = row.values["name"]
        is_valid = True
        if not code:
            _error(report, sheet, row, "code", _("Enter the category code."))
            is_valid = False
        elif not _CODE.match(code) or len(code) > code_max:
            _error(
                report,
                sheet,
                row,
                "code",
                _(
                    "The code “%(code)s” may only hold letters, digits, - and _ "
                    "(at most %(max)s characters)."
                )
                % {"code": code, "max": code_max},
            )
            is_valid = False
        elif code in seen:
            _error(
                report,
                sheet,
                row,
                "code",
                _("The code “%(code)s” appears twice (also in row %(row)s).")
                % {"code": code, "row": seen[code]},
            )
            is_valid = False
        else:
            seen[code] = row.number
        if not name:
            _error(report, sheet, row, "name", _("Enter the category name."))
            is_valid = False
        elif len(name) > name_max:
            _error(
                report,
                sheet,
                row,
                "name",
                _("The name may have at most %(max)s characters.") % {"max": name_max},
            )
            is_valid = False
        active_text = row.values.get("active", "")
        is_active = True
        if active_text:
            if active_text.lower() in _TRUE:
                is_active = True
            elif active_text.lower() in _FALSE:
                is_active = False
            else:
                _error(
                    report,
                    sheet,
                    row,
                    "active",
                    _("Write 是 or 否, not “%(value)s”.") % {"value": active_text},
                )
                is_valid = False
        parent_code = row.values.get("parent", "")
        if parent_code and parent_code == code:
            _error(report, sheet, row, "parent", _("A category cannot be its own parent."))
            is_valid = False
        limits: dict[str, tuple[int | None, int]] = {}
        for appeal_type in TYPES:
            sign = _days(sheet, row, f"{appeal_type}_sign", SIGN_FOR_RANGE, report)
            handling = _days(sheet, row, f"{appeal_type}_handling", HANDLING_RANGE, report)
            if row.values.get(f"{appeal_type}_sign") and not row.values.get(
                f"{appeal_type}_handling"
            ):
                _error(
                    report,
                    sheet,
                    row,
                    f"{appeal_type}_handling",
                    _("Give the handling days too when you give sign-for days."),
                )
            if handling is not None:
                limits[appeal_type] = (sign, handling)
        if is_valid:
            parsed.append(_Category(row, code, name, parent_code, is_active, limits))
    return parsed


def _split_codes(value: str) -> list[str]:
    return [code for code in _LIST_SEPARATORS.split(value) if code]


def _parse_rules(
    sheet: _Sheet,
    report: CatalogueImportReport,
    category_codes: set[str],
) -> list[_Rule]:
    rules: list[_Rule] = []
    areas = set(AdminUnit.objects.values_list("code", flat=True))
    departments = dict(Department.objects.values_list("code", "is_active"))
    seen: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        values = row.values
        is_valid = True
        for key in ("category", "area", "lead"):
            if not values[key]:
                _error(report, sheet, row, key, _("This cell may not be empty."))
                is_valid = False
        if values["category"] and values["category"] not in category_codes:
            _error(
                report,
                sheet,
                row,
                "category",
                _("Unknown category code “%(code)s”.") % {"code": values["category"]},
            )
            is_valid = False
        if values["area"] and values["area"] not in areas:
            _error(
                report,
                sheet,
                row,
                "area",
                _("Unknown area (division) code “%(code)s”.") % {"code": values["area"]},
            )
            is_valid = False
        lead = values["lead"]
        if lead and lead not in departments:
            _error(
                report,
                sheet,
                row,
                "lead",
                _("Unknown department code “%(code)s”.") % {"code": lead},
            )
            is_valid = False
        elif lead and not departments[lead]:
            report.warnings.append(
                Problem(
                    sheet.name,
                    row.number,
                    _column_label(sheet, "lead"),
                    _("The department “%(code)s” is inactive; appeals cannot be sent to it.")
                    % {"code": lead},
                    is_warning=True,
                )
            )
        cooperating = _split_codes(values.get("cooperating", ""))
        unknown = [code for code in cooperating if code not in departments]
        if unknown:
            _error(
                report,
                sheet,
                row,
                "cooperating",
                _("Unknown department code “%(code)s”.") % {"code": "、".join(unknown)},
            )
            is_valid = False
        if lead in cooperating:
            report.warnings.append(
                Problem(
                    sheet.name,
                    row.number,
                    _column_label(sheet, "cooperating"),
                    _("The lead department is also listed as cooperating; it is left out there."),
                    is_warning=True,
                )
            )
        rule_key = (values["category"], values["area"])
        if is_valid and rule_key in seen:
            _error(
                report,
                sheet,
                row,
                "area",
                _("This category already has a rule for this area in row %(row)s.")
                % {"row": seen[rule_key]},
            )
            is_valid = False
        if is_valid:
            seen[rule_key] = row.number
            rules.append(
                _Rule(
                    row,
                    values["category"],
                    values["area"],
                    lead,
                    frozenset(code for code in cooperating if code != lead),
                )
            )
    return rules


def _check_tree(sheet: _Sheet, categories: list[_Category], report: CatalogueImportReport) -> None:
    """Unknown parents and cycles, in the tree the import would produce."""
    parent_of = {
        code: parent or "" for code, parent in Category.objects.values_list("code", "parent__code")
    }
    for category in categories:
        parent_of[category.code] = category.parent_code
    for category in categories:
        if category.parent_code and category.parent_code not in parent_of:
            _error(
                report,
                sheet,
                category.row,
                "parent",
                _("Unknown parent category “%(code)s”.") % {"code": category.parent_code},
            )
            continue
        seen = {category.code}
        node = category.parent_code
        while node and node not in seen:
            seen.add(node)
            node = parent_of.get(node, "")
        if node == category.code:
            _error(
                report,
                sheet,
                category.row,
                "parent",
                _("The parent “%(code)s” makes a cycle: a category would be its own ancestor.")
                % {"code": category.parent_code},
            )


def _warn_deactivated(
    sheet: _Sheet, categories: list[_Category], rules: list[_Rule], report: CatalogueImportReport
) -> None:
    deactivated = {c.code: c for c in categories if not c.is_active}
    if not deactivated:
        return
    was_active = set(
        Category.objects.filter(code__in=deactivated, is_active=True).values_list("code", flat=True)
    )
    appeals = dict(
        Category.objects.filter(code__in=was_active)
        .annotate(n=Count("appeals"))
        .values_list("code", "n")
    )
    rule_counts: dict[str, int] = {}
    for rule in rules:
        rule_counts[rule.category_code] = rule_counts.get(rule.category_code, 0) + 1
    for code in sorted(was_active):
        n_appeals = appeals.get(code, 0)
        n_rules = rule_counts.get(code, 0)
        if n_appeals or n_rules:
            report.warnings.append(
                Problem(
                    sheet.name,
                    deactivated[code].row.number,
                    _column_label(sheet, "active"),
                    _(
                        "The category “%(code)s” is deactivated although %(rules)s rules and "
                        "%(appeals)s appeals use it; they keep it, new appeals cannot choose it."
                    )
                    % {"code": code, "rules": n_rules, "appeals": n_appeals},
                    is_warning=True,
                )
            )


def _open_workbook(content: bytes | BinaryIO) -> Any:
    data = content if isinstance(content, bytes) else content.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            code="invalid",
            field="file",
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise DomainError(
            _("This is not an Excel workbook (.xlsx) that can be read."),
            code="invalid",
            field="file",
        ) from error


def _parse(workbook: Any, report: CatalogueImportReport) -> _Plan | None:
    sheets = {name: _read_sheet(workbook, name, report) for name in SHEETS}
    limits_sheet = sheets[SHEET_LIMITS]
    categories_sheet = sheets[SHEET_CATEGORIES]
    rules_sheet = sheets[SHEET_RULES]
    defaults = _parse_limits(limits_sheet, report) if limits_sheet else {}
    categories = _parse_categories(categories_sheet, report) if categories_sheet else []
    if categories_sheet:
        _check_tree(categories_sheet, categories, report)
    known = set(Category.objects.values_list("code", flat=True)) | {c.code for c in categories}
    rules = _parse_rules(rules_sheet, report, known) if rules_sheet else []
    if categories_sheet:
        _warn_deactivated(categories_sheet, categories, rules, report)
    if report.errors or not (limits_sheet and categories_sheet and rules_sheet):
        return None
    return _Plan(defaults, categories, rules)


# ---------------------------------------------------------------------------------- writing


def _apply(plan: _Plan, report: CatalogueImportReport) -> None:
    existing = {c.code: c for c in Category.objects.select_related("parent")}
    before = {
        code: (c.name, c.parent.code if c.parent else "", c.is_active)
        for code, c in existing.items()
    }
    for item in plan.categories:
        category = existing.get(item.code)
        if category is None:
            category = Category.objects.create(
                code=item.code, name=item.name, is_active=item.is_active
            )
            existing[item.code] = category
            report.categories.created += 1
            report.changes.append(_("category %(code)s created") % {"code": item.code})
    for item in plan.categories:
        category = existing[item.code]
        parent = existing[item.parent_code] if item.parent_code else None
        after = (item.name, item.parent_code, item.is_active)
        if item.code in before and before[item.code] == after:
            report.categories.unchanged += 1
            continue
        category.name = item.name
        category.is_active = item.is_active
        category.parent = parent
        category.save(update_fields=["name", "is_active", "parent", "updated_at"])
        if item.code in before:
            report.categories.updated += 1
            report.changes.append(_("category %(code)s updated") % {"code": item.code})
    _apply_limits(plan, existing, report)
    invalidate_time_limits()  # new intakes use the imported limits at once in this process
    _apply_rules(plan, existing, report)


def _apply_limits(
    plan: _Plan, categories: dict[str, Category], report: CatalogueImportReport
) -> None:
    current = {(limit.appeal_type, limit.category_id): limit for limit in TimeLimit.objects.all()}
    wanted: dict[tuple[str, int | None], tuple[int, int]] = {}
    for appeal_type, pair in plan.defaults.items():
        wanted[(appeal_type, None)] = pair
    in_file = {categories[item.code].pk for item in plan.categories}
    for item in plan.categories:
        for appeal_type, (sign, handling) in item.limits.items():
            if sign is None:
                default = plan.defaults.get(appeal_type)
                current_default = current.get((appeal_type, None))
                sign = (
                    default[0]
                    if default
                    else (current_default.sign_for_days if current_default else 1)
                )
            wanted[(appeal_type, categories[item.code].pk)] = (sign, handling)
    names = {category.pk: code for code, category in categories.items()}
    for key, (sign, handling) in wanted.items():
        appeal_type, category_id = key
        label = f"{TYPE_NAMES.get(appeal_type, appeal_type)} {names.get(category_id or 0, '')}"
        limit = current.get(key)
        if limit is None:
            TimeLimit.objects.create(
                appeal_type=appeal_type,
                category_id=category_id,
                sign_for_days=sign,
                handling_days=handling,
            )
            report.time_limits.created += 1
            report.changes.append(_("time limit %(what)s created") % {"what": label.strip()})
        elif (limit.sign_for_days, limit.handling_days) != (sign, handling):
            limit.sign_for_days = sign
            limit.handling_days = handling
            limit.save(update_fields=["sign_for_days", "handling_days", "updated_at"])
            report.time_limits.updated += 1
            report.changes.append(_("time limit %(what)s updated") % {"what": label.strip()})
        else:
            report.time_limits.unchanged += 1
    for key, limit in current.items():
        if key[1] is not None and key[1] in in_file and key not in wanted:
            limit.delete()
            report.time_limits.deleted += 1
            label = f"{TYPE_NAMES.get(key[0], key[0])} {names.get(key[1], '')}"
            report.changes.append(_("time limit %(what)s deleted") % {"what": label})


def _apply_rules(
    plan: _Plan, categories: dict[str, Category], report: CatalogueImportReport
) -> None:
    current = {
        (rule.category.code, rule.admin_unit.code): rule
        for rule in ResponsibilityRule.objects.select_related(
            "category", "admin_unit", "lead_department"
        ).prefetch_related("cooperating_departments")
    }
    codes = {code for rule in plan.rules for code in (rule.lead_code, *rule.cooperating)}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    areas = {
        a.code: a
        for a in AdminUnit.objects.filter(code__in={rule.area_code for rule in plan.rules})
    }
    wanted = set()
    for item in plan.rules:
        key = (item.category_code, item.area_code)
        wanted.add(key)
        label = f"{item.category_code} @ {item.area_code}"
        rule = current.get(key)
        cooperating = [departments[code] for code in sorted(item.cooperating)]
        if rule is None:
            rule = ResponsibilityRule.objects.create(
                category=categories[item.category_code],
                admin_unit=areas[item.area_code],
                lead_department=departments[item.lead_code],
            )
            rule.cooperating_departments.set(cooperating)
            report.rules.created += 1
            report.changes.append(_("rule %(what)s created") % {"what": label})
            continue
        now_cooperating = frozenset(d.code for d in rule.cooperating_departments.all())
        if rule.lead_department.code == item.lead_code and now_cooperating == item.cooperating:
            report.rules.unchanged += 1
            continue
        rule.lead_department = departments[item.lead_code]
        rule.save(update_fields=["lead_department", "updated_at"])
        rule.cooperating_departments.set(cooperating)
        report.rules.updated += 1
        report.changes.append(_("rule %(what)s updated") % {"what": label})
    for key, rule in current.items():
        if key not in wanted:
            rule.delete()
            report.rules.deleted += 1
            report.changes.append(_("rule %(what)s deleted") % {"what": f"{key[0]} @ {key[1]}"})


class _DryRunRollback(Exception):
    pass


def catalogue_import(
    *,
    actor: Any,
    content: bytes | BinaryIO,
    file_name: str = "",
    dry_run: bool = False,
) -> CatalogueImportReport:
    """Validate the workbook; if it has no error, write it in one transaction (``dry_run``:
    compute the same report and write nothing). Raises DomainError when the file is no
    readable workbook; problems inside it are in the report."""
    _require_catalogue_admin(actor)
    report = CatalogueImportReport(is_dry_run=dry_run)
    workbook = _open_workbook(content)
    try:
        plan = _parse(workbook, report)
    finally:
        workbook.close()
    if plan is None:
        return report
    try:
        with transaction.atomic():
            _apply(plan, report)
            if dry_run:
                raise _DryRunRollback
            audit_record(
                actor=actor,
                action="appeals.catalogue_import",
                target_type="appeals.category",
                target_repr=file_name[:200],
                details={
                    "file": file_name[:200],
                    "changed": report.changed,
                    "counts": report.counts(),
                    "warnings": len(report.warnings),
                },
            )
    except _DryRunRollback:
        return report
    report.is_written = True
    return report
