"""Reviewing a proposed plan: corrections, split / merge, units, targets, confirm, publish."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.plans import services
from civicgrid.plans.models import (
    PlanEvent,
    PlanItem,
    PlanItemUnit,
    PlanStatus,
    Resolution,
    Task,
    TaskEvent,
    TaskStatus,
    UnitAlias,
)

from .core_helpers import *  # noqa: F403
from .core_helpers import ItemSpec, build_document, plan_doc, supervised_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(importer: Any) -> Any:
    return importer(plan_doc()).plan


def test_item_update_records_the_correction(plan: Any, people: Any) -> None:
    item = plan.items.get(key="一/(3)")
    services.item_update(
        actor=people["office"],
        item=item,
        title="推进志愿服务制度化",
        deadline_date=dt.date(2014, 12, 31),
        deadline_text="2014年12月",
    )
    item.refresh_from_db()
    assert item.title == "推进志愿服务制度化"
    assert (item.deadline_date, item.deadline_kind) == (dt.date(2014, 12, 31), "date")
    assert set(item.edited_fields) == {"title", "deadline_date", "deadline_text", "deadline_kind"}
    assert item.extracted["title"] == "推进志愿服务"  # what the extractor said stays
    event = PlanEvent.objects.get(plan=plan, kind="item_updated")
    assert event.details["title"] == ["推进志愿服务", "推进志愿服务制度化"]


@pytest.mark.parametrize("role", ["civil", "leader", "supervisor", "citizen"])
def test_only_the_office_corrects(plan: Any, people: Any, role: str) -> None:
    item = plan.items.get(key="一/(1)")
    with pytest.raises(PermissionDeniedError):
        services.item_update(actor=people[role], item=item, title="改")
    item.refresh_from_db()
    assert item.title == "完善社区服务"
    assert item.edited_fields == []


def test_bad_corrections_are_refused_with_the_field(plan: Any, people: Any) -> None:
    item = plan.items.get(key="一/(1)")
    with pytest.raises(DomainError) as level:
        services.item_update(actor=people["office"], item=item, level=12)
    assert level.value.field == "level"
    with pytest.raises(DomainError) as unknown:
        services.item_update(actor=people["office"], item=item, plan=None)
    assert unknown.value.field == "plan"
    with pytest.raises(DomainError) as date_kind:
        services.item_update(actor=people["office"], item=item, deadline_date=None,
                             deadline_kind="date")  # fmt: skip
    assert date_kind.value.field == "deadline_date"
    item.refresh_from_db()
    assert item.edited_fields == []


def test_split_divides_the_text_and_the_spans(plan: Any, people: Any) -> None:
    doc_text = plan.version.text
    item = plan.items.get(key="一/(1)")
    item = services.item_update(actor=people["office"], item=item, body="建立中心。配备社工。")
    with pytest.raises(DomainError):
        services.item_split(actor=people["office"], item=item, offset=0)
    first, second = services.item_split(actor=people["office"], item=item, offset=5)
    assert (first.body, second.body) == ("建立中心。", "配备社工。")
    assert second.key == "一/(1)~2"
    assert second.extracted == {"split_from": "一/(1)"}
    assert [u.name for u in second.units.order_by("order")] == [
        u.name for u in first.units.order_by("order")
    ]
    keys = list(plan.items.order_by("order").values_list("key", flat=True))
    assert keys.index("一/(1)~2") == keys.index("一/(1)") + 1
    assert doc_text == plan.version.text  # the version's text never changes


def test_split_spans_follow_the_source_text(plan: Any, people: Any) -> None:
    item = plan.items.get(key="一/(2)")  # body "每万人中不少于10名社工。" is in the text verbatim
    first, second = services.item_split(actor=people["office"], item=item, offset=4)
    text = plan.version.text
    assert text[second.span_start : second.span_start + 5] == "不少于10"
    assert first.span_end == second.span_start


def test_merge_moves_units_targets_and_remembers_keys(plan: Any, people: Any) -> None:
    two, three = plan.items.get(key="一/(2)"), plan.items.get(key="一/(3)")
    merged = services.items_merge(actor=people["office"], items=[three, two])
    assert merged.pk == two.pk  # into the first in plan order
    assert merged.body == "每万人中不少于10名社工。\n(3) 推进志愿服务 注册志愿者占常住人口10%以上。"
    assert not PlanItem.objects.filter(pk=three.pk).exists()
    assert set(merged.units.values_list("name", flat=True)) == {
        "市人力资源保障局",
        "团市委",
        "市志愿者联合会",
        "相关单位",
    }
    assert merged.units.filter(is_main_lead=True).count() == 1
    assert set(plan.targets.values_list("item_id", flat=True)) == {merged.pk}
    assert [entry["key"] for entry in merged.absorbed] == ["一/(3)"]
    with pytest.raises(DomainError):
        services.items_merge(actor=people["office"], items=[merged])


def test_resolving_a_name_remembers_it_for_the_whole_plan(
    importer: Any, people: Any, departments: Any
) -> None:
    doc = plan_doc()
    doc.items[1].cooperating = ["市志愿者联合会"]
    plan = importer(doc).plan
    rows = PlanItemUnit.objects.filter(item__plan=plan, name="市志愿者联合会")
    assert rows.count() == 2
    services.unit_resolve(
        actor=people["office"], unit=rows.first(), department=departments["youth"]
    )
    assert set(rows.values_list("department", "resolution")) == {
        (departments["youth"].pk, Resolution.CONFIRMED)
    }
    assert UnitAlias.objects.get(name="市志愿者联合会").department == departments["youth"]
    for item in PlanItem.objects.filter(units__in=rows):
        assert "units" in item.edited_fields


def test_not_a_department_is_kept_as_written(plan: Any, people: Any) -> None:
    related = PlanItemUnit.objects.get(item__plan=plan, name="相关单位")
    services.unit_resolve(actor=people["office"], unit=related, department=None)
    related.refresh_from_db()
    assert (related.name, related.department, related.resolution) == (
        "相关单位",
        None,
        Resolution.NOT_A_DEPARTMENT,
    )
    assert related.is_resolved
    assert not UnitAlias.objects.exists()


def test_publish_is_refused_while_units_are_unresolved(plan: Any, people: Any) -> None:
    office = people["office"]
    with pytest.raises(ConflictError) as draft:
        services.plan_publish(actor=office, plan=plan)
    assert draft.value.code == "illegal_transition"
    services.plan_confirm(actor=office, plan=plan)
    with pytest.raises(ConflictError) as refused:
        services.plan_publish(actor=office, plan=plan)
    assert refused.value.code == "unresolved_units"
    names = {row["name"] for row in refused.value.details["unresolved_units"]}
    assert {"市志愿者联合会", "相关单位"} <= names
    assert "市志愿者联合会" in str(refused.value)
    assert "(3)" in str(refused.value)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    assert not Task.objects.exists()


def test_publish_is_refused_for_a_task_without_a_lead(importer: Any, people: Any) -> None:
    doc = supervised_doc()
    doc.items[1].lead = []
    plan = importer(doc).plan
    for unit in PlanItemUnit.objects.filter(item__plan=plan, department__isnull=True):
        services.unit_resolve(actor=people["office"], unit=unit, department=None)
    services.plan_confirm(actor=people["office"], plan=plan)
    with pytest.raises(ConflictError) as refused:
        services.plan_publish(actor=people["office"], plan=plan)
    assert refused.value.code == "no_lead"
    assert [row["key"] for row in refused.value.details["no_lead"]] == ["2"]
    assert not Task.objects.exists()


def test_publish_creates_tasks_assigned_to_departments(published: Any, departments: Any) -> None:
    assert published.status == PlanStatus.PUBLISHED
    tasks = published.tasks_by_key
    assert sorted(tasks) == ["1", "2", "3"]
    first = tasks["1"]
    assert (first.number, first.title, first.deadline) == (
        "1.",
        "建设社区服务中心",
        dt.date(2026, 12, 10),
    )
    assert first.lead_department == departments["civil"]
    assert first.admin_unit_code == "4404"
    units = {(u.department.code, u.role, u.is_main_lead) for u in first.units.all()}
    assert units == {
        ("city-civil-affairs", "lead", True),
        ("finance", "cooperating", False),
        ("xiangzhou-government", "cooperating", False),
    }
    assert tasks["3"].admin_unit_code == "440403"
    assert {u.department.code for u in tasks["3"].units.all()} == {"doumen-government"}
    assert TaskEvent.objects.filter(kind="published").count() == 3
    assert all(task.status == TaskStatus.NOT_STARTED for task in tasks.values())


def test_a_published_plan_cannot_be_edited(published: Any, people: Any) -> None:
    item = published.items.get(key="1")
    with pytest.raises(ConflictError) as refused:
        services.item_update(actor=people["office"], item=item, title="改")
    assert refused.value.code == "plan_not_editable"


def test_publishing_a_new_version_carries_the_tasks_on(
    published: Any, importer: Any, people: Any, departments: Any
) -> None:
    office = people["office"]
    old_task = published.tasks_by_key["1"]
    removed_task = published.tasks_by_key["3"]
    report = services.progress_report_save(
        actor=people["civil"], task=old_task, period="2026-11", text="已启动", percent_done=20
    )
    doc = supervised_doc()
    doc.items[0].deadline = ("2027年1月", dt.date(2027, 1, 31))
    doc.items[0].cooperating = ["市财政局"]
    doc.items[2] = ItemSpec("4", "4.", "新增任务", "新的工作。", lead=["市人社局"])
    doc.preamble = "珠社〔2026〕9号 (修订)"
    result = importer(build_document(doc))
    new_plan = result.plan
    published.refresh_from_db()
    assert published.status == PlanStatus.PUBLISHED  # supervision goes on meanwhile
    services.plan_confirm(actor=office, plan=new_plan)
    tasks = {task.item_key: task for task in services.plan_publish(actor=office, plan=new_plan)}
    assert tasks["1"].pk == old_task.pk
    assert tasks["1"].plan == new_plan
    assert tasks["1"].deadline == dt.date(2027, 1, 31)
    assert {u.department.code for u in tasks["1"].units.all()} == {"city-civil-affairs", "finance"}
    assert report.task_id == tasks["1"].pk
    update = TaskEvent.objects.get(task=old_task, kind="updated")
    assert update.details["changes"]["deadline"] == ["2026-12-10", "2027-01-31"]
    assert update.details["units"] == ["-xiangzhou-government"]
    removed_task.refresh_from_db()
    assert removed_task.status == TaskStatus.CANCELLED
    assert "4" in tasks
    assert tasks["4"].pk not in {t.pk for t in published.tasks_by_key.values()}
    published.refresh_from_db()
    assert published.status == PlanStatus.SUPERSEDED


def test_plan_states(plan: Any, people: Any) -> None:
    office = people["office"]
    services.plan_confirm(actor=office, plan=plan)
    with pytest.raises(ConflictError):
        services.plan_confirm(actor=office, plan=plan)
    services.plan_reopen(actor=office, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    with pytest.raises(ConflictError):
        services.plan_close(actor=office, plan=plan)
    kinds = list(PlanEvent.objects.filter(plan=plan).values_list("kind", "to_status"))
    assert kinds[-2:] == [("confirmed", "in_review"), ("reopened", "draft")]


def test_a_plan_without_tasks_cannot_be_confirmed(importer: Any, people: Any) -> None:
    doc = plan_doc()
    for item in doc.items:
        item.is_task = False
    plan = importer(doc).plan
    with pytest.raises(ConflictError) as refused:
        services.plan_confirm(actor=people["office"], plan=plan)
    assert refused.value.code == "no_tasks"


def test_targets_are_corrected_and_validated(plan: Any, people: Any) -> None:
    target = plan.targets.get(subject="每万人社工数")
    services.target_update(actor=people["office"], target=target, value="12", year=2018)
    target.refresh_from_db()
    assert (target.value, target.year, target.edited_fields) == (12.0, 2018, ["value", "year"])
    with pytest.raises(DomainError) as bad_range:
        services.target_update(actor=people["office"], target=target, comparator="range")
    assert bad_range.value.field == "low"
    with pytest.raises(DomainError) as bad_year:
        services.target_update(actor=people["office"], target=target, year=17)
    assert bad_year.value.field == "year"
    added = services.target_add(
        actor=people["office"], plan=plan, subject="社区服务中心覆盖率", comparator="range",
        low=80, high=90, unit="%", year=2020,
    )  # fmt: skip
    assert (added.low, added.high, added.value) == (80.0, 90.0, None)
