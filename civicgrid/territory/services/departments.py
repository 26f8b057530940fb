"""Import of departments (部门) with short names and aliases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from ..models import (
    AdminLevel,
    AdminUnit,
    Department,
    DepartmentAlias,
    DepartmentKind,
)
from .common import DEPARTMENT_CODE_PATTERN, ImportReport, _read_csv


@dataclass
class _DepartmentRow:
    line: int
    code: str
    name: str
    short_name: str
    kind: str
    admin_unit_code: str
    parent_code: str
    aliases: list[str]


def departments_import(*, actor: Any, path: str | Path) -> ImportReport:
    """Import departments from a CSV with columns
    ``code,name,short_name,kind,admin_unit_code,parent_code,aliases`` (aliases separated by |).

    Upserts by code; aliases are added (an alias of another department is a row error);
    aliases not listed are kept. Rows whose parent is rejected are rejected too.
    """
    path = Path(path)
    columns = ("code", "name", "short_name", "kind", "admin_unit_code", "parent_code", "aliases")
    rows = _read_csv(path, columns)
    report = ImportReport()
    parsed = [
        _DepartmentRow(
            line=line,
            code=values.get("code", ""),
            name=values.get("name", ""),
            short_name=values.get("short_name", ""),
            kind=values.get("kind", ""),
            admin_unit_code=values.get("admin_unit_code", ""),
            parent_code=values.get("parent_code", ""),
            aliases=[
                alias.strip() for alias in values.get("aliases", "").split("|") if alias.strip()
            ],
        )
        for line, values in rows
    ]
    unit_ids = dict(
        AdminUnit.objects.filter(code__in={row.admin_unit_code for row in parsed}).values_list(
            "code", "pk"
        )
    )
    stored = {department.code: department for department in Department.objects.all()}
    stored_name_owner = {department.name: code for code, department in stored.items()}
    alias_owner = dict(DepartmentAlias.objects.values_list("alias", "department__code"))
    accepted: dict[str, _DepartmentRow] = {}
    rejected: dict[str, int] = {}
    name_line: dict[str, int] = {}
    alias_line: dict[str, tuple[int, str]] = {}
    for row in parsed:
        reason = _department_row_problem(row, unit_ids, stored_name_owner, alias_owner)
        if reason is None and row.code in accepted:
            reason = _("the code %(code)s appears twice (first on line %(line)s)") % {
                "code": row.code,
                "line": accepted[row.code].line,
            }
        if reason is None and row.name in name_line:
            reason = _("the name %(name)s appears twice (first on line %(line)s)") % {
                "name": row.name,
                "line": name_line[row.name],
            }
        if reason is None:
            for alias in row.aliases:
                if alias in alias_line and alias_line[alias][1] != row.code:
                    reason = _("the alias %(alias)s is already used on line %(line)s") % {
                        "alias": alias,
                        "line": alias_line[alias][0],
                    }
                    break
        if reason is not None:
            report.errors.append((row.line, row.code, reason))
            rejected.setdefault(row.code, row.line)
            continue
        accepted[row.code] = row
        name_line[row.name] = row.line
        for alias in row.aliases:
            alias_line.setdefault(alias, (row.line, row.code))
    # Parents: in the file (accepted) or stored; repeat until rows below rejected rows are out.
    changed_any = True
    while changed_any:
        changed_any = False
        for code, row in list(accepted.items()):
            if not row.parent_code:
                continue
            reason = None
            if row.parent_code == row.code:
                reason = _("a department cannot be its own parent")
            elif row.parent_code in rejected and row.parent_code not in accepted:
                reason = _("its parent %(parent)s was rejected (line %(line)s)") % {
                    "parent": row.parent_code,
                    "line": rejected[row.parent_code],
                }
            elif row.parent_code not in accepted and row.parent_code not in stored:
                reason = _("the parent department %(parent)s does not exist") % {
                    "parent": row.parent_code
                }
            if reason is not None:
                report.errors.append((row.line, row.code, reason))
                rejected.setdefault(code, row.line)
                del accepted[code]
                changed_any = True
    report.errors.sort(key=lambda error: error[0])
    with transaction.atomic():
        _upsert_departments(list(accepted.values()), unit_ids, stored, alias_owner, report)
        audit_record(
            actor=actor,
            action="territory.import_departments",
            target_type="territory.department",
            target_repr=path.name,
            details={**report.counts(), "file": path.name},
        )
    return report


def _department_row_problem(
    row: _DepartmentRow,
    unit_ids: dict[str, int],
    stored_name_owner: dict[str, str],
    alias_owner: dict[str, str],
) -> str | None:
    if not row.code:
        return _("the code is empty")
    if not DEPARTMENT_CODE_PATTERN.match(row.code) or len(row.code) > 40:
        return _(
            "the code %(code)s may only hold up to 40 letters, digits, hyphens and underscores"
        ) % {"code": row.code}
    if not row.name:
        return _("the name is empty")
    if len(row.name) > 100:
        return _("the name is longer than 100 characters")
    if len(row.short_name) > 40:
        return _("the short name is longer than 40 characters")
    if row.kind not in DepartmentKind.values:
        return _("unknown kind %(kind)s (expected one of %(kinds)s)") % {
            "kind": row.kind or "-",
            "kinds": ", ".join(DepartmentKind.values),
        }
    if row.admin_unit_code not in unit_ids:
        return _("no admin unit has the code %(code)s") % {"code": row.admin_unit_code or "-"}
    owner = stored_name_owner.get(row.name)
    if owner is not None and owner != row.code:
        return _("the name %(name)s already belongs to the department %(owner)s") % {
            "name": row.name,
            "owner": owner,
        }
    for alias in row.aliases:
        if len(alias) > 100:
            return _("the alias %(alias)s is longer than 100 characters") % {"alias": alias}
        owner = alias_owner.get(alias)
        if owner is not None and owner != row.code:
            return _("the alias %(alias)s already belongs to the department %(owner)s") % {
                "alias": alias,
                "owner": owner,
            }
    return None


def _upsert_departments(
    rows: list[_DepartmentRow],
    unit_ids: dict[str, int],
    stored: dict[str, Department],
    alias_owner: dict[str, str],
    report: ImportReport,
) -> None:
    departments: dict[str, Department] = dict(stored)
    status: dict[str, str] = {}
    for row in rows:
        wanted = {
            "name": row.name,
            "short_name": row.short_name,
            "kind": row.kind,
            "admin_unit_id": unit_ids[row.admin_unit_code],
        }
        department = stored.get(row.code)
        if department is None:
            department = Department.objects.create(code=row.code, **wanted)
            departments[row.code] = department
            status[row.code] = "created"
            continue
        if all(getattr(department, key) == value for key, value in wanted.items()):
            status[row.code] = "unchanged"
            continue
        for key, value in wanted.items():
            setattr(department, key, value)
        department.save()
        status[row.code] = "updated"
    for row in rows:
        department = departments[row.code]
        parent_id = departments[row.parent_code].pk if row.parent_code else None
        if department.parent_id != parent_id:
            department.parent_id = parent_id
            department.save(update_fields=["parent", "updated_at"])
            if status[row.code] == "unchanged":
                status[row.code] = "updated"
        new_aliases = [alias for alias in dict.fromkeys(row.aliases) if alias not in alias_owner]
        if new_aliases:
            DepartmentAlias.objects.bulk_create(
                [DepartmentAlias(department=department, alias=alias) for alias in new_aliases]
            )
            for alias in new_aliases:
                alias_owner[alias] = row.code
            if status[row.code] == "unchanged":
                status[row.code] = "updated"
    report.created += sum(1 for value in status.values() if value == "created")
    report.updated += sum(1 for value in status.values() if value == "updated")
    report.unchanged += sum(1 for value in status.values() if value == "unchanged")


def street_body_names(street: AdminUnit, district: AdminUnit, city: AdminUnit) -> tuple[str, str]:
    """Full and short name of the body that runs a street-level unit: a 街道办事处 for a 街道,
    a 人民政府 for a 镇, a 管理机构 for a functional zone."""
    prefix = f"{city.name}{district.name}"
    if street.name.endswith("街道"):
        return f"{prefix}{street.name}办事处", f"{street.name}办"
    if street.name.endswith("镇"):
        return f"{prefix}{street.name}人民政府", f"{street.name}政府"
    return f"{prefix}{street.name}管理机构", street.name


@transaction.atomic
def street_bodies_ensure(*, actor: Any, city_code: str) -> int:
    """One street office / town government (街道办 / 镇政府) per street-level unit of a city,
    with the code ``street-<division code>``. A street that already has such a body keeps it;
    returns how many were created. Audited once."""
    city = AdminUnit.objects.filter(code=city_code, level=AdminLevel.CITY).first()
    if city is None:
        raise DomainError(
            _("No city has the code %(code)s.") % {"code": city_code}, code="not_found"
        )
    streets = AdminUnit.objects.filter(
        level=AdminLevel.STREET, code__startswith=city_code
    ).select_related("parent")
    has_body = set(
        Department.objects.filter(
            kind=DepartmentKind.STREET, admin_unit__code__startswith=city_code
        ).values_list("admin_unit_id", flat=True)
    )
    created = []
    for street in streets:
        code = f"street-{street.code}"
        if street.id in has_body or street.parent is None:
            continue
        name, short_name = street_body_names(street, street.parent, city)
        created.append(
            Department(
                code=code,
                name=name,
                short_name=short_name,
                kind=DepartmentKind.STREET,
                admin_unit=street,
            )
        )
    Department.objects.bulk_create(created)
    audit_record(
        actor=actor,
        action="territory.ensure_street_bodies",
        target_type="territory.department",
        target_repr=city.name,
        admin_unit_code=city_code,
        details={"created": len(created)},
    )
    return len(created)
