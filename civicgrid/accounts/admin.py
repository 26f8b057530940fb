"""Admin of user accounts (账号管理): role, data scope, department and contact details."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .services import user_admin_change_record, user_admin_view_record


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Account admin. Opening an account form shows personal data unmasked, so it is audited,
    and so is every change saved here."""

    list_display = (
        "username",
        "full_name",
        "role",
        "scope_unit",
        "department",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "scope_unit__level")
    search_fields = ("username", "full_name", "scope_unit__name", "department__name")
    list_select_related = ("scope_unit", "department")
    raw_id_fields = ("scope_unit", "department")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email")}),
        (_("Role and data scope"), {"fields": ("role", "scope_unit", "department")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "full_name",
                    "phone",
                    "role",
                    "scope_unit",
                    "department",
                ),
            },
        ),
    )

    def change_view(
        self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        subject = self.get_object(request, object_id)
        if request.method == "GET" and subject is not None and response.status_code == 200:
            user_admin_view_record(actor=request.user, subject=subject)
        return response

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        user_admin_change_record(
            actor=request.user, subject=obj, changed_fields=list(form.changed_data)
        )
