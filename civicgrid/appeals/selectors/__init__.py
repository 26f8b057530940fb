"""Reads of appeals. :func:`appeals_visible_to` is the one gatekeeper for appeal data.

Rules (on top of :func:`civicgrid.accounts.selectors.scope_of`):

* whole-city roles without a scope see every appeal;
* department staff see the appeals their department has (or had) an assignment for, wherever
  they are — a city department handles appeals of every district;
* every other staff role sees the appeals placed inside their scope subtree;
* citizens see the appeals filed with their own account;
* anonymous users and staff without a scope see none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.core.errors import DomainError
from civicgrid.core.workdays import working_days_between
from civicgrid.territory.models import AdminUnit, Department

from ..models import (
    Appeal,
    AppealStatus,
    AppealType,
    Assignment,
    Category,
    Channel,
    ResponsibilityRule,
    Satisfaction,
    TimeLimit,
)
from ..querycodes import query_code_matches

# Built-in defaults, used only when the TimeLimit table has no row (see migration 0002).
DEFAULT_SIGN_FOR_DAYS = 1
DEFAULT_HANDLING_DAYS = {
    "consultation": 2,
    "help": 5,
    "complaint": 10,
    "report": 10,
    "suggestion": 15,
}
YELLOW_WORKING_DAYS = 1


def appeals_visible_to(user: Any) -> QuerySet[Appeal]:
    """Appeals ``user`` may see (lists, details, exports and API all start here)."""
    appeals = Appeal.objects.select_related("category", "lead_department", "admin_unit")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return appeals.none()
    if user.role == Role.CITIZEN and not user.is_superuser:
        return appeals.filter(citizen=user)
    if user.role == Role.DEPARTMENT_STAFF and user.department_id and not user.is_superuser:
        assigned = Assignment.objects.filter(
            appeal=OuterRef("pk"), department_id=user.department_id
        )
        return appeals.filter(Exists(assigned))
    scope = scope_of(user)
    if scope.is_everything:
        return appeals
    if scope.code is None:
        return appeals.none()
    return appeals.filter(admin_unit_code__startswith=scope.code)


def appeals_public() -> QuerySet[Appeal]:
    """Appeals anybody may see (Open311 and public boards): not confidential (保密), not
    cancelled. Callers show no personal data of them."""
    return (
        Appeal.objects.filter(is_confidential=False)
        .exclude(status=AppealStatus.CANCELLED)
        .select_related("category", "lead_department")
    )


def appeal_for_citizen(number: str, query_code: str) -> Appeal | None:
    """The appeal a citizen may follow with its number and query code, else ``None`` (the same
    answer for an unknown number and a wrong code)."""
    appeal = (
        Appeal.objects.select_related("category", "lead_department")
        .filter(number=(number or "").strip())
        .first()
    )
    if appeal is None or not query_code_matches(appeal.number, appeal.query_code_hash, query_code):
        return None
    return appeal


def appeal_visible_to(user: Any, number: str) -> Appeal | None:
    return appeals_visible_to(user).filter(number=number).first()


def time_limits_for(appeal_type: str, category: Category | None) -> tuple[int, int]:
    """(sign-for days, handling days) for a type and category: the category's own row, else
    its parent's, …, else the type default row, else the built-in default."""
    by_category = {
        row.category_id: (row.sign_for_days, row.handling_days)
        for row in TimeLimit.objects.filter(appeal_type=appeal_type)
    }
    node = category
    while node is not None:
        if node.pk in by_category:
            return by_category[node.pk]
        node = node.parent
    if None in by_category:
        return by_category[None]
    return DEFAULT_SIGN_FOR_DAYS, DEFAULT_HANDLING_DAYS[appeal_type]


def responsible_departments(
    category: Category | None, unit: AdminUnit | None
) -> tuple[Department | None, list[Department]]:
    """The lead and cooperating departments the responsibility catalogue names for a category
    at a place: the most specific area wins, then the nearest category up the tree."""
    if category is None or unit is None:
        return None, []
    prefixes = [unit.code[:n] for n in (4, 6, 9, 12, 15) if n <= len(unit.code)]
    categories: list[Category] = []
    node: Category | None = category
    while node is not None:
        categories.append(node)
        node = node.parent
    rules = list(
        ResponsibilityRule.objects.filter(category__in=categories, admin_unit__code__in=prefixes)
        .select_related("lead_department", "admin_unit")
        .prefetch_related("cooperating_departments")
    )
    if not rules:
        return None, []
    depth = {cat.pk: index for index, cat in enumerate(categories)}
    best = min(rules, key=lambda rule: (-len(rule.admin_unit.code), depth[rule.category_id]))
    return best.lead_department, list(best.cooperating_departments.all())


def deadline_light(appeal: Appeal, today: dt.date) -> str:
    """红黄灯: "red" when the current deadline has passed, "yellow" when at most
    ``YELLOW_WORKING_DAYS`` working days are left, "green" otherwise, "" when none runs."""
    if appeal.status == AppealStatus.DISPATCHED:
        deadline = appeal.sign_for_deadline
    elif appeal.status in {AppealStatus.ACCEPTED, AppealStatus.SIGNED}:
        deadline = appeal.handling_deadline
    else:
        return ""
    if deadline is None:
        return ""
    if today > deadline:
        return "red"
    if working_days_between(today, deadline) <= YELLOW_WORKING_DAYS:
        return "yellow"
    return "green"


# ---------------------------------------------------------------- statistics (统计分析)

STATISTICS_GROUPS = ("district", "street", "department", "category", "channel", "type")
SATISFIED_VALUES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def overdue_condition(today: dt.date) -> Q:
    """Open appeals whose light is red on ``today`` (same rule as :func:`deadline_light`)."""
    return Q(status=AppealStatus.DISPATCHED, sign_for_deadline__lt=today) | Q(
        status__in=[AppealStatus.ACCEPTED, AppealStatus.SIGNED], handling_deadline__lt=today
    )


def _group_expression(group_by: str) -> Any:
    if group_by == "district":
        return Substr("admin_unit_code", 1, 6)
    if group_by == "street":
        return Substr("admin_unit_code", 1, 9)
    if group_by == "department":
        return F("lead_department_id")
    if group_by == "category":
        # the first-level category (城市管理 for 城市管理 › 占道经营)
        return Coalesce("category__parent_id", "category_id")
    if group_by == "channel":
        return F("channel")
    return F("appeal_type")


def _group_labels(group_by: str, keys: list[Any]) -> dict[Any, str]:
    present = [key for key in keys if key is not None]
    labels: dict[Any, str] = {}
    if group_by in {"district", "street"}:
        labels = dict(AdminUnit.objects.filter(code__in=present).values_list("code", "name"))
    elif group_by == "department":
        for department in Department.objects.filter(pk__in=present):
            labels[department.pk] = str(department)
        labels[None] = str(_("not dispatched"))
    elif group_by == "category":
        labels = dict(Category.objects.filter(pk__in=present).values_list("pk", "name"))
        labels[None] = str(_("no category"))
    elif group_by == "channel":
        labels = {value: str(label) for value, label in Channel.choices}
    else:
        labels = {value: str(label) for value, label in AppealType.choices}
    return labels


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def appeal_statistics(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    group_by: str,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """统计分析: figures per group for the appeals ``user`` may see, accepted from ``start`` to
    ``end`` (both included), cancelled (作废) ones left out of every figure but ``cancelled``.

    Per group: ``received``; ``closed``; ``closed_on_time`` (local date of closing on or before
    the handling deadline) and ``on_time_rate`` = closed_on_time / closed; ``overdue_now`` (open
    and red on ``today``); ``average_handling_working_days`` (working days from acceptance to
    closing, closed appeals); ``rated``, ``satisfaction_rate`` = (satisfied + basically
    satisfied) / rated; ``reopened`` (reopened at least once) and ``reopen_rate`` = reopened /
    received. Rates are fractions rounded to 4 places (``None`` when nothing to divide by).
    Groups are sorted by key; ``category`` groups by first-level category.
    """
    if group_by not in STATISTICS_GROUPS:
        raise DomainError(
            gettext("Choose how to group the statistics."), code="invalid", field="group_by"
        )
    if start > end:
        raise DomainError(
            gettext("The start date must not be after the end date."),
            code="invalid",
            field="start",
        )
    today = today or timezone.localdate()
    valid = ~Q(status=AppealStatus.CANCELLED)
    closed = valid & Q(status=AppealStatus.CLOSED)
    appeals = (
        appeals_visible_to(user)
        .filter(accepted_on__gte=start, accepted_on__lte=end)
        .order_by()
        .annotate(group_key=_group_expression(group_by))
    )
    rows = list(
        appeals.values("group_key")
        .annotate(
            received=Count("pk", filter=valid),
            cancelled=Count("pk", filter=Q(status=AppealStatus.CANCELLED)),
            closed=Count("pk", filter=closed),
            closed_on_time=Count(
                "pk", filter=closed & Q(closed_at__date__lte=F("handling_deadline"))
            ),
            overdue_now=Count("pk", filter=overdue_condition(today)),
            rated=Count("pk", filter=valid & ~Q(satisfaction="")),
            satisfied=Count("pk", filter=valid & Q(satisfaction__in=SATISFIED_VALUES)),
            reopened=Count("pk", filter=valid & Q(reopen_count__gt=0)),
        )
        .order_by(F("group_key").asc(nulls_first=True))
    )
    handling_days = _handling_working_days(
        appeals.filter(closed).values_list("group_key", "accepted_on", "closed_at")
    )
    labels = _group_labels(group_by, [row["group_key"] for row in rows])
    result = []
    for row in rows:
        key = row["group_key"]
        days = handling_days.get(key, [])
        result.append(
            {
                "key": key,
                "label": labels.get(key, str(key)),
                "received": row["received"],
                "cancelled": row["cancelled"],
                "closed": row["closed"],
                "closed_on_time": row["closed_on_time"],
                "on_time_rate": _rate(row["closed_on_time"], row["closed"]),
                "overdue_now": row["overdue_now"],
                "average_handling_working_days": (
                    round(sum(days) / len(days), 2) if days else None
                ),
                "rated": row["rated"],
                "satisfaction_rate": _rate(row["satisfied"], row["rated"]),
                "reopened": row["reopened"],
                "reopen_rate": _rate(row["reopened"], row["received"]),
            }
        )
    return result


def _handling_working_days(closed: Iterable[Any]) -> dict[Any, list[int]]:
    """Working days from acceptance to the local closing date, per group key.

    One working-day count per pair of consecutive distinct dates (cumulative offsets from the
    earliest date), not one per appeal.
    """
    pairs = [
        (key, accepted_on, timezone.localdate(closed_at)) for key, accepted_on, closed_at in closed
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
    for key, accepted_on, closed_on in pairs:
        by_group.setdefault(key, []).append(offsets[closed_on] - offsets[accepted_on])
    return by_group
