"""Demo appeals: the catalogue routes as intended, appeals are realistic, a rerun adds nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from shapely.geometry import Point, shape

from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    Category,
    ReplyTemplate,
    ResponsibilityRule,
    SupervisionItem,
)
from civicgrid.appeals.selectors import responsible_departments, time_limits_for
from civicgrid.core.workdays import add_working_days
from civicgrid.demo import appeals, loader
from civicgrid.territory.models import AdminUnit

COUNT = 150
SEED = 7
START = dt.date(2026, 10, 22)  # the last month only, so that many appeals are still open


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        loader.load_territory(actor=None)
        loader.accounts_ensure()
        first = appeals.load(count=COUNT, seed=SEED, start=START)
        counts = (AppealEvent.objects.count(), SupervisionItem.objects.count())
        second = appeals.load(count=COUNT, seed=SEED, start=START)
        yield {"first": first, "second": second, "counts_after_first": counts}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def _grid(code_prefix: str) -> AdminUnit:
    return AdminUnit.objects.filter(level="grid", code__startswith=code_prefix).order_by("code")[0]


@pytest.mark.django_db
def test_catalogue(demo: Any) -> None:
    assert Category.objects.count() == 55
    assert Category.objects.filter(parent__isnull=True).count() == 12
    # 20 city rules, 4 categories × 3 districts, 3 categories × 31 streets
    assert ResponsibilityRule.objects.count() == 20 + 12 + 93
    assert (demo["first"].categories_created, demo["first"].rules_created) == (55, 125)
    assert (demo["second"].categories_created, demo["second"].rules_created) == (0, 0)


@pytest.mark.django_db
def test_routing_street_district_and_city_rules(demo: Any) -> None:
    def route(category: str, prefix: str) -> tuple[str | None, list[str]]:
        lead, cooperating = responsible_departments(
            Category.objects.get(code=category), _grid(prefix)
        )
        return (lead.code if lead else None, sorted(dep.code for dep in cooperating))

    assert route("urban-vending", "440402001") == ("street-440402001", [])
    assert route("urban-illegal-building", "440403")[0].startswith("street-440403")
    assert route("urban-illegal-building", "440402001") == (
        "street-440402001",
        ["zh-housing-planning"],
    )
    assert route("env-noise", "440403") == ("zh-doumen-government", ["zh-public-security"])
    assert route("housing-property", "440404") == ("zh-jinwan-government", [])
    assert route("market-food-safety", "440402") == ("zh-food-drug", ["zh-industry-commerce"])
    assert route("labour-pension", "440404") == ("zh-human-resources", [])
    assert route("community-neighbour", "440404")[0].startswith("street-440404")


@pytest.mark.django_db
def test_second_run_adds_nothing(demo: Any) -> None:
    first, second = demo["first"], demo["second"]
    assert (first.created, first.existing) == (COUNT, 0)
    assert (second.created, second.existing) == (0, COUNT)
    assert Appeal.objects.filter(idempotency_key__startswith=f"demo-{SEED}-").count() == COUNT
    assert (AppealEvent.objects.count(), SupervisionItem.objects.count()) == demo[
        "counts_after_first"
    ]
    assert timezone.now.__module__ == "django.utils.timezone"  # the real clock is back


@pytest.mark.django_db
def test_every_state_and_the_supervision(demo: Any) -> None:
    statuses = Counter(Appeal.objects.values_list("status", flat=True))
    assert set(statuses) == {
        "accepted",
        "dispatched",
        "signed",
        "reviewing",
        "replied",
        "followed_up",
        "closed",
        "cancelled",
    }
    assert statuses.most_common(1)[0][0] == "closed"
    kinds = Counter(AppealEvent.objects.values_list("kind", flat=True))
    assert ReplyTemplate.objects.count() == 5
    for kind in (
        "return",
        "reopen",
        "extension_request",
        "extension_approved",
        "cancel",
        "reply_approve",
    ):
        assert kinds[kind] >= 1, kind
    assert kinds["accept"] == COUNT
    assert demo["first"].sweep["red"] >= 1
    assert SupervisionItem.objects.filter(status="open").count() == demo["first"].sweep["red"] + (
        SupervisionItem.objects.filter(kind="manual", status="open").count()
    )


@pytest.mark.django_db
def test_dates_places_and_texts_are_realistic(demo: Any) -> None:
    boundaries = dict(AdminUnit.objects.filter(level="grid").values_list("code", "boundary"))
    for appeal in Appeal.objects.all():
        assert START <= appeal.accepted_on <= dt.date(2026, 11, 21)
        assert appeal.created_at <= dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)  # 18:00
        assert timezone.localdate(appeal.created_at) == appeal.accepted_on
        assert shape(boundaries[appeal.admin_unit_code]).contains(Point(appeal.lon, appeal.lat))
        assert "{" not in appeal.title + appeal.text
        assert appeal.title
        assert appeal.text
        moments = [appeal.created_at, appeal.signed_at, appeal.replied_at, appeal.closed_at]
        present = [moment for moment in moments if moment is not None]
        if appeal.status != "cancelled":
            assert present == sorted(present)
        events = list(appeal.events.values_list("kind", "at"))
        assert events[0][0] == "accept"
        assert [at for _kind, at in events] == sorted(at for _kind, at in events)
        if appeal.reopen_count == 0 and not appeal.extensions.filter(status="approved").exists():
            _sign, handling = time_limits_for(appeal.appeal_type, appeal.category)
            assert appeal.handling_deadline == add_working_days(appeal.accepted_on, handling)


def test_simulated_clock_is_restored_on_error() -> None:
    real_now = timezone.now
    moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    seen = []

    def use_the_clock() -> None:
        with appeals.simulated_clock(moment) as clock:
            clock.set(moment - dt.timedelta(hours=1))  # never backwards
            seen.extend([timezone.now(), timezone.localdate()])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        use_the_clock()
    assert seen == [moment, dt.date(2026, 1, 5)]
    assert timezone.now is real_now


@pytest.mark.django_db
def test_appeals_go_to_the_catalogue_department(demo: Any) -> None:
    dispatched = Appeal.objects.filter(lead_department__isnull=False).select_related(
        "category", "admin_unit", "lead_department"
    )
    assert dispatched.count() > COUNT // 2
    for appeal in dispatched:
        lead, _cooperating = responsible_departments(appeal.category, appeal.admin_unit)
        assert appeal.lead_department == lead, appeal.number
