"""Celery tasks of the registry app."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="civicgrid.registry.run_import", ignore_result=True)
def run_import(run_id: int) -> None:
    """Run (or resume) a registry import started from the web."""
    from .services.imports import run_import_by_id

    run_import_by_id(run_id)
