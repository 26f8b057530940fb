"""Shared pytest fixtures: a small two-district territory and users for every role.

The territory mirrors Zhuhai's codes but uses simple square boundaries so tests are exact:
city 4404 → districts 440402 (香洲区, x 0..10) and 440403 (斗门区, x 10..20) → one street each
→ one community each → two grids each (left and right halves of the community).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.territory.models import AdminLevel, AdminUnit, Department, DepartmentKind


def _square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


class Territory:
    """Handles to the units and departments of the small test territory."""

    city: AdminUnit
    xiangzhou: AdminUnit
    doumen: AdminUnit
    xz_street: AdminUnit
    dm_street: AdminUnit
    xz_community: AdminUnit
    dm_community: AdminUnit
    xz_grid_1: AdminUnit
    xz_grid_2: AdminUnit
    dm_grid_1: AdminUnit
    dm_grid_2: AdminUnit
    civil_affairs: Department  # city department
    xz_government: Department  # 香洲区 body
    dm_government: Department  # 斗门区 body


def build_territory() -> Territory:
    t = Territory()

    def unit(code: str, name: str, level: str, parent: AdminUnit | None, box: tuple) -> AdminUnit:
        return AdminUnit.objects.create(
            code=code,
            name=name,
            level=level,
            parent=parent,
            boundary=_square(*box),
            centroid_lon=(box[0] + box[2]) / 2,
            centroid_lat=(box[1] + box[3]) / 2,
        )

    t.city = unit("4404", "珠海市", AdminLevel.CITY, None, (0, 0, 20, 10))
    t.xiangzhou = unit("440402", "香洲区", AdminLevel.DISTRICT, t.city, (0, 0, 10, 10))
    t.doumen = unit("440403", "斗门区", AdminLevel.DISTRICT, t.city, (10, 0, 20, 10))
    t.xz_street = unit("440402001", "翠香街道", AdminLevel.STREET, t.xiangzhou, (0, 0, 10, 10))
    t.dm_street = unit("440403001", "白藤街道", AdminLevel.STREET, t.doumen, (10, 0, 20, 10))
    t.xz_community = unit(
        "440402001001", "紫荆社区居民委员会", AdminLevel.COMMUNITY, t.xz_street, (0, 0, 10, 10)
    )
    t.dm_community = unit(
        "440403001001", "白藤一社区居民委员会", AdminLevel.COMMUNITY, t.dm_street, (10, 0, 20, 10)
    )
    t.xz_grid_1 = unit(
        "440402001001001", "紫荆第1网格", AdminLevel.GRID, t.xz_community, (0, 0, 5, 10)
    )
    t.xz_grid_2 = unit(
        "440402001001002", "紫荆第2网格", AdminLevel.GRID, t.xz_community, (5, 0, 10, 10)
    )
    t.dm_grid_1 = unit(
        "440403001001001", "白藤第1网格", AdminLevel.GRID, t.dm_community, (10, 0, 15, 10)
    )
    t.dm_grid_2 = unit(
        "440403001001002", "白藤第2网格", AdminLevel.GRID, t.dm_community, (15, 0, 20, 10)
    )
    t.civil_affairs = Department.objects.create(
        code="city-civil-affairs",
        name="珠海市民政局",
        short_name="市民政局",
        kind=DepartmentKind.GOVERNMENT,
        admin_unit=t.city,
    )
    t.xz_government = Department.objects.create(
        code="xiangzhou-government",
        name="珠海市香洲区人民政府",
        short_name="香洲区政府",
        kind=DepartmentKind.DISTRICT,
        admin_unit=t.xiangzhou,
    )
    t.dm_government = Department.objects.create(
        code="doumen-government",
        name="珠海市斗门区人民政府",
        short_name="斗门区政府",
        kind=DepartmentKind.DISTRICT,
        admin_unit=t.doumen,
    )
    return t


@pytest.fixture
def territory(db: Any) -> Territory:
    return build_territory()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str = Role.CITIZEN,
        scope_unit: AdminUnit | None = None,
        department: Department | None = None,
        **extra: Any,
    ) -> User:
        counter["n"] += 1
        username = extra.pop("username", f"{role}-{counter['n']}")
        user = User.objects.create_user(
            username=username,
            password=extra.pop("password", "pass-Word-2026"),
            role=role,
            scope_unit=scope_unit,
            department=department,
            full_name=extra.pop("full_name", f"测试用户{counter['n']}"),
            phone=extra.pop("phone", f"1380000{counter['n']:04d}"),
            **extra,
        )
        return user

    return make


@pytest.fixture
def xz_grid_worker(territory: Territory, make_user: Callable[..., User]) -> User:
    """A grid worker of 香洲区 (scope: the first grid of 紫荆社区)."""
    return make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-grid")


@pytest.fixture
def dm_grid_worker(territory: Territory, make_user: Callable[..., User]) -> User:
    """A grid worker of 斗门区."""
    return make_user(Role.GRID_WORKER, scope_unit=territory.dm_grid_1, username="dm-grid")


@pytest.fixture
def city_admin(territory: Territory, make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, username="city-admin")
