"""Extensions (延期), urging (催办), escalation (督办升级): rules, permissions, no half writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import services
from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    ExtensionRequest,
    SupervisionItem,
)
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.models import AuditRecord, CalendarYear

pytestmark = pytest.mark.django_db

Staff = dict[str, User]


def _signed(accept: Callable[..., Appeal], staff: Staff, territory: Any, **kw: Any) -> Appeal:
    appeal = accept(**kw)
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )
    return services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )


def _request(appeal: Appeal, staff: Staff, days: int = 3) -> ExtensionRequest:
    return services.appeal_extension_request(
        actor=staff["xz_staff"],
        appeal=appeal,
        expected_version=appeal.version,
        days=days,
        reason="需要协调多个部门现场核查",
    )


def _kinds(appeal: Appeal) -> list[str]:
    return list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))


# ---------------------------------------------------------------- extensions


def test_request_then_approve_moves_the_deadline_by_working_days(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    assert appeal.handling_deadline == dt.date(2026, 10, 19)
    assert appeal.version == 3
    request = _request(appeal, staff, days=3)
    assert (request.status, request.days, request.department) == (
        "pending",
        3,
        territory.xz_government,
    )
    appeal.refresh_from_db()
    assert appeal.version == 3  # a request does not change the appeal
    decided = services.appeal_extension_decide(
        actor=staff["xz_dispatcher"], request=request, approve=True, comment="同意"
    )
    appeal.refresh_from_db()
    # 10-19 is a Monday: +3 working days is Thursday 10-22
    assert appeal.handling_deadline == dt.date(2026, 10, 22)
    assert appeal.version == 4
    assert (decided.status, decided.decided_by, decided.decision_comment) == (
        "approved",
        staff["xz_dispatcher"],
        "同意",
    )
    assert (decided.previous_deadline, decided.new_deadline) == (
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 22),
    )
    assert decided.decided_at is not None
    assert _kinds(appeal)[-2:] == ["extension_request", "extension_approved"]
    event = AppealEvent.objects.get(appeal=appeal, kind="extension_approved")
    assert event.details == {
        "days": 3,
        "extension": request.pk,
        "deadline_before": "2026-10-19",
        "deadline_after": "2026-10-22",
    }
    assert AuditRecord.objects.filter(action="appeal.extension_approve").count() == 1
    # A second request after the first decision: 10-22 + 10 working days (two full weeks).
    request = _request(appeal, staff, days=10)
    services.appeal_extension_decide(
        actor=staff["supervisor"], request=request, approve=True, comment=""
    )
    appeal.refresh_from_db()
    assert appeal.handling_deadline == dt.date(2026, 11, 5)


def test_rejection_needs_a_comment_and_keeps_the_deadline(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    request = _request(appeal, staff)
    with pytest.raises(DomainError) as caught:
        services.appeal_extension_decide(
            actor=staff["xz_dispatcher"], request=request, approve=False, comment=" "
        )
    assert caught.value.field == "comment"
    decided = services.appeal_extension_decide(
        actor=staff["xz_dispatcher"], request=request, approve=False, comment="时限充足"
    )
    appeal.refresh_from_db()
    assert (decided.status, decided.decision_comment, decided.new_deadline) == (
        "rejected",
        "时限充足",
        None,
    )
    assert (appeal.handling_deadline, appeal.version) == (dt.date(2026, 10, 19), 3)
    assert _kinds(appeal)[-1] == "extension_rejected"
    with pytest.raises(ConflictError) as caught_again:
        services.appeal_extension_decide(
            actor=staff["xz_dispatcher"], request=decided, approve=True, comment=""
        )
    assert caught_again.value.code == "extension_decided"
    # After a decision a new request is allowed again.
    assert _request(appeal, staff).status == "pending"


def test_only_one_pending_request_per_appeal(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    _request(appeal, staff)
    with pytest.raises(ConflictError) as caught:
        _request(appeal, staff)
    assert caught.value.code == "extension_pending"
    assert ExtensionRequest.objects.filter(appeal=appeal).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            appeal=appeal, department=territory.xz_government, days=1, reason="直接写库"
        )


@pytest.mark.parametrize(
    ("days", "field"), [(0, "days"), (31, "days"), ("3", "days"), (True, "days")]
)
def test_request_refuses_bad_days(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, days: Any, field: str
) -> None:
    appeal = _signed(accept, staff, territory)
    with pytest.raises(DomainError) as caught:
        _request(appeal, staff, days=days)
    assert caught.value.field == field
    assert not ExtensionRequest.objects.exists()
    assert _kinds(appeal) == ["accept", "dispatch", "sign_for"]


def test_request_only_by_lead_staff_while_signed_and_current(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = accept()
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )
    with pytest.raises(ConflictError) as not_signed:
        _request(appeal, staff)
    assert not_signed.value.code == "illegal_transition"
    appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    for who in ("dm_staff", "city_staff", "xz_dispatcher", "supervisor"):
        with pytest.raises(PermissionDeniedError):
            services.appeal_extension_request(
                actor=staff[who],
                appeal=appeal,
                expected_version=appeal.version,
                days=2,
                reason="需要更多时间",
            )
    with pytest.raises(ConflictError) as stale:
        services.appeal_extension_request(
            actor=staff["xz_staff"], appeal=appeal, expected_version=2, days=2, reason="需要时间"
        )
    assert stale.value.code == "version_conflict"
    assert not ExtensionRequest.objects.exists()
    assert _kinds(appeal) == ["accept", "dispatch", "sign_for"]


def test_decide_only_by_dispatcher_or_supervisor_in_scope(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    appeal = _signed(accept, staff, territory)
    request = _request(appeal, staff)
    dm_supervisor = make_user(Role.SUPERVISOR, scope_unit=territory.doumen, username="dm-sup")
    for actor in (staff["dm_dispatcher"], dm_supervisor, staff["xz_staff"], staff["operator"]):
        with pytest.raises(PermissionDeniedError):
            services.appeal_extension_decide(actor=actor, request=request, approve=True, comment="")
    request.refresh_from_db()
    appeal.refresh_from_db()
    assert request.status == "pending"
    assert (appeal.handling_deadline, appeal.version) == (dt.date(2026, 10, 19), 3)
    assert _kinds(appeal)[-1] == "extension_request"


def test_approval_after_the_reply_is_refused_but_rejection_allowed(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    request = _request(appeal, staff)
    services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version, reply="已处理"
    )
    with pytest.raises(ConflictError):
        services.appeal_extension_decide(
            actor=staff["xz_dispatcher"], request=request, approve=True, comment=""
        )
    request.refresh_from_db()
    assert request.status == "pending"
    services.appeal_extension_decide(
        actor=staff["xz_dispatcher"], request=request, approve=False, comment="已答复，无需延期"
    )
    request.refresh_from_db()
    assert request.status == "rejected"


def test_approval_into_an_unpublished_year_is_refused_whole(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    Appeal.objects.filter(pk=appeal.pk).update(handling_deadline=dt.date(2026, 12, 29))
    request = _request(appeal, staff, days=5)
    with pytest.raises(DomainError) as caught:
        services.appeal_extension_decide(
            actor=staff["xz_dispatcher"], request=request, approve=True, comment=""
        )
    assert caught.value.code == "calendar_unknown_year"
    request.refresh_from_db()
    appeal.refresh_from_db()
    assert request.status == "pending"
    assert (appeal.handling_deadline, appeal.version) == (dt.date(2026, 12, 29), 3)
    assert "extension_approved" not in _kinds(appeal)
    CalendarYear.objects.create(year=2027, is_published=True)
    services.appeal_extension_decide(
        actor=staff["xz_dispatcher"], request=request, approve=True, comment=""
    )
    appeal.refresh_from_db()
    # 12-30, 12-31, then 2027 as published (Mon-Fri): 01-01 (Fri), 01-04, 01-05
    assert appeal.handling_deadline == dt.date(2027, 1, 5)


# ---------------------------------------------------------------- urging and escalation


def test_urge_writes_an_event_and_opens_one_manual_item(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = accept()
    item = services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="请尽快派单")
    assert (item.kind, item.level, item.status, item.created_by, item.admin_unit_code) == (
        "manual",
        1,
        "open",
        staff["supervisor"],
        "440402001001001",
    )
    again = services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="再次催办")
    assert again.pk == item.pk
    assert SupervisionItem.objects.count() == 1
    assert _kinds(appeal) == ["accept", "urge", "urge"]
    assert list(AppealEvent.objects.filter(kind="urge").values_list("note", "details")) == [
        ("请尽快派单", {"supervision": item.pk, "opened": True}),
        ("再次催办", {"supervision": item.pk, "opened": False}),
    ]
    appeal.refresh_from_db()
    assert appeal.version == 1
    assert AuditRecord.objects.filter(action="appeal.urge").count() == 2


def test_urge_refusals_write_nothing(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    appeal = accept()
    dm_supervisor = make_user(Role.SUPERVISOR, scope_unit=territory.doumen, username="dm-sup")
    for actor in (dm_supervisor, staff["xz_dispatcher"], staff["xz_staff"]):
        with pytest.raises(PermissionDeniedError):
            services.appeal_urge(actor=actor, appeal=appeal, note="催办")
    with pytest.raises(DomainError) as caught:
        services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="")
    assert caught.value.field == "note"
    appeal = services.appeal_cancel(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=1, reason="重复工单"
    )
    with pytest.raises(ConflictError):
        services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="催办")
    assert not SupervisionItem.objects.exists()
    assert "urge" not in _kinds(appeal)


def test_escalate_once_from_district_to_city(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    appeal = accept()
    item = services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="请尽快派单")
    dm_supervisor = make_user(Role.SUPERVISOR, scope_unit=territory.doumen, username="dm-sup")
    with pytest.raises(PermissionDeniedError):
        services.supervision_escalate(actor=dm_supervisor, item=item, note="升级")
    with pytest.raises(PermissionDeniedError):
        services.supervision_escalate(actor=staff["xz_dispatcher"], item=item, note="升级")
    item.refresh_from_db()
    assert item.level == 1
    xz_supervisor = make_user(Role.SUPERVISOR, scope_unit=territory.xiangzhou, username="xz-sup")
    escalated = services.supervision_escalate(actor=xz_supervisor, item=item, note="区里推不动")
    assert (escalated.level, escalated.status) == (2, "open")
    event = AppealEvent.objects.get(appeal=appeal, kind="escalate")
    assert (event.note, event.details) == (
        "区里推不动",
        {"supervision": item.pk, "kind": "manual", "level": 2},
    )
    with pytest.raises(ConflictError):
        services.supervision_escalate(actor=staff["supervisor"], item=item, note="再升级")
    assert _kinds(appeal) == ["accept", "urge", "escalate"]


def test_admin_lists_extensions_and_supervision_read_only(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, admin_client: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    _request(appeal, staff)
    services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="请尽快办理")
    for url in ("extensionrequest", "supervisionitem"):
        listing = admin_client.get(f"/admin/appeals/{url}/")
        assert listing.status_code == 200
        assert appeal.number in listing.content.decode()
        assert admin_client.get(f"/admin/appeals/{url}/add/").status_code == 403


def test_a_request_of_a_department_that_returned_the_appeal_cannot_be_approved(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    request = _request(appeal, staff)
    appeal = services.appeal_return(
        actor=staff["xz_staff"], appeal=appeal, expected_version=3, reason="不属于本单位职责"
    )
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.civil_affairs,
    )
    appeal = services.appeal_sign_for(
        actor=staff["city_staff"], appeal=appeal, expected_version=appeal.version
    )
    with pytest.raises(ConflictError) as caught:
        services.appeal_extension_decide(
            actor=staff["xz_dispatcher"], request=request, approve=True, comment=""
        )
    assert caught.value.code == "extension_stale"
    appeal.refresh_from_db()
    assert appeal.handling_deadline == dt.date(2026, 10, 19)
    request.refresh_from_db()
    assert request.status == "pending"
