"""到期提醒: a reminder event for every open task close to or past its deadline, at most one
per task and day (a unique constraint makes re-running the same day a no-op)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from .. import clock
from ..models import OPEN_TASK_STATUSES, PlanStatus, Task, TaskEvent, TaskEventKind
from ..selectors.lights import light_thresholds
from .supervision import plan_settings


@dataclass
class ReminderSummary:
    day: dt.date
    recorded: int = 0
    overdue: int = 0
    already: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "recorded": self.recorded,
            "overdue": self.overdue,
            "already": self.already,
        }


def reminders_record(*, today: dt.date | None = None) -> ReminderSummary:
    """Record today's reminders (tasks of running plans due within
    ``PlanSettings.reminder_working_days`` working days, or overdue). Idempotent per day."""
    today = today or clock.today()
    thresholds = light_thresholds(today, plan_settings().reminder_working_days)
    summary = ReminderSummary(day=today)
    tasks = Task.objects.filter(
        plan__status=PlanStatus.PUBLISHED,
        status__in=OPEN_TASK_STATUSES,
        deadline__isnull=False,
        deadline__lt=thresholds.threshold,
    ).only("pk", "deadline", "lead_department_id")
    with transaction.atomic():
        already = set(
            TaskEvent.objects.filter(
                kind=TaskEventKind.REMINDER, day=today, task__in=tasks.values("pk")
            ).values_list("task_id", flat=True)
        )
        events = []
        for task in tasks:
            if task.pk in already:
                summary.already += 1
                continue
            assert task.deadline is not None
            is_overdue = task.deadline < today
            summary.overdue += int(is_overdue)
            events.append(
                TaskEvent(
                    task=task,
                    kind=TaskEventKind.REMINDER,
                    day=today,
                    department_id=task.lead_department_id,
                    details={
                        "deadline": task.deadline.isoformat(),
                        "overdue": is_overdue,
                        "overdue_days": (today - task.deadline).days if is_overdue else 0,
                    },
                )
            )
        created = TaskEvent.objects.bulk_create(events, ignore_conflicts=True)
        summary.recorded = len(created)
    return summary
