"""Menu entries of the indicators pages (registered from WebConfig.ready)."""

from __future__ import annotations


def register_navigation() -> None:
    """Register the indicators pages' menu entries; each page adds its own NavItem here."""
