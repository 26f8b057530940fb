"""Place search for the intake forms (地址检索): what the operator types in the address field,
matched against places the platform already knows, so a click puts the point on the map.

Two sources, both limited to the user's data scope:

1. addresses of earlier appeals that carry coordinates (the place people actually call about:
   "香洲区凤凰路 128 号菜市场" comes back with the point it was marked at), newest first, one per
   distinct address;
2. admin units (street, community, grid) whose name contains the text, at their centroid.

There is no street-address gazetteer yet; the base registry (Address and Building records)
will become a third source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Length

from civicgrid.accounts.selectors import units_visible_to

from . import appeals_visible_to

QUERY_MIN = 2
APPEAL_SCAN = 50  # recent matching appeals read to find distinct addresses


@dataclass(frozen=True)
class Place:
    label: str
    detail: str  # the admin unit the place lies in, or the unit's level
    lon: float
    lat: float
    source: str  # "appeal" or "unit"


def place_candidates(user: Any, query: str, *, limit: int = 8) -> list[Place]:
    """Places matching ``query`` that ``user`` may see: earlier appeals' addresses first, then
    admin units. Two queries; nothing for fewer than two characters."""
    query = (query or "").strip()[:60]
    if len(query) < QUERY_MIN:
        return []
    places: list[Place] = []
    seen: set[str] = set()
    rows = (
        appeals_visible_to(user)
        .filter(address__icontains=query, lon__isnull=False, lat__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("address", "lon", "lat", "admin_unit__name")[:APPEAL_SCAN]
    )
    for address, lon, lat, unit_name in rows:
        key = address.strip()
        if not key or key in seen or lon is None or lat is None:
            continue
        seen.add(key)
        places.append(Place(key, unit_name or "", lon, lat, "appeal"))
        if len(places) >= limit // 2 + 1:
            break
    units = (
        units_visible_to(user, search=query)
        .filter(centroid_lon__isnull=False, centroid_lat__isnull=False)
        .exclude(level__in=["city", "district"])
        .order_by(Length("code"), "code")
        .only("name", "level", "centroid_lon", "centroid_lat")[: limit - len(places)]
    )
    for unit in units:
        places.append(
            Place(
                unit.name,
                str(unit.get_level_display()),
                float(unit.centroid_lon or 0),
                float(unit.centroid_lat or 0),
                "unit",
            )
        )
    return places
