"""Django admin of the core app: holidays (节假日) and the read-only audit trail (审计日志)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import AuditRecord, CalendarDay, CalendarYear
from .workdays import invalidate_calendar


class CalendarDayYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class _AuditedAdmin(admin.ModelAdmin):
    """Changes made in the admin are written to the audit trail like any service write."""

    audit_prefix = ""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"{self.audit_prefix}.{'change' if change else 'add'}",
                target=obj,
                details={"changed": list(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=f"{self.audit_prefix}.delete", target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action=f"{self.audit_prefix}.delete", target=obj)
            super().delete_queryset(request, queryset)


class _CalendarAdmin(_AuditedAdmin):
    """Calendar edits also reset this process's working-day cache (see core.workdays)."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate_calendar()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        invalidate_calendar()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        invalidate_calendar()


@admin.register(CalendarDay)
class CalendarDayAdmin(_CalendarAdmin):
    audit_prefix = "calendar.day"
    list_display = ("date", "weekday", "is_working_day", "name")
    list_filter = (CalendarDayYearFilter, "is_working_day")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("date",)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        return str(names[obj.date.weekday()])


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    audit_prefix = "calendar.year"
    list_display = ("year", "is_published", "notice", "updated_at")
    list_filter = ("is_published",)
    search_fields = ("notice",)
    ordering = ("-year",)


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """审计日志: searchable and read-only for everyone, superusers included."""

    list_display = (
        "at",
        "actor_username",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "admin_unit_code",
        "ip_address",
    )
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = (
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "admin_unit_code",
        "ip_address",
    )
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False
    fields = (
        "at",
        "actor_username",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "admin_unit_code",
        "ip_address",
        "user_agent",
        "purpose",
        "details_pretty",
    )
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details_pretty(self, obj: AuditRecord) -> str:
        text = json.dumps(obj.details, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and user.has_perm(f"{self.opts.app_label}.view_{self.opts.model_name}")
        )
