"""Today's date for the appeal services, in one place so tests and the demo generator can move
the clock (``monkeypatch.setattr(clock, "today", ...)``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
