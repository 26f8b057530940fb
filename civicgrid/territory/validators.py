"""Validation of coordinates entered by people (坐标校验): numbers, in range, inside the city."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .locator import Locator, get_locator

DEFAULT_FIELD = _("location")


def validate_coordinates_in_city(
    lon: Any,
    lat: Any,
    field: Any = DEFAULT_FIELD,
    city_code: str | None = None,
    *,
    locator: Locator | None = None,
) -> tuple[float, float]:
    """Check a WGS-84 point and return it as floats; raise ``ValidationError`` naming ``field``.

    The point must be numeric, within -180..180 / -90..90 and inside the city
    (``settings.CIVICGRID_CITY_CODE``): inside its boundary if it has one, else inside one of
    its units the locator knows. Without any boundary loaded, only the range is checked.
    Bulk callers (imports) pass the ``locator`` they got once from :func:`get_locator`.
    """
    try:
        x = float(lon)
        y = float(lat)
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(field)s: longitude and latitude must be numbers."),
            code="invalid_coordinates",
            params={"field": field},
        ) from None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError(
            _(
                "%(field)s: the longitude must lie between -180 and 180 and the latitude "
                "between -90 and 90."
            ),
            code="coordinates_out_of_range",
            params={"field": field},
        )
    city = city_code or str(settings.CIVICGRID_CITY_CODE)
    locator = get_locator() if locator is None else locator
    inside = locator.city_contains(city, x, y)
    if inside is None and not locator.is_empty:
        result = locator.locate(x, y)
        inside = result is not None and result.unit.code.startswith(city)
    if inside is False:
        raise ValidationError(
            _("%(field)s: the point (%(lon)s, %(lat)s) lies outside %(city)s."),
            code="outside_city",
            params={"field": field, "lon": x, "lat": y, "city": locator.names.get(city, city)},
        )
    return x, y
