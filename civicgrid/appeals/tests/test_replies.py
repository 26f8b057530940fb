"""Reply review (答复审核), reply templates and the public board selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import services, sweep
from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealSettings,
    AppealStatus,
    Category,
    ReplyTemplate,
)
from civicgrid.appeals.selectors import deadline_light
from civicgrid.appeals.selectors.replies import (
    board_appeals,
    board_entries,
    fill_reply_template,
    last_review_rejection,
    replies_to_review,
    reply_for_citizen,
    reply_templates_for,
)
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from .conftest import TODAY

pytestmark = pytest.mark.django_db
Staff = dict[str, User]


def _reviewing(accept: Callable[..., Appeal], staff: Staff, territory: Any, **kw: Any) -> Appeal:
    appeal = accept(**kw)
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )
    appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    return services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version, reply="已清理。"
    )


def test_reply_waits_for_review_and_the_citizen_does_not_see_it(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _reviewing(accept, staff, territory)
    assert (appeal.status, appeal.version, appeal.reply) == (AppealStatus.REVIEWING, 4, "已清理。")
    assert appeal.replied_at is not None
    assert reply_for_citizen(appeal) == ""
    assert deadline_light(appeal, TODAY) == ""  # the department has done its part
    assert sweep.run().checked == 0
    assert list(replies_to_review(staff["xz_dispatcher"])) == [appeal]
    assert list(replies_to_review(staff["dm_dispatcher"])) == []
    assert list(replies_to_review(staff["xz_staff"])) == []


def test_without_review_the_reply_reaches_the_citizen_at_once(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    settings_row = AppealSettings.load()
    settings_row.is_reply_review_required = False
    settings_row.save()
    appeal = _reviewing(accept, staff, territory)
    assert appeal.status == AppealStatus.REPLIED
    assert reply_for_citizen(appeal) == "已清理。"


def test_approve_with_a_light_edit_keeps_the_original_in_the_event(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _reviewing(accept, staff, territory)
    submitted_at = appeal.replied_at
    appeal = services.appeal_reply_approve(
        actor=staff["supervisor"],
        appeal=appeal,
        expected_version=4,
        reply="  已于今日清理占道摊点。 ",
    )
    assert (appeal.status, appeal.version, appeal.reply) == (
        AppealStatus.REPLIED,
        5,
        "已于今日清理占道摊点。",
    )
    assert appeal.replied_at == submitted_at  # on-time measures the department's submission
    event = appeal.events.get(kind="reply_approve")
    assert (event.from_status, event.to_status, event.actor) == (
        "reviewing",
        "replied",
        staff["supervisor"],
    )
    assert event.details == {"edited": True, "original_reply": "已清理。"}
    assert reply_for_citizen(appeal) == "已于今日清理占道摊点。"


def test_approve_unchanged_writes_no_original(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _reviewing(accept, staff, territory)
    appeal = services.appeal_reply_approve(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4, reply="已清理。"
    )
    assert appeal.events.get(kind="reply_approve").details == {}
    assert appeal.reply == "已清理。"


def test_reject_sends_it_back_with_the_reason_and_keeps_the_draft(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _reviewing(accept, staff, territory)
    appeal = services.appeal_reply_reject(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4, reason="请写明清理时间"
    )
    assert (appeal.status, appeal.version, appeal.reply, appeal.replied_at) == (
        AppealStatus.SIGNED,
        5,
        "已清理。",
        None,
    )
    event = appeal.events.get(kind="reply_reject")
    assert (event.note, event.from_status, event.to_status) == (
        "请写明清理时间",
        "reviewing",
        "signed",
    )
    assert last_review_rejection(appeal) == "请写明清理时间"
    assert reply_for_citizen(appeal) == ""
    appeal = services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=5, reply="已于9月29日清理。"
    )
    assert appeal.status == AppealStatus.REVIEWING
    assert last_review_rejection(appeal) == ""


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("xz_dispatcher", True),
        ("supervisor", True),
        ("city_admin", True),
        ("dm_dispatcher", False),  # another district
        ("xz_staff", False),  # the department itself
        ("operator", False),
        ("anonymous", False),
    ],
)
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_who_may_review(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
    who: str,
    allowed: bool,
    action: str,
) -> None:
    appeal = _reviewing(accept, staff, territory)
    actor: Any
    if who == "anonymous":
        actor = None
    elif who == "city_admin":
        actor = make_user(Role.ADMINISTRATOR, scope_unit=territory.city, username="adm")
    else:
        actor = staff[who]
    events_before = AppealEvent.objects.filter(appeal=appeal).count()

    def run() -> Appeal:
        if action == "approve":
            return services.appeal_reply_approve(
                actor=actor, appeal=appeal, expected_version=4, reply="改过的答复"
            )
        return services.appeal_reply_reject(
            actor=actor, appeal=appeal, expected_version=4, reason="请补充"
        )

    if allowed:
        expected = AppealStatus.REPLIED if action == "approve" else AppealStatus.SIGNED
        assert run().status == expected
        return
    with pytest.raises(PermissionDeniedError):
        run()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.reply) == (AppealStatus.REVIEWING, 4, "已清理。")
    assert AppealEvent.objects.filter(appeal=appeal).count() == events_before


def test_version_conflict_and_illegal_moves_change_nothing(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _reviewing(accept, staff, territory)
    with pytest.raises(ConflictError) as caught:
        services.appeal_reply_approve(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=3
        )
    assert caught.value.code == "version_conflict"
    with pytest.raises(DomainError) as invalid:
        services.appeal_reply_reject(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4, reason=" "
        )
    assert invalid.value.field == "reason"
    with pytest.raises(DomainError):
        services.appeal_reply_approve(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4, reply="x"
        )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version) == (AppealStatus.REVIEWING, 4)
    signed = accept()
    with pytest.raises(ConflictError) as illegal:
        services.appeal_reply_approve(
            actor=staff["xz_dispatcher"], appeal=signed, expected_version=1
        )
    assert illegal.value.code == "illegal_transition"
    with pytest.raises(ConflictError):  # not while reviewing: follow-up, close, rating
        services.appeal_close(actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version) == (AppealStatus.REVIEWING, 4)


def test_reopen_window_comes_from_the_settings(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, monkeypatch: Any
) -> None:
    import datetime as dt

    from civicgrid.appeals import clock

    appeal = _reviewing(accept, staff, territory)
    appeal = services.appeal_reply_approve(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=4
    )
    settings_row = AppealSettings.load()
    settings_row.reopen_within_days = 3
    settings_row.save()
    from django.utils import timezone

    assert appeal.replied_at is not None
    replied_on = timezone.localdate(appeal.replied_at)
    monkeypatch.setattr(clock, "today", lambda: replied_on + dt.timedelta(days=4))
    with pytest.raises(ConflictError) as caught:
        services.appeal_reopen(
            actor=staff["operator"], appeal=appeal, expected_version=5, reason="仍未解决"
        )
    assert caught.value.code == "reopen_too_late"
    assert "3" in str(caught.value.message)
    assert services.REOPEN_WITHIN_DAYS == 15


# ---------------------------------------------------------------- templates


def test_templates_for_category_ancestors_and_type(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    parent = Category.objects.create(code="urban-t", name="城市管理")
    child = Category.objects.create(code="stall-t", name="占道经营", parent=parent)
    other = Category.objects.create(code="noise-t", name="噪音")
    general = ReplyTemplate.objects.create(name="通用", body="您好，{number}已办理。")
    own = ReplyTemplate.objects.create(name="占道", category=child, body="{category}：{department}")
    up = ReplyTemplate.objects.create(
        name="城管投诉", category=parent, appeal_type="complaint", body="{date}"
    )
    ReplyTemplate.objects.create(
        name="城管咨询", category=parent, appeal_type="consultation", body="x"
    )
    ReplyTemplate.objects.create(name="噪音", category=other, body="x")
    ReplyTemplate.objects.create(name="停用", category=child, body="x", is_active=False)
    appeal = _reviewing(accept, staff, territory, category=child)
    assert reply_templates_for(appeal) == [own, up, general]
    assert fill_reply_template(own.body, appeal) == "占道经营：珠海市香洲区人民政府"
    assert fill_reply_template(general.body, appeal) == f"您好，{appeal.number}已办理。"
    assert (
        fill_reply_template("{date} {unknown} {", appeal, today=TODAY)
        == "Sept. 29, 2026 {unknown} {"
    )


# ---------------------------------------------------------------- public board


def test_board_lists_only_consented_replied_public_appeals_and_strips_personal_data(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    def published(**kw: Any) -> Appeal:
        appeal = _reviewing(accept, staff, territory, **kw)
        return services.appeal_reply_approve(
            actor=staff["xz_dispatcher"],
            appeal=appeal,
            expected_version=appeal.version,
            reply="张三您好，已联系13812345678的摊主，身份证44040219900101123X已登记。",
        )

    shown = published(
        is_public_consent=True,
        title="张三反映占道",
        text="我叫张三，电话13800138000，住紫荆路8号。",
    )
    published(is_public_consent=False)
    published(is_public_consent=True, is_confidential=True)
    _reviewing(accept, staff, territory, is_public_consent=True)  # still under review
    assert list(board_appeals()) == [shown]
    assert list(board_appeals(district="440402")) == [shown]
    assert list(board_appeals(district="440403")) == []
    (entry,) = board_entries([shown])
    assert entry.title == "张*反映占道"
    assert entry.text == "我叫张*，电话138****8000，住紫荆路8号。"
    assert entry.reply == "张*您好，已联系138****5678的摊主，身份证******************已登记。"
    assert entry.district == "香洲区"
