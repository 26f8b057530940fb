"""appeal_statistics: exact figures on hand-made records, grouping, scope, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.models import Role, User
from civicgrid.appeals.models import Appeal, Category
from civicgrid.appeals.selectors import appeal_statistics
from civicgrid.core.errors import DomainError

pytestmark = pytest.mark.django_db

Staff = dict[str, User]
SEPTEMBER = {"start": dt.date(2026, 9, 1), "end": dt.date(2026, 9, 30)}
TODAY = dt.date(2026, 10, 20)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def records(accept: Callable[..., Appeal], territory: Any) -> dict[str, Appeal]:
    """Hand-made appeals; fields set directly so every figure below can be checked by hand."""
    city_management = Category.objects.create(code="cm", name="城市管理")
    street_vending = Category.objects.create(
        code="cm-vending", name="占道经营", parent=city_management
    )
    xz, dm = territory.xz_government, territory.dm_government
    specs: dict[str, dict[str, Any]] = {
        # closed 23:30 local on the deadline day: on time; 10 working days (09-02 … 09-15)
        "a": dict(
            status="closed",
            accepted_on=dt.date(2026, 9, 1),
            handling_deadline=dt.date(2026, 9, 15),
            closed_at=_utc("2026-09-15T15:30:00"),
            satisfaction="satisfied",
            category=street_vending,
            lead_department=xz,
        ),
        # closed 00:30 local the day after the deadline: late; 11 working days; reopened once
        "b": dict(
            status="closed",
            accepted_on=dt.date(2026, 9, 1),
            handling_deadline=dt.date(2026, 9, 15),
            closed_at=_utc("2026-09-15T16:30:00"),
            satisfaction="unsatisfied",
            reopen_count=1,
            category=street_vending,
            lead_department=xz,
        ),
        # web consultation closed the next day: 1 working day
        "c": dict(
            status="closed",
            channel="web",
            appeal_type="consultation",
            accepted_on=dt.date(2026, 9, 7),
            handling_deadline=dt.date(2026, 9, 9),
            closed_at=_utc("2026-09-08T02:00:00"),
            satisfaction="basically_satisfied",
        ),
        # signed, handling deadline passed before TODAY: overdue now
        "d": dict(
            status="signed",
            accepted_on=dt.date(2026, 9, 10),
            handling_deadline=dt.date(2026, 10, 15),
            lead_department=xz,
        ),
        # accepted, deadline after TODAY: not overdue
        "i": dict(
            status="accepted",
            accepted_on=dt.date(2026, 9, 30),
            handling_deadline=dt.date(2026, 10, 30),
        ),
        # cancelled: counted only as cancelled
        "g": dict(status="cancelled", accepted_on=dt.date(2026, 9, 2), satisfaction="satisfied"),
        # accepted in August: outside the period
        "h": dict(
            status="closed",
            accepted_on=dt.date(2026, 8, 31),
            handling_deadline=dt.date(2026, 9, 14),
            closed_at=_utc("2026-09-01T02:00:00"),
        ),
    }
    dm_specs: dict[str, dict[str, Any]] = {
        # dispatched, sign-for deadline passed (its handling deadline is still ahead): overdue
        "e": dict(
            status="dispatched",
            accepted_on=dt.date(2026, 9, 29),
            sign_for_deadline=dt.date(2026, 9, 30),
            handling_deadline=dt.date(2026, 10, 30),
            lead_department=dm,
        ),
        # closed 10-09 local, 3 working days (09-30, 10-08, 10-09), not rated
        "f": dict(
            status="closed",
            accepted_on=dt.date(2026, 9, 29),
            handling_deadline=dt.date(2026, 10, 19),
            closed_at=_utc("2026-10-09T02:00:00"),
            lead_department=dm,
        ),
    }
    made = {}
    for name, fields in specs.items():
        appeal = accept()
        Appeal.objects.filter(pk=appeal.pk).update(**fields)
        made[name] = appeal
    for name, fields in dm_specs.items():
        appeal = accept(lon=12)
        Appeal.objects.filter(pk=appeal.pk).update(**fields)
        made[name] = appeal
    return made


XZ_ROW = {
    "received": 5,
    "cancelled": 1,
    "closed": 3,
    "closed_on_time": 2,
    "on_time_rate": 0.6667,
    "overdue_now": 1,
    "average_handling_working_days": 7.33,
    "rated": 3,
    "satisfaction_rate": 0.6667,
    "reopened": 1,
    "reopen_rate": 0.2,
}
DM_ROW = {
    "received": 2,
    "cancelled": 0,
    "closed": 1,
    "closed_on_time": 1,
    "on_time_rate": 1.0,
    "overdue_now": 1,
    "average_handling_working_days": 3.0,
    "rated": 0,
    "satisfaction_rate": None,
    "reopened": 0,
    "reopen_rate": 0.0,
}


def test_by_district_exact(records: dict[str, Appeal], staff: Staff) -> None:
    rows = appeal_statistics(staff["supervisor"], **SEPTEMBER, group_by="district", today=TODAY)
    assert rows == [
        {"key": "440402", "label": "香洲区", **XZ_ROW},
        {"key": "440403", "label": "斗门区", **DM_ROW},
    ]


def test_by_street_equals_by_district_here(records: dict[str, Appeal], staff: Staff) -> None:
    rows = appeal_statistics(staff["supervisor"], **SEPTEMBER, group_by="street", today=TODAY)
    assert rows == [
        {"key": "440402001", "label": "翠香街道", **XZ_ROW},
        {"key": "440403001", "label": "白藤街道", **DM_ROW},
    ]


def test_scope_limits_the_figures(
    records: dict[str, Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    xz_rows = appeal_statistics(
        staff["xz_dispatcher"], **SEPTEMBER, group_by="district", today=TODAY
    )
    assert xz_rows == [{"key": "440402", "label": "香洲区", **XZ_ROW}]
    dm_rows = appeal_statistics(
        staff["dm_dispatcher"], **SEPTEMBER, group_by="district", today=TODAY
    )
    assert dm_rows == [{"key": "440403", "label": "斗门区", **DM_ROW}]
    citizen = make_user(Role.CITIZEN)
    assert appeal_statistics(citizen, **SEPTEMBER, group_by="district", today=TODAY) == []
    assert appeal_statistics(None, **SEPTEMBER, group_by="district", today=TODAY) == []


def test_by_department_category_channel_type(records: dict[str, Appeal], staff: Staff) -> None:
    supervisor = staff["supervisor"]
    departments = appeal_statistics(supervisor, **SEPTEMBER, group_by="department", today=TODAY)
    assert [
        (row["label"], row["received"], row["closed"], row["overdue_now"]) for row in departments
    ] == [
        ("not dispatched", 2, 1, 0),  # c, i (None sorts first)
        ("香洲区政府", 3, 2, 1),  # a, b, d
        ("斗门区政府", 2, 1, 1),  # e, f
    ]
    categories = appeal_statistics(supervisor, **SEPTEMBER, group_by="category", today=TODAY)
    assert [(row["label"], row["received"], row["closed_on_time"]) for row in categories] == [
        ("no category", 5, 2),
        ("城市管理", 2, 1),  # a, b under 占道经营
    ]
    channels = appeal_statistics(supervisor, **SEPTEMBER, group_by="channel", today=TODAY)
    assert [(row["key"], row["label"], row["received"], row["cancelled"]) for row in channels] == [
        ("hotline", "12345 hotline", 6, 1),
        ("web", "web", 1, 0),
    ]
    types = appeal_statistics(supervisor, **SEPTEMBER, group_by="type", today=TODAY)
    assert [
        (
            row["key"],
            row["received"],
            row["average_handling_working_days"],
            row["satisfaction_rate"],
        )
        for row in types
    ] == [("complaint", 6, 8.0, 0.5), ("consultation", 1, 1.0, 1.0)]


def test_period_bounds_are_inclusive(records: dict[str, Appeal], staff: Staff) -> None:
    rows = appeal_statistics(
        staff["supervisor"],
        start=dt.date(2026, 8, 31),
        end=dt.date(2026, 9, 1),
        group_by="district",
        today=TODAY,
    )
    # a, b (09-01) and h (08-31, closed on time after 1 working day)
    assert [
        (row["received"], row["closed_on_time"], row["average_handling_working_days"])
        for row in rows
    ] == [(3, 2, 7.33)]


def test_query_count_is_bounded(records: dict[str, Appeal], staff: Staff) -> None:
    with CaptureQueriesContext(connection) as context:
        appeal_statistics(staff["supervisor"], **SEPTEMBER, group_by="district", today=TODAY)
    # aggregate, closed rows, labels, plus one calendar read per gap between the 7 distinct
    # acceptance/closing dates (09-01, 09-07, 09-08, 09-15, 09-16, 09-29, 10-09): not per appeal
    assert len(context.captured_queries) == 3 + 6


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "district", "start": dt.date(2026, 10, 1)}, "start"),
    ],
)
def test_bad_input_is_refused(staff: Staff, arguments: dict[str, Any], field: str) -> None:
    values = {**SEPTEMBER, **arguments}
    with pytest.raises(DomainError) as caught:
        appeal_statistics(staff["supervisor"], **values)
    assert caught.value.field == field
