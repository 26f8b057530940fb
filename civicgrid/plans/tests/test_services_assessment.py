"""The yearly assessment: weights, quality scores, computed results with their records, ranking,
publication."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.plans import services
from civicgrid.plans.models import AssessmentResult, AssessmentStatus, QualityScore
from civicgrid.plans.selectors import assessment_ranking

from .core_helpers import *  # noqa: F403

pytestmark = pytest.mark.django_db


def finish(task: Any, people: Any, staff: str, day: dt.date, fixed_today: Any) -> None:
    """The lead reports 100 % on ``day`` and the office accepts it."""
    fixed_today(day)
    report = services.progress_report_save(
        actor=people[staff], task=task, period=f"{day:%Y-%m}", text="完成", percent_done=100,
        submit=True,
    )  # fmt: skip
    from django.utils import timezone

    type(report).objects.filter(pk=report.pk).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    )
    report.refresh_from_db()
    services.progress_report_accept(actor=people["office"], report=report)
    fixed_today(dt.date(2026, 12, 31))


def test_weights_must_add_up_to_100(people: Any) -> None:
    with pytest.raises(DomainError) as bad:
        services.assessment_scheme_save(
            actor=people["office"], year=2026, weight_on_time=50, weight_completion=40,
            weight_quality=20,
        )  # fmt: skip
    assert "110" in str(bad.value)
    with pytest.raises(PermissionDeniedError):
        services.assessment_scheme_save(
            actor=people["supervisor"], year=2026, weight_on_time=50, weight_completion=30,
            weight_quality=20,
        )  # fmt: skip


def test_compute_scores_departments_and_districts_with_their_records(
    published: Any, people: Any, departments: Any, fixed_today: Any
) -> None:
    # 2026 tasks: task 1 (市民政局, due 12-10) done on time on 12-09; task 3 (斗门区政府, due
    # 11-30) done late on 12-04. Task 2 is due in 2027 and not counted.
    tasks = published.tasks_by_key
    finish(tasks["1"], people, "civil", dt.date(2026, 12, 9), fixed_today)
    finish(tasks["3"], people, "dm", dt.date(2026, 12, 4), fixed_today)
    services.quality_score_set(
        actor=people["supervisor"], task=tasks["1"], department=departments["civil"], score=90
    )
    with pytest.raises(PermissionDeniedError):
        services.quality_score_set(
            actor=people["supervisor"], task=tasks["1"], department=departments["dm"], score=90
        )
    with pytest.raises(DomainError):
        services.quality_score_set(
            actor=people["office"], task=tasks["3"], department=departments["dm"], score=101
        )
    services.assessment_scheme_save(
        actor=people["office"], year=2026, weight_on_time=50, weight_completion=30,
        weight_quality=20,
    )  # fmt: skip
    scheme = services.assessment_compute(actor=people["office"], year=2026)
    assert scheme.status == AssessmentStatus.COMPUTED
    civil = AssessmentResult.objects.get(scheme=scheme, department=departments["civil"])
    assert (civil.task_count, civil.done_count, civil.on_time_count) == (1, 1, 1)
    assert (civil.on_time_rate, civil.completion_rate, civil.quality_score) == (1.0, 1.0, 90.0)
    assert civil.total_score == 98.0  # (50·100 + 30·100 + 20·90) / 100
    assert civil.rank == 1
    assert civil.inputs["weights"] == {"on_time": 50, "completion": 30, "quality": 20}
    assert civil.inputs["tasks"][0]["completed_on"] == "2026-12-09"
    assert civil.inputs["tasks"][0]["quality"] == 90
    doumen = AssessmentResult.objects.get(scheme=scheme, department=departments["dm"])
    # Late, no quality score: the quality weight is left out and the others re-normalised.
    assert (doumen.on_time_rate, doumen.completion_rate, doumen.quality_score) == (0.0, 1.0, None)
    assert doumen.total_score == 37.5  # (50·0 + 30·100) / 80
    assert doumen.inputs["left_out"] == ["quality"]
    assert doumen.rank == 2
    district = AssessmentResult.objects.get(scheme=scheme, subject="district")
    assert (district.name, district.task_count, district.on_time_count) == ("斗门区", 1, 0)
    assert not AssessmentResult.objects.filter(department=departments["hr"]).exists()


def test_equal_totals_share_a_rank(published: Any, people: Any, fixed_today: Any) -> None:
    tasks = published.tasks_by_key
    finish(tasks["1"], people, "civil", dt.date(2026, 12, 9), fixed_today)
    finish(tasks["3"], people, "dm", dt.date(2026, 11, 20), fixed_today)
    scheme = services.assessment_compute(actor=people["office"], year=2026)
    ranks = sorted(scheme.results.filter(subject="department").values_list("rank", flat=True))
    assert ranks == [1, 1]


def test_publication_freezes_the_year(
    published: Any, people: Any, departments: Any, fixed_today: Any
) -> None:
    office = people["office"]
    with pytest.raises(ConflictError):
        services.assessment_publish(actor=office, year=2026)
    services.assessment_compute(actor=office, year=2026)
    assert assessment_ranking(people["civil"], year=2026) == []  # not yet published
    assert len(assessment_ranking(people["leader"], year=2026)) == 2
    services.assessment_publish(actor=office, year=2026)
    ranking = assessment_ranking(people["civil"], year=2026)
    assert [r.rank for r in ranking] == sorted(r.rank for r in ranking)
    assert assessment_ranking(people["citizen"], year=2026) == []
    with pytest.raises(ConflictError):
        services.assessment_compute(actor=office, year=2026)
    with pytest.raises(ConflictError):
        services.assessment_scheme_save(
            actor=office, year=2026, weight_on_time=40, weight_completion=40, weight_quality=20
        )
    with pytest.raises(ConflictError):
        services.quality_score_set(
            actor=office,
            task=published.tasks_by_key["1"],
            department=departments["civil"],
            score=70,
        )
    assert not QualityScore.objects.exists()
