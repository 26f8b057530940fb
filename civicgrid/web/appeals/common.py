"""Helpers shared by the public and the staff appeal pages: timeline labels, deadline lights,
the client's address and the submission rate limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicgrid.appeals import clock
from civicgrid.appeals.models import Appeal, AppealEvent, Satisfaction
from civicgrid.appeals.selectors.lights import LightThresholds, light_for, light_thresholds
from civicgrid.appeals.selectors.replies import is_internal_review_step

# What each timeline event is called on the pages (办理过程).
EVENT_LABELS: dict[str, Any] = {
    "accept": _("Appeal accepted"),
    "dispatch": _("Dispatched to a department"),
    "sign_for": _("Signed for by the department"),
    "return": _("Returned to the dispatcher"),
    "reply": _("Department replied"),
    "reply_approve": _("Reply approved"),
    "reply_reject": _("Reply sent back to the department"),
    "follow_up": _("Followed up"),
    "citizen_rating": _("Rated by the citizen"),
    "close": _("Closed"),
    "reopen": _("Reopened for handling again"),
    "cancel": _("Cancelled as invalid"),
    "merge": _("Merged into another appeal about the same matter"),
    "merged_in": _("An appeal about the same matter was merged in"),
    "unmerge": _("Merge undone, handled on its own again"),
    "unmerged": _("A merged appeal was taken out again"),
    "attachment": _("Files attached"),
}

LIGHT_LABELS: dict[str, Any] = {
    "red": _("overdue"),
    "yellow": _("due soon"),
    "green": _("in time"),
}

# Per client address and window (防刷): new anonymous appeals, and wrong number/code lookups
# (a query code has only 6 digits).
WINDOW_SECONDS = 600
SUBMIT_LIMIT_DEFAULT = 5
LOOKUP_FAILURE_DEFAULT = 20


def today() -> dt.date:
    """The appeals' own "today" (tests pin it in the services module)."""
    return clock.today()


def event_label(kind: str) -> Any:
    return EVENT_LABELS.get(kind, kind)


def _satisfaction_label(value: str) -> Any:
    return Satisfaction(value).label if value in Satisfaction.values else ""


def timeline_rows(events: list[AppealEvent], *, for_citizen: bool) -> list[dict[str, Any]]:
    """The timeline as rows for a template. Citizens see no staff names and no internal notes
    (return reasons, dispatch notes); they see the department and their own comments."""
    rows = []
    for event in events:
        if for_citizen and is_internal_review_step(event):
            continue
        row: dict[str, Any] = {
            "at": event.at,
            "kind": event.kind,
            "label": event_label(
                "reply" if for_citizen and event.kind == "reply_approve" else event.kind
            ),
            "department": event.department,
            "satisfaction": _satisfaction_label(event.details.get("satisfaction", "")),
        }
        if for_citizen:
            row["note"] = event.note if event.kind in {"citizen_rating", "reopen"} else ""
        else:
            row["note"] = event.note
            row["actor"] = event.actor
        rows.append(row)
    return rows


class Lights:
    """Deadline lights of many appeals on one day: the yellow threshold (setting and calendar)
    is worked out once, on first use; each light is then plain date comparison."""

    def __init__(self, on: dt.date | None = None) -> None:
        self.on = on or today()
        self._thresholds: LightThresholds | None = None

    @property
    def thresholds(self) -> LightThresholds:
        if self._thresholds is None:
            self._thresholds = light_thresholds(self.on)
        return self._thresholds

    def light(self, appeal: Appeal) -> str:
        return light_for(appeal, self.thresholds)


def light_of(appeal: Appeal, lights: Lights | None = None) -> dict[str, Any]:
    """红黄灯 of an appeal with its label and the deadline that runs now."""
    light = (lights or Lights()).light(appeal)
    deadline = appeal.sign_for_deadline if appeal.status == "dispatched" else None
    deadline = deadline or appeal.handling_deadline
    return {"light": light, "label": LIGHT_LABELS.get(light, ""), "deadline": deadline}


def client_ip(request: HttpRequest) -> str:
    """The client address, as the audit middleware reads it (X-Forwarded-For only if trusted)."""
    forwarded = ""
    if getattr(settings, "CIVICGRID_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() if forwarded else "") or str(
        request.META.get("REMOTE_ADDR", "")
    )


def _counter_key(request: HttpRequest, bucket: str) -> str:
    return f"civicgrid:appeal-{bucket}:{client_ip(request)}"


def submit_limit() -> int:
    return int(getattr(settings, "CIVICGRID_APPEAL_SUBMIT_LIMIT", SUBMIT_LIMIT_DEFAULT))


def lookup_failure_limit() -> int:
    return int(getattr(settings, "CIVICGRID_APPEAL_LOOKUP_FAILURE_LIMIT", LOOKUP_FAILURE_DEFAULT))


def limit_reached(request: HttpRequest, bucket: str, limit: int) -> bool:
    """Whether this client address has used up ``limit`` in the current window."""
    return int(cache.get(_counter_key(request, bucket), 0)) >= limit


def count_one(request: HttpRequest, bucket: str) -> None:
    """Count one use for this client address; the window starts with the first one."""
    key = _counter_key(request, bucket)
    if not cache.add(key, 1, timeout=WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=WINDOW_SECONDS)
