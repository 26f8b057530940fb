"""The appeal workflow: every transition, illegal moves, concurrency, permissions, deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealEvent, AppealStatus, Assignment
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.models import AuditRecord

from .conftest import TODAY, reply_and_approve

pytestmark = pytest.mark.django_db

Staff = dict[str, User]


def test_accept_places_the_appeal_and_sets_the_handling_deadline(
    accept: Callable[..., Appeal],
) -> None:
    appeal = accept()
    assert appeal.number == "440420260929000001"
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.admin_unit_code == "440402001001001"
    assert appeal.accepted_on == TODAY
    # complaint: 10 working days; 10-01..10-07 are the National Day holidays and Saturday
    # 10-10 is an adjusted working day: 09-30, 10-08, 10-09, 10-10, 10-12 … 10-16, 10-19
    assert appeal.handling_deadline == dt.date(2026, 10, 19)
    assert appeal.citizen_phone == "13800138000"
    assert list(appeal.events.values_list("kind", "to_status")) == [("accept", "accepted")]
    assert accept().number == "440420260929000002"


def test_query_code_is_returned_once_and_stored_hashed(staff: Staff, territory: Any) -> None:
    appeal, code = services.appeal_accept(
        actor=None, channel="web", appeal_type="consultation", title="咨询", text="办事指南"
    )
    assert code is not None
    assert len(code) == 6
    assert code not in appeal.query_code_hash
    assert services.query_code_matches(appeal, code)
    assert not services.query_code_matches(appeal, f"{(int(code) + 1) % 1_000_000:06d}")
    assert appeal.admin_unit_code == "4404"  # no place given: the city
    assert appeal.handling_deadline == dt.date(2026, 10, 8)  # consultation: 09-30, 10-08


def _full_walk(appeal: Appeal, staff: Staff, territory: Any) -> Appeal:
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
        cooperating=[territory.civil_affairs],
    )
    appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    return reply_and_approve(
        actor=staff["xz_staff"],
        reviewer=staff["xz_dispatcher"],
        appeal=appeal,
        reply="已联系城管中队清理占道经营。",
    )


def test_every_step_from_intake_to_close(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _full_walk(accept(), staff, territory)
    assert appeal.status == AppealStatus.REPLIED
    assert appeal.sign_for_deadline == dt.date(2026, 9, 30)
    assert sorted(appeal.assignments.values_list("department__code", "role")) == [
        ("city-civil-affairs", "cooperating"),
        ("xiangzhou-government", "lead"),
    ]
    appeal = services.appeal_follow_up(
        actor=staff["operator"],
        appeal=appeal,
        expected_version=appeal.version,
        satisfaction="unsatisfied",
    )
    appeal = services.appeal_reopen(
        actor=staff["operator"],
        appeal=appeal,
        expected_version=appeal.version,
        reason="商贩第二天又回来了",
    )
    assert (appeal.status, appeal.reopen_count) == (AppealStatus.DISPATCHED, 1)
    assert appeal.lead_department == territory.xz_government
    appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    appeal = reply_and_approve(
        actor=staff["xz_staff"], reviewer=staff["supervisor"], appeal=appeal, reply="已长期值守"
    )
    appeal = services.appeal_follow_up(
        actor=staff["operator"],
        appeal=appeal,
        expected_version=appeal.version,
        satisfaction="satisfied",
    )
    appeal = services.appeal_close(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version
    )
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.version == 12
    assert list(appeal.events.values_list("kind", "from_status", "to_status")) == [
        ("accept", "", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("sign_for", "dispatched", "signed"),
        ("reply", "signed", "reviewing"),
        ("reply_approve", "reviewing", "replied"),
        ("follow_up", "replied", "followed_up"),
        ("reopen", "followed_up", "dispatched"),
        ("sign_for", "dispatched", "signed"),
        ("reply", "signed", "reviewing"),
        ("reply_approve", "reviewing", "replied"),
        ("follow_up", "replied", "followed_up"),
        ("close", "followed_up", "closed"),
    ]
    assert not Assignment.objects.filter(appeal=appeal, is_open=True).exists()


def test_two_people_acting_at_once_one_wins_the_other_is_told_why(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = accept()
    stale = Appeal.objects.get(pk=appeal.pk)
    services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=1,
        department=territory.xz_government,
    )
    with pytest.raises(ConflictError) as caught:
        services.appeal_cancel(
            actor=staff["xz_dispatcher"], appeal=stale, expected_version=1, reason="重复工单"
        )
    assert caught.value.code == "version_conflict"
    assert "dispatched" in str(caught.value)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version) == (AppealStatus.DISPATCHED, 2)
    assert appeal.events.count() == 2


def test_an_illegal_move_is_refused_with_the_current_state(
    accept: Callable[..., Appeal], staff: Staff
) -> None:
    appeal = accept()
    with pytest.raises(PermissionDeniedError):
        services.appeal_sign_for(actor=staff["xz_staff"], appeal=appeal, expected_version=1)
    appeal.lead_department = staff["xz_staff"].department
    with pytest.raises(ConflictError) as caught:
        services.appeal_sign_for(actor=staff["xz_staff"], appeal=appeal, expected_version=1)
    assert caught.value.code == "illegal_transition"
    assert str(caught.value) == "This step is not possible while the appeal is accepted."
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1


@pytest.mark.parametrize(
    ("who", "step"),
    [
        ("dm_dispatcher", "dispatch"),  # another district's dispatcher
        ("operator", "dispatch"),  # not a dispatcher
        ("xz_grid", "dispatch"),
        ("dm_staff", "sign_for"),  # not the lead department
        ("city_staff", "sign_for"),  # a cooperating department does not sign
        ("xz_dispatcher", "sign_for"),
    ],
)
def test_people_without_the_right_change_nothing(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, who: str, step: str
) -> None:
    appeal = accept()
    if step == "sign_for":
        appeal = services.appeal_dispatch(
            actor=staff["xz_dispatcher"],
            appeal=appeal,
            expected_version=1,
            department=territory.xz_government,
            cooperating=[territory.civil_affairs],
        )
    before = (appeal.status, appeal.version, appeal.events.count())
    if step == "dispatch":
        with pytest.raises(PermissionDeniedError):
            services.appeal_dispatch(
                actor=staff[who],
                appeal=appeal,
                expected_version=appeal.version,
                department=territory.xz_government,
            )
    else:
        with pytest.raises(PermissionDeniedError):
            services.appeal_sign_for(
                actor=staff[who], appeal=appeal, expected_version=appeal.version
            )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.events.count()) == before


def test_return_sends_it_back_to_the_dispatcher_queue(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=accept(),
        expected_version=1,
        department=territory.xz_government,
    )
    with pytest.raises(DomainError) as caught:
        services.appeal_return(
            actor=staff["xz_staff"], appeal=appeal, expected_version=2, reason=" "
        )
    assert caught.value.field == "reason"
    appeal = services.appeal_return(
        actor=staff["xz_staff"], appeal=appeal, expected_version=2, reason="不属于本单位职责"
    )
    assert (appeal.status, appeal.lead_department, appeal.sign_for_deadline) == (
        AppealStatus.ACCEPTED,
        None,
        None,
    )
    assert not Assignment.objects.filter(appeal=appeal, is_open=True).exists()
    assert appeal.events.last().note == "不属于本单位职责"  # type: ignore[union-attr]
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.civil_affairs,
    )
    assert appeal.lead_department == territory.civil_affairs


def test_cancel_only_before_handling(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = accept()
    appeal = services.appeal_cancel(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=1, reason="测试电话"
    )
    assert appeal.status == AppealStatus.CANCELLED
    with pytest.raises(ConflictError):
        services.appeal_dispatch(
            actor=staff["xz_dispatcher"],
            appeal=appeal,
            expected_version=appeal.version,
            department=territory.xz_government,
        )


def test_reopen_is_refused_after_the_window(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, monkeypatch: Any
) -> None:
    appeal = _full_walk(accept(), staff, territory)
    replied_on = timezone.localdate(appeal.replied_at)  # the service counts in local days
    monkeypatch.setattr(clock, "today", lambda: replied_on + dt.timedelta(days=16))
    with pytest.raises(ConflictError) as caught:
        services.appeal_reopen(
            actor=staff["operator"], appeal=appeal, expected_version=appeal.version, reason="不满意"
        )
    assert caught.value.code == "reopen_too_late"


def test_reveal_citizen_is_audited_and_respects_confidentiality(
    accept: Callable[..., Appeal], staff: Staff
) -> None:
    appeal = accept()
    revealed = services.appeal_reveal_citizen(
        actor=staff["operator"], appeal=appeal, purpose="回访群众"
    )
    assert revealed == {"citizen_name": "张三", "citizen_phone": "13800138000"}
    record = AuditRecord.objects.get(action="pii.reveal")
    assert (record.target_id, record.purpose) == (str(appeal.pk), "回访群众")
    with pytest.raises(PermissionDeniedError):
        services.appeal_reveal_citizen(actor=staff["dm_dispatcher"], appeal=appeal, purpose="查看")
    secret = accept(is_confidential=True)
    with pytest.raises(PermissionDeniedError):
        services.appeal_reveal_citizen(actor=staff["operator"], appeal=secret, purpose="回访群众")
    assert AuditRecord.objects.filter(action="pii.reveal").count() == 1
