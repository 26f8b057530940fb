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
    description: Any = ""  # one sentence for the home page's card (lazily translated)


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
        entries.append(
            {"key": item.key, "label": item.label, "url": url, "description": item.description}
        )
    return entries


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the menu: the entries whose key is one of ``keys`` or starts with one of
    ``prefixes`` (so an app's pages join their group by how they name their entries)."""

    key: str
    label: Any  # lazily translated string
    prefixes: tuple[str, ...] = ()
    keys: frozenset[str] = field(default_factory=frozenset)

    def holds(self, item_key: str) -> bool:
        return item_key in self.keys or item_key.startswith(self.prefixes)


_groups: dict[str, NavGroup] = {}


def register_nav_group(group: NavGroup) -> None:
    _groups[group.key] = group


def _group_of(item_key: str) -> NavGroup | None:
    return next((group for group in _groups.values() if group.holds(item_key)), None)


def nav_menu_for(
    user: Any, path: str = "", entries: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The menu as shown: entries of a group together under its label (where the user sees two
    or more of them), each group where its first entry would stand; ``current`` marks the entry
    (and the group) of ``path``. ``entries``: :func:`nav_items_for` of the user, when known."""
    entries = nav_items_for(user) if entries is None else entries
    for entry in entries:
        url = entry["url"]
        entry["current"] = bool(path) and (path == url or (url != "/" and path.startswith(url)))
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        group = _group_of(entry["key"])
        if group is not None:
            grouped.setdefault(group.key, []).append(entry)
    menu: list[dict[str, Any]] = []
    placed: set[str] = set()
    for entry in entries:
        group = _group_of(entry["key"])
        if group is None or len(grouped[group.key]) < 2:
            menu.append(entry)
        elif group.key not in placed:
            placed.add(group.key)
            items = grouped[group.key]
            menu.append(
                {
                    "group": group.key,
                    "label": group.label,
                    "is_group": True,
                    "children": items,
                    "current": any(item["current"] for item in items),
                }
            )
    return menu


def nav_sections_for(user: Any) -> list[dict[str, Any]]:
    """The user's menu entries by group, in menu order, for a page of cards (the home page):
    every group with at least one entry, one-entry groups included; entries of no group (other
    than the home page) form a section without a label."""
    sections: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for entry in nav_items_for(user):
        if entry["key"] == "home":
            continue
        group = _group_of(entry["key"])
        key = group.key if group is not None else ""
        section = by_key.get(key)
        if section is None:
            section = by_key[key] = {
                "key": key,
                "label": group.label if group is not None else "",
                "items": [],
            }
            sections.append(section)
        section["items"].append(entry)
    return sections
