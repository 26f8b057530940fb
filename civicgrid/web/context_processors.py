"""Template context shared by every page: the menu and who is signed in (role and data scope)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.accounts.selectors import scope_of
from civicgrid.core.navigation import nav_items_for, nav_menu_for


def scope_label(user: Any) -> str:
    """Human label of a user's data scope (数据范围): a unit name, the whole city, or none."""
    scope = scope_of(user)
    if scope.is_everything:
        return _("whole city")
    if scope.code is None:
        return _("no data scope")
    unit = user.effective_scope_unit
    return unit.name if unit is not None else scope.code


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = nav_items_for(user)  # resolved once for the menu and the list
    context: dict[str, Any] = {
        "nav_items": items,
        "nav_menu": nav_menu_for(user, request.path, items),
    }
    if user is not None and user.is_authenticated:
        context["current_scope_label"] = scope_label(user)
    return context
