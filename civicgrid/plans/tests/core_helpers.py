"""Helpers of the plans-core tests: documents built in code (so each test says exactly what the
extractor "found"), departments and users of every role, and a fixed today.

Import the fixtures into a test module with ``from .core_helpers import *`` (pytest finds
fixtures through the module's names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.plans import clock
from civicgrid.plans.extraction.types import (
    Deadline,
    ExtractedDocument,
    ExtractedItem,
    ExtractedTarget,
    IngestError,
    Span,
    UnitMention,
)
from civicgrid.plans.services import documents as documents_service
from civicgrid.territory.models import Department, DepartmentAlias, DepartmentKind

TODAY = dt.date(2026, 12, 7)  # a Monday

__all__ = [
    "TODAY",
    "Doc",
    "ItemSpec",
    "build_document",
    "departments",
    "fixed_today",
    "importer",
    "people",
    "published",
]


@dataclass
class ItemSpec:
    key: str
    number: str
    title: str
    body: str = ""
    lead: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    deadline: tuple[str, dt.date | None] | None = None
    is_task: bool = True
    level: int = 3
    parent_key: str | None = None
    flags: list[str] = field(default_factory=list)


@dataclass
class Doc:
    title: str
    items: list[ItemSpec]
    targets: list[tuple[str, str, float, str, int | None, str]] = field(default_factory=list)
    # (item key, subject, value, unit, year, sentence) — the sentence must be in an item's body
    preamble: str = ""


def build_document(doc: Doc) -> ExtractedDocument:
    """The ExtractedDocument the extractor would return for ``doc``, with exact spans."""
    text = f"{doc.title}\n{doc.preamble}\n" if doc.preamble else f"{doc.title}\n"
    items = []
    for spec in doc.items:
        parts = [spec.number, spec.title, spec.body]
        units_text = ""
        if spec.lead:
            units_text += "、".join(spec.lead) + "牵头"
        if spec.cooperating:
            units_text += ("," if units_text else "") + "、".join(spec.cooperating) + "配合"
        units_text = f"({units_text})" if units_text else ""
        deadline_text = f"完成时间:{spec.deadline[0]}" if spec.deadline else ""
        line = " ".join(part for part in (*parts, units_text, deadline_text) if part)
        start = len(text)
        text += line + "\n"
        end = start + len(line)

        def span_of(fragment: str, line: str = line, start: int = start) -> Span:
            at = line.index(fragment)
            return Span(start + at, start + at + len(fragment))

        lead = [
            UnitMention(
                name=name,
                role="lead",
                span=span_of(name),
                is_main_lead=index == 0,
                is_collective=name.startswith("各"),
            )
            for index, name in enumerate(spec.lead)
        ]
        cooperating = [
            UnitMention(
                name=name,
                role="cooperating",
                span=span_of(name),
                is_collective=name.startswith("各") or name == "相关单位",
            )
            for name in spec.cooperating
        ]
        deadline = None
        if spec.deadline:
            words, date = spec.deadline
            deadline = Deadline(
                text=words,
                kind="date" if date else "flagged",
                date=date,
                span=span_of(words),
                note="" if date else "unreadable",
            )
        items.append(
            ExtractedItem(
                key=spec.key,
                number=spec.number,
                level=spec.level,
                title=spec.title,
                body=spec.body,
                source="body",
                is_task=spec.is_task,
                span=Span(start, end),
                parent_key=spec.parent_key,
                lead_units=lead,
                cooperating_units=cooperating,
                deadline=deadline,
                flags=list(spec.flags),
            )
        )
    targets = []
    for key, subject, value, unit, year, sentence in doc.targets:
        at = text.index(sentence)
        targets.append(
            ExtractedTarget(
                subject=subject,
                value=value,
                unit=unit,
                comparator="ge",
                year=year,
                text=sentence,
                span=Span(at, at + len(sentence)),
                item_key=key,
            )
        )
    return ExtractedDocument(
        title=doc.title, text=text, kind="text", encoding="utf-8", items=items, targets=targets
    )


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dt.date], None]]:
    """Today is 2026-12-07 for the plans code; call the fixture's value to move the clock."""
    current = {"day": TODAY}
    monkeypatch.setattr(clock, "today", lambda: current["day"])

    def move(day: dt.date) -> None:
        current["day"] = day

    with translation.override("en"):
        yield move


@pytest.fixture
def departments(territory: Any) -> dict[str, Department]:
    """The test territory's departments plus a few city departments with aliases."""
    city = territory.city

    def department(
        code: str, name: str, short: str, *aliases: str, kind: str = "government"
    ) -> Department:
        made = Department.objects.create(
            code=code, name=name, short_name=short, kind=kind, admin_unit=city
        )
        for alias in aliases:
            DepartmentAlias.objects.create(department=made, alias=alias)
        return made

    return {
        "office": department(
            "social-dept",
            "中共珠海市委社会管理工作部",
            "市委社管部",
            "市社工委办公室",
            kind=DepartmentKind.PARTY,
        ),
        "civil": territory.civil_affairs,
        "hr": department(
            "hr",
            "珠海市人力资源和社会保障局",
            "市人社局",
            "市人力资源保障局",
            "市人力资源和社会保障局",
        ),
        "finance": department("finance", "珠海市财政局", "市财政局"),
        "youth": department(
            "youth", "共青团珠海市委员会", "团市委", kind=DepartmentKind.PEOPLES_ORGANISATION
        ),
        "xz": territory.xz_government,
        "dm": territory.dm_government,
    }


@pytest.fixture
def people(
    departments: dict[str, Department], make_user: Callable[..., User], territory: Any
) -> dict[str, User]:
    return {
        "office": make_user(
            Role.PROGRAMME_OFFICE, department=departments["office"], username="office"
        ),
        "admin": make_user(Role.ADMINISTRATOR, username="admin"),
        "leader": make_user(Role.LEADER, username="leader"),
        "supervisor": make_user(Role.SUPERVISOR, scope_unit=territory.city, username="sup"),
        "xz_supervisor": make_user(
            Role.SUPERVISOR, scope_unit=territory.xiangzhou, username="xz-sup"
        ),
        "civil": make_user(
            Role.DEPARTMENT_STAFF, department=departments["civil"], username="civil"
        ),
        "hr": make_user(Role.DEPARTMENT_STAFF, department=departments["hr"], username="hr"),
        "finance": make_user(
            Role.DEPARTMENT_STAFF, department=departments["finance"], username="fin"
        ),
        "xz": make_user(Role.DEPARTMENT_STAFF, department=departments["xz"], username="xz"),
        "dm": make_user(Role.DEPARTMENT_STAFF, department=departments["dm"], username="dm"),
        "dispatcher": make_user(Role.DISPATCHER, scope_unit=territory.city, username="disp"),
        "citizen": make_user(Role.CITIZEN, username="citizen"),
    }


@pytest.fixture
def importer(
    monkeypatch: pytest.MonkeyPatch, people: dict[str, User], fixed_today: Any
) -> Callable[..., Any]:
    """``importer(doc, **options)`` imports ``doc`` (an ExtractedDocument built from a Doc) as
    the office; the file's bytes are the document text (so a changed text is a new file)."""
    by_content: dict[bytes, ExtractedDocument] = {}

    def fake_extract(content: bytes, filename: str) -> ExtractedDocument:
        if content in by_content:
            return by_content[content]
        raise IngestError("无法读取该文件。 (Cannot read the file.)")

    monkeypatch.setattr(documents_service, "_extract", fake_extract)

    def run(doc: Doc | ExtractedDocument, **options: Any) -> Any:
        extracted = doc if isinstance(doc, ExtractedDocument) else build_document(doc)
        content = extracted.text.encode("utf-8")
        by_content[content] = extracted
        options.setdefault("actor", people["office"])
        options.setdefault("filename", "plan.txt")
        return documents_service.document_import(content=content, **options)

    return run


def plan_doc(**changes: Any) -> Doc:
    """A small plan: three task items and a heading, units of every kind."""
    items = [
        ItemSpec("一", "一、", "总体要求", is_task=False, level=1),
        ItemSpec(
            "一/(1)",
            "(1)",
            "完善社区服务",
            "建立社区综合服务中心。",
            lead=["市民政局"],
            cooperating=["市财政局", "各区"],
            deadline=("2026年底", dt.date(2026, 12, 31)),
            parent_key="一",
        ),
        ItemSpec(
            "一/(2)",
            "(2)",
            "加强社工队伍建设",
            "每万人中不少于10名社工。",
            lead=["市人力资源保障局"],
            cooperating=["团市委"],
            deadline=("2027年3月", dt.date(2027, 3, 31)),
            parent_key="一",
        ),
        ItemSpec(
            "一/(3)",
            "(3)",
            "推进志愿服务",
            "注册志愿者占常住人口10%以上。",
            lead=["市志愿者联合会"],
            cooperating=["相关单位"],
            deadline=("201412", None),
            parent_key="一",
        ),
    ]
    values: dict[str, Any] = {
        "title": "关于深化社会体制改革的实施方案",
        "items": items,
        "preamble": "珠改组〔2014〕4号",
        "targets": [
            ("一/(2)", "每万人社工数", 10.0, "名/万人", 2017, "每万人中不少于10名社工"),
            ("一/(3)", "注册志愿者占常住人口比例", 10.0, "%", 2015, "注册志愿者占常住人口10%以上"),
        ],
    }
    values.update(changes)
    return Doc(**values)


def supervised_doc() -> Doc:
    """Three tasks with departments the test territory knows (no review needed but 相关单位)."""
    return Doc(
        title="社区建设工作方案",
        preamble="珠社〔2026〕9号",
        items=[
            ItemSpec(
                "1",
                "1.",
                "建设社区服务中心",
                "每个社区建成一个服务中心。",
                lead=["市民政局"],
                cooperating=["市财政局", "香洲区政府"],
                deadline=("2026年12月10日", dt.date(2026, 12, 10)),
            ),
            ItemSpec(
                "2",
                "2.",
                "培养社工人才",
                "开展社工培训。",
                lead=["市人社局"],
                cooperating=["团市委"],
                deadline=("2027年6月", dt.date(2027, 6, 30)),
            ),
            ItemSpec(
                "3",
                "3.",
                "整治村居环境",
                "完成村居环境整治。",
                lead=["斗门区政府"],
                cooperating=["相关单位"],
                deadline=("2026年11月", dt.date(2026, 11, 30)),
            ),
        ],
    )


@pytest.fixture
def published(importer: Callable[..., Any], people: dict[str, User]) -> Any:
    """The supervised plan, reviewed (相关单位 = not a department), confirmed and published;
    ``published.tasks`` maps item keys to tasks."""
    from civicgrid.plans import services
    from civicgrid.plans.models import PlanItemUnit

    office = people["office"]
    plan = importer(supervised_doc()).plan
    for unit in PlanItemUnit.objects.filter(item__plan=plan, department__isnull=True):
        services.unit_resolve(actor=office, unit=unit, department=None)
    services.plan_confirm(actor=office, plan=plan)
    tasks = services.plan_publish(actor=office, plan=plan)
    plan.refresh_from_db()
    plan.tasks_by_key = {task.item_key: task for task in tasks}
    return plan
