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
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.core.workdays import working_days_between
from civicgrid.territory.models import AdminUnit, Department

from ..models import (
    Appeal,
    AppealStatus,
    Assignment,
    Category,
    ResponsibilityRule,
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
YELLOW_WORKING_DAYS = 1  # the default of AppealSettings.yellow_light_working_days


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
        .select_related(
            "category", "lead_department", "merged_into", "merged_into__lead_department"
        )
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


def deadline_light(appeal: Appeal, today: dt.date, *, yellow_days: int | None = None) -> str:
    """红黄灯: "red" when the current deadline has passed, "yellow" when at most
    ``yellow_days`` working days are left (default: ``AppealSettings.yellow_light_working_days``),
    "green" otherwise, "" when none runs. For many appeals use
    :func:`civicgrid.appeals.selectors.lights.deadline_lights` (one calendar call)."""
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
    if yellow_days is None:
        from .lights import yellow_working_days

        yellow_days = yellow_working_days()
    if working_days_between(today, deadline) <= yellow_days:
        return "yellow"
    return "green"


# ---------------------------------------------------------------- statistics (统计分析)
# The statistics live in .statistics; re-exported here so existing imports keep working.

from .statistics import (  # noqa: E402
    SATISFIED_VALUES,
    STATISTICS_GROUPS,
    StatisticsTable,
    appeal_statistics,
    grid_density,
    hot_topics,
    overdue_condition,
    rising_categories,
    statistics_table,
)

__all__ = [
    "SATISFIED_VALUES",
    "STATISTICS_GROUPS",
    "StatisticsTable",
    "appeal_statistics",
    "grid_density",
    "hot_topics",
    "overdue_condition",
    "rising_categories",
    "statistics_table",
]
