"""Core models: the base model, the audit trail and the working-day calendar overrides."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every domain table carries creation and update times."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditRecord(models.Model):
    """审计记录: an append-only record of who did what to which object, when and from where.

    Written only by :func:`civicgrid.core.audit.audit_record`. Rows are never updated or
    deleted: ``save`` and ``delete`` refuse it, and a database trigger (migration 0002)
    refuses it even for raw SQL.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor role"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    admin_unit_code = models.CharField(
        _("admin unit code"), max_length=20, blank=True, db_index=True
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records are append-only.")


class CalendarDay(BaseModel):
    """节假日安排: one official day that differs from the plain Monday-Friday week, or confirms it.

    Administrators add the State Council's holiday arrangement for a new year here (holidays
    with ``is_working_day=False``, adjusted working weekends with ``is_working_day=True``).
    A row overrides the bundled ``chinese-calendar`` data for its date.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is working day"))
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. 春节, 国庆节"))

    class Meta:
        verbose_name = _("holiday or adjusted working day")
        verbose_name_plural = _("holidays and adjusted working days")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("holiday")
        return f"{self.date} {self.name} ({kind})"


class CalendarYear(BaseModel):
    """A year whose official arrangement has been entered completely by an administrator.

    Working-day arithmetic refuses dates in years that are neither covered by the bundled
    calendar data nor published here, instead of guessing (see docs/adr/0001).
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    is_published = models.BooleanField(
        _("arrangement complete"),
        default=False,
        help_text=_("Tick once every holiday and adjusted working day of the year is entered."),
    )
    notice = models.CharField(_("source notice"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
