"""Definitions visible to a user: indicators, data elements, data sets (any active staff user)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..models import DataElement, DataSet, Indicator
from .access import may_view


def indicators_visible_to(user: Any, *, theme: str = "", search: str = "") -> QuerySet[Indicator]:
    """Active indicators (none for users who may not view); ``search`` matches code or name."""
    if not may_view(user):
        return Indicator.objects.none()
    indicators = Indicator.objects.filter(is_active=True)
    if theme:
        indicators = indicators.filter(theme=theme)
    search = search.strip()
    if search:
        indicators = indicators.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(short_name__icontains=search)
        )
    return indicators


def indicator_for(user: Any, code: str) -> Indicator | None:
    """One indicator by code if ``user`` may see it (callers answer 404 on ``None``)."""
    return indicators_visible_to(user).filter(code=code).first()


def elements_visible_to(user: Any) -> QuerySet[DataElement]:
    if not may_view(user):
        return DataElement.objects.none()
    return DataElement.objects.filter(is_active=True)


def data_sets_visible_to(user: Any) -> QuerySet[DataSet]:
    if not may_view(user):
        return DataSet.objects.none()
    return DataSet.objects.filter(is_active=True).prefetch_related("elements")


def themes_visible_to(user: Any) -> list[str]:
    return sorted(
        set(indicators_visible_to(user).exclude(theme="").values_list("theme", flat=True))
    )
