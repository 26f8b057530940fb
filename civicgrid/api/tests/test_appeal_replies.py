"""Reply review through the API and Open311: reviewers' steps, nothing of the draft for citizens."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator

from .conftest import assert_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    invalidate_locator()
    with translation.override("en"):
        yield


def _reviewing(appeal: Appeal, staff: dict[str, User], territory: Any) -> Appeal:  # noqa: F811
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=1,
        department=territory.xz_government,
    )
    appeal = services.appeal_sign_for(actor=staff["xz_staff"], appeal=appeal, expected_version=2)
    return services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=3, reply="草稿答复"
    )


def test_citizen_sees_no_draft_reply_and_no_review_steps(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, User],  # noqa: F811
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    citizen = make_user(Role.CITIZEN, username="citizen-a")
    appeal = _reviewing(accept(citizen=citizen), staff, territory)
    url = f"/api/appeals/{appeal.number}/"
    body = client_for(citizen).get(url).json()
    assert (body["status"], body["reply"]) == ("reviewing", "")
    assert [event["kind"] for event in body["timeline"]] == ["accept", "dispatch", "sign_for"]
    assert client_for(staff["xz_dispatcher"]).get(url).json()["reply"] == "草稿答复"
    response = client_for(staff["xz_dispatcher"]).post(
        f"{url}reply-reject/", {"expected_version": 4, "reason": "请补充时间"}, format="json"
    )
    assert response.json()["status"] == "signed"
    body = client_for(citizen).get(url).json()
    assert body["reply"] == ""
    assert "请补充时间" not in json.dumps(body, ensure_ascii=False)
    services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=5, reply="已于今日处理"
    )
    response = client_for(staff["xz_dispatcher"]).post(
        f"{url}reply-approve/", {"expected_version": 6, "reply": "已于今日上午处理"}, format="json"
    )
    assert (response.json()["status"], response.json()["version"]) == ("replied", 7)
    body = client_for(citizen).get(url).json()
    assert body["reply"] == "已于今日上午处理"
    assert [event["kind"] for event in body["timeline"]][-2:] == ["sign_for", "reply_approve"]


def test_department_may_not_approve_its_own_reply_and_stale_is_409(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, User],  # noqa: F811
    territory: Any,
) -> None:
    appeal = _reviewing(accept(), staff, territory)
    url = f"/api/appeals/{appeal.number}/reply-approve/"
    response = client_for(staff["xz_staff"]).post(url, {"expected_version": 4}, format="json")
    assert_error(response, 403, "permission_denied")
    response = client_for(staff["xz_dispatcher"]).post(url, {"expected_version": 3}, format="json")
    assert_error(response, 409, "version_conflict")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version) == ("reviewing", 4)


def test_open311_shows_a_reviewed_appeal_as_open_without_the_reply(
    settings: Any,
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, User],  # noqa: F811
    territory: Any,
) -> None:
    appeal = _reviewing(accept(), staff, territory)
    response = Client().get(f"/open311/v2/requests/{appeal.number}.json")
    (body,) = response.json()
    assert body["status"] == "open"
    assert "草稿答复" not in response.content.decode()
