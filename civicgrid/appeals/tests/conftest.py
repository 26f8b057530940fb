"""Appeal test helpers: staff of both districts, a fixed "today" and a small helper to accept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal
from civicgrid.territory.locator import invalidate_locator

TODAY = dt.date(2026, 9, 29)  # a Tuesday before the National Day holiday (10-01 … 10-07)


@pytest.fixture(autouse=True)
def _fixed_day_english_fresh_locator(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    invalidate_locator()
    with translation.override("en"):
        yield
    invalidate_locator()


@pytest.fixture
def staff(territory: Any, make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "operator": make_user(Role.HOTLINE_OPERATOR, scope_unit=territory.city, username="op"),
        "xz_dispatcher": make_user(
            Role.DISPATCHER, scope_unit=territory.xiangzhou, username="xz-disp"
        ),
        "dm_dispatcher": make_user(
            Role.DISPATCHER, scope_unit=territory.doumen, username="dm-disp"
        ),
        "xz_staff": make_user(
            Role.DEPARTMENT_STAFF, department=territory.xz_government, username="xz-staff"
        ),
        "dm_staff": make_user(
            Role.DEPARTMENT_STAFF, department=territory.dm_government, username="dm-staff"
        ),
        "city_staff": make_user(
            Role.DEPARTMENT_STAFF, department=territory.civil_affairs, username="city-staff"
        ),
        "xz_grid": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-g"),
        "supervisor": make_user(Role.SUPERVISOR, scope_unit=territory.city, username="sup"),
    }


@pytest.fixture
def accept(staff: dict[str, User]) -> Callable[..., Appeal]:
    """Accept a hotline complaint in 香洲区's first grid (lon 2, lat 5) unless told otherwise."""

    def make(**overrides: Any) -> Appeal:
        values: dict[str, Any] = {
            "actor": staff["operator"],
            "channel": "hotline",
            "appeal_type": "complaint",
            "title": "小区门口占道经营",
            "text": "每天晚上小区门口有商贩占道经营，噪音很大。",
            "lon": 2,
            "lat": 5,
            "citizen_name": "张三",
            "citizen_phone": "13800138000",
        }
        values.update(overrides)
        appeal, _code = services.appeal_accept(**values)
        return appeal

    return make


def reply_and_approve(
    *, actor: User, reviewer: User, appeal: Appeal, reply: str = "已处理"
) -> Appeal:
    """The department replies and a reviewer approves it (replies are reviewed by default)."""
    appeal = services.appeal_reply(
        actor=actor, appeal=appeal, expected_version=appeal.version, reply=reply
    )
    return services.appeal_reply_approve(
        actor=reviewer, appeal=appeal, expected_version=appeal.version
    )
