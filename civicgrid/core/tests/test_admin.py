"""The core admin: holidays editable (and audited), the audit trail searchable and read-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from civicgrid.core.audit import audit_record
from civicgrid.core.models import AuditRecord, CalendarDay

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:core_auditrecord_changelist"


@pytest.fixture
def records() -> list[AuditRecord]:
    return [
        audit_record(
            actor=None,
            action="appeal.assign",
            target_type="appeals.appeal",
            target_id="A-2026-0001",
            target_repr="噪音扰民",
            admin_unit_code="440402",
        ),
        audit_record(
            actor=None,
            action="person.reveal",
            target_type="registry.person",
            target_id="77",
            target_repr="张*",
            admin_unit_code="440403",
            purpose="核实低保申请",
        ),
    ]


def listed_ids(response: Any) -> list[int]:
    return sorted(obj.pk for obj in response.context["cl"].result_list)


def test_superuser_sees_the_list(admin_client: Client, records: list[AuditRecord]) -> None:
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert listed_ids(response) == sorted(record.pk for record in records)
    assert b"delete_selected" not in response.content
    assert reverse("admin:core_auditrecord_add") not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected_index"),
    [
        ("A-2026-0001", [0]),
        ("person.reveal", [1]),
        ("registry", [1]),
        ("噪音", [0]),
        ("440403", [1]),
        ("system", [0, 1]),
        ("nothing-like-this", []),
    ],
)
def test_search(
    admin_client: Client, records: list[AuditRecord], query: str, expected_index: list[int]
) -> None:
    response = admin_client.get(reverse(CHANGELIST), {"q": query})
    assert response.status_code == 200
    assert listed_ids(response) == sorted(records[index].pk for index in expected_index)


def test_filter_by_action_and_date(admin_client: Client, records: list[AuditRecord]) -> None:
    response = admin_client.get(reverse(CHANGELIST), {"action": "person.reveal"})
    assert listed_ids(response) == [records[1].pk]
    today = records[0].at
    response = admin_client.get(
        reverse(CHANGELIST), {"at__year": today.year, "at__month": today.month}
    )
    assert response.status_code == 200


def test_add_change_delete_are_refused(admin_client: Client, records: list[AuditRecord]) -> None:
    record = records[0]
    before = list(AuditRecord.objects.values_list("id", "action", "target_repr"))
    assert admin_client.get(reverse("admin:core_auditrecord_add")).status_code == 403
    add_url = reverse("admin:core_auditrecord_add")
    assert admin_client.post(add_url, {"action": "x"}).status_code == 403
    change_url = reverse("admin:core_auditrecord_change", args=[record.pk])
    view = admin_client.get(change_url)
    assert view.status_code == 200
    assert b'name="_save"' not in view.content
    assert "噪音扰民" in view.content.decode()
    assert admin_client.post(change_url, {"action": "tampered"}).status_code == 403
    delete_url = reverse("admin:core_auditrecord_delete", args=[record.pk])
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [record.pk]}
    )
    assert bulk.status_code in {200, 302}
    assert list(AuditRecord.objects.values_list("id", "action", "target_repr")) == before


def test_staff_needs_the_view_permission(
    make_user: Callable[..., Any], records: list[AuditRecord]
) -> None:
    staff = make_user(username="auditor", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse(CHANGELIST)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_auditrecord"))
    staff = type(staff).objects.get(pk=staff.pk)  # drop the permission cache
    client.force_login(staff)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert len(listed_ids(response)) == 2
    # Even a user given every model permission cannot change or delete a record.
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_auditrecord"))
    client.force_login(type(staff).objects.get(pk=staff.pk))
    change_url = reverse("admin:core_auditrecord_change", args=[records[0].pk])
    assert client.post(change_url, {"action": "tampered"}).status_code == 403
    assert AuditRecord.objects.get(pk=records[0].pk).action == "appeal.assign"


def test_calendar_day_admin_lists_filters_and_audits(admin_client: Client) -> None:
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), is_working_day=False, name="国庆节")
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, name="元旦")
    url = reverse("admin:core_calendarday_changelist")
    response = admin_client.get(url, {"year": "2027"})
    assert response.status_code == 200
    assert [day.name for day in response.context["cl"].result_list] == ["元旦"]
    response = admin_client.get(url, {"q": "国庆"})
    assert [day.name for day in response.context["cl"].result_list] == ["国庆节"]
    response = admin_client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2027-02-06", "is_working_day": "on", "name": "春节"},
    )
    assert response.status_code == 302
    created = CalendarDay.objects.get(date=dt.date(2027, 2, 6))
    assert created.is_working_day is True
    audit = AuditRecord.objects.get(action="calendar.day.add")
    assert (audit.target_type, audit.target_id, audit.actor_username) == (
        "core.calendarday",
        str(created.pk),
        "admin",
    )


def test_calendar_year_admin_is_reachable(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:core_calendaryear_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_calendaryear_add")).status_code == 200
