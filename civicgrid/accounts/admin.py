"""Admin of user accounts (账号管理): role, data scope, department and contact details."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
    search_fields = ("username", "full_name", "phone", "scope_unit__name", "department__name")
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
