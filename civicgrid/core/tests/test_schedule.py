"""The Celery beat schedule names tasks that exist (a typo would fail silently in production)."""

from __future__ import annotations

from django.conf import settings


def test_every_scheduled_job_is_a_registered_task() -> None:
    from config.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "civicgrid.indicators.reminders_send" in scheduled
    assert scheduled <= registered, sorted(scheduled - registered)
