"""Tiny invented training data for the router tests (never real appeals).

Three departments of the test territory, each with its own invented vocabulary:
4 subjects × 3 complaints = 12 answered appeals per department, one day apart, interleaved so
that every department appears in the oldest and in the newest appeals.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.routing.active import invalidate_active_router

VOCABULARY = {
    "city-civil-affairs": (
        ["低保", "养老院", "残疾人补贴", "临时救助"],
        ["申请没人受理", "审批太慢", "材料要求太多"],
    ),
    "xiangzhou-government": (
        ["路灯", "井盖", "人行道", "绿化带"],
        ["坏了很久没修", "影响夜间出行", "存在安全隐患"],
    ),
    "doumen-government": (
        ["工地", "装修", "广场舞", "酒吧"],
        ["半夜噪音扰民", "噪声太大睡不着", "周末一早就吵"],
    ),
}
FIRST_DAY = dt.date(2026, 1, 5)
PER_DEPARTMENT = 12


def texts_of(code: str) -> list[tuple[str, str]]:
    subjects, complaints = VOCABULARY[code]
    return [
        (f"{subject}{complaint}", f"我们小区附近的{subject}{complaint}，希望有关部门尽快处理。")
        for subject, complaint in itertools.product(subjects, complaints)
    ]


def make_answered_appeals(territory: Any, *, per_department: int = PER_DEPARTMENT) -> list[Appeal]:
    """Closed appeals with their lead department, written directly (training data only)."""
    departments = {
        "city-civil-affairs": territory.civil_affairs,
        "xiangzhou-government": territory.xz_government,
        "doumen-government": territory.dm_government,
    }
    rows = []
    day = FIRST_DAY
    columns = [texts_of(code)[:per_department] for code in VOCABULARY]
    for index, group in enumerate(itertools.zip_longest(*columns)):
        for code, pair in zip(VOCABULARY, group, strict=True):
            if pair is None:
                continue
            title, text = pair
            rows.append(
                Appeal(
                    number=f"TRAIN{len(rows) + 1:06d}",
                    query_code_hash="x",
                    channel="hotline",
                    appeal_type="complaint",
                    title=title,
                    text=text,
                    admin_unit=territory.xz_grid_1,
                    admin_unit_code=territory.xz_grid_1.code,
                    status=AppealStatus.CLOSED,
                    lead_department=departments[code],
                    accepted_on=day + dt.timedelta(days=index),
                )
            )
    return Appeal.objects.bulk_create(rows)


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A fresh VAR_DIR per test, and no router cached from another test."""
    settings.VAR_DIR = tmp_path
    invalidate_active_router()
    yield tmp_path
    invalidate_active_router()
