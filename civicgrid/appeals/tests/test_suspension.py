"""Suspension (挂起) stops the handling clock; resuming credits the working days suspended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealEvent, AppealStatus
from civicgrid.appeals.selectors import deadline_light
from civicgrid.appeals.sweep import run as run_sweep
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from .conftest import TODAY

pytestmark = pytest.mark.django_db

Staff = dict[str, User]


def _signed(accept: Callable[..., Appeal], staff: Staff, territory: Any) -> Appeal:
    appeal = accept()
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )
    return services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )


def test_suspend_then_resume_after_the_national_day_holiday(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appeal = _signed(accept, staff, territory)
    # A complaint accepted on Tue 2026-09-29 has 10 working days: 9-30, 10-08, 10-09, 10-10
    # (a Saturday made a working day), 10-12 … 10-16, 10-19 (the National Day holiday
    # 10-01 … 10-07 is not).
    assert appeal.handling_deadline == dt.date(2026, 10, 19)
    appeal = services.appeal_suspend(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        reason="等待市民补充购房合同",
    )
    assert appeal.status == AppealStatus.SUSPENDED
    assert appeal.suspended_on == TODAY
    assert deadline_light(appeal, TODAY) == ""

    # Resumed on Fri 10-09: the working days after 9-29 up to 10-09 are 9-30, 10-08, 10-09.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 9))
    appeal = services.appeal_resume(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    assert appeal.status == AppealStatus.SIGNED
    assert appeal.suspended_on is None
    assert appeal.suspended_working_days == 3
    assert appeal.handling_deadline == dt.date(2026, 10, 22)  # 10-19 + 3 working days
    event = AppealEvent.objects.filter(appeal=appeal, kind="resume").get()
    assert event.details == {
        "suspended_on": "2026-09-29",
        "working_days": 3,
        "previous_deadline": "2026-10-19",
        "new_deadline": "2026-10-22",
    }
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True)) == [
        "accept",
        "dispatch",
        "sign_for",
        "suspend",
        "resume",
    ]


def test_resuming_the_same_day_credits_nothing(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    deadline = appeal.handling_deadline
    appeal = services.appeal_suspend(
        actor=staff["supervisor"], appeal=appeal, expected_version=appeal.version, reason="待鉴定"
    )
    appeal = services.appeal_resume(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version
    )
    assert appeal.handling_deadline == deadline
    assert appeal.suspended_working_days == 0


def test_a_suspended_overdue_appeal_is_not_swept_as_overdue(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appeal = _signed(accept, staff, territory)
    appeal = services.appeal_suspend(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        reason="待鉴定",
    )
    late = dt.date(2026, 11, 30)  # long after the original deadline
    monkeypatch.setattr(clock, "today", lambda: late)
    report = run_sweep(today=late)
    assert report.red == 0
    assert not appeal.supervision.exists()


@pytest.mark.parametrize("who", ["xz_staff", "dm_dispatcher", "operator", "city_staff"])
def test_only_dispatchers_or_supervisors_in_scope_suspend(
    accept: Callable[..., Appeal], staff: Staff, territory: Any, who: str
) -> None:
    appeal = _signed(accept, staff, territory)
    with pytest.raises(PermissionDeniedError):
        services.appeal_suspend(
            actor=staff[who], appeal=appeal, expected_version=appeal.version, reason="待鉴定"
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SIGNED
    assert appeal.suspended_on is None
    assert not AppealEvent.objects.filter(appeal=appeal, kind="suspend").exists()


def test_resume_by_other_department_is_refused(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    appeal = _signed(accept, staff, territory)
    appeal = services.appeal_suspend(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        reason="待鉴定",
    )
    with pytest.raises(PermissionDeniedError):
        services.appeal_resume(
            actor=staff["dm_staff"], appeal=appeal, expected_version=appeal.version
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SUSPENDED


def test_illegal_moves_and_stale_versions(
    accept: Callable[..., Appeal], staff: Staff, territory: Any
) -> None:
    accepted = accept()
    with pytest.raises(ConflictError) as illegal:
        services.appeal_suspend(
            actor=staff["xz_dispatcher"],
            appeal=accepted,
            expected_version=accepted.version,
            reason="待鉴定",
        )
    assert illegal.value.code == "illegal_transition"
    appeal = _signed(accept, staff, territory)
    with pytest.raises(ConflictError) as stale:
        services.appeal_suspend(
            actor=staff["xz_dispatcher"],
            appeal=appeal,
            expected_version=appeal.version - 1,
            reason="待鉴定",
        )
    assert stale.value.code == "version_conflict"
    with pytest.raises(DomainError):
        services.appeal_suspend(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version, reason=""
        )
    with pytest.raises(ConflictError):
        services.appeal_resume(
            actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.SIGNED
