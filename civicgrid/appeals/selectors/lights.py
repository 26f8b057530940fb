"""红黄灯 of many appeals at once: one calendar call for the whole batch, no query per appeal.

The rule is the one of :func:`civicgrid.appeals.selectors.deadline_light`: a dispatched appeal
runs against its sign-for deadline, an accepted or signed one against its handling deadline.
Red: the deadline is before today. Yellow: at most ``yellow_days`` working days are left
(``AppealSettings.yellow_light_working_days``, default 1), i.e. ``today <= deadline <
threshold`` where ``threshold`` is the ``yellow_days + 1``-th working day after today. Green:
later. Deadlines in a year whose official calendar is not yet known count as yellow (a warning
rather than a silent green).

:func:`light_conditions` gives the same rule as database conditions (filters and the sweep);
:func:`deadline_lights` applies it in Python to rows already loaded (a page, an export chunk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, DateField, F, Q, When

from civicgrid.core.workdays import CalendarUnknownYearError, add_working_days

from ..models import AppealStatus
from ..settings_cache import current_appeal_settings

HANDLING_STATUSES = (AppealStatus.ACCEPTED, AppealStatus.SIGNED)
LIGHTS = ("red", "yellow", "green")


def yellow_working_days() -> int:
    """The configured number of working days left at which the light turns yellow."""
    return int(current_appeal_settings().yellow_light_working_days)


@dataclass(frozen=True)
class LightThresholds:
    """The dates that split deadlines into lights on ``today``."""

    today: dt.date
    yellow_days: int
    threshold: dt.date  # deadlines from today up to the day before are yellow
    calendar_unknown: bool  # the threshold is 1 January of a year without a known calendar


def light_thresholds(today: dt.date, yellow_days: int | None = None) -> LightThresholds:
    """Work out the yellow threshold once (one calendar call)."""
    days = yellow_working_days() if yellow_days is None else int(yellow_days)
    try:
        return LightThresholds(today, days, add_working_days(today, days + 1), False)
    except CalendarUnknownYearError as error:
        return LightThresholds(today, days, dt.date(error.year, 1, 1), True)


def current_deadline(prefix: str = "") -> Case:
    """The deadline that runs now, as a database expression (sign-for while dispatched)."""
    return Case(
        When(
            **{f"{prefix}status": AppealStatus.DISPATCHED},
            then=F(f"{prefix}sign_for_deadline"),
        ),
        When(
            **{f"{prefix}status__in": HANDLING_STATUSES},
            then=F(f"{prefix}handling_deadline"),
        ),
        default=None,
        output_field=DateField(),
    )


def light_conditions(thresholds: LightThresholds, prefix: str = "") -> dict[str, Q]:
    """Database conditions per light ("red", "yellow", "green"); ``prefix`` reaches the appeal
    through a relation (``"appeal__"``)."""
    today, threshold = thresholds.today, thresholds.threshold
    dispatched = Q(**{f"{prefix}status": AppealStatus.DISPATCHED})
    handling = Q(**{f"{prefix}status__in": HANDLING_STATUSES})
    sign, handle = f"{prefix}sign_for_deadline", f"{prefix}handling_deadline"
    red = (dispatched & Q(**{f"{sign}__lt": today})) | (handling & Q(**{f"{handle}__lt": today}))
    if thresholds.calendar_unknown:
        yellow = (dispatched & Q(**{f"{sign}__gte": today})) | (
            handling & Q(**{f"{handle}__gte": today})
        )
        return {"red": red, "yellow": yellow, "green": Q(pk__in=[])}
    yellow = (dispatched & Q(**{f"{sign}__gte": today, f"{sign}__lt": threshold})) | (
        handling & Q(**{f"{handle}__gte": today, f"{handle}__lt": threshold})
    )
    green = (dispatched & Q(**{f"{sign}__gte": threshold})) | (
        handling & Q(**{f"{handle}__gte": threshold})
    )
    return {"red": red, "yellow": yellow, "green": green}


def light_for(appeal: Any, thresholds: LightThresholds) -> str:
    """The light of one loaded appeal ("" when no deadline runs)."""
    if appeal.status == AppealStatus.DISPATCHED:
        deadline = appeal.sign_for_deadline
    elif appeal.status in HANDLING_STATUSES:
        deadline = appeal.handling_deadline
    else:
        return ""
    if deadline is None:
        return ""
    if deadline < thresholds.today:
        return "red"
    if thresholds.calendar_unknown or deadline < thresholds.threshold:
        return "yellow"
    return "green"


def deadline_lights(
    appeals: Iterable[Any], today: dt.date, *, yellow_days: int | None = None
) -> dict[int, str]:
    """The light of each appeal by primary key, with one settings read and one calendar call
    for the whole batch (whatever its size)."""
    thresholds = light_thresholds(today, yellow_days)
    return {appeal.pk: light_for(appeal, thresholds) for appeal in appeals}
