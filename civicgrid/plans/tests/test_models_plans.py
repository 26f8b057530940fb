"""Database rules the services rely on: one report per task, department and month; one
reminder per task and day; percentages and scores within 0-100; unique item keys per plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from civicgrid.plans.models import (
    PlanItem,
    ProgressReport,
    QualityScore,
    TaskEvent,
    TaskEventKind,
)

from .core_helpers import *  # noqa: F403

pytestmark = pytest.mark.django_db


def refused(**create: Any) -> None:
    model = create.pop("model")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**create)


def test_one_report_per_task_department_and_month(published: Any, departments: Any) -> None:
    task = published.tasks_by_key["1"]
    ProgressReport.objects.create(task=task, department=departments["civil"], period="2026-11")
    refused(model=ProgressReport, task=task, department=departments["civil"], period="2026-11")
    ProgressReport.objects.create(task=task, department=departments["civil"], period="2026-12")


def test_percent_and_score_stay_within_100(published: Any, departments: Any) -> None:
    task = published.tasks_by_key["1"]
    refused(model=ProgressReport, task=task, department=departments["civil"], period="2026-10",
            percent_done=101)  # fmt: skip
    refused(model=QualityScore, task=task, department=departments["civil"], score=120)


def test_one_reminder_per_task_and_day(published: Any) -> None:
    task = published.tasks_by_key["1"]
    day = dt.date(2026, 12, 7)
    TaskEvent.objects.create(task=task, kind=TaskEventKind.REMINDER, day=day)
    refused(model=TaskEvent, task=task, kind=TaskEventKind.REMINDER, day=day)
    TaskEvent.objects.create(task=task, kind=TaskEventKind.URGED)
    TaskEvent.objects.create(task=task, kind=TaskEventKind.URGED)  # no day: no limit


def test_item_keys_are_unique_per_plan(published: Any) -> None:
    refused(model=PlanItem, plan=published, key="1")


def test_names(published: Any) -> None:
    task = published.tasks_by_key["1"]
    assert str(task) == "1. 建设社区服务中心"
    assert str(published.version) == "社区建设工作方案 珠社〔2026〕9号 v1"
    assert task.is_open
