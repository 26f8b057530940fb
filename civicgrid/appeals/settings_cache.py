"""The appeal settings row (诉求办理参数) kept briefly per process, for callers on every request.

:func:`current_appeal_settings` returns :meth:`AppealSettings.load` and keeps the row for
``CIVICGRID_APPEAL_SETTINGS_CHECK_SECONDS`` (default 5; the tests use 0 = read every call).
Saving the settings in the admin calls :func:`invalidate_appeal_settings`, so that process uses
the new values at once and the other processes within the interval. The returned row is shared
between threads: read it, never change it (edit a fresh :meth:`AppealSettings.load`).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import transaction

from .models import AppealSettings

DEFAULT_CHECK_SECONDS = 5.0

_lock = threading.Lock()
_cached: AppealSettings | None = None
_loaded_at = 0.0


def invalidate_appeal_settings() -> None:
    """Forget the kept row now and again when the current transaction commits."""
    _forget()
    transaction.on_commit(_forget)


def _forget() -> None:
    global _cached
    with _lock:
        _cached = None


def current_appeal_settings() -> AppealSettings:
    """The settings row, at most ``CIVICGRID_APPEAL_SETTINGS_CHECK_SECONDS`` old."""
    global _cached, _loaded_at
    interval = float(
        getattr(settings, "CIVICGRID_APPEAL_SETTINGS_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
    )
    if interval <= 0:
        return AppealSettings.load()
    with _lock:
        now = time.monotonic()
        if _cached is None or now - _loaded_at >= interval:
            _cached = AppealSettings.load()
            _loaded_at = now
        return _cached
