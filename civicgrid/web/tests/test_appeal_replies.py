"""Reply review, templates and the public board on the web pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealStatus, Category, ReplyTemplate
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator

from .test_appeals_staff import client_for, numbers_in, signed, step_url, text_of

pytestmark = pytest.mark.django_db
BOARD = reverse("web:appeal_board")


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()


def _web_appeal(**overrides: Any) -> tuple[Appeal, str]:
    values: dict[str, Any] = {
        "actor": None,
        "channel": "web",
        "appeal_type": "complaint",
        "title": "路灯不亮",
        "text": "紫荆路的路灯不亮，我叫李四，电话13900139000。",
        "lon": 2,
        "lat": 5,
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
    }
    values.update(overrides)
    appeal, code = services.appeal_accept(**values)
    assert code is not None
    return appeal, code


def _reviewing(appeal: Appeal, staff: dict[str, Any], territory: Any) -> Appeal:  # noqa: F811
    appeal = signed(appeal, staff, territory)
    return services.appeal_reply(
        actor=staff["xz_staff"],
        appeal=appeal,
        expected_version=appeal.version,
        reply="已修复路灯。",
    )


def test_citizen_sees_no_reply_while_it_is_reviewed(staff: Any, territory: Any) -> None:  # noqa: F811
    appeal, code = _web_appeal()
    appeal = _reviewing(appeal, staff, territory)
    track = {"number": appeal.number, "query_code": code}
    html = text_of(client_for(None).post(reverse("web:appeal_track"), track))
    assert "已修复路灯。" not in html
    assert 'data-testid="rate-box"' not in html
    assert re.findall(r'data-kind="(\w+)"', html) == ["accept", "dispatch", "sign_for"]
    services.appeal_reply_reject(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version, reason="补充"
    )
    html = text_of(client_for(None).post(reverse("web:appeal_track"), track))
    assert "已修复路灯。" not in html
    assert "补充" not in html
    appeal.refresh_from_db()
    services.appeal_reply(
        actor=staff["xz_staff"],
        appeal=appeal,
        expected_version=appeal.version,
        reply="已于今晚修复。",
    )
    appeal.refresh_from_db()
    services.appeal_reply_approve(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version
    )
    html = text_of(client_for(None).post(reverse("web:appeal_track"), track))
    assert 'data-testid="reply">已于今晚修复。<' in html
    assert 'data-testid="rate-box"' in html


def test_review_list_detail_steps_and_inbox_shows_the_rejection(
    staff: Any,  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
    territory: Any,
) -> None:
    appeal = _reviewing(accept(), staff, territory)
    dispatcher = client_for(staff["xz_dispatcher"])
    assert numbers_in(dispatcher.get(reverse("web:appeal_review_list"))) == [appeal.number]
    assert (
        numbers_in(client_for(staff["dm_dispatcher"]).get(reverse("web:appeal_review_list"))) == []
    )
    department = client_for(staff["xz_staff"])
    assert 'data-step="reply_approve"' not in text_of(department.get(f"/appeals/{appeal.number}/"))
    refused = department.post(
        step_url(appeal, "reply_reject"), {"expected_version": 4, "reason": "x1"}
    )
    assert refused.status_code == 403
    stale = dispatcher.post(
        step_url(appeal, "reply_reject"), {"expected_version": 3, "reason": "请补充"}
    )
    assert stale.status_code == 409
    response = dispatcher.post(
        step_url(appeal, "reply_reject"), {"expected_version": 4, "reason": "请写明修复时间"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version) == (AppealStatus.SIGNED, 5)
    inbox = text_of(department.get(reverse("web:appeal_inbox")))
    assert 'data-testid="review-rejected"' in inbox
    assert "请写明修复时间" in inbox
    detail = text_of(department.get(f"/appeals/{appeal.number}/"))
    assert 'data-testid="review-rejection"' in detail
    assert "已修复路灯。</textarea>" in detail  # the draft is kept for the department


def test_reply_form_offers_filled_templates(
    staff: Any,  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
    territory: Any,
) -> None:
    category = Category.objects.create(code="lamp-w", name="路灯")
    ReplyTemplate.objects.create(
        name="路灯修复", category=category, body="{number}：{category}已修复"
    )
    appeal = signed(accept(category=category), staff, territory)
    html = text_of(client_for(staff["xz_staff"]).get(f"/appeals/{appeal.number}/"))
    assert f'data-text="{appeal.number}：路灯已修复"' in html
    assert "web/reply_templates.js" in html


def test_board_shows_consented_replies_without_personal_data_and_counts_queries(
    staff: Any,  # noqa: F811
    territory: Any,
    django_assert_num_queries: Any,
) -> None:
    for index in range(3):
        appeal, _code = _web_appeal(is_public_consent=True, title=f"路灯{index}")
        appeal = _reviewing(appeal, staff, territory)
        services.appeal_reply_approve(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version
        )
    hidden, _code = _web_appeal(is_public_consent=False, title="不公开")
    hidden = _reviewing(hidden, staff, territory)
    services.appeal_reply_approve(
        actor=staff["xz_dispatcher"], appeal=hidden, expected_version=hidden.version
    )
    client = client_for(None)
    client.get(BOARD)
    with django_assert_num_queries(5):  # districts, categories, count, page, place names
        response = client.get(BOARD, {"district": "440402"})
    html = text_of(response)
    assert response.status_code == 200
    assert len(re.findall(r'data-testid="board-entry"', html)) == 3
    assert "不公开" not in html
    assert "李四" not in html
    assert "13900139000" not in html
    assert "我叫李*，电话139****9000。" in html
    assert "紫荆路的路灯不亮" in html
    assert "香洲区" in html
    assert "已修复路灯。" in html


def test_web_form_passes_the_consent(territory: Any) -> None:
    response = client_for(None).post(
        reverse("web:appeal_new"),
        {
            "appeal_type": "complaint",
            "title": "路灯不亮",
            "text": "紫荆路的路灯连续三晚不亮。",
            "lon": "2",
            "lat": "5",
            "idempotency_key": "c" * 32,
            "is_public_consent": "on",
        },
    )
    assert response.status_code == 200
    assert Appeal.objects.get().is_public_consent is True


def test_login_and_citizen_home_link_the_board(make_user: Callable[..., Any]) -> None:
    from civicgrid.accounts.models import Role

    assert BOARD in text_of(client_for(None).get(reverse("login")))
    citizen = make_user(Role.CITIZEN, username="c1")
    assert BOARD in text_of(client_for(citizen).get(reverse("web:home")))
