"""Fixtures of the plans web tests: the people of the programme, a small policy document in the
words real documents use, and a movable "today" (civicgrid.plans.clock).

Import them into a test module with ``from .plans_helpers import *``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.accounts.models import Role, User
from civicgrid.plans import clock

__all__ = [
    "SAMPLE_TEXT",
    "Clock",
    "coop_staff",
    "day",
    "htmx",
    "lead_staff",
    "office",
    "other_staff",
    "sample_upload",
    "signed_in",
    "supervisor",
]

# Two measures: the first led by 市民政局 with 香洲区政府 and an unknown 市星空局 cooperating,
# due at the end of 2026; the second led by 斗门区政府, due in mid 2027.
SAMPLE_TEXT = """珠海市社区服务提升工作方案
珠社改〔2026〕1号

一、工作任务
（一）完善社区服务体系
1.建设社区综合服务中心。每个社区建成一个综合服务中心，服务面积不少于300平方米。（市民政局牵头，香洲区政府、市星空局配合，2026年12月底前完成）
2.推进社区网格化管理。建立健全网格员队伍，每个网格配备1名专职网格员。（斗门区政府牵头，市民政局配合，2027年6月底前完成）
"""


def sample_upload(text: str = SAMPLE_TEXT, name: str = "community-plan.txt") -> Any:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


class Clock:
    """Sets the plans' today."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.set(dt.date(2026, 12, 1))

    def set(self, value: dt.date) -> None:
        self.today = value
        self.monkeypatch.setattr(clock, "today", lambda: value)


@pytest.fixture
def day(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def office(territory: Any, make_user: Callable[..., User]) -> User:
    """社工委: the programme office of the city."""
    return make_user(
        Role.PROGRAMME_OFFICE, scope_unit=territory.city, username="office", full_name="社工委"
    )


@pytest.fixture
def supervisor(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, scope_unit=territory.city, username="plans-supervisor")


@pytest.fixture
def lead_staff(territory: Any, make_user: Callable[..., User]) -> User:
    """Staff of 市民政局, the lead of the first measure."""
    return make_user(
        Role.DEPARTMENT_STAFF, department=territory.civil_affairs, username="civil-affairs"
    )


@pytest.fixture
def coop_staff(territory: Any, make_user: Callable[..., User]) -> User:
    """Staff of 香洲区政府, cooperating on the first measure."""
    return make_user(
        Role.DEPARTMENT_STAFF, department=territory.xz_government, username="xiangzhou"
    )


@pytest.fixture
def other_staff(territory: Any, make_user: Callable[..., User]) -> User:
    """Staff of 斗门区政府: not on the first measure."""
    return make_user(Role.DEPARTMENT_STAFF, department=territory.dm_government, username="doumen")


def signed_in(user: User, language: str = "en") -> Client:
    """A client signed in as ``user`` that reads the pages in English (messages are checked
    in English; the Chinese catalogue is merged separately)."""
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def htmx(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")
