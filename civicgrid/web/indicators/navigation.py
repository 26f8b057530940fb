"""Menu entries of the indicators pages (registered from WebConfig.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civicgrid.core.navigation import NavItem, register_nav_item


def register_navigation() -> None:
    """Register the indicators pages' menu entries; each page adds its own NavItem here."""
    register_nav_item(
        NavItem(
            "indicators",
            _("Indicators"),
            "web:indicators_cockpit",
            order=80,
            description=_(
                "The policies' targets with their status, trends and the gaps between districts."
            ),
        )
    )
    register_nav_item(
        NavItem(
            "indicators_reporting",
            _("Data reporting"),
            "web:indicators_reporting",
            order=81,
            description=_("Report your unit's figures and approve those of the units below."),
        )
    )
