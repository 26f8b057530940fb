"""来电历史: a caller's earlier appeals, found by phone number, within the operator's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from civicgrid.core.phones import parse_phone

from ..models import Appeal
from . import appeals_visible_to

HISTORY_LIMIT = 10


def normalised_phone(value: Any) -> str:
    """The phone as intake stores it, or "" when ``value`` is no (complete) phone number.
    Extensions are dropped: a caller is the same caller on any extension."""
    parsed = parse_phone(value)
    if parsed is None:
        return ""
    return parsed.number


def caller_history(user: Any, phone: str, *, limit: int = HISTORY_LIMIT) -> QuerySet[Appeal]:
    """The appeals ``user`` may see that were filed with this phone number, newest first."""
    number = normalised_phone(phone)
    if not number:
        return appeals_visible_to(user).none()
    return (
        appeals_visible_to(user).filter(citizen_phone=number).order_by("-created_at", "-id")[:limit]
    )
