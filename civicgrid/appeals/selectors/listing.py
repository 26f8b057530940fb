"""Filtering and sorting of appeal lists (工作台列表): one mechanism for every workbench and
its Excel export, so a page and its export always hold the same appeals in the same order.

Callers start from a scoped queryset (:func:`civicgrid.appeals.selectors.appeals_visible_to`
or one of :mod:`.workbenches`); nothing here widens it. Sort keys are a whitelist; an unknown
key falls back to the workbench's default order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import F, Q, QuerySet

from ..models import Appeal
from .lights import LightThresholds, current_deadline, light_conditions

# sort key → database field (on the appeal)
SORT_FIELDS: dict[str, str] = {
    "number": "number",
    "accepted_on": "accepted_on",
    "deadline": "current_deadline",
    "status": "status",
    "category": "category__name",
    "department": "lead_department__name",
    "urgency": "urgency",
}


@dataclass(frozen=True)
class AppealFilters:
    """What a person filtered an appeal list by (every field optional)."""

    status: str = ""
    appeal_type: str = ""
    channel: str = ""
    category_id: int | None = None  # the category or one of its direct sub-categories
    admin_unit_code: str = ""  # a district, street, … : the appeals placed inside it
    department_id: int | None = None  # the lead department
    light: str = ""  # red / yellow / green
    accepted_from: dt.date | None = None
    accepted_to: dt.date | None = None
    search: str = ""  # part of the number or of the title

    def is_empty(self) -> bool:
        return all(not getattr(self, item.name) for item in fields(self))


def filter_appeals(
    appeals: QuerySet[Any],
    filters: AppealFilters,
    *,
    thresholds: LightThresholds | None = None,
    prefix: str = "",
) -> QuerySet[Any]:
    """Apply ``filters`` to ``appeals`` (or to rows reaching the appeal through ``prefix``,
    e.g. ``"appeal__"`` for supervision items). ``thresholds`` is needed for a light filter."""
    conditions = Q()
    if filters.status:
        conditions &= Q(**{f"{prefix}status": filters.status})
    if filters.appeal_type:
        conditions &= Q(**{f"{prefix}appeal_type": filters.appeal_type})
    if filters.channel:
        conditions &= Q(**{f"{prefix}channel": filters.channel})
    if filters.category_id is not None:
        conditions &= Q(**{f"{prefix}category_id": filters.category_id}) | Q(
            **{f"{prefix}category__parent_id": filters.category_id}
        )
    if filters.admin_unit_code:
        conditions &= Q(**{f"{prefix}admin_unit_code__startswith": filters.admin_unit_code})
    if filters.department_id is not None:
        conditions &= Q(**{f"{prefix}lead_department_id": filters.department_id})
    if filters.accepted_from is not None:
        conditions &= Q(**{f"{prefix}accepted_on__gte": filters.accepted_from})
    if filters.accepted_to is not None:
        conditions &= Q(**{f"{prefix}accepted_on__lte": filters.accepted_to})
    search = filters.search.strip()
    if search:
        conditions &= Q(**{f"{prefix}number__icontains": search}) | Q(
            **{f"{prefix}title__icontains": search}
        )
    if filters.light:
        if thresholds is None:
            raise ValueError("a light filter needs the light thresholds")
        conditions &= light_conditions(thresholds, prefix)[filters.light]
    return appeals.filter(conditions)


def parse_sort(sort: str) -> tuple[str, bool] | None:
    """``"-deadline"`` → ``("deadline", True)``; ``None`` for a key not on the whitelist."""
    descending = sort.startswith("-")
    key = sort[1:] if descending else sort
    if key not in SORT_FIELDS:
        return None
    return key, descending


def sort_appeals(
    appeals: QuerySet[Any], sort: str, *, default: tuple[str, ...], prefix: str = ""
) -> QuerySet[Any]:
    """Order by a whitelisted key (empty values last, ties by id), else by ``default``."""
    parsed = parse_sort(sort or "")
    if parsed is None:
        return appeals.order_by(*default)
    key, descending = parsed
    if key == "deadline":
        appeals = appeals.annotate(current_deadline=current_deadline(prefix))
        field = F("current_deadline")
    else:
        field = F(f"{prefix}{SORT_FIELDS[key]}")
    ordered = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    tie = f"-{prefix}id" if descending else f"{prefix}id"
    return appeals.order_by(ordered, tie)


def appeal_list(
    appeals: QuerySet[Appeal],
    filters: AppealFilters,
    *,
    sort: str,
    default_order: tuple[str, ...],
    thresholds: LightThresholds | None = None,
) -> QuerySet[Appeal]:
    """The filtered, sorted appeals of a workbench page or export."""
    return sort_appeals(
        filter_appeals(appeals, filters, thresholds=thresholds), sort, default=default_order
    )
