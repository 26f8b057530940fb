"""Importing policy documents: the stored version, the draft plan, bad input, and re-import
(new version, diff, nothing reviewed lost)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.models import AuditRecord
from civicgrid.plans import services
from civicgrid.plans.models import (
    DocumentVersion,
    ItemOrigin,
    Plan,
    PlanEvent,
    PlanItem,
    PlanItemUnit,
    PlanStatus,
    PlanTarget,
    PolicyDocument,
    Resolution,
    UnitAlias,
)
from civicgrid.plans.services import documents as documents_service

from .core_helpers import *  # noqa: F403
from .core_helpers import ItemSpec, build_document, plan_doc

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        PolicyDocument.objects.count(),
        DocumentVersion.objects.count(),
        Plan.objects.count(),
        PlanItem.objects.count(),
        PlanItemUnit.objects.count(),
        PlanTarget.objects.count(),
    )


def test_import_stores_the_file_and_proposes_a_draft_plan(importer: Any, departments: Any) -> None:
    doc = build_document(plan_doc())
    result = importer(doc)
    version = result.version
    assert result.is_new_document
    assert result.document.title == "关于深化社会体制改革的实施方案"
    assert result.document.doc_number == "珠改组〔2014〕4号"
    assert version.number == 1
    assert version.sha256 == hashlib.sha256(doc.text.encode()).hexdigest()
    assert version.file.read() == doc.text.encode()
    assert version.text == doc.text
    assert version.diff == {}
    plan = result.plan
    assert plan.status == PlanStatus.DRAFT
    assert plan.owner == departments["office"]
    items = list(plan.items.order_by("order"))
    assert [i.key for i in items] == ["一", "一/(1)", "一/(2)", "一/(3)"]
    assert [i.is_task for i in items] == [False, True, True, True]
    first = items[1]
    assert first.parent == items[0]
    assert first.deadline_date == dt.date(2026, 12, 31)
    assert first.deadline_kind == "date"
    assert doc.text[first.span_start : first.span_end].startswith("(1) 完善社区服务")
    units = {(u.name, u.role): u for u in first.units.all()}
    civil = units[("市民政局", "lead")]
    assert civil.department == departments["civil"]
    assert civil.resolution == Resolution.EXACT
    assert civil.is_main_lead
    assert doc.text[civil.span_start : civil.span_end] == "市民政局"
    hr = items[2].units.get(role="lead")
    assert (hr.department, hr.resolution) == (departments["hr"], Resolution.ALIAS)
    unknown = items[3].units.get(role="lead")
    assert (unknown.department, unknown.resolution) == (None, Resolution.UNKNOWN)
    assert items[3].deadline_kind == "flagged"
    assert items[3].deadline_date is None
    targets = list(plan.targets.order_by("order"))
    assert [(t.subject, t.value, t.unit, t.year, t.item.key) for t in targets] == [
        ("每万人社工数", 10.0, "名/万人", 2017, "一/(2)"),
        ("注册志愿者占常住人口比例", 10.0, "%", 2015, "一/(3)"),
    ]
    event = PlanEvent.objects.get(plan=plan, kind="imported")
    assert event.details["tasks"] == 3
    assert event.details["items"] == 4
    assert AuditRecord.objects.filter(action="plans.document_import").count() == 1


def test_collective_names_expand_to_the_districts(importer: Any, departments: Any) -> None:
    plan = importer(plan_doc()).plan
    rows = PlanItemUnit.objects.filter(item__plan=plan, name="各区").order_by("department__code")
    assert [(u.department, u.resolution, u.is_collective) for u in rows] == [
        (departments["dm"], Resolution.COLLECTIVE, True),
        (departments["xz"], Resolution.COLLECTIVE, True),
    ]
    assert len({u.group for u in rows}) == 1
    related = PlanItemUnit.objects.get(item__plan=plan, name="相关单位")
    assert related.department is None
    assert not related.is_resolved


@pytest.mark.parametrize("role", ["civil", "leader", "supervisor", "dispatcher", "citizen"])
def test_only_the_office_imports(importer: Any, people: Any, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        importer(plan_doc(), actor=people[role])
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_bad_files_get_a_clear_message_and_write_nothing(
    importer: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = people["office"]
    with pytest.raises(DomainError) as empty:
        services.document_import(actor=office, content=b"", filename="empty.txt")
    assert empty.value.code == "empty"
    assert empty.value.field == "file"
    assert "empty.txt" in str(empty.value)
    with pytest.raises(DomainError) as unreadable:
        services.document_import(actor=office, content=b"\x00\x01garbage", filename="scan.pdf")
    assert unreadable.value.code == "ingest"
    assert str(unreadable.value).startswith("无法读取")
    monkeypatch.setattr(documents_service, "MAX_FILE_BYTES", 10)
    with pytest.raises(DomainError) as huge:
        services.document_import(actor=office, content=b"x" * 11, filename="huge.txt")
    assert huge.value.code == "too_large"
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_the_same_file_twice_is_refused(importer: Any) -> None:
    importer(plan_doc())
    before = counts()
    with pytest.raises(DomainError) as twice:
        importer(plan_doc())
    assert twice.value.code == "duplicate"
    assert counts() == before


def test_a_failure_after_storing_the_file_removes_it(
    importer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    from django.core.files.storage import default_storage

    monkeypatch.setattr(documents_service, "_create_items", broken)
    before = _all_files(default_storage)
    with pytest.raises(RuntimeError):
        importer(build_document(plan_doc()))
    assert counts() == (0, 0, 0, 0, 0, 0)
    assert _all_files(default_storage) == before


def _all_files(storage: Any, path: str = "") -> list[str]:
    directories, files = storage.listdir(path)
    found = [f"{path}/{name}" for name in files]
    for directory in directories:
        found += _all_files(storage, f"{path}/{directory}".lstrip("/"))
    return found


def changed_doc() -> Any:
    """Version 2: item (1) unchanged, (2) reworded, (3) removed, (4) new."""
    base = plan_doc()
    items = [
        base.items[0],
        base.items[1],
        ItemSpec(
            "一/(2)",
            "(2)",
            "加强社工队伍建设",
            "到2017年每万人中不少于12名社工。",
            lead=["市人力资源保障局"],
            cooperating=["团市委"],
            deadline=("2027年3月", dt.date(2027, 3, 31)),
            parent_key="一",
        ),
        ItemSpec(
            "一/(4)",
            "(4)",
            "发展社会组织",
            "培育社区社会组织。",
            lead=["市民政局"],
            deadline=("2027年底", dt.date(2027, 12, 31)),
            parent_key="一",
        ),
    ]
    return plan_doc(items=items, targets=[], preamble="珠改组〔2014〕4号 (修订)")


def test_reimport_makes_a_new_version_with_a_diff_and_keeps_every_review(
    importer: Any, people: Any, departments: Any
) -> None:
    office = people["office"]
    first = importer(plan_doc())
    plan1 = first.plan
    item1 = plan1.items.get(key="一/(1)")
    item2 = plan1.items.get(key="一/(2)")
    services.item_update(actor=office, item=item1, title="完善城乡社区服务体系")
    services.item_confirm(actor=office, item=item1)
    finance = item1.units.get(name="市财政局")
    services.unit_resolve(actor=office, unit=finance, department=departments["hr"], remember=False)
    services.item_update(actor=office, item=item2, deadline_date=dt.date(2027, 6, 30))
    added = services.item_add(actor=office, plan=plan1, title="建立工作台账", after=item1)
    services.unit_add(actor=office, item=added, role="lead", name="市委社管部")

    second = importer(changed_doc())
    assert not second.is_new_document
    assert second.document == first.document
    assert second.version.number == 2
    plan2 = second.plan
    assert plan2.previous == plan1
    plan1.refresh_from_db()
    assert plan1.status == PlanStatus.SUPERSEDED
    diff = second.version.diff
    assert diff["previous_version"] == 1
    assert [row["key"] for row in diff["added"]] == ["一/(4)"]
    assert [row["key"] for row in diff["removed"]] == ["一/(3)"]
    assert [(row["key"], row["fields"]) for row in diff["changed"]] == [("一/(2)", ["body"])]
    assert diff["unchanged"] == 2
    assert set(diff["carried_over"]) == {"一/(1)", added.key}
    assert diff["needs_review"] == ["一/(2)"]

    # Unchanged item: the corrected title, the confirmation and the unit decision carry over.
    kept = plan2.items.get(key="一/(1)")
    assert kept.title == "完善城乡社区服务体系"
    assert kept.is_confirmed
    assert kept.units.get(name="市财政局").department == departments["hr"]
    assert kept.units.get(name="市财政局").resolution == Resolution.CONFIRMED
    # Changed item: the new text, and the previous correction kept beside it.
    reworded = plan2.items.get(key="一/(2)")
    assert reworded.body == "到2017年每万人中不少于12名社工。"
    assert reworded.deadline_date == dt.date(2027, 3, 31)
    assert reworded.previous_review["fields"] == {"deadline_date": "2027-06-30"}
    assert any("changed" in flag for flag in reworded.flags)
    # The added item is kept, after the item it followed, with its unit.
    carried = plan2.items.get(key=added.key)
    assert carried.origin == ItemOrigin.ADDED
    assert carried.units.get().department == departments["office"]
    keys = list(plan2.items.order_by("order").values_list("key", flat=True))
    assert keys == ["一", "一/(1)", added.key, "一/(2)", "一/(4)"]
    # Version 1 still holds everything as it was reviewed.
    assert plan1.items.get(key="一/(1)").title == "完善城乡社区服务体系"
    assert plan1.items.filter(key="一/(3)").exists()


def test_reimport_keeps_merges_and_remembered_aliases(
    importer: Any, people: Any, departments: Any
) -> None:
    office = people["office"]
    plan1 = importer(plan_doc()).plan
    volunteers = plan1.items.get(key="一/(3)")
    unknown = volunteers.units.get(name="市志愿者联合会")
    services.unit_resolve(actor=office, unit=unknown, department=departments["youth"])
    assert UnitAlias.objects.get(name="市志愿者联合会").department == departments["youth"]
    merged = services.items_merge(actor=office, items=[plan1.items.get(key="一/(2)"), volunteers])
    assert [entry["key"] for entry in merged.absorbed] == ["一/(3)"]

    same_text = plan_doc(preamble="珠改组〔2014〕4号 (重印)")
    plan2 = importer(same_text).plan
    keys = list(plan2.items.order_by("order").values_list("key", flat=True))
    assert keys == ["一", "一/(1)", "一/(2)"]  # (3) stays merged into (2)
    kept = plan2.items.get(key="一/(2)")
    assert kept.body == merged.body
    assert kept.units.filter(name="市志愿者联合会", department=departments["youth"]).exists()
    # Both targets follow the merged item.
    assert set(plan2.targets.values_list("item__key", flat=True)) == {"一/(2)"}

    # A third document that uses the remembered name resolves it as an alias.
    other = plan_doc(title="另一份文件", preamble="珠社〔2015〕1号")
    plan3 = importer(other).plan
    unit = PlanItemUnit.objects.get(item__plan=plan3, name="市志愿者联合会")
    assert (unit.department, unit.resolution) == (departments["youth"], Resolution.ALIAS)


def test_reimport_of_a_merge_whose_text_changed_undoes_it_visibly(
    importer: Any, people: Any
) -> None:
    office = people["office"]
    plan1 = importer(plan_doc()).plan
    services.items_merge(
        actor=office, items=[plan1.items.get(key="一/(2)"), plan1.items.get(key="一/(3)")]
    )
    base = plan_doc()
    base.items[3].body = "注册志愿者占常住人口12%以上。"
    base.targets = []
    base.preamble = "珠改组〔2014〕4号 (修订)"
    plan2 = importer(base).plan
    back = plan2.items.get(key="一/(3)")
    assert any("merged" in flag for flag in back.flags)
    merged = plan2.items.get(key="一/(2)")
    assert merged.absorbed
    assert merged.body.endswith("注册志愿者占常住人口10%以上。")


def test_the_document_number_identifies_the_document(importer: Any) -> None:
    first = importer(plan_doc())
    renamed = plan_doc(
        title="关于深化社会体制改革的实施方案(修订稿)", preamble="珠改组[2014]4号 附件"
    )
    second = importer(renamed)
    assert second.document == first.document
    assert second.version.number == 2


def test_find_doc_number() -> None:
    assert (
        services.find_doc_number("珠海市人民政府\n珠府〔2012〕115号\n关于") == "珠府〔2012〕115号"
    )
    assert services.find_doc_number("没有文号的文件") == ""
    assert services.normalise_doc_number("珠改组[2014]4号") == "珠改组〔2014〕4"


def test_import_command_reads_a_real_document(people: Any, departments: Any, capsys: Any) -> None:
    """``civicgrid plans import`` with the real extractor on the Zhuhai 2014 plan, twice."""
    import json
    from pathlib import Path

    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = Path(__file__).resolve().parents[2] / "demo/data/policy"
    path = path / "zhuhai-2014-social-system-reform-plan.txt"
    call_command("plans", "import", str(path), "--json", "--user", "office")
    summary = json.loads(capsys.readouterr().out)
    assert summary["version"] == 1
    assert summary["doc_number"].startswith("珠改组〔2014〕4")
    assert summary["tasks"] >= 70
    assert "相关单位" in summary["unresolved_units"]
    plan = Plan.objects.get(pk=summary["plan"])
    assert plan.version.file.read() == path.read_bytes()
    led_by_civil = PlanItemUnit.objects.filter(
        item__plan=plan, role="lead", department=departments["civil"]
    )
    assert led_by_civil.exists()
    with pytest.raises(CommandError, match="第 1 版"):
        call_command("plans", "import", str(path), "--user", "office")
