from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from civicgrid.core.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_items": nav_items_for(getattr(request, "user", None))}
