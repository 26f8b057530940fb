"""统计分析: appeal statistics per period and grouping, hot topics, rising categories and the
grid density map, for the appeals a user may see (docs/adr/0004-statistics.md).

Definitions (every figure is about the appeals *accepted* in the period, ``start``…``end``
included, that the user may see):

* ``received`` — accepted, neither cancelled (作废) nor merged into another appeal (已合并);
  ``cancelled`` and ``merged`` are counted separately and take part in no other figure.
* ``replied`` — received appeals whose reply stands: status reviewing, replied, followed up or
  closed (``replied_at`` is the department's submission of the reply).
* ``replied_on_time`` — replied, on or before the handling deadline (local date of
  ``replied_at`` ≤ ``handling_deadline``; no deadline counts as on time);
  ``on_time_rate`` = replied_on_time / replied.
* ``overdue`` = ``replied_late`` (replied after the deadline) + ``overdue_open`` (open and red on
  ``today``: dispatched past the sign-for deadline, accepted or signed past the handling one).
* ``average_handling_working_days`` — working days from acceptance to the local reply date
  (:func:`civicgrid.core.workdays.working_days_between`), averaged over ``replied``.
* ``satisfaction_rate`` = (satisfied + basically satisfied) / rated.
* ``reopen_rate`` = reopened (reopened at least once) / replied_ever (received appeals replied at
  least once, including reopened ones handled again now).

Rates are fractions rounded to 4 places, averages to 2; ``None`` when there is nothing to divide
by. Groups are sorted by key, "none" first.

Where the figures come from: the daily rollup (:class:`StatisticsFact`, refreshed by
:mod:`civicgrid.appeals.statistics_refresh`) for users whose scope is the whole city, a district
or a street; the appeal records themselves for everybody else (department staff, community and
grid scopes). ``overdue_open`` always comes from the records (it depends on ``today``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of, units_visible_to
from civicgrid.core.errors import DomainError
from civicgrid.core.workdays import working_days_between
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

from .. import clock
from ..models import (
    Appeal,
    AppealStatus,
    AppealType,
    Category,
    Channel,
    Satisfaction,
    StatisticsFact,
    StatisticsRefresh,
)

# Groupings the rollup stores (one fact row per day × street × value); "month" and "day" are
# read from the "type" rows (every appeal has exactly one type).
ROLLUP_DIMENSIONS = (
    "district",
    "street",
    "grid",
    "department",
    "category",
    "subcategory",
    "channel",
    "type",
)
STATISTICS_GROUPS = (*ROLLUP_DIMENSIONS, "month", "day")
PAGE_GROUPS = ("district", "street", "department", "category", "channel", "type", "month")
SATISFIED_VALUES = (Satisfaction.SATISFIED.value, Satisfaction.BASICALLY_SATISFIED.value)
REPLIED_STATUSES = (
    AppealStatus.REVIEWING.value,
    AppealStatus.REPLIED.value,
    AppealStatus.FOLLOWED_UP.value,
    AppealStatus.CLOSED.value,
)
INVALID_STATUSES = (AppealStatus.CANCELLED.value, AppealStatus.MERGED.value)
MAX_PERIOD_DAYS = 3 * 366
COUNTS = (
    "received",
    "cancelled",
    "merged",
    "replied",
    "replied_on_time",
    "replied_late",
    "handling_working_days",
    "rated",
    "satisfied",
    "replied_ever",
    "reopened",
    "overdue_open",
)
NONE_LABELS: dict[str, Any] = {
    "district": _("no place"),
    "street": _("no place"),
    "grid": _("no place"),
    "department": _("not dispatched"),
    "category": _("no category"),
    "subcategory": _("no category"),
}


def overdue_condition(today: dt.date) -> Q:
    """Open appeals whose light is red on ``today`` (same rule as ``deadline_light``)."""
    return Q(status=AppealStatus.DISPATCHED, sign_for_deadline__lt=today) | Q(
        status__in=[AppealStatus.ACCEPTED, AppealStatus.SIGNED], handling_deadline__lt=today
    )


def _valid() -> Q:
    return ~Q(status__in=INVALID_STATUSES)


def _replied() -> Q:
    return _valid() & Q(status__in=REPLIED_STATUSES, replied_at__isnull=False)


def _group_expression(group_by: str) -> Any:
    """The group key of an appeal as text ('' for none), the same as the rollup's."""
    text: Any = CharField()
    expressions: dict[str, Any] = {
        "district": Substr("admin_unit_code", 1, 6),
        "street": Substr("admin_unit_code", 1, 9),
        "grid": F("admin_unit_code"),
        "department": Coalesce(Cast("lead_department_id", text), Value("")),
        "category": Coalesce(Cast(Coalesce("category__parent_id", "category_id"), text), Value("")),
        "subcategory": Coalesce(Cast("category_id", text), Value("")),
        "channel": F("channel"),
        "type": F("appeal_type"),
        "month": Substr(Cast("accepted_on", text), 1, 7),
        "day": Substr(Cast("accepted_on", text), 1, 10),
    }
    return expressions[group_by]


def _normalise_key(group_by: str, key: Any) -> Any:
    if key in ("", None):
        return None
    if group_by in {"department", "category", "subcategory"}:
        return int(key)
    return str(key)


def _group_labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    present = [key for key in keys if key is not None]
    labels: dict[Any, str] = {}
    if group_by in {"district", "street", "grid"}:
        labels = dict(AdminUnit.objects.filter(code__in=present).values_list("code", "name"))
    elif group_by == "department":
        labels = {dep.pk: str(dep) for dep in Department.objects.filter(pk__in=present)}
    elif group_by in {"category", "subcategory"}:
        labels = dict(Category.objects.filter(pk__in=present).values_list("pk", "name"))
    elif group_by == "channel":
        labels = {value: str(label) for value, label in Channel.choices}
    elif group_by == "type":
        labels = {value: str(label) for value, label in AppealType.choices}
    else:
        labels = {key: str(key) for key in present}
    if group_by in NONE_LABELS:
        labels[None] = str(NONE_LABELS[group_by])
    return labels


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(counts: dict[str, int]) -> dict[str, Any]:
    replied = counts["replied"]
    return {
        "received": counts["received"],
        "cancelled": counts["cancelled"],
        "merged": counts["merged"],
        "replied": replied,
        "replied_on_time": counts["replied_on_time"],
        "on_time_rate": _rate(counts["replied_on_time"], replied),
        "overdue": counts["replied_late"] + counts["overdue_open"],
        "replied_late": counts["replied_late"],
        "overdue_open": counts["overdue_open"],
        "average_handling_working_days": (
            round(counts["handling_working_days"] / replied, 2) if replied else None
        ),
        "rated": counts["rated"],
        "satisfied": counts["satisfied"],
        "satisfaction_rate": _rate(counts["satisfied"], counts["rated"]),
        "replied_ever": counts["replied_ever"],
        "reopened": counts["reopened"],
        "reopen_rate": _rate(counts["reopened"], counts["replied_ever"]),
    }


def check_period(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise DomainError(
            gettext("The start date must not be after the end date."),
            code="invalid",
            field="start",
        )
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError(
            gettext("A period may cover at most three years."), code="invalid", field="end"
        )


def _check_group(group_by: str) -> None:
    if group_by not in STATISTICS_GROUPS:
        raise DomainError(
            gettext("Choose how to group the statistics."), code="invalid", field="group_by"
        )


# --- where the figures come from ----------------------------------------------------------------


def rollup_scope(user: Any) -> str | None:
    """The street-code prefix the rollup can serve ``user`` with ('' for the whole city), or
    ``None`` when the user's figures must come from the records (see the module)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    if user.role in {Role.CITIZEN, Role.DEPARTMENT_STAFF}:
        return None
    scope = scope_of(user)
    if scope.is_everything:
        return ""
    if scope.code is None or len(scope.code) > 9:
        return None
    return scope.code


def last_refresh() -> dt.datetime | None:
    state = StatisticsRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return state


def _visible(user: Any) -> QuerySet[Appeal]:
    from . import appeals_visible_to  # the package's gatekeeper

    return appeals_visible_to(user).select_related(None).order_by()


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _rollup_counts(
    prefix: str, group_by: str, start: dt.date, end: dt.date
) -> dict[Any, dict[str, int]]:
    dimension = "type" if group_by in {"month", "day"} else group_by
    where = Q(dimension=dimension, day__gte=start, day__lte=end)
    first_full = start if start.day == 1 else _next_month(start)
    after_last_full = _month_start(end + dt.timedelta(days=1))  # first day after full months
    if group_by != "day" and first_full < after_last_full:
        # whole months from the monthly rows, the days around them from the daily rows
        where = (
            Q(dimension=f"M{dimension}", day__gte=first_full, day__lt=after_last_full)
            | Q(dimension=dimension, day__gte=start, day__lt=first_full)
            | Q(dimension=dimension, day__gte=after_last_full, day__lte=end)
        )
    facts = StatisticsFact.objects.filter(where)
    if prefix:
        facts = facts.filter(street_code__startswith=prefix)
    if group_by == "month":
        facts = facts.annotate(group_key=Substr(Cast("day", CharField()), 1, 7))
    elif group_by == "day":
        facts = facts.annotate(group_key=Substr(Cast("day", CharField()), 1, 10))
    else:
        facts = facts.annotate(group_key=F("key"))
    names = [name for name in COUNTS if name != "overdue_open"]
    rows = facts.order_by().values("group_key").annotate(**{name: Sum(name) for name in names})
    return {
        _normalise_key(group_by, row["group_key"]): {name: row[name] or 0 for name in names}
        for row in rows
    }


def _record_counts(appeals: QuerySet[Appeal], group_by: str) -> dict[Any, dict[str, int]]:
    """The rollup's figures computed from the appeal records (the truth the rollup must equal)."""
    keyed = appeals.annotate(group_key=_group_expression(group_by))
    replied = _replied()
    rows = keyed.values("group_key").annotate(
        received=Count("pk", filter=_valid()),
        cancelled=Count("pk", filter=Q(status=AppealStatus.CANCELLED)),
        merged=Count("pk", filter=Q(status=AppealStatus.MERGED)),
        replied=Count("pk", filter=replied),
        replied_on_time=Count(
            "pk",
            filter=replied
            & (Q(handling_deadline__isnull=True) | Q(replied_at__date__lte=F("handling_deadline"))),
        ),
        replied_late=Count("pk", filter=replied & Q(replied_at__date__gt=F("handling_deadline"))),
        rated=Count("pk", filter=_valid() & ~Q(satisfaction="")),
        satisfied=Count("pk", filter=_valid() & Q(satisfaction__in=SATISFIED_VALUES)),
        replied_ever=Count("pk", filter=_valid() & Q(replied_at__isnull=False)),
        reopened=Count("pk", filter=_valid() & Q(reopen_count__gt=0)),
    )
    counts = {
        _normalise_key(group_by, row.pop("group_key")): {**row, "handling_working_days": 0}
        for row in rows
    }
    pairs = keyed.filter(replied).values_list("group_key", "accepted_on", "replied_at")
    for key, days in _handling_working_days(pairs).items():
        counts[_normalise_key(group_by, key)]["handling_working_days"] = sum(days)
    return counts


def _overdue_open(appeals: QuerySet[Appeal], group_by: str, today: dt.date) -> dict[Any, int]:
    rows = (
        appeals.filter(_valid() & overdue_condition(today))
        .annotate(group_key=_group_expression(group_by))
        .values("group_key")
        .annotate(n=Count("pk"))
    )
    return {_normalise_key(group_by, row["group_key"]): row["n"] for row in rows}


def _handling_working_days(replied: Any) -> dict[Any, list[int]]:
    """Working days from acceptance to the local reply date, per group key: one working-day
    count per pair of consecutive distinct dates (cumulative offsets), not one per appeal."""
    pairs = [
        (key, accepted, timezone.localdate(replied_at)) for key, accepted, replied_at in replied
    ]
    dates = sorted({day for _key, accepted, done in pairs for day in (accepted, done)})
    offsets: dict[dt.date, int] = {}
    previous: dt.date | None = None
    for day in dates:
        offsets[day] = (
            0 if previous is None else offsets[previous] + working_days_between(previous, day)
        )
        previous = day
    by_group: dict[Any, list[int]] = {}
    for key, accepted_on, replied_on in pairs:
        by_group.setdefault(key, []).append(offsets[replied_on] - offsets[accepted_on])
    return by_group


# --- the statistics table -----------------------------------------------------------------------


@dataclass
class StatisticsTable:
    start: dt.date
    end: dt.date
    group_by: str
    source: str  # "rollup" or "records"
    refreshed_at: dt.datetime | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)


def statistics_table(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    group_by: str,
    today: dt.date | None = None,
    source: str = "auto",
    with_overdue_open: bool = True,
) -> StatisticsTable:
    """统计表: one row of figures per group plus the totals (see the module for definitions).

    ``source``: "auto" (rollup where it can serve the user and has been refreshed, else the
    records), "records" or "rollup" (tests compare the two).
    """
    _check_group(group_by)
    check_period(start, end)
    today = today or clock.today()
    prefix = rollup_scope(user)
    refreshed_at = last_refresh() if prefix is not None else None
    use_rollup = source == "rollup" or (
        source == "auto" and prefix is not None and refreshed_at is not None
    )
    appeals = _visible(user).filter(accepted_on__gte=start, accepted_on__lte=end)
    if use_rollup:
        counts = _rollup_counts(prefix or "", group_by, start, end) if prefix is not None else {}
    else:
        counts = _record_counts(appeals, group_by)
    # with_overdue_open=False (charts, rising categories): overdue_open is left at 0
    overdue_open = _overdue_open(appeals, group_by, today) if with_overdue_open else {}
    for key, overdue in overdue_open.items():
        counts.setdefault(key, dict.fromkeys(COUNTS, 0))["overdue_open"] = overdue
    keys = sorted(counts, key=lambda key: (key is not None, key if key is not None else 0))
    labels = _group_labels(group_by, keys)
    rows = []
    total = dict.fromkeys(COUNTS, 0)
    for key in keys:
        row_counts = {name: counts[key].get(name, 0) for name in COUNTS}
        for name in COUNTS:
            total[name] += row_counts[name]
        rows.append({"key": key, "label": labels.get(key, str(key)), **_figures(row_counts)})
    return StatisticsTable(
        start=start,
        end=end,
        group_by=group_by,
        source="rollup" if use_rollup else "records",
        refreshed_at=refreshed_at if use_rollup else None,
        rows=rows,
        total={"key": None, "label": str(_("Total")), **_figures(total)},
    )


def appeal_statistics(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    group_by: str,
    today: dt.date | None = None,
    source: str = "auto",
) -> list[dict[str, Any]]:
    """The rows of :func:`statistics_table` (without totals)."""
    return statistics_table(
        user, start=start, end=end, group_by=group_by, today=today, source=source
    ).rows


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before ``start``…``end``."""
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


# --- rising categories (上升类别) ----------------------------------------------------------------


def rising_categories(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    min_count: int = 5,
    min_growth: float = 0.2,
    limit: int = 10,
    source: str = "auto",
) -> list[dict[str, Any]]:
    """Sub-categories received more often than in the previous period of equal length: at least
    ``min_count`` this period and growth (this − previous) / previous ≥ ``min_growth`` (growth
    ``None`` = new: nothing before). Sorted by growth (new first), then count."""
    check_period(start, end)
    before = previous_period(start, end)
    now, then = (
        statistics_table(
            user,
            start=first,
            end=last,
            group_by="subcategory",
            source=source,
            with_overdue_open=False,
        )
        for first, last in ((start, end), before)
    )
    previous = {row["key"]: row["received"] for row in then.rows}
    rising = []
    for row in now.rows:
        if row["key"] is None or row["received"] < min_count:
            continue
        earlier = previous.get(row["key"], 0)
        growth = None if earlier == 0 else round((row["received"] - earlier) / earlier, 4)
        if growth is not None and growth < min_growth:
            continue
        rising.append(
            {
                "key": row["key"],
                "label": row["label"],
                "received": row["received"],
                "previous": earlier,
                "growth": growth,
            }
        )

    def order(item: dict[str, Any]) -> tuple[bool, float, int, str]:
        growth = item["growth"]
        return (growth is not None, -float(growth or 0), -int(item["received"]), item["label"])

    rising.sort(key=order)
    return rising[:limit]


# --- hot topics (热点话题) -----------------------------------------------------------------------

HOT_TOPIC_SAMPLE = 3000
# Words that say nothing about the topic of an appeal (common function words and the wording of
# every appeal); single characters and numbers are dropped as well.
_STOP_WORD_TEXT = """
的 了 和 与 及 或 在 是 有 被 把 对 给 从 向 到 也 都 就 还
又 而 但 并 等 啊 吧 呢 吗 我 我们 你 你们 他 他们 她 它 这 那
这个 那个 这里 那里 这些 那些 什么 怎么 如何 为什么 一个 一些 没有
不是 可以 能否 是否 已经 目前 现在 今天 近期 最近 经常 一直 多次
长期 问题 情况 反映 反应 投诉 举报 咨询 建议 求助 诉求 市民 来电
来电人 请求 要求 希望 请 帮忙 处理 解决 相关 部门 有关 关于 进行
存在 严重 影响 造成 导致 事情 事宜 政府 工作人员 附近 周边 门口 旁边
路段 小区 地方 位置 时间 每天 晚上 白天
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())


@lru_cache(maxsize=65536)
def _title_words(title: str) -> frozenset[str]:
    from civicgrid.appeals.routing.text import normalize_text, words

    return frozenset(
        word
        for word in words(normalize_text(title))
        if len(word) > 1 and word not in STOP_WORDS and not word.isdigit() and word != "0"
    )


def _word_counts(appeals: QuerySet[Appeal], sample: int) -> tuple[Counter[str], int]:
    titles = list(
        appeals.filter(_valid())
        .order_by("-accepted_on")  # the accepted_on index, read backwards
        .values_list("title", flat=True)[:sample]
    )
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(_title_words(title))
    return counts, len(titles)


def hot_topics(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    limit: int = 15,
    min_count: int = 2,
    sample: int = HOT_TOPIC_SAMPLE,
) -> list[dict[str, Any]]:
    """热点话题: words (jieba) of the titles received in the period that stand out against the
    previous period of equal length.

    ``count`` = titles of the period containing the word (each title counts a word once);
    ``previous`` = the same in the previous period; ``expected`` = previous × (titles now /
    titles before); ``excess`` = count − expected. Words with ``count`` ≥ ``min_count`` are
    ranked by excess, then count, then the word. At most the ``sample`` most recent titles of
    each period are read (the whole period below that size).
    """
    check_period(start, end)
    visible = _visible(user)
    before = previous_period(start, end)
    current, n_current = _word_counts(
        visible.filter(accepted_on__gte=start, accepted_on__lte=end), sample
    )
    previous, n_previous = _word_counts(
        visible.filter(accepted_on__gte=before[0], accepted_on__lte=before[1]), sample
    )
    topics: list[dict[str, Any]] = []
    for word, count in current.items():
        if count < min_count:
            continue
        earlier = previous.get(word, 0)
        expected = earlier * n_current / n_previous if n_previous else 0.0
        topics.append(
            {
                "word": word,
                "count": count,
                "previous": earlier,
                "excess": round(count - expected, 2),
            }
        )
    topics.sort(key=lambda item: (-item["excess"], -item["count"], item["word"]))
    return topics[:limit]


# --- grid density map (网格热力) ----------------------------------------------------------------

COORDINATE_DIGITS = 5  # about 1 m: enough for a density map


def _simplify_ring(ring: list[Any]) -> list[list[float]]:
    points: list[list[float]] = []
    for point in ring:
        rounded = [
            round(float(point[0]), COORDINATE_DIGITS),
            round(float(point[1]), COORDINATE_DIGITS),
        ]
        if not points or points[-1] != rounded:
            points.append(rounded)
    return points


def simplify_geometry(geometry: Any) -> dict[str, Any] | None:
    """The geometry with coordinates rounded to 5 decimals and repeated points dropped (a
    polygon ring keeps at least its 4 points)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    try:
        if kind == "Polygon":
            rings = [_simplify_ring(ring) for ring in geometry["coordinates"]]
            return {"type": "Polygon", "coordinates": [r for r in rings if len(r) >= 4]}
        if kind == "MultiPolygon":
            polygons = [
                [r for r in (_simplify_ring(ring) for ring in polygon) if len(r) >= 4]
                for polygon in geometry["coordinates"]
            ]
            return {"type": "MultiPolygon", "coordinates": [p for p in polygons if p]}
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return None


def grid_density(
    user: Any, *, start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the visible grids with a boundary, each with ``received``
    (appeals accepted in the period and placed in the grid) and ``is_demo_geometry`` (示意)."""
    table = statistics_table(user, start=start, end=end, group_by="grid", today=today)
    received = {row["key"]: row["received"] for row in table.rows}
    grids = (
        units_visible_to(user)
        .filter(level=AdminLevel.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "name", "is_demo_geometry", "boundary")
    )
    features = []
    maximum = 0
    for code, name, is_demo, boundary in grids:
        geometry = simplify_geometry(boundary)
        if geometry is None:
            continue
        count = received.get(code, 0)
        maximum = max(maximum, count)
        features.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": geometry,
                "properties": {
                    "code": code,
                    "name": name,
                    "received": count,
                    "is_demo_geometry": is_demo,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "max_received": maximum,
            "source": table.source,
        },
    }


def log_scale(value: int, maximum: int) -> float:
    """0…1 position of ``value`` on a log scale up to ``maximum`` (for choropleth classes)."""
    if value <= 0 or maximum <= 0:
        return 0.0
    return math.log1p(value) / math.log1p(maximum)
