"""红黄灯 of tasks: computed from the deadline and today, never stored.

Red: the task is open (not started / in progress) and its deadline is before today. Yellow: open
and at most ``PlanSettings.yellow_light_working_days`` working days are left, i.e.
``today <= deadline < threshold`` where ``threshold`` is the ``N + 1``-th working day after today
(:func:`civicgrid.core.workdays.add_working_days`; a year whose official calendar is not yet
known counts Monday to Friday). Green: later. "" when no light applies (done, cancelled, or no
dated deadline: recurring or unspecified).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from civicgrid.core.workdays import CalendarUnknownYearError, add_working_days, working_days_between

from .. import clock
from ..models import OPEN_TASK_STATUSES, PlanSettings

LIGHTS = ("red", "yellow", "green")


def yellow_working_days() -> int:
    row = PlanSettings.objects.filter(pk=1).first()
    return int(row.yellow_light_working_days) if row else 10


@dataclass(frozen=True)
class LightThresholds:
    today: dt.date
    yellow_days: int
    threshold: dt.date  # deadlines from today up to the day before are yellow


def light_thresholds(
    today: dt.date | None = None, yellow_days: int | None = None
) -> LightThresholds:
    today = today or clock.today()
    days = yellow_working_days() if yellow_days is None else int(yellow_days)
    return LightThresholds(today, days, add_working_days(today, days + 1, provisional=True))


def light_for(task: Any, thresholds: LightThresholds) -> str:
    """The light of one loaded task."""
    if task.status not in OPEN_TASK_STATUSES or task.deadline is None:
        return ""
    if task.deadline < thresholds.today:
        return "red"
    if task.deadline < thresholds.threshold:
        return "yellow"
    return "green"


def task_light(task: Any, today: dt.date | None = None) -> str:
    """ "red", "yellow", "green" or "" for ``task`` on ``today`` (default: today)."""
    return light_for(task, light_thresholds(today))


def task_lights(tasks: Iterable[Any], today: dt.date | None = None) -> dict[int, str]:
    """The light of each task by primary key (one settings read, one calendar call)."""
    thresholds = light_thresholds(today)
    return {task.pk: light_for(task, thresholds) for task in tasks}


def light_conditions(thresholds: LightThresholds, prefix: str = "") -> dict[str, Q]:
    """Database conditions per light ("red", "yellow", "green", "none")."""
    is_open = Q(**{f"{prefix}status__in": OPEN_TASK_STATUSES})
    deadline = f"{prefix}deadline"
    red = is_open & Q(**{f"{deadline}__lt": thresholds.today})
    yellow = is_open & Q(
        **{f"{deadline}__gte": thresholds.today, f"{deadline}__lt": thresholds.threshold}
    )
    green = is_open & Q(**{f"{deadline}__gte": thresholds.threshold})
    none = ~is_open | Q(**{f"{deadline}__isnull": True})
    return {"red": red, "yellow": yellow, "green": green, "none": none}


@dataclass(frozen=True)
class LightDetail:
    light: str  # "red", "yellow", "green" or ""
    working_days_left: int | None  # working days after today up to the deadline (not overdue)
    overdue_days: int | None  # calendar days past the deadline (red only)


def task_light_detail(task: Any, today: dt.date | None = None) -> LightDetail:
    """The light of one task and how far it is from its deadline (for the task page)."""
    today = today or clock.today()
    light = light_for(task, light_thresholds(today))
    if not light:
        return LightDetail("", None, None)
    if light == "red":
        return LightDetail(light, None, (today - task.deadline).days)
    try:
        left = working_days_between(today, task.deadline)
    except CalendarUnknownYearError:
        left = None
    return LightDetail(light, left, None)
