"""Celery tasks of the appeals app."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import sweep


@shared_task(name="civicgrid.appeals.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict[str, Any]:
    """红黄灯巡检: run the deadline sweep (idempotent, safe to schedule often)."""
    return sweep.run().as_dict()


@shared_task(name="civicgrid.appeals.refresh_statistics", ignore_result=True)
def refresh_statistics() -> dict[str, Any]:
    """统计汇总: rebuild the statistics rollup for the days whose appeals changed."""
    from .statistics_refresh import refresh_statistics as refresh

    return refresh().as_dict()
