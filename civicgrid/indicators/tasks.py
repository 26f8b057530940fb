"""Background jobs of the indicators app (Celery; in-process where no broker is configured)."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="civicgrid.indicators.reminders_send")
def reminders_send_task() -> int:
    """Daily: remind reporters of data sets due soon or overdue (safe to re-run)."""
    from .services.reminders import reminders_send

    return reminders_send()


@shared_task(name="civicgrid.indicators.recompute")
def recompute_task(period: str) -> dict[str, Any]:
    """Recompute the computed data elements of ``period`` and refresh the aggregates."""
    from .services.computed import recompute

    result = recompute(period=period)
    return {"period": result.period, "values": result.values, "seconds": result.seconds}
