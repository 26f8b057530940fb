"""The link review queue's menu entry (the pages themselves are tested with the linkage
services in civicgrid/registry/tests/test_linkage_services.py)."""

from __future__ import annotations

from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.core.navigation import nav_items_for
from civicgrid.web.registry.linkage import register_navigation


def test_menu_entry_for_reviewers_only(city_admin: User, xz_grid_worker: User) -> None:
    register_navigation()
    url = reverse("web:registry_link_queue")
    assert url in [item["url"] for item in nav_items_for(city_admin)]
    assert url not in [item["url"] for item in nav_items_for(xz_grid_worker)]
