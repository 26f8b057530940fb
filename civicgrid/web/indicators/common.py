"""What the indicators pages share: who may open them, the period and unit pickers, numbers.

Every page reads through :mod:`civicgrid.indicators.selectors` (scoped to the user); nothing here
builds a queryset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as lazy
from openpyxl import Workbook

from civicgrid.accounts.selectors import root_units_visible_to, scope_of
from civicgrid.indicators.selectors import values as value_selectors
from civicgrid.indicators.selectors.access import may_define, may_view

from ..views import staff_required

View = Callable[..., HttpResponse]

STATUS_LABELS: dict[str, Any] = {
    "met": lazy("Met"),
    "on_track": lazy("On track"),
    "at_risk": lazy("At risk"),
    "missed": lazy("Missed"),
    "met_late": lazy("Met late"),
    "no_data": lazy("No data"),
}
STATUS_ORDER = ("missed", "met_late", "at_risk", "on_track", "met", "no_data")
COMPARATOR_SIGNS = {"ge": "≥", "le": "≤", "eq": "=", "about": "≈", "range": "–"}
LEVEL_LABELS: dict[str, Any] = {
    "city": lazy("City"),
    "district": lazy("District"),
    "street": lazy("Street / town"),
    "community": lazy("Community"),
}


def indicators_view(view: View) -> View:
    """Staff who may use the indicators pages (any active staff role, within their scope)."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_view(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def definer_view(view: View) -> View:
    """Programme office and administrators of the whole city (scoring, publishing)."""

    @indicators_view
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_define(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def home_unit_code(user: Any) -> str:
    """The unit a user's pages open on: the top of their visible tree (the city for whole-city
    users, else their scope unit)."""
    scope = scope_of(user)
    if scope.code:
        return scope.code
    root = root_units_visible_to(user).order_by("code").first()
    return root.code if root is not None else ""


def periods_for(user: Any, indicators: list[Any], *, unit_code: str = "") -> list[str]:
    """The yearly periods with aggregates of ``indicators`` at the user's home unit, oldest
    first (one query)."""
    code = unit_code or home_unit_code(user)
    if not code or not indicators:
        return []
    points = value_selectors.latest_values(user, unit_code=code, indicators=indicators)
    return sorted({point.period for series in points.values() for point in series})


def number(value: float | None, decimals: int = 2) -> str:
    """A figure as shown in tables: thousands separators for large numbers, '–' when missing."""
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text  # a tiny negative rounds to 0, not "-0"


def table_download(
    name: str, sheet_title: str, headings: list[Any], lines: list[list[Any]], file_format: str
) -> HttpResponse:
    """A table as a CSV file (UTF-8 with BOM, for Excel) or an Excel workbook to download."""
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headings)
        writer.writerows(lines)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    sheet.append(headings)
    for line in lines:
        sheet.append(line)
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
