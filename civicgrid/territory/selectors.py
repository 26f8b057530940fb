"""Unscoped reads of the territory that the data-scope gatekeeper does not cover.

Locating a point reveals only which public admin unit contains it, so it needs no user; lists of
units and departments for a user come from :mod:`civicgrid.accounts.selectors`.
"""

from __future__ import annotations

from .locator import LocateResult, get_locator


def locate_point(lon: float, lat: float) -> LocateResult | None:
    """The district, street, community and grid containing the point (WGS-84), or ``None``."""
    return get_locator().locate(lon, lat)
