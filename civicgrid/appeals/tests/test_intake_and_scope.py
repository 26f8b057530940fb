"""Intake validation, idempotency, the data scope of appeals, time limits, the catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealStatus, Category, ResponsibilityRule, TimeLimit
from civicgrid.appeals.selectors import (
    appeals_visible_to,
    deadline_light,
    responsible_departments,
    time_limits_for,
)
from civicgrid.core.errors import DomainError, PermissionDeniedError

pytestmark = pytest.mark.django_db
Staff = dict[str, User]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter a title."),
        ({"title": "标" * 101}, "title", "The title may have at most 100 characters."),
        ({"text": ""}, "text", "Describe the matter."),
        ({"text": "字" * 100_000}, "text", "The text may have at most 5000 characters."),
        ({"appeal_type": "rumour"}, "appeal_type", "Choose the type of the appeal."),
        ({"lon": 116.4, "lat": 39.9}, "location", None),
        ({"lon": "abc", "lat": 5}, "location", None),
        ({"citizen_phone": "12"}, "citizen_phone", None),
        ({"channel": "fax"}, "channel", "Unknown channel."),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(
    accept: Callable[..., Appeal], overrides: dict[str, Any], field: str, message: str | None
) -> None:
    with pytest.raises(DomainError) as caught:
        accept(**overrides)
    assert caught.value.field == field
    if message:
        assert str(caught.value) == message
    assert Appeal.objects.count() == 0


def test_script_in_text_is_stored_as_typed(accept: Callable[..., Appeal]) -> None:
    appeal = accept(title="<script>alert(1)</script>")
    assert appeal.title == "<script>alert(1)</script>"  # escaped when shown, never executed


def test_the_same_idempotency_key_yields_one_appeal(accept: Callable[..., Appeal]) -> None:
    first = accept(idempotency_key="form-7f3a")
    again, code = services.appeal_accept(
        actor=None,
        channel="web",
        appeal_type="help",
        title="另一个标题",
        text="重复提交",
        idempotency_key="form-7f3a",
    )
    assert (again.pk, code) == (first.pk, None)
    assert Appeal.objects.count() == 1


def test_citizens_and_anonymous_callers_cannot_use_staff_channels(
    territory: Any, make_user: Callable[..., User]
) -> None:
    for actor in (None, make_user(Role.CITIZEN)):
        with pytest.raises(PermissionDeniedError):
            services.appeal_accept(
                actor=actor, channel="hotline", appeal_type="help", title="t", text="x"
            )
    assert Appeal.objects.count() == 0


def test_grid_workers_report_only_inside_their_grid(
    accept: Callable[..., Appeal], staff: Staff
) -> None:
    appeal = accept(actor=staff["xz_grid"], channel="grid", lon=None, lat=None)
    assert appeal.admin_unit_code == "440402001001001"
    with pytest.raises(PermissionDeniedError):
        accept(actor=staff["xz_grid"], channel="grid", lon=12, lat=5)  # 斗门区
    assert Appeal.objects.count() == 1


def test_who_sees_which_appeals(
    accept: Callable[..., Appeal],
    staff: Staff,
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    xz = accept(lon=2, lat=5)
    dm = accept(lon=12, lat=5)
    services.appeal_dispatch(
        actor=staff["dm_dispatcher"],
        appeal=dm,
        expected_version=1,
        department=territory.civil_affairs,
    )
    citizen = make_user(Role.CITIZEN)
    own, _code = services.appeal_accept(
        actor=None,
        channel="web",
        appeal_type="help",
        title="求助",
        text="路灯坏了",
        lon=3,
        lat=3,
        citizen=citizen,
    )

    def numbers(user: Any) -> set[str]:
        return set(appeals_visible_to(user).values_list("number", flat=True))

    assert numbers(staff["xz_dispatcher"]) == {xz.number, own.number}
    assert numbers(staff["dm_dispatcher"]) == {dm.number}
    assert numbers(staff["xz_grid"]) == {xz.number, own.number}
    assert numbers(staff["city_staff"]) == {dm.number}  # assigned to 市民政局
    assert numbers(staff["xz_staff"]) == set()
    assert numbers(staff["operator"]) == {xz.number, dm.number, own.number}
    assert numbers(citizen) == {own.number}
    assert numbers(None) == set()
    assert numbers(make_user(Role.DISPATCHER)) == set()  # no scope: nothing


def test_time_limits_category_overrides_type_default(territory: Any) -> None:
    city = Category.objects.create(code="city-management", name="城市管理")
    stalls = Category.objects.create(code="street-stalls", name="占道经营", parent=city)
    assert time_limits_for("complaint", stalls) == (1, 10)  # migration defaults
    TimeLimit.objects.create(appeal_type="complaint", category=city, handling_days=7)
    assert time_limits_for("complaint", stalls) == (1, 7)
    TimeLimit.objects.filter(category__isnull=True).delete()
    assert time_limits_for("suggestion", None) == (1, 15)  # built-in default


def test_catalogue_most_specific_area_wins(territory: Any) -> None:
    city = Category.objects.create(code="city-management", name="城市管理")
    stalls = Category.objects.create(code="street-stalls", name="占道经营", parent=city)
    ResponsibilityRule.objects.create(
        category=city, admin_unit=territory.city, lead_department=territory.civil_affairs
    )
    district_rule = ResponsibilityRule.objects.create(
        category=city, admin_unit=territory.xiangzhou, lead_department=territory.xz_government
    )
    district_rule.cooperating_departments.add(territory.civil_affairs)
    lead, cooperating = responsible_departments(stalls, territory.xz_grid_1)
    assert (lead, cooperating) == (territory.xz_government, [territory.civil_affairs])
    assert responsible_departments(stalls, territory.dm_grid_1) == (territory.civil_affairs, [])
    assert responsible_departments(None, territory.dm_grid_1) == (None, [])


def test_deadline_lights(accept: Callable[..., Appeal]) -> None:
    appeal = accept()  # handling deadline 2026-10-19
    assert deadline_light(appeal, dt.date(2026, 10, 14)) == "green"
    assert deadline_light(appeal, dt.date(2026, 10, 16)) == "yellow"  # one working day left
    assert deadline_light(appeal, dt.date(2026, 10, 19)) == "yellow"
    assert deadline_light(appeal, dt.date(2026, 10, 20)) == "red"
    appeal.status = AppealStatus.CLOSED
    assert deadline_light(appeal, dt.date(2026, 10, 20)) == ""


def test_intake_in_late_december_before_next_year_is_entered(
    accept: Callable[..., Appeal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hotline keeps taking appeals when a deadline falls in a year whose holiday
    arrangement is not entered yet: Monday to Friday count, and the timeline says so."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 28))  # a Monday
    appeal = accept(appeal_type="suggestion")  # 15 working days
    # 29, 30, 31 Dec (3), then weekdays of 2027 from Fri 1 Jan: 1, 4-8, 11-15, 18 (12).
    assert appeal.handling_deadline == dt.date(2027, 1, 18)
    event = appeal.events.get(kind="accept")
    assert event.details["provisional_calendar"] == [2027]
    ordinary = accept(appeal_type="consultation")  # 2 working days: inside 2026
    assert "provisional_calendar" not in ordinary.events.get(kind="accept").details
