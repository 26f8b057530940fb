"""The deadline sweep: lights equal deadline_light, supervision opens once and resolves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.models import User
from civicgrid.appeals import services, sweep, tasks
from civicgrid.appeals.models import OPEN_STATUSES, Appeal, AppealStatus, SupervisionItem
from civicgrid.appeals.selectors import deadline_light
from civicgrid.appeals.tests.conftest import reply_and_approve

pytestmark = pytest.mark.django_db

Staff = dict[str, User]


def _dispatch(appeal: Appeal, staff: Staff, territory: Any) -> Appeal:
    return services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )


def _sign(appeal: Appeal, staff: Staff) -> Appeal:
    return services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )


@pytest.fixture
def appeals(accept: Callable[..., Appeal], staff: Staff, territory: Any) -> dict[str, Appeal]:
    """Accepted on 2026-09-29: sign-for deadline 09-30, handling deadlines (working days)
    consultation 10-08, help 10-13, complaint 10-19, suggestion 10-26."""
    made = {
        "accepted_consultation": accept(appeal_type="consultation"),
        "dispatched_complaint": _dispatch(accept(), staff, territory),
        "signed_help": _sign(_dispatch(accept(appeal_type="help"), staff, territory), staff),
        "signed_suggestion": _sign(
            _dispatch(accept(appeal_type="suggestion"), staff, territory), staff
        ),
    }
    replied = _sign(_dispatch(accept(), staff, territory), staff)
    made["replied"] = reply_and_approve(
        actor=staff["xz_staff"], reviewer=staff["xz_dispatcher"], appeal=replied
    )
    return made


def _lights_by_hand(today: dt.date) -> Counter[str]:
    return Counter(
        deadline_light(appeal, today) for appeal in Appeal.objects.filter(status__in=OPEN_STATUSES)
    )


@pytest.mark.parametrize(
    "today",
    [
        dt.date(2026, 9, 29),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 16),
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
    ],
)
def test_sweep_counts_equal_deadline_light(appeals: dict[str, Appeal], today: dt.date) -> None:
    report = sweep.run(today=today)
    by_hand = _lights_by_hand(today)
    assert report.checked == 4
    assert (report.green, report.yellow, report.red) == (
        by_hand["green"],
        by_hand["yellow"],
        by_hand["red"],
    )
    assert report.calendar_unknown == 0


def test_sweep_exact_values_and_idempotency(appeals: dict[str, Appeal]) -> None:
    first = sweep.run(today=dt.date(2026, 10, 9))
    # red: dispatched (sign-for 09-30), consultation (10-08). Yellow would need a deadline
    # before 10-12: after Friday 10-09 come Saturday 10-10 (adjusted working day) and 10-12, so
    # help (10-13) and suggestion (10-26) are green.
    assert (first.checked, first.red, first.yellow, first.green) == (4, 2, 0, 2)
    assert (first.opened, first.resolved) == (2, 0)
    assert sorted(
        SupervisionItem.objects.values_list("appeal__title", "appeal__appeal_type", "kind")
    ) == [
        ("小区门口占道经营", "complaint", "overdue_sign_for"),
        ("小区门口占道经营", "consultation", "overdue_handling"),
    ]
    item = SupervisionItem.objects.get(kind="overdue_sign_for")
    assert (item.level, item.status, item.created_by, item.admin_unit_code) == (
        1,
        "open",
        None,
        "440402001001001",
    )
    assert item.opened_at is not None
    assert item.opened_at == item.created_at == item.updated_at
    assert (item.resolved_at, item.note) == (None, "")
    again = sweep.run(today=dt.date(2026, 10, 9))
    assert (again.opened, again.resolved) == (0, 0)
    assert SupervisionItem.objects.count() == 2


def test_yellow_means_at_most_one_working_day_left(appeals: dict[str, Appeal]) -> None:
    report = sweep.run(today=dt.date(2026, 10, 12))
    # 10-12: help deadline 10-13 is one working day away → yellow
    assert (report.red, report.yellow, report.green) == (2, 1, 1)


def test_items_resolve_when_the_appeal_leaves_the_overdue_state(
    appeals: dict[str, Appeal], staff: Staff, territory: Any
) -> None:
    today = dt.date(2026, 10, 20)
    first = sweep.run(today=today)
    # red: dispatched complaint (sign-for 09-30), consultation (10-08), help (10-13); the
    # dispatched complaint runs against its sign-for deadline only, not its handling one
    assert (first.red, first.opened) == (3, 3)
    dispatched = appeals["dispatched_complaint"]
    _sign(Appeal.objects.get(pk=dispatched.pk), staff)  # now signed: handling deadline 10-19
    helped = Appeal.objects.get(pk=appeals["signed_help"].pk)
    services.appeal_reply(
        actor=staff["xz_staff"], appeal=helped, expected_version=helped.version, reply="已处理"
    )
    second = sweep.run(today=today)
    # sign-for item and help item resolved, a handling item opened for the signed complaint
    assert (second.red, second.opened, second.resolved) == (2, 1, 2)
    assert sorted(SupervisionItem.objects.values_list("appeal__appeal_type", "kind", "status")) == [
        ("complaint", "overdue_handling", "open"),
        ("complaint", "overdue_sign_for", "resolved"),
        ("consultation", "overdue_handling", "open"),
        ("help", "overdue_handling", "resolved"),
    ]
    assert SupervisionItem.objects.filter(resolved_at__isnull=False).count() == 2


def test_manual_items_resolve_when_the_appeal_is_no_longer_open(
    appeals: dict[str, Appeal], staff: Staff
) -> None:
    appeal = appeals["signed_suggestion"]
    item = services.appeal_urge(actor=staff["supervisor"], appeal=appeal, note="请加快办理")
    assert sweep.run(today=dt.date(2026, 9, 29)).resolved == 0
    appeal.refresh_from_db()
    services.appeal_reply(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version, reply="已答复"
    )
    assert sweep.run(today=dt.date(2026, 9, 29)).resolved == 1
    item.refresh_from_db()
    assert item.status == "resolved"


def test_sweep_queries_do_not_grow_with_the_number_of_appeals(
    appeals: dict[str, Appeal], accept: Callable[..., Appeal]
) -> None:
    with CaptureQueriesContext(connection) as few:
        sweep.run(today=dt.date(2026, 10, 20))
    SupervisionItem.objects.all().delete()
    for _ in range(12):
        accept(appeal_type="consultation")
    with CaptureQueriesContext(connection) as many:
        report = sweep.run(today=dt.date(2026, 10, 20))
    assert report.opened == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_unpublished_next_year_counts_as_unknown_not_green(
    appeals: dict[str, Appeal],
) -> None:
    signed = appeals["signed_suggestion"]
    Appeal.objects.filter(pk=signed.pk).update(handling_deadline=dt.date(2027, 1, 8))
    Appeal.objects.filter(pk=appeals["signed_help"].pk).update(
        handling_deadline=dt.date(2026, 12, 31)
    )
    report = sweep.run(today=dt.date(2026, 12, 30))
    # Wednesday 12-30: only 12-31 is known to follow; the 2027 deadline cannot be judged
    assert (report.red, report.yellow, report.green, report.calendar_unknown) == (2, 1, 0, 1)


def test_default_day_and_celery_task(appeals: dict[str, Appeal]) -> None:
    report = sweep.run()
    assert report.today == dt.date(2026, 9, 29)  # clock.today, patched in conftest
    assert (report.checked, report.yellow, report.red) == (4, 1, 0)
    result = tasks.sweep_deadlines.delay().get()
    assert result["today"] == "2026-09-29"
    assert (result["checked"], result["yellow"], result["opened"]) == (4, 1, 0)
    assert Appeal.objects.filter(status=AppealStatus.REPLIED).count() == 1
