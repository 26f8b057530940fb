"""Selectors: who sees which tasks and plans, lights on given dates, boards, the monthly
report, the review screen's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicgrid.plans import selectors, services
from civicgrid.plans.models import TaskStatus

from .core_helpers import *  # noqa: F403
from .core_helpers import plan_doc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        ("office", ["1", "2", "3"]),
        ("admin", ["1", "2", "3"]),
        ("leader", ["1", "2", "3"]),
        ("supervisor", ["1", "2", "3"]),
        ("xz_supervisor", ["1"]),  # 香洲区政府 cooperates on task 1 only
        ("civil", ["1"]),
        ("finance", ["1"]),
        ("hr", ["2"]),
        ("dm", ["3"]),
        ("dispatcher", []),
        ("citizen", []),
    ],
)
def test_tasks_visible_to(published: Any, people: Any, role: str, keys: list[str]) -> None:
    visible = selectors.tasks_visible_to(people[role])
    assert sorted(visible.values_list("item_key", flat=True)) == keys
    plans = selectors.plans_visible_to(people[role])
    assert plans.exists() == bool(keys)


def test_anonymous_sees_nothing(published: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.tasks_visible_to(AnonymousUser()).exists()
    assert not selectors.plans_visible_to(AnonymousUser()).exists()


def test_drafts_are_the_offices_only(importer: Any, people: Any) -> None:
    plan = importer(plan_doc()).plan
    assert selectors.plan_visible_to(people["office"], plan.pk) == plan
    assert selectors.plan_visible_to(people["leader"], plan.pk) == plan
    assert selectors.plan_visible_to(people["civil"], plan.pk) is None
    assert selectors.plan_visible_to(people["supervisor"], plan.pk) is None
    assert selectors.plan_review_data(people["civil"], plan) is None


def test_lights_turn_yellow_then_red(published: Any, people: Any, fixed_today: Any) -> None:
    task = published.tasks_by_key["1"]  # due 2026-12-10; yellow from 10 working days before
    assert selectors.task_light(task, dt.date(2026, 11, 1)) == "green"
    assert selectors.task_light(task, dt.date(2026, 11, 25)) == "green"  # 11 working days left
    assert selectors.task_light(task, dt.date(2026, 11, 26)) == "yellow"  # 10 left
    assert selectors.task_light(task, dt.date(2026, 12, 10)) == "yellow"
    assert selectors.task_light(task, dt.date(2026, 12, 11)) == "red"
    fixed_today(dt.date(2026, 11, 26))
    detail = selectors.task_light_detail(task)
    assert (detail.light, detail.working_days_left, detail.overdue_days) == ("yellow", 10, None)
    fixed_today(dt.date(2026, 12, 13))
    assert selectors.task_light_detail(task).overdue_days == 3
    red = selectors.tasks_visible_to(people["office"], light="red")
    assert sorted(red.values_list("item_key", flat=True)) == ["1", "3"]
    # A deadline in a year whose official calendar is not known yet counts Monday to Friday.
    assert selectors.task_light(published.tasks_by_key["2"], dt.date(2027, 6, 18)) == "yellow"


def test_done_tasks_have_no_light(published: Any, people: Any) -> None:
    task = published.tasks_by_key["3"]  # overdue since 2026-11-30
    assert selectors.task_light(task) == "red"
    report = services.progress_report_save(
        actor=people["dm"], task=task, period="2026-12", text="完成", percent_done=100, submit=True
    )
    services.progress_report_accept(actor=people["office"], report=report)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert selectors.task_light(task) == ""


def test_boards(
    published: Any, people: Any, django_assert_max_num_queries: Any, fixed_today: Any
) -> None:
    # Today 2026-12-07: task 1 yellow (12-10), task 2 green (2027-06-30), task 3 red (11-30).
    with django_assert_max_num_queries(6):
        rows = selectors.board_by_department(people["office"])
    by_key = {row.key: row for row in rows}
    assert rows[0].key == "doumen-government"  # red first
    assert by_key["doumen-government"].lights == {"red": 1, "yellow": 0, "green": 0, "none": 0}
    assert by_key["city-civil-affairs"].lights["yellow"] == 1
    assert by_key["hr"].lights["green"] == 1
    assert by_key["xiangzhou-government"].total == 0
    assert by_key["xiangzhou-government"].cooperating == 1
    own = selectors.board_by_department(people["civil"])
    assert [row.key for row in own] == ["city-civil-affairs"]
    with django_assert_max_num_queries(6):
        districts = selectors.board_by_district(people["office"])
    assert [(row.key, row.name, row.total, row.cooperating) for row in districts] == [
        ("city", "City departments", 2, 2),
        ("440402", "香洲区", 0, 1),
        ("440403", "斗门区", 1, 0),
    ]
    assert districts[2].lights["red"] == 1
    assert districts[0].statuses[TaskStatus.NOT_STARTED] == 2


def test_monthly_report(published: Any, people: Any, fixed_today: Any) -> None:
    task1 = published.tasks_by_key["1"]
    services.progress_report_save(
        actor=people["finance"], task=task1, period="2026-11", text="资金下达", percent_done=40,
        submit=True,
    )  # fmt: skip
    lead = services.progress_report_save(
        actor=people["civil"], task=task1, period="2026-11", text="选址完成", percent_done=50,
        problems="用地紧张", submit=True,
    )  # fmt: skip
    services.progress_report_accept(actor=people["office"], report=lead)
    services.task_urge(actor=people["office"], task=task1)
    report = selectors.monthly_report(people["office"], month="2026-11")
    assert report.as_of == dt.date(2026, 11, 30)
    rows = {row.task.item_key: row for row in report.rows}
    row = rows["1"]
    assert (row.percent_done, row.latest_text, row.problems, row.report_status) == (
        50,
        "选址完成",
        "用地紧张",
        "accepted",
    )
    assert row.light == "yellow"  # 12-10 is within 10 working days of 11-30
    assert row.lead == "市民政局"
    assert row.cooperating == ["市财政局", "香洲区政府"]
    assert row.urge_count == 1
    assert row.cooperating_reports == [
        {
            "department": "市财政局",
            "status": "consolidated",
            "text": "资金下达",
            "percent_done": "40",
        }
    ]
    assert rows["3"].light == "yellow"  # due 11-30: on the month's last day not yet overdue
    assert rows["2"].report_status == ""
    assert rows["2"].latest_text == ""
    assert report.totals["tasks"] == 3
    assert report.totals["reported"] == 1
    december = selectors.monthly_report(people["office"], month="2026-12")
    row = next(r for r in december.rows if r.task.item_key == "1")
    assert (row.report_status, row.latest_period, row.percent_done) == ("", "2026-11", 50)
    assert next(r for r in december.rows if r.task.item_key == "3").light == "red"
    assert [
        r.task.item_key for r in selectors.monthly_report(people["hr"], month="2026-12").rows
    ] == ["2"]


def test_reports_visible_to(published: Any, people: Any) -> None:
    task = published.tasks_by_key["1"]
    draft = services.progress_report_save(
        actor=people["finance"], task=task, period="2026-12", text="草稿", percent_done=5
    )
    assert list(selectors.reports_visible_to(people["finance"], task)) == [draft]
    assert list(selectors.reports_visible_to(people["civil"], task)) == []  # another's draft
    assert list(selectors.reports_visible_to(people["office"], task)) == []
    services.progress_report_submit(actor=people["finance"], report=draft)
    assert list(selectors.reports_visible_to(people["civil"], task)) == [draft]
    assert list(selectors.reports_visible_to(people["xz"], task)) == []
    assert list(selectors.reports_visible_to(people["hr"], task)) == []


def test_task_permissions(published: Any, people: Any) -> None:
    task = published.tasks_by_key["1"]
    lead = selectors.task_permissions(people["civil"], task)
    assert (lead.may_report, lead.may_consolidate, lead.may_review, lead.may_urge) == (
        True, True, False, False,
    )  # fmt: skip
    coop = selectors.task_permissions(people["finance"], task)
    assert (coop.may_report, coop.may_consolidate) == (True, False)
    office = selectors.task_permissions(people["office"], task)
    assert (office.may_report, office.may_review, office.may_urge) == (False, True, True)
    leader = selectors.task_permissions(people["leader"], task)
    assert leader == selectors.TaskPermissions(False, False, False, False, False, None)


def test_review_data_highlights_every_extracted_field(importer: Any, people: Any) -> None:
    plan = importer(plan_doc()).plan
    review = selectors.plan_review_data(people["office"], plan)
    assert review is not None
    text = review.text
    kinds = {(h.kind, text[h.start : h.end]) for h in review.highlights}
    assert ("lead", "市民政局") in kinds
    assert ("cooperating", "团市委") in kinds
    assert ("deadline", "2026年底") in kinds
    assert ("target", "每万人中不少于10名社工") in kinds
    problems = {text[h.start : h.end] for h in review.highlights if h.is_problem}
    assert {"市志愿者联合会", "相关单位", "201412"} <= problems
    assert {u.name for u in review.unresolved} >= {"市志愿者联合会", "相关单位"}
    assert [u.name for u in selectors.unresolved_units(people["office"], plan)] == [
        u.name for u in review.unresolved
    ]
    assert [h.start for h in review.highlights] == sorted(h.start for h in review.highlights)


def test_plan_target_visible_to(importer: Any, people: Any) -> None:
    plan = importer(plan_doc()).plan
    target = plan.targets.get(subject="每万人社工数")
    found = selectors.plan_target_visible_to(people["office"], target.pk)
    assert found == target
    assert found.plan.version.text[found.span_start : found.span_end] == "每万人中不少于10名社工"
    assert selectors.plan_target_visible_to(people["civil"], target.pk) is None  # a draft
    assert selectors.plan_target_visible_to(people["office"], 999_999) is None
