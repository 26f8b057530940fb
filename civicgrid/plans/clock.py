"""Today's date for the plans services and selectors, in one place so tests and the demo can
move the clock (``monkeypatch.setattr(clock, "today", ...)``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
