"""Reads for routing (诉求分拨): the training appeals of the city and the trained routers.

These are system reads for the training job and the administrators' admin pages, not for a
person's workbench: they are city-wide by design and never reach a list page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from ..models import Appeal, AppealStatus, TrainedRouter

# Appeals whose lead department is final: the department answered them.
TRAINING_STATUSES = (AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED)


@dataclass(frozen=True)
class TrainingAppeal:
    """One answered appeal as the router learns from it."""

    pk: int
    accepted_on: dt.date
    title: str
    text: str
    department: str  # code of the lead department
    category_id: int | None
    admin_unit_id: int | None


def routing_training_appeals(*, since: dt.date | None = None) -> list[TrainingAppeal]:
    """The city's own replied / followed-up / closed appeals with a lead department, oldest
    first (``accepted_on``, then id), optionally only those accepted on or after ``since``."""
    appeals = Appeal.objects.filter(
        status__in=TRAINING_STATUSES,
        lead_department__isnull=False,
        admin_unit_code__startswith=settings.CIVICGRID_CITY_CODE,
    )
    if since is not None:
        appeals = appeals.filter(accepted_on__gte=since)
    rows = appeals.order_by("accepted_on", "id").values_list(
        "pk",
        "accepted_on",
        "title",
        "text",
        "lead_department__code",
        "category_id",
        "admin_unit_id",
    )
    return [TrainingAppeal(*row) for row in rows]


def trained_routers() -> QuerySet[TrainedRouter]:
    """All trained routers, newest first."""
    return TrainedRouter.objects.select_related("trained_by").order_by("-trained_on", "-id")


def active_trained_router() -> TrainedRouter | None:
    return TrainedRouter.objects.filter(is_active=True).first()
