"""Menu entries of the plans pages (registered from WebConfig.ready)."""

from __future__ import annotations


def register_navigation() -> None:
    """Register the plans pages' menu entries; each page adds its own NavItem here."""
