"""Admin for the appeal configuration: categories, time limits, the responsibility catalogue.

Appeals themselves change only through the workflow services, so they are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from civicgrid.core.admin import _AuditedAdmin

from .models import (
    Appeal,
    AppealEvent,
    Category,
    ExtensionRequest,
    ReplyTemplate,
    ResponsibilityRule,
    SupervisionItem,
    TimeLimit,
)
from .time_limits_cache import invalidate_time_limits


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    list_display = ("appeal_type", "category", "sign_for_days", "handling_days")
    list_filter = ("appeal_type",)
    raw_id_fields = ("category",)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate_time_limits()  # intake in this process uses the new limit at once

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        invalidate_time_limits()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        invalidate_time_limits()


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "admin_unit", "lead_department")
    search_fields = ("category__name", "admin_unit__name", "lead_department__name")
    raw_id_fields = ("category", "admin_unit", "lead_department")
    filter_horizontal = ("cooperating_departments",)


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "kind", "from_status", "to_status", "department", "note")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: citizen's personal data is not shown here (reveal it through the workflow)."""

    list_display = ("number", "title", "appeal_type", "status", "admin_unit_code", "accepted_on")
    list_filter = ("status", "appeal_type", "channel")
    search_fields = ("number", "title")
    exclude = ("citizen_name", "citizen_phone", "query_code_hash", "idempotency_key")
    inlines = [AppealEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Changed only through the services (extension decisions, urging, the sweep)."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(_ReadOnlyAdmin):
    list_display = ("appeal", "department", "days", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("appeal__number",)
    raw_id_fields = ("appeal", "department", "requested_by", "decided_by")


@admin.register(SupervisionItem)
class SupervisionItemAdmin(_ReadOnlyAdmin):
    list_display = ("appeal", "kind", "level", "status", "admin_unit_code", "opened_at")
    list_filter = ("status", "kind", "level")
    search_fields = ("appeal__number", "admin_unit_code")
    raw_id_fields = ("appeal", "created_by")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(_AuditedAdmin):
    """答复模板: placeholders {number} {category} {department} {date} {title} are filled in when
    a department picks the template; every change is written to the audit trail."""

    audit_prefix = "appeals.reply_template"
    list_display = ("name", "category", "appeal_type", "is_active")
    list_filter = ("is_active", "appeal_type")
    search_fields = ("name", "body", "category__name")
    raw_id_fields = ("category",)


from . import admin_settings  # noqa: E402, F401  (settings singleton, trained routers)
