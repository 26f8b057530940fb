"""Reads for grid workers (网格员): the events they reported themselves (我的上报)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from ..models import Appeal, Channel
from . import appeals_visible_to


def grid_reports_of(user: Any) -> QuerySet[Appeal]:
    """The grid reports ``user`` filed, newest first, that they may still see, with the
    number of files of each (``attachment_count``)."""
    return (
        appeals_visible_to(user)
        .filter(channel=Channel.GRID, created_by_id=user.pk)
        .annotate(attachment_count=Count("attachments"))
        .order_by("-created_at", "-id")
    )
