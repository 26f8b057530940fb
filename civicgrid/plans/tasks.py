"""Celery tasks of the plans app."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="civicgrid.plans.record_reminders", ignore_result=True)
def record_reminders() -> dict[str, Any]:
    """到期提醒: record today's deadline reminders (idempotent, safe to schedule often)."""
    from .services.reminders import reminders_record

    return reminders_record().as_dict()
