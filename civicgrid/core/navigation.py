"""Menu entries that apps register with core (Wagtail-hooks style), filtered by role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # lazily translated string
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every signed-in staff user
    order: int = 100
    staff_only: bool = True


_items: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    _items[item.key] = item


def nav_items_for(user: Any) -> list[dict[str, Any]]:
    """Menu entries the user's role may see, in order, with their URLs resolved."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    role = getattr(user, "role", "")
    is_staff_role = role != "citizen" or user.is_superuser
    entries = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.key)):
        if item.staff_only and not is_staff_role:
            continue
        if item.roles and role not in item.roles and not user.is_superuser:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"key": item.key, "label": item.label, "url": url})
    return entries
