"""Unscoped reads of the territory that the data-scope gatekeeper does not cover.

Locating a point reveals only which public admin unit contains it, so it needs no user; lists of
units and departments for a user come from :mod:`civicgrid.accounts.selectors`.
"""

from __future__ import annotations

from typing import Any

from .locator import LocateResult, Locator, get_locator


def locate_point(lon: float, lat: float) -> LocateResult | None:
    """The district, street, community and grid containing the point (WGS-84), or ``None``."""
    return get_locator().locate(lon, lat)


def locate_points(
    lons: Any, lats: Any, *, locator: Locator | None = None
) -> list[LocateResult | None]:
    """:func:`locate_point` for many points at once (one vectorised tree query; points in the
    same unit share one result)."""
    locator = get_locator() if locator is None else locator
    results: dict[int, LocateResult | None] = {-1: None}
    found = []
    for index in locator.locate_many(lons, lats).tolist():
        if index not in results:
            results[index] = locator.result_for(index) if index >= 0 else None
        found.append(results[index])
    return found


def current_locator() -> Locator:
    """The process-wide locator, for bulk callers that check many points (imports)."""
    return get_locator()
