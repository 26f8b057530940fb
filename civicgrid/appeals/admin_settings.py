"""Admin of the appeal settings (诉求办理参数, one row) and the trained routers (分派模型).

Imported by :mod:`civicgrid.appeals.admin`. The settings row is edited in place (no add, no
delete, always pk=1) and every change is audited; routers are read-only rows whose only action
is "activate", which goes through :func:`civicgrid.appeals.services.routing.router_activate`.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy

from civicgrid.core.admin import _AuditedAdmin
from civicgrid.core.errors import DomainError

from .models import AppealSettings, TrainedRouter
from .services.routing import router_activate
from .settings_cache import invalidate_appeal_settings

HEADLINE_FIGURES = ("top1", "top3", "coverage_at_precision_0.97", "catalogue_precision")


@admin.register(AppealSettings)
class AppealSettingsAdmin(_AuditedAdmin):
    """The one settings row: the list page opens it directly."""

    audit_prefix = "appeals.settings"
    list_display = ("__str__", "is_auto_dispatch_enabled", "auto_dispatch_threshold", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate_appeal_settings()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        settings_row = AppealSettings.load()
        return HttpResponseRedirect(
            reverse("admin:appeals_appealsettings_change", args=[settings_row.pk])
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        threshold = form.base_fields.get("auto_dispatch_threshold")
        if threshold is not None:
            threshold.validators = [
                *threshold.validators,
                MinValueValidator(0.0),
                MaxValueValidator(1.0),
            ]
            threshold.help_text = _(
                "Between 0 and 1: an appeal is dispatched automatically when the router is at "
                "least this sure (its confidence is measured on held-out appeals)."
            )
        return form


@admin.register(TrainedRouter)
class TrainedRouterAdmin(admin.ModelAdmin):
    """Read-only: routers are trained with ``civicgrid appeals train-router``."""

    list_display = (
        "trained_on",
        "is_active",
        "n_train",
        "labels",
        "top1",
        "top3",
        "coverage",
        "trained_by",
    )
    list_filter = ("is_active",)
    ordering = ("-trained_on", "-id")
    actions = ["activate"]
    fields = (
        "file_name",
        "trained_on",
        "trained_by",
        "is_active",
        "n_train",
        "labels",
        "metrics_pretty",
    )
    readonly_fields = fields

    def _figure(self, obj: TrainedRouter, key: str) -> Any:
        return (obj.metrics or {}).get(key, "—")

    @admin.display(description=lazy("top-1 accuracy"))
    def top1(self, obj: TrainedRouter) -> Any:
        return self._figure(obj, "top1")

    @admin.display(description=lazy("top-3 accuracy"))
    def top3(self, obj: TrainedRouter) -> Any:
        return self._figure(obj, "top3")

    @admin.display(description=lazy("automatic share at 97% precision"))
    def coverage(self, obj: TrainedRouter) -> Any:
        return self._figure(obj, "coverage_at_precision_0.97")

    @admin.display(description=lazy("held-out figures"))
    def metrics_pretty(self, obj: TrainedRouter) -> str:
        metrics = {k: v for k, v in (obj.metrics or {}).items() if k != "calibration"}
        text = json.dumps(metrics, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    @admin.action(description=lazy("Activate the selected router"))
    def activate(self, request: HttpRequest, queryset: QuerySet[TrainedRouter]) -> None:
        routers = list(queryset[:2])
        if len(routers) != 1:
            self.message_user(request, _("Select exactly one router."), messages.ERROR)
            return
        try:
            router_activate(actor=request.user, router=routers[0])
        except DomainError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return
        self.message_user(request, _("The router is now active."), messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
