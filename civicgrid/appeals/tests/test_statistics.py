"""Statistics (统计分析): exact figures on hand-made records for every grouping, from the
records and from the rollup (which must agree), scope, hot topics, rising categories, the grid
density map, bad input and query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.appeals.models import Appeal, Category, StatisticsFact
from civicgrid.appeals.selectors import (
    STATISTICS_GROUPS,
    appeal_statistics,
    grid_density,
    hot_topics,
    rising_categories,
    statistics_table,
)
from civicgrid.appeals.statistics_refresh import refresh_statistics
from civicgrid.core.errors import DomainError

pytestmark = pytest.mark.django_db
SOURCES = ["records", "rollup"]

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
        # replied 23:30 local on the deadline day: on time; 10 working days (09-02 … 09-15)
        "a": dict(
            status="closed",
            accepted_on=dt.date(2026, 9, 1),
            handling_deadline=dt.date(2026, 9, 15),
            replied_at=_utc("2026-09-15T15:30:00"),
            closed_at=_utc("2026-09-20T15:30:00"),
            satisfaction="satisfied",
            category=street_vending,
            lead_department=xz,
        ),
        # replied 00:30 local the day after the deadline: late; 11 working days; reopened once
        "b": dict(
            status="followed_up",
            accepted_on=dt.date(2026, 9, 1),
            handling_deadline=dt.date(2026, 9, 15),
            replied_at=_utc("2026-09-15T16:30:00"),
            satisfaction="unsatisfied",
            reopen_count=1,
            category=street_vending,
            lead_department=xz,
        ),
        # web consultation replied the next day: 1 working day
        "c": dict(
            status="replied",
            channel="web",
            appeal_type="consultation",
            accepted_on=dt.date(2026, 9, 7),
            handling_deadline=dt.date(2026, 9, 9),
            replied_at=_utc("2026-09-08T02:00:00"),
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
        # reply under review, submitted on time: 4 working days (09-15 … 09-18)
        "r": dict(
            status="reviewing",
            accepted_on=dt.date(2026, 9, 14),
            handling_deadline=dt.date(2026, 9, 28),
            replied_at=_utc("2026-09-18T02:00:00"),
            lead_department=xz,
        ),
        # cancelled and merged: counted only as such
        "g": dict(status="cancelled", accepted_on=dt.date(2026, 9, 2), satisfaction="satisfied"),
        "m": dict(
            status="merged",
            accepted_on=dt.date(2026, 9, 3),
            replied_at=_utc("2026-09-04T02:00:00"),
            reopen_count=1,
        ),
        # accepted in August: outside the period
        "h": dict(
            status="closed",
            accepted_on=dt.date(2026, 8, 31),
            handling_deadline=dt.date(2026, 9, 14),
            replied_at=_utc("2026-09-01T02:00:00"),
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
        # replied 10-09 local, 3 working days (09-30, 10-08, 10-09), not rated
        "f": dict(
            status="closed",
            accepted_on=dt.date(2026, 9, 29),
            handling_deadline=dt.date(2026, 10, 19),
            replied_at=_utc("2026-10-09T02:00:00"),
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
    refresh_statistics(full=True, today=TODAY)
    return made


XZ_ROW = {
    "received": 6,  # a b c d i r
    "cancelled": 1,
    "merged": 1,
    "replied": 4,  # a b c r
    "replied_on_time": 3,  # a c r
    "on_time_rate": 0.75,
    "overdue": 2,
    "replied_late": 1,  # b
    "overdue_open": 1,  # d
    "average_handling_working_days": 6.5,  # (10 + 11 + 1 + 4) / 4
    "rated": 3,
    "satisfied": 2,
    "satisfaction_rate": 0.6667,
    "replied_ever": 4,
    "reopened": 1,
    "reopen_rate": 0.25,
}
DM_ROW = {
    "received": 2,
    "cancelled": 0,
    "merged": 0,
    "replied": 1,
    "replied_on_time": 1,
    "on_time_rate": 1.0,
    "overdue": 1,
    "replied_late": 0,
    "overdue_open": 1,  # e
    "average_handling_working_days": 3.0,
    "rated": 0,
    "satisfied": 0,
    "satisfaction_rate": None,
    "replied_ever": 1,
    "reopened": 0,
    "reopen_rate": 0.0,
}
TOTAL_ROW = {
    "received": 8,
    "cancelled": 1,
    "merged": 1,
    "replied": 5,
    "replied_on_time": 4,
    "on_time_rate": 0.8,
    "overdue": 3,
    "replied_late": 1,
    "overdue_open": 2,
    "average_handling_working_days": 5.8,  # 29 / 5
    "rated": 3,
    "satisfied": 2,
    "satisfaction_rate": 0.6667,
    "replied_ever": 5,
    "reopened": 1,
    "reopen_rate": 0.2,
}


@pytest.mark.parametrize("source", SOURCES)
def test_by_district_exact(records: dict[str, Appeal], staff: Staff, source: str) -> None:
    table = statistics_table(
        staff["supervisor"], **SEPTEMBER, group_by="district", today=TODAY, source=source
    )
    assert table.source == source
    assert table.rows == [
        {"key": "440402", "label": "香洲区", **XZ_ROW},
        {"key": "440403", "label": "斗门区", **DM_ROW},
    ]
    assert table.total == {"key": None, "label": "Total", **TOTAL_ROW}


@pytest.mark.parametrize("source", SOURCES)
def test_by_street_and_grid(records: dict[str, Appeal], staff: Staff, source: str) -> None:
    rows = appeal_statistics(
        staff["supervisor"], **SEPTEMBER, group_by="street", today=TODAY, source=source
    )
    assert rows == [
        {"key": "440402001", "label": "翠香街道", **XZ_ROW},
        {"key": "440403001", "label": "白藤街道", **DM_ROW},
    ]
    grids = appeal_statistics(
        staff["supervisor"], **SEPTEMBER, group_by="grid", today=TODAY, source=source
    )
    assert [(row["key"][:9], len(row["key"]), row["received"]) for row in grids] == [
        ("440402001", 15, 6),
        ("440403001", 15, 2),
    ]


def test_auto_uses_the_rollup_for_wide_scopes_and_records_below_streets(
    records: dict[str, Appeal], staff: Staff
) -> None:
    supervisor = statistics_table(staff["supervisor"], **SEPTEMBER, group_by="district")
    grid_worker = statistics_table(staff["xz_grid"], **SEPTEMBER, group_by="district")
    assert (supervisor.source, supervisor.refreshed_at is not None) == ("rollup", True)
    assert (grid_worker.source, grid_worker.refreshed_at) == ("records", None)


def test_scope_limits_the_figures(
    records: dict[str, Appeal],
    staff: Staff,
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
    grid_rows = appeal_statistics(staff["xz_grid"], **SEPTEMBER, group_by="district", today=TODAY)
    assert grid_rows == [{"key": "440402", "label": "香洲区", **XZ_ROW}]
    citizen = make_user(Role.CITIZEN)
    assert appeal_statistics(citizen, **SEPTEMBER, group_by="district", today=TODAY) == []
    assert appeal_statistics(None, **SEPTEMBER, group_by="district", today=TODAY) == []
    # department staff see the appeals their department has an assignment for: none here
    assert appeal_statistics(staff["xz_staff"], **SEPTEMBER, group_by="type", today=TODAY) == []


@pytest.mark.parametrize("source", SOURCES)
def test_by_department_category_channel_type_month(
    records: dict[str, Appeal], staff: Staff, source: str
) -> None:
    supervisor = staff["supervisor"]

    def table(group_by: str) -> list[dict[str, Any]]:
        return appeal_statistics(
            supervisor, **SEPTEMBER, group_by=group_by, today=TODAY, source=source
        )

    assert [
        (row["label"], row["received"], row["replied"], row["overdue"])
        for row in table("department")
    ] == [
        ("not dispatched", 2, 1, 0),  # c, i (none first)
        ("香洲区政府", 4, 3, 2),  # a, b, d, r
        ("斗门区政府", 2, 1, 1),  # e, f
    ]
    assert [
        (row["label"], row["received"], row["replied_on_time"]) for row in table("category")
    ] == [
        ("no category", 6, 3),
        ("城市管理", 2, 1),  # a, b under 占道经营
    ]
    assert [(row["label"], row["received"]) for row in table("subcategory")] == [
        ("no category", 6),
        ("占道经营", 2),
    ]
    assert [
        (row["key"], row["label"], row["received"], row["cancelled"], row["merged"])
        for row in table("channel")
    ] == [("hotline", "12345 hotline", 7, 1, 1), ("web", "web", 1, 0, 0)]
    assert [
        (
            row["key"],
            row["received"],
            row["average_handling_working_days"],
            row["satisfaction_rate"],
        )
        for row in table("type")
    ] == [("complaint", 7, 7.0, 0.5), ("consultation", 1, 1.0, 1.0)]
    assert [(row["key"], row["received"], row["replied"]) for row in table("month")] == [
        ("2026-09", 8, 5)
    ]
    assert [(row["key"], row["received"]) for row in table("day")] == [
        ("2026-09-01", 2),
        ("2026-09-02", 0),  # g: cancelled
        ("2026-09-03", 0),  # m: merged
        ("2026-09-07", 1),
        ("2026-09-10", 1),
        ("2026-09-14", 1),
        ("2026-09-29", 2),
        ("2026-09-30", 1),
    ]


@pytest.mark.parametrize("source", SOURCES)
def test_period_bounds_are_inclusive(records: dict[str, Appeal], staff: Staff, source: str) -> None:
    rows = appeal_statistics(
        staff["supervisor"],
        start=dt.date(2026, 8, 31),
        end=dt.date(2026, 9, 1),
        group_by="district",
        today=TODAY,
        source=source,
    )
    # a, b (09-01) and h (08-31, replied on time after 1 working day)
    assert [
        (row["received"], row["replied_on_time"], row["average_handling_working_days"])
        for row in rows
    ] == [(3, 2, 7.33)]


@pytest.mark.parametrize("group_by", STATISTICS_GROUPS)
def test_rollup_equals_the_records(records: dict[str, Appeal], staff: Staff, group_by: str) -> None:
    for start, end in [
        (dt.date(2026, 8, 1), dt.date(2026, 10, 31)),
        (SEPTEMBER["start"], SEPTEMBER["end"]),
        (dt.date(2026, 8, 31), dt.date(2026, 10, 5)),  # whole September, days around it
        (dt.date(2026, 9, 2), dt.date(2026, 9, 29)),  # no whole month,
    ]:
        for user in (staff["supervisor"], staff["xz_dispatcher"]):
            values = {"start": start, "end": end, "group_by": group_by, "today": TODAY}
            rollup = statistics_table(user, **values, source="rollup")
            direct = statistics_table(user, **values, source="records")
            assert rollup.rows == direct.rows
            assert rollup.total == direct.total


def test_incremental_refresh_rebuilds_changed_days_only(
    records: dict[str, Appeal], staff: Staff
) -> None:
    Appeal.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    refresh_statistics(full=True, today=TODAY)
    facts_before = StatisticsFact.objects.count()
    # what a workflow service does: change the appeal and bump updated_at
    Appeal.objects.filter(pk=records["d"].pk).update(
        status="replied", replied_at=_utc("2026-10-16T02:00:00"), updated_at=timezone.now()
    )
    report = refresh_statistics(today=TODAY)
    assert (report.mode, report.days) == ("incremental", 1)
    assert StatisticsFact.objects.count() == facts_before
    values = {**SEPTEMBER, "group_by": "district", "today": TODAY}
    rollup = statistics_table(staff["supervisor"], **values, source="rollup")
    assert rollup.rows == statistics_table(staff["supervisor"], **values, source="records").rows
    assert (rollup.rows[0]["replied"], rollup.rows[0]["replied_late"]) == (5, 2)
    # within the safety margin the same day is rebuilt again, to the same facts
    assert refresh_statistics(today=TODAY).days == 1
    assert StatisticsFact.objects.count() == facts_before


def test_calendar_change_forces_a_full_refresh(records: dict[str, Appeal]) -> None:
    from civicgrid.core.models import CalendarDay

    CalendarDay.objects.create(date=dt.date(2026, 9, 11), is_working_day=False)
    report = refresh_statistics(today=TODAY)
    assert report.mode == "full"


def test_query_count_is_bounded(records: dict[str, Appeal], staff: Staff) -> None:
    supervisor = User.objects.get(pk=staff["supervisor"].pk)
    with CaptureQueriesContext(connection) as context:
        appeal_statistics(supervisor, **SEPTEMBER, group_by="district", today=TODAY)
    # scope unit, refresh time, facts, open overdue appeals, labels
    assert len(context.captured_queries) == 5


def test_hot_topics_rank_words_against_the_previous_period(
    accept: Callable[..., Appeal], staff: Staff
) -> None:
    titles = {
        dt.date(2026, 9, 5): ["夜间施工噪音扰民"] * 3 + ["路灯损坏"] * 2 + ["垃圾清运不及时"],
        dt.date(2026, 8, 5): ["路灯损坏"] * 4 + ["垃圾清运不及时"] * 2,
    }
    for day, names in titles.items():
        for title in names:
            appeal = accept(title=title)
            Appeal.objects.filter(pk=appeal.pk).update(accepted_on=day)
    cancelled = accept(title="施工噪音")
    Appeal.objects.filter(pk=cancelled.pk).update(
        accepted_on=dt.date(2026, 9, 6), status="cancelled"
    )
    topics = hot_topics(staff["supervisor"], **SEPTEMBER)
    # previous period: 2026-08-02 … 2026-08-31, 6 titles; this period 6 titles
    assert topics == [
        {"word": "噪音", "count": 3, "previous": 0, "excess": 3.0},
        {"word": "夜间", "count": 3, "previous": 0, "excess": 3.0},
        {"word": "扰民", "count": 3, "previous": 0, "excess": 3.0},
        {"word": "施工", "count": 3, "previous": 0, "excess": 3.0},
        {"word": "损坏", "count": 2, "previous": 4, "excess": -2.0},
        {"word": "路灯", "count": 2, "previous": 4, "excess": -2.0},
    ]
    assert hot_topics(staff["dm_dispatcher"], **SEPTEMBER) == []


def test_rising_categories(accept: Callable[..., Appeal], staff: Staff) -> None:
    parent = Category.objects.create(code="env", name="环境")
    noise = Category.objects.create(code="env-noise", name="噪音", parent=parent)
    litter = Category.objects.create(code="env-litter", name="垃圾", parent=parent)
    lights = Category.objects.create(code="env-lights", name="路灯", parent=parent)
    counts = {
        (noise, dt.date(2026, 9, 5)): 6,
        (noise, dt.date(2026, 8, 5)): 2,  # +200 %
        (litter, dt.date(2026, 9, 5)): 5,
        (litter, dt.date(2026, 8, 5)): 5,  # flat
        (lights, dt.date(2026, 9, 5)): 5,  # new
        (parent, dt.date(2026, 9, 5)): 2,  # too few
    }
    for (category, day), n in counts.items():
        for _index in range(n):
            appeal = accept()
            Appeal.objects.filter(pk=appeal.pk).update(accepted_on=day, category=category)
    refresh_statistics(full=True, today=TODAY)
    for source in SOURCES:
        rising = rising_categories(staff["supervisor"], **SEPTEMBER, source=source)
        assert rising == [
            {"key": lights.pk, "label": "路灯", "received": 5, "previous": 0, "growth": None},
            {"key": noise.pk, "label": "噪音", "received": 6, "previous": 2, "growth": 2.0},
        ]


def test_grid_density_geojson(records: dict[str, Appeal], staff: Staff, territory: Any) -> None:
    collection = grid_density(staff["xz_dispatcher"], **SEPTEMBER, today=TODAY)
    assert collection["type"] == "FeatureCollection"
    by_code = {feature["id"]: feature["properties"] for feature in collection["features"]}
    assert all(code.startswith("440402") for code in by_code)
    grid = records["a"].admin_unit_code
    assert by_code[grid]["received"] == 6
    assert sum(props["received"] for props in by_code.values()) == 6
    assert collection["properties"]["max_received"] == 6
    geometry = next(f["geometry"] for f in collection["features"] if f["id"] == grid)
    assert geometry["type"] in {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "district", "start": dt.date(2026, 10, 1)}, "start"),
        ({"group_by": "district", "start": dt.date(2020, 1, 1)}, "end"),
    ],
)
def test_bad_input_is_refused(staff: Staff, arguments: dict[str, Any], field: str) -> None:
    values = {**SEPTEMBER, **arguments}
    with pytest.raises(DomainError) as caught:
        appeal_statistics(staff["supervisor"], **values)
    assert caught.value.field == field
