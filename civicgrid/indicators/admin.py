"""Django admin of the indicators app: definitions are edited here by administrators; values,
submissions, scores and aggregates are read-only (they change only through the services, so the
approval chain, validation and aggregates stay consistent)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AggregateRefresh,
    AssessmentItem,
    AssessmentScheme,
    AssessmentScore,
    DataElement,
    DataSet,
    DataSubmission,
    DataValue,
    Indicator,
    IndicatorAggregate,
    SubmissionEvent,
    Target,
    ValidationRule,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "source", "computed_source", "aggregation", "is_active")
    list_filter = ("source", "aggregation", "is_active")
    search_fields = ("code", "name")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "theme", "direction", "is_active")
    list_filter = ("kind", "theme", "direction", "is_active")
    search_fields = ("code", "name", "source_document")


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "period_type", "due_days", "is_active")
    list_filter = ("period_type", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("elements", "departments")
    raw_id_fields = ("units",)


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "left", "operator", "right", "severity", "is_active")
    list_filter = ("kind", "severity", "is_active")
    search_fields = ("code", "name")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("indicator", "comparator", "value", "deadline_period", "scope", "is_active")
    list_filter = ("scope", "comparator", "is_active")
    search_fields = ("indicator__code", "indicator__name", "name", "source_document")
    raw_id_fields = ("indicator", "scope_unit", "created_by")


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "kind", "from_status", "to_status", "note", "details")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataSubmission)
class DataSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("data_set", "unit_code", "period", "status", "due_on", "submitted_at")
    list_filter = ("status", "data_set")
    search_fields = ("unit_code", "period")
    inlines = (SubmissionEventInline,)


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("element", "unit_code", "period", "value", "origin")
    list_filter = ("origin", "period_type")
    search_fields = ("element__code", "unit_code", "period")
    list_select_related = ("element",)


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    raw_id_fields = ("indicator", "target")


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "year", "subject", "status", "scored_at")
    list_filter = ("status", "subject", "year")
    readonly_fields = ("status", "published_at", "scored_at")
    inlines = (AssessmentItemInline,)


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "unit", "department", "total", "rank")
    list_filter = ("scheme",)


@admin.register(IndicatorAggregate)
class IndicatorAggregateAdmin(ReadOnlyAdmin):
    list_display = (
        "indicator",
        "unit_code",
        "level",
        "period",
        "value",
        "numerator",
        "denominator",
    )
    list_filter = ("level", "period_type")
    search_fields = ("indicator__code", "unit_code", "period")
    list_select_related = ("indicator",)


@admin.register(AggregateRefresh)
class AggregateRefreshAdmin(ReadOnlyAdmin):
    list_display = ("at", "reason", "indicators", "rows", "seconds")
