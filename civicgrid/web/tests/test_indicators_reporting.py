"""Data entry and approval pages: a community reports, the street approves, the district and the
city figures change; a locked report refuses changes with the reason; scope is enforced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role, User
from civicgrid.indicators.models import DataSubmission, IndicatorAggregate, SubmissionStatus
from civicgrid.indicators.services import definitions


@pytest.fixture
def beds(territory: Any) -> Any:
    definitions.element_create(actor=None, code="BEDS", name="养老床位数", is_integer=True)
    definitions.element_create(actor=None, code="ELDERLY", name="60岁以上老人", is_integer=True)
    indicator = definitions.indicator_create(
        actor=None,
        code="BEDS_PER_1K",
        name="每千名老人拥有养老床位数",
        kind="per_thousand",
        numerator="#{BEDS}",
        denominator="#{ELDERLY}",
    )
    definitions.data_set_create(
        actor=None,
        code="COMMUNITY-YEARLY",
        name="社区年报",
        period_type="yearly",
        element_codes=["BEDS", "ELDERLY"],
        unit_level="community",
        first_period="2020",
    )
    return indicator


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entry(unit: str = "440402001001") -> str:
    return reverse("web:indicators_entry", args=["COMMUNITY-YEARLY", unit, "2024"])


def _aggregate(unit_code: str) -> float | None:
    row = IndicatorAggregate.objects.filter(
        indicator__code="BEDS_PER_1K", unit_code=unit_code, period="2024"
    ).first()
    return None if row is None else row.value


def test_community_reports_street_approves_and_figures_change(
    beds: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    reporter = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    street = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_street)
    community = _client(reporter)

    page = community.get(_entry())
    assert page.status_code == 200
    assert page.context["form"].can_edit

    response = community.post(
        _entry(), {"action": "submit", "value-BEDS": "45", "value-ELDERLY": "1500"}
    )
    assert response.status_code == 302
    submission = DataSubmission.objects.get(unit_code="440402001001", period="2024")
    assert submission.status == SubmissionStatus.SUBMITTED
    assert _aggregate("440402") is None  # submitted values do not count yet

    queue = _client(street).get(reverse("web:indicators_approvals"))
    assert [s.pk for s in queue.context["queue"]] == [submission.pk]
    approved = _client(street).post(_entry(), {"action": "approve"})
    assert approved.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED_STREET
    for unit in ("440402001001", "440402001", "440402", "4404"):
        assert _aggregate(unit) == pytest.approx(30.0)  # 45 / 1500 × 1000

    # The approved report is locked: a change is refused with the reason, nothing changes.
    refused = community.post(
        _entry(), {"action": "submit", "value-BEDS": "90", "value-ELDERLY": "1500"}
    )
    assert refused.status_code == 400
    assert not refused.context["form"].can_edit
    assert _aggregate("440402") == pytest.approx(30.0)


def test_values_must_be_numbers_and_nothing_is_saved(
    beds: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    reporter = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    response = _client(reporter).post(
        _entry(), {"action": "save", "value-BEDS": "abc", "value-ELDERLY": "1500"}
    )
    assert response.status_code == 400
    assert list(response.context["messages"])
    assert not DataSubmission.objects.filter(
        unit_code="440402001001", values__isnull=False
    ).exists()
    # The typed text is kept in the form for correction.
    assert response.context["rows"][0]["value"] == "abc"


def test_units_outside_the_scope_are_not_found(
    beds: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    reporter = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    client = _client(reporter)
    assert client.get(_entry("440403001001")).status_code == 404
    response = client.post(
        _entry("440403001001"), {"action": "save", "value-BEDS": "1", "value-ELDERLY": "2"}
    )
    assert response.status_code == 404
    assert not DataSubmission.objects.exists()


def test_reporting_tasks_list_the_communities_periods(
    beds: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    reporter = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    response = _client(reporter).get(reverse("web:indicators_reporting"))
    assert response.status_code == 200
    tasks = [item["task"] for item in response.context["tasks"]]
    assert tasks
    assert {task.unit.code for task in tasks} == {"440402001001"}
