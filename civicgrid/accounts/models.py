"""Users, roles and data scopes (数据权限)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.territory.models import AdminUnit, Department


class Role(models.TextChoices):
    CITIZEN = "citizen", _("citizen")  # 市民/企业: submits and follows own appeals
    HOTLINE_OPERATOR = "hotline_operator", _("hotline operator")  # 12345 话务员
    DISPATCHER = "dispatcher", _("dispatcher")  # 派单员 (city or district centre)
    DEPARTMENT_STAFF = "department_staff", _("department staff")  # 承办单位工作人员
    GRID_WORKER = "grid_worker", _("grid worker")  # 网格员
    SUPERVISOR = "supervisor", _("supervisor")  # 督办员
    PROGRAMME_OFFICE = "programme_office", _("programme office")  # 社工委
    LEADER = "leader", _("leader")  # 领导
    ADMINISTRATOR = "administrator", _("administrator")  # 系统管理员


STAFF_ROLES = frozenset(set(Role) - {Role.CITIZEN})


class User(AbstractUser):
    """A person who signs in. Staff have a data scope: an admin-unit subtree and/or a department.

    The effective scope is ``scope_unit`` if set, else the department's admin unit. Who may see
    what is decided only in :mod:`civicgrid.accounts.selectors`.
    """

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CITIZEN)
    scope_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("scope (admin unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The user sees and acts on this unit and everything below it."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def admin_unit_code(self) -> str:
        unit = self.effective_scope_unit
        return unit.code if unit else ""

    @property
    def effective_scope_unit(self) -> AdminUnit | None:
        if self.scope_unit_id:
            return self.scope_unit
        if self.department_id and self.department is not None:
            return self.department.admin_unit
        return None
