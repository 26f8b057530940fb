"""Demo appeals for Zhuhai: categories, the responsibility catalogue and ~a year of appeals.

    from civicgrid.demo import appeals
    appeals.load(count=3000, seed=20261121)   # after loader.load_territory()

* :func:`catalogue_ensure` loads two-level categories common in 12345 systems
  (``data/zhuhai_appeal_categories.csv``) and the responsibility catalogue
  (``data/zhuhai_responsibility.csv``). A rule's ``area`` is ``city`` (one rule for 珠海市),
  ``districts`` (one rule per district, lead ``{district}`` = that district's government) or
  ``streets`` (one rule per street / town, lead ``{street}`` = its street office
  ``street-<division code>``): 城市管理 and 基层治理 go to the street office of the appeal's street.
* :func:`load` generates appeals accepted from 2025-11-22 to 2026-11-21 and walks each one
  through the real workflow services (accept → dispatch → sign for → reply → follow up → close,
  with some misrouted and returned, cancelled, extended, reopened, late or still open), then
  urges some overdue ones and runs the deadline sweep. Titles and texts are filled in from the
  templates in ``data/zhuhai_appeal_templates.csv``; places are random points inside the demo
  grids; citizens' names and phone numbers are made up.

Dates: while an appeal is generated, :func:`simulated_clock` replaces
``django.utils.timezone.now`` (and so ``timezone.localdate`` and ``clock.today``) with
a simulated clock that moves forward step by step; it is restored on leaving, also on error.
Every timestamp (``created_at``, events, ``signed_at``, deadlines, audit rows) is therefore the
simulated one, and deadlines are computed on the working-day calendar of that day.

Idempotent and resumable: every demo appeal has the idempotency key
``demo-<seed>-<index>`` and its own random generator, so a second run finds the appeals and
changes nothing; an interrupted run (committed in batches) continues where it stopped.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.prepared import prep

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import services, sweep
from civicgrid.appeals.models import (
    Appeal,
    Category,
    ResponsibilityRule,
    SupervisionItem,
    SupervisionLevel,
    SupervisionStatus,
)
from civicgrid.appeals.selectors import overdue_condition, time_limits_for
from civicgrid.core.errors import DomainError
from civicgrid.territory.models import AdminLevel, AdminUnit, Department, DepartmentKind

from . import loader, reply_templates

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_CODE = loader.CITY_CODE
PERIOD_START = dt.date(2025, 11, 22)
PERIOD_END = dt.date(2026, 11, 21)
BATCH = 100
KEY_PREFIX = "demo-"

CATEGORY_WEIGHTS = {
    "urban": 18,
    "housing": 14,
    "transport": 10,
    "environment": 9,
    "market": 9,
    "labour": 9,
    "education": 6,
    "health": 6,
    "civil": 5,
    "police": 5,
    "water": 4,
    "community": 5,
}
CHANNELS = (("hotline", 60), ("web", 15), ("open311", 5), ("grid", 20))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欢阳建国志明永辉晓婷雪梅海燕文博子涵思远嘉怡梓萱浩然"  # noqa: E501
ROADS = (
    "凤凰路",
    "人民路",
    "迎宾南路",
    "九洲大道",
    "梅华路",
    "紫荆路",
    "柠溪路",
    "前山路",
    "吉大路",
    "情侣中路",
    "银桦路",
    "兴业路",
    "白藤路",
    "井岸大道",
    "珠峰大道",
    "金湾路",
    "湖心路",
    "海滨路",
)
AMOUNTS = ("300", "860", "1500", "2800", "5000", "12000")
REPLIES = (
    "经核查，反映情况属实，已责令当事人整改，并将加强日常巡查。",
    "已安排工作人员到现场处理，问题已解决，感谢您的监督。",
    "经了解，您咨询的事项办理流程已电话告知，如有疑问可到政务服务中心窗口咨询。",
    "已联系相关单位协调处理，预计近期完成整改，我们将持续跟进。",
    "经现场核实，暂未发现所反映的问题，已加强巡查，如再发现请及时反映。",
)
RETURN_REASONS = ("该事项不属于本单位职责，请重新派单。", "经核实该地址不在本单位辖区。")


# ---------------------------------------------------------------- the simulated clock


class SimulatedClock:
    """The current simulated moment; only ever moves forward."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = max(self.moment, moment)


@contextmanager
def simulated_clock(moment: dt.datetime) -> Iterator[SimulatedClock]:
    """Replace ``django.utils.timezone.now`` by a simulated clock for the ``with`` block."""
    clock = SimulatedClock(moment)
    original = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = original


# ---------------------------------------------------------------- catalogue


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


@transaction.atomic
def catalogue_ensure(*, city_code: str = CITY_CODE) -> dict[str, int]:
    """Create or update the demo categories and responsibility rules (idempotent)."""
    created = {"categories": 0, "rules": 0}
    by_code: dict[str, Category] = {}
    for row in _rows("zhuhai_appeal_categories.csv"):
        category, was_created = Category.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "parent": by_code.get(row["parent_code"])},
        )
        by_code[category.code] = category
        created["categories"] += int(was_created)
    city = AdminUnit.objects.get(code=city_code)
    districts = list(AdminUnit.objects.filter(parent=city, level=AdminLevel.DISTRICT))
    streets = list(AdminUnit.objects.filter(level=AdminLevel.STREET, code__startswith=city_code))
    departments = {department.code: department for department in Department.objects.all()}
    district_bodies = {
        department.admin_unit_id: department
        for department in Department.objects.filter(
            kind=DepartmentKind.DISTRICT, admin_unit__level=AdminLevel.DISTRICT
        )
    }
    for row in _rows("zhuhai_responsibility.csv"):
        category = by_code[row["category_code"]]
        cooperating = [
            departments[code] for code in row["cooperating_departments"].split("|") if code
        ]
        targets: list[tuple[AdminUnit, Department | None]]
        if row["area"] == "city":
            targets = [(city, departments.get(row["lead_department"]))]
        elif row["area"] == "districts":
            targets = [(unit, district_bodies.get(unit.pk)) for unit in districts]
        else:
            targets = [(unit, departments.get(f"street-{unit.code}")) for unit in streets]
        for unit, lead in targets:
            if lead is None:
                continue
            rule, was_created = ResponsibilityRule.objects.update_or_create(
                category=category, admin_unit=unit, defaults={"lead_department": lead}
            )
            rule.cooperating_departments.set(cooperating)
            created["rules"] += int(was_created)
    return created


# ---------------------------------------------------------------- places and texts


@dataclass
class _Grid:
    code: str
    polygon: Any
    prepared: Any
    community: str
    street: str


def _grids(city_code: str) -> list[_Grid]:
    names = dict(
        AdminUnit.objects.filter(
            code__startswith=city_code, level__in=[AdminLevel.STREET, AdminLevel.COMMUNITY]
        ).values_list("code", "name")
    )
    grids = []
    for code, boundary in (
        AdminUnit.objects.filter(
            code__startswith=city_code, level=AdminLevel.GRID, boundary__isnull=False
        )
        .order_by("code")
        .values_list("code", "boundary")
    ):
        polygon = shape(boundary)
        community = names.get(code[:12], "")
        for suffix in ("居民委员会", "村民委员会", "村委会", "居委会"):
            community = community.removesuffix(suffix)
        grids.append(_Grid(code, polygon, prep(polygon), community, names.get(code[:9], "")))
    return grids


def _point_in(grid: _Grid, rng: random.Random) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = grid.polygon.bounds
    for _attempt in range(30):
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if grid.prepared.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    point = grid.polygon.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _fill(template: str, grid: _Grid, rng: random.Random) -> str:
    return template.format(
        road=rng.choice(ROADS),
        community=grid.community or grid.street,
        street=grid.street,
        days=rng.randint(2, 10),
        count=rng.randint(2, 6),
        amount=rng.choice(AMOUNTS),
        month=rng.randint(1, 12),
    )


def _appeal_type(title: str, rng: random.Random) -> str:
    if "咨询" in title:
        return "consultation"
    if "建议" in title:
        return "suggestion"
    return rng.choices(["complaint", "help", "report"], weights=[55, 30, 15])[0]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"


# ---------------------------------------------------------------- generation


@dataclass
class AppealDemoSummary:
    created: int = 0
    existing: int = 0
    categories_created: int = 0
    rules_created: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    urged: int = 0
    escalated: int = 0
    sweep: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def lines(self) -> list[str]:
        lines = [
            f"appeal categories: {self.categories_created} created, "
            f"responsibility rules: {self.rules_created} created",
            f"appeals: {self.created} created, {self.existing} already there",
        ]
        if self.created:
            lines.append(
                "statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
            )
            lines.append("steps: " + ", ".join(f"{k} {v}" for k, v in sorted(self.steps.items())))
            lines.append(
                f"urged {self.urged}, escalated {self.escalated}; sweep: "
                + ", ".join(f"{k} {v}" for k, v in self.sweep.items() if k != "seconds")
            )
        lines.append(f"{self.seconds:.1f} s")
        return lines


class _Actors:
    def __init__(self) -> None:
        wanted = ("admin", "operator", "dispatcher", "supervisor")
        users = {user.username: user for user in User.objects.filter(username__in=wanted)}
        if len(users) < len(wanted):
            loader.accounts_ensure()
            users = {user.username: user for user in User.objects.filter(username__in=wanted)}
        self.admin = users["admin"]
        self.operator = users["operator"]
        self.dispatcher = users["dispatcher"]
        self.supervisor = users["supervisor"]
        self.staff: dict[int, User] = {}
        for user in User.objects.filter(
            role=Role.DEPARTMENT_STAFF, is_active=True, department__isnull=False
        ).order_by("id"):
            self.staff.setdefault(user.department_id, user)  # type: ignore[arg-type]

    def of(self, department_id: int | None) -> User:
        """The department's demo account if there is one, else the administrator."""
        return self.staff.get(department_id or 0, self.admin)


class _Walk:
    """One appeal's life on the simulated clock; a step beyond ``end`` is not taken."""

    def __init__(
        self, clock: SimulatedClock, end: dt.datetime, rng: random.Random, summary: Any
    ) -> None:
        self.clock = clock
        self.end = end
        self.rng = rng
        self.summary = summary

    def wait(self, low_hours: float, high_hours: float) -> bool:
        moment = self.clock.now() + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        if moment > self.end:
            return False
        self.clock.set(moment)
        return True

    def do(self, kind: str, action: Callable[..., Appeal], arguments: dict[str, Any]) -> Appeal:
        appeal = action(**arguments)
        self.summary.steps[kind] += 1
        return appeal


def _fallback_department(appeal: Appeal, districts: dict[str, Department]) -> Department | None:
    return districts.get(appeal.admin_unit_code[:6])


def _walk_one(
    *,
    index: int,
    seed: int,
    clock: SimulatedClock,
    end: dt.datetime,
    grids: list[_Grid],
    leaves: list[tuple[Category, float]],
    templates: dict[str, list[tuple[str, str]]],
    actors: _Actors,
    districts: dict[str, Department],
    all_departments: list[Department],
    routes: dict[tuple[Any, Any], Any],
    rule_areas: dict[int, list[str]],
    summary: AppealDemoSummary,
    period: tuple[dt.date, dt.date],
    tz: ZoneInfo,
) -> None:
    rng = random.Random(f"{seed}-{index}")
    days = (period[1] - period[0]).days
    day = period[0] + dt.timedelta(days=rng.randint(0, days))
    accepted_at = dt.datetime.combine(
        day, dt.time(rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59)), tz
    )
    if accepted_at > end:  # the last day ends at ``end``
        accepted_at = end - dt.timedelta(hours=rng.uniform(0.5, 9))
    clock.moment = accepted_at  # each appeal starts its own timeline
    walk = _Walk(clock, end, rng, summary)
    grid = rng.choice(grids)
    lon, lat = _point_in(grid, rng)
    category = rng.choices([leaf for leaf, _w in leaves], weights=[w for _l, w in leaves])[0]
    title_template, text_template = rng.choice(templates[category.code])
    title = _fill(title_template, grid, rng)[:100]
    channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
    anonymous = channel in {"web", "open311"}
    appeal, query_code = services.appeal_accept(
        actor=None if anonymous else (actors.admin if channel == "grid" else actors.operator),
        channel=channel,
        appeal_type=_appeal_type(title, rng),
        title=title,
        text=_fill(text_template, grid, rng),
        category=category,
        lon=lon,
        lat=lat,
        address=f"{grid.street}{grid.community}{rng.choice(ROADS)}{rng.randint(1, 300)}号",
        citizen_name=(
            "" if channel == "grid" else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        ),
        citizen_phone="" if channel == "grid" else _phone(rng),
        is_confidential=rng.random() < 0.03,
        urgency="urgent" if rng.random() < 0.05 else "normal",
        idempotency_key=f"{KEY_PREFIX}{seed}-{index}",
        auto_dispatch=False,  # the walk below dispatches (and misroutes) on its own clock
    )
    if query_code is None:
        summary.existing += 1
        return
    summary.created += 1
    age_days = (end.date() - day).days
    fate = rng.random()
    dispatcher = actors.dispatcher

    # cancel, or stay in the queue (recent ones only)
    if fate < 0.03:
        if walk.wait(0.3, 4):
            walk.do(
                "cancel",
                services.appeal_cancel,
                dict(
                    actor=dispatcher,
                    appeal=appeal,
                    expected_version=appeal.version,
                    reason="重复来电，已合并处理",
                ),
            )
        return
    if (age_days <= 2 and fate < 0.28) or (age_days <= 20 and fate < 0.05):
        return  # still in the dispatcher's queue (overdue when stuck long enough)
    if not walk.wait(0.2, 6):
        return
    # The catalogue's answer depends only on the rule areas containing the place: cache it.
    route_key = (
        category.pk,
        tuple(code for code in rule_areas[category.pk] if appeal.admin_unit_code.startswith(code)),
    )
    if route_key not in routes:
        routes[route_key] = services.suggest_departments(appeal)
    lead, cooperating = routes[route_key]
    lead = lead or _fallback_department(appeal, districts)
    if lead is None:
        return
    if rng.random() < 0.05:  # misrouted first, returned, dispatched again
        wrong = rng.choice([dep for dep in all_departments if dep.pk != lead.pk])
        appeal = walk.do(
            "dispatch",
            services.appeal_dispatch,
            dict(
                actor=dispatcher, appeal=appeal, expected_version=appeal.version, department=wrong
            ),
        )
        if not walk.wait(2, 20):
            return
        appeal = walk.do(
            "return",
            services.appeal_return,
            dict(
                actor=actors.of(wrong.pk),
                appeal=appeal,
                expected_version=appeal.version,
                reason=rng.choice(RETURN_REASONS),
            ),
        )
        if not walk.wait(0.5, 4):
            return
    appeal = walk.do(
        "dispatch",
        services.appeal_dispatch,
        dict(
            actor=dispatcher,
            appeal=appeal,
            expected_version=appeal.version,
            department=lead,
            cooperating=cooperating,
        ),
    )
    limit_key = (appeal.appeal_type, category.code)
    if limit_key not in routes:
        routes[limit_key] = time_limits_for(appeal.appeal_type, category)
    _sign_days, handling_days = routes[limit_key]
    reopened = False
    while True:
        if age_days <= 20 and rng.random() < 0.04:
            return  # not signed for yet (overdue when old enough)
        if not walk.wait(1, 30):
            return
        staff = actors.of(appeal.lead_department_id)
        appeal = walk.do(
            "sign_for",
            services.appeal_sign_for,
            dict(actor=staff, appeal=appeal, expected_version=appeal.version),
        )
        if age_days <= 40 and rng.random() < 0.06:
            return  # stalled: still being handled
        if rng.random() < 0.06 and walk.wait(24, 72):
            request = services.appeal_extension_request(
                actor=staff,
                appeal=appeal,
                expected_version=appeal.version,
                days=rng.randint(3, 7),
                reason="需协调多个部门现场核查，申请延期办理",
            )
            summary.steps["extension_request"] += 1
            if not walk.wait(2, 20):
                return
            approve = rng.random() < 0.8
            services.appeal_extension_decide(
                actor=dispatcher,
                request=request,
                approve=approve,
                comment="同意延期" if approve else "时限充足，请按期办结",
            )
            summary.steps["extension_approved" if approve else "extension_rejected"] += 1
            appeal.refresh_from_db()
        # reply within the handling time; one in ten is late
        factor = rng.uniform(0.1, 0.9) if rng.random() > 0.1 else rng.uniform(1.3, 2.2)
        if not walk.wait(1, max(2.0, handling_days * 24 * 1.4 * factor)):
            return
        appeal = walk.do(
            "reply",
            services.appeal_reply,
            dict(
                actor=staff,
                appeal=appeal,
                expected_version=appeal.version,
                reply=rng.choice(REPLIES),
            ),
        )
        if appeal.status == "reviewing":  # 答复审核 (on by default)
            if not walk.wait(1, 24) or (age_days <= 10 and rng.random() < 0.3):
                return  # still waiting for review
            if rng.random() < 0.08:
                appeal = walk.do(
                    "reply_reject",
                    services.appeal_reply_reject,
                    dict(
                        actor=dispatcher,
                        appeal=appeal,
                        expected_version=appeal.version,
                        reason="答复未写明办理结果和时间，请补充后重新提交",
                    ),
                )
                if not walk.wait(2, 24):
                    return
                appeal = walk.do(
                    "reply",
                    services.appeal_reply,
                    dict(
                        actor=staff,
                        appeal=appeal,
                        expected_version=appeal.version,
                        reply=rng.choice(REPLIES),
                    ),
                )
                if not walk.wait(1, 24):
                    return
            appeal = walk.do(
                "reply_approve",
                services.appeal_reply_approve,
                dict(actor=dispatcher, appeal=appeal, expected_version=appeal.version),
            )
        if not walk.wait(4, 72):
            return
        if rng.random() < 0.1:  # closed without a follow-up call
            break
        satisfaction = rng.choices(
            ["satisfied", "basically_satisfied", "unsatisfied"], weights=[70, 20, 10]
        )[0]
        appeal = walk.do(
            "follow_up",
            services.appeal_follow_up,
            dict(
                actor=actors.operator,
                appeal=appeal,
                expected_version=appeal.version,
                satisfaction=satisfaction,
            ),
        )
        if satisfaction == "unsatisfied" and not reopened and rng.random() < 0.5:
            if not walk.wait(1, 10):
                return
            appeal = walk.do(
                "reopen",
                services.appeal_reopen,
                dict(
                    actor=actors.operator,
                    appeal=appeal,
                    expected_version=appeal.version,
                    reason="市民反映问题仍未解决，要求重新办理",
                ),
            )
            reopened = True
            continue
        break
    if rng.random() < 0.04 or not walk.wait(0.5, 24):
        return  # followed up, not closed yet
    walk.do(
        "close",
        services.appeal_close,
        dict(actor=dispatcher, appeal=appeal, expected_version=appeal.version),
    )


def load(
    *,
    count: int = 3000,
    seed: int = 20261121,
    start: dt.date = PERIOD_START,
    end: dt.date = PERIOD_END,
    city_code: str = CITY_CODE,
) -> AppealDemoSummary:
    """Ensure the catalogue and ``count`` demo appeals (see the module docstring)."""
    started = time.perf_counter()
    summary = AppealDemoSummary()
    created = catalogue_ensure(city_code=city_code)
    reply_templates.reply_templates_ensure()
    summary.categories_created = created["categories"]
    summary.rules_created = created["rules"]
    grids = _grids(city_code)
    if not grids:
        raise DomainError("No demo grids: run `civicgrid demo load` first.", code="no_territory")
    categories = list(Category.objects.select_related("parent").filter(is_active=True))
    templates: dict[str, list[tuple[str, str]]] = {}
    for row in _rows("zhuhai_appeal_templates.csv"):
        templates.setdefault(row["category_code"], []).append((row["title"], row["text"]))
    leaves = []
    for category in categories:
        if category.code not in templates or category.parent is None:
            continue
        siblings = sum(1 for other in categories if other.parent_id == category.parent_id)
        leaves.append((category, CATEGORY_WEIGHTS.get(category.parent.code, 3) / siblings))
    actors = _Actors()
    tz = ZoneInfo(settings.TIME_ZONE)
    end_moment = dt.datetime.combine(end, dt.time(18, 0), tz)
    districts = {
        department.admin_unit.code: department
        for department in Department.objects.filter(
            kind=DepartmentKind.DISTRICT, admin_unit__level=AdminLevel.DISTRICT
        ).select_related("admin_unit")
    }
    all_departments = list(Department.objects.filter(is_active=True).order_by("code"))
    existing_keys = set(
        Appeal.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{seed}-").values_list(
            "idempotency_key", flat=True
        )
    )
    todo = [i for i in range(count) if f"{KEY_PREFIX}{seed}-{i}" not in existing_keys]
    summary.existing = count - len(todo)
    routes: dict[tuple[Any, Any], Any] = {}  # catalogue answers and time limits, cached
    areas_by_category: dict[int, set[str]] = {}
    for category_id, area in ResponsibilityRule.objects.values_list(
        "category_id", "admin_unit__code"
    ):
        areas_by_category.setdefault(category_id, set()).add(area)
    rule_areas = {
        category.pk: sorted(
            areas_by_category.get(category.pk, set())
            | areas_by_category.get(category.parent_id or 0, set())
        )
        for category in categories
    }
    with simulated_clock(end_moment) as clock:
        for first in range(0, len(todo), BATCH):
            with transaction.atomic():
                for index in todo[first : first + BATCH]:
                    try:
                        _walk_one(
                            index=index,
                            seed=seed,
                            clock=clock,
                            end=end_moment,
                            grids=grids,
                            leaves=leaves,
                            templates=templates,
                            actors=actors,
                            districts=districts,
                            all_departments=all_departments,
                            routes=routes,
                            rule_areas=rule_areas,
                            summary=summary,
                            period=(start, end),
                            tz=tz,
                        )
                    except DomainError as error:  # keep the appeal where it stopped
                        summary.steps[f"refused:{error.code}"] += 1
        if summary.created:
            clock.moment = end_moment
            _supervise(actors, end, summary, seed)
    summary.statuses = Counter(
        Appeal.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{seed}-").values_list(
            "status", flat=True
        )
    )
    summary.seconds = time.perf_counter() - started
    return summary


@transaction.atomic
def _supervise(actors: _Actors, today: dt.date, summary: AppealDemoSummary, seed: int) -> None:
    """Urge a fifth of the overdue appeals, run the sweep, escalate a tenth of the items."""
    rng = random.Random(f"{seed}-supervision")
    overdue = Appeal.objects.filter(
        overdue_condition(today), idempotency_key__startswith=f"{KEY_PREFIX}{seed}-"
    ).order_by("pk")
    for appeal in overdue:
        if rng.random() < 0.2:
            services.appeal_urge(
                actor=actors.supervisor, appeal=appeal, note="该件已超期，请加快办理并及时答复"
            )
            summary.urged += 1
    summary.sweep = sweep.run(today=today).as_dict()
    items = SupervisionItem.objects.filter(
        status=SupervisionStatus.OPEN,
        level=SupervisionLevel.DISTRICT,
        appeal__idempotency_key__startswith=f"{KEY_PREFIX}{seed}-",
    ).order_by("pk")
    for item in items:
        if rng.random() < 0.25:
            services.supervision_escalate(
                actor=actors.supervisor, item=item, note="区级督办后仍未办结，升级市级督办"
            )
            summary.escalated += 1
