"""Loading the Zhuhai demo: territory, departments, street bodies and demo accounts.

Everything here calls the services of the apps below; it is safe to run again (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import user_ensure_demo
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

DATA_DIR = Path(__file__).resolve().parent / "data"
TERRITORY_DATA_DIR = territory_services.BUNDLED_DATA_DIR
CITY_CODE = "4404"
DEMO_PASSWORD = "CivicGrid-2026"  # noqa: S105 - published demo password, local only


@dataclass
class DemoSummary:
    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.lines.append(text)


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in counts.items() if value not in (0, [], None)
    )


def load_territory(*, actor: Any = None) -> DemoSummary:
    summary = DemoSummary()
    divisions = territory_services.divisions_import(
        actor=actor,
        path=TERRITORY_DATA_DIR / "divisions_4403_4404.csv",
        city_codes={CITY_CODE},
    )
    summary.add(f"divisions: {_counts(divisions.counts())}")
    boundaries = territory_services.boundaries_import(
        actor=actor,
        path=TERRITORY_DATA_DIR / "districts_4403_4404.geojson",
        level="district",
        city_codes={CITY_CODE},
    )
    summary.add(f"district boundaries: {_counts(boundaries.counts())}")
    anchors = territory_services.demo_anchors_read(DATA_DIR / "zhuhai_street_anchors.csv")
    geometry = territory_services.demo_geometry_generate(
        actor=actor, city_code=CITY_CODE, anchors=anchors
    )
    summary.add(f"demo geometry: {_counts(geometry.counts())}")
    departments = territory_services.departments_import(
        actor=actor, path=DATA_DIR / "zhuhai_departments.csv"
    )
    summary.add(f"departments: {_counts(departments.counts())}")
    created = territory_services.street_bodies_ensure(actor=actor, city_code=CITY_CODE)
    summary.add(f"street offices and town governments: {created} created")
    return summary


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    scope_code: str | None = None
    department_code: str | None = None
    description: str = ""


def _first_grid(prefix: str) -> str:
    grid = (
        AdminUnit.objects.filter(level=AdminLevel.GRID, code__startswith=prefix)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if grid is None:
        raise RuntimeError(f"No grid under {prefix}: run `civicgrid demo load` first.")
    return grid


def demo_accounts() -> list[DemoAccount]:
    return [
        DemoAccount(
            "admin", Role.ADMINISTRATOR, "系统管理员", description="whole city, Django admin"
        ),
        DemoAccount("leader", Role.LEADER, "市领导", description="whole city, read-only cockpit"),
        DemoAccount(
            "office",
            Role.PROGRAMME_OFFICE,
            "社工委干部",
            department_code="zh-social-management-dept",
            description="programme office (市委社管部), whole city",
        ),
        DemoAccount("operator", Role.HOTLINE_OPERATOR, "话务员小陈", scope_code=CITY_CODE),
        DemoAccount("dispatcher", Role.DISPATCHER, "市派单员", scope_code=CITY_CODE),
        DemoAccount("xz-dispatcher", Role.DISPATCHER, "香洲区派单员", scope_code="440402"),
        DemoAccount("dm-dispatcher", Role.DISPATCHER, "斗门区派单员", scope_code="440403"),
        DemoAccount("supervisor", Role.SUPERVISOR, "市督办员", scope_code=CITY_CODE),
        DemoAccount(
            "civil-affairs",
            Role.DEPARTMENT_STAFF,
            "民政局经办人",
            department_code="zh-civil-affairs",
        ),
        DemoAccount(
            "cuixiang-staff",
            Role.DEPARTMENT_STAFF,
            "翠香街道经办人",
            department_code="street-440402001",
        ),
        DemoAccount("xz-grid", Role.GRID_WORKER, "香洲网格员", scope_code="grid:440402001"),
        DemoAccount(
            "xz-community",
            Role.DEPARTMENT_STAFF,
            "紫荆社区工作人员",
            scope_code="440402001001",
            description="community of xz-grid's grid: confirms its collected registry data",
        ),
        DemoAccount("dm-grid", Role.GRID_WORKER, "斗门网格员", scope_code="grid:440403001"),
        DemoAccount("citizen", Role.CITIZEN, "市民张先生"),
    ]


def accounts_ensure(*, password: str = DEMO_PASSWORD) -> list[tuple[DemoAccount, User]]:
    """Create or refresh the demo accounts (password reset to the demo password)."""
    results = []
    with transaction.atomic():
        for number, account in enumerate(demo_accounts(), start=1):
            scope_unit = None
            if account.scope_code:
                code = account.scope_code
                if code.startswith("grid:"):
                    code = _first_grid(code.removeprefix("grid:"))
                scope_unit = AdminUnit.objects.get(code=code)
            department = (
                Department.objects.get(code=account.department_code)
                if account.department_code
                else None
            )
            user = user_ensure_demo(
                username=account.username,
                password=password,
                role=account.role,
                full_name=account.full_name,
                phone=f"1380756{number:04d}",
                scope_unit=scope_unit,
                department=department,
            )
            results.append((account, user))
    return results
