"""Admin of the plans app: settings and the plans-level unit aliases are edited here; documents,
plans, tasks, reports and assessments change only through the services, so they are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicgrid.core.admin import _AuditedAdmin

from .models import (
    AssessmentResult,
    AssessmentScheme,
    DocumentVersion,
    Plan,
    PlanSettings,
    PolicyDocument,
    ProgressReport,
    Task,
    UnitAlias,
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlanSettings)
class PlanSettingsAdmin(_AuditedAdmin):
    audit_prefix = "plans.settings"
    list_display = ("__str__", "yellow_light_working_days", "reminder_working_days")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PlanSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UnitAlias)
class UnitAliasAdmin(_AuditedAdmin):
    audit_prefix = "plans.unit_alias"
    list_display = ("name", "department", "created_by", "created_at")
    search_fields = ("name", "department__name", "department__short_name")
    raw_id_fields = ("department",)
    readonly_fields = ("created_by",)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(_ReadOnlyAdmin):
    list_display = ("title", "doc_number", "issuer", "issued_on", "created_at")
    search_fields = ("title", "doc_number")


@admin.register(DocumentVersion)
class DocumentVersionAdmin(_ReadOnlyAdmin):
    list_display = ("document", "number", "original_name", "kind", "encoding", "created_at")
    exclude = ("text", "extraction")


@admin.register(Plan)
class PlanAdmin(_ReadOnlyAdmin):
    list_display = ("title", "status", "owner", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Task)
class TaskAdmin(_ReadOnlyAdmin):
    list_display = ("number", "title", "lead_department", "deadline", "status", "percent_done")
    list_filter = ("status",)
    search_fields = ("title", "number")


@admin.register(ProgressReport)
class ProgressReportAdmin(_ReadOnlyAdmin):
    list_display = ("task", "department", "period", "status", "percent_done")
    list_filter = ("status", "period")


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(_ReadOnlyAdmin):
    list_display = ("year", "weight_on_time", "weight_completion", "weight_quality", "status")


@admin.register(AssessmentResult)
class AssessmentResultAdmin(_ReadOnlyAdmin):
    list_display = ("scheme", "subject", "rank", "name", "total_score")
    list_filter = ("subject", "scheme")
