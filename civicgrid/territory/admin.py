"""Django admin for admin units (行政区划) and departments (部门) with their aliases (别名).

Boundaries are shown read-only as a summary (type, parts, points, extent) and a short preview;
they change through the imports (``civicgrid territory import-boundaries``), never as raw JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AdminUnit, Department, DepartmentAlias

BOUNDARY_PREVIEW_CHARACTERS = 2000


def _coordinates_count(value: Any) -> int:
    if isinstance(value, list) and value and isinstance(value[0], int | float):
        return 1
    if isinstance(value, list):
        return sum(_coordinates_count(item) for item in value)
    return 0


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "has_boundary", "is_demo_geometry")
    list_filter = ("level", "is_demo_geometry")
    search_fields = ("code", "name")
    ordering = ("code",)
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    exclude = ("boundary",)
    readonly_fields = (
        "boundary_summary",
        "boundary_preview",
        "centroid_lon",
        "centroid_lat",
        "is_demo_geometry",
        "boundary_source",
        "created_at",
        "updated_at",
    )
    show_full_result_count = False

    def get_queryset(self, request: Any) -> Any:
        # The list never needs the (large) boundaries; the change form reads them itself.
        queryset = super().get_queryset(request)
        url_name = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
        if url_name.endswith("_changelist"):
            queryset = queryset.defer("boundary")
        return queryset

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, unit: AdminUnit) -> bool:
        return unit.centroid_lon is not None

    @admin.display(description=_("boundary"))
    def boundary_summary(self, unit: AdminUnit) -> str:
        boundary = unit.boundary
        if not isinstance(boundary, dict):
            return gettext("none")
        coordinates = boundary.get("coordinates", [])
        parts = len(coordinates) if boundary.get("type") == "MultiPolygon" else 1
        return gettext(
            "%(type)s, %(parts)s part(s), %(points)s points, %(characters)s characters"
        ) % {
            "type": boundary.get("type", "?"),
            "parts": parts,
            "points": _coordinates_count(coordinates),
            "characters": len(json.dumps(boundary)),
        }

    @admin.display(description=_("boundary preview"))
    def boundary_preview(self, unit: AdminUnit) -> str:
        if unit.boundary is None:
            return "-"
        text = json.dumps(unit.boundary, ensure_ascii=False)
        if len(text) > BOUNDARY_PREVIEW_CHARACTERS:
            text = text[:BOUNDARY_PREVIEW_CHARACTERS] + " …"
        return format_html(
            '<pre style="white-space: pre-wrap; max-height: 12em; overflow: auto">{}</pre>', text
        )


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 1


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "admin_unit", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "short_name", "aliases__alias")
    raw_id_fields = ("admin_unit", "parent")
    list_select_related = ("admin_unit", "parent")
    inlines = (DepartmentAliasInline,)
    readonly_fields = ("created_at", "updated_at")
