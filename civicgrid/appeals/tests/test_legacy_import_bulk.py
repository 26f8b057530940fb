"""The bulk writing behind the legacy import: day blocks of appeal numbers, rows prepared once
per kind of value, appeals spread over several batches, and the values an imported appeal gets
from its model defaults."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealNumberSequence,
    Assignment,
    Category,
    Urgency,
)
from civicgrid.appeals.services import legacy_import
from civicgrid.appeals.services.bulk_rows import RowWriter
from civicgrid.appeals.services.legacy_import import legacy_appeals_import
from civicgrid.appeals.services.numbers import appeal_number, appeal_numbers_reserve_days

SH = ZoneInfo("Asia/Shanghai")
HEADER = ["原编号", "受理时间", "类型", "分类", "内容", "经度", "纬度", "承办单位", "状态"]
HEADER += ["答复时间", "答复内容", "满意度", "办结时间"]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(reference: str, received: str, status: str = "已受理", **extra: str) -> list[str]:
    department = "香洲区政府" if status != "已受理" else ""
    replied = extra.get("replied", "")
    return [
        reference,
        received,
        "投诉",
        "urban",
        f"{reference} 的诉求内容",
        extra.get("lon", "2"),
        extra.get("lat", "5"),
        department,
        status,
        replied,
        "已处理。" if replied else "",
        extra.get("satisfaction", ""),
        extra.get("closed", ""),
    ]


@pytest.fixture
def urban(territory: Any) -> Category:
    return Category.objects.create(code="urban", name="城市管理")


@pytest.mark.django_db
def test_day_blocks_continue_existing_counters_and_start_missing_ones() -> None:
    AppealNumberSequence.objects.create(city_code="4404", day=dt.date(2025, 3, 4), last=5)
    first = appeal_numbers_reserve_days(
        city_code="4404",
        counts={dt.date(2025, 3, 4): 3, dt.date(2025, 3, 5): 2, dt.date(2025, 3, 6): 0},
    )
    assert first == {dt.date(2025, 3, 4): 6, dt.date(2025, 3, 5): 1}
    assert list(
        AppealNumberSequence.objects.order_by("day").values_list("city_code", "day", "last")
    ) == [("4404", dt.date(2025, 3, 4), 8), ("4404", dt.date(2025, 3, 5), 2)]
    again = appeal_numbers_reserve_days(city_code="4404", counts={dt.date(2025, 3, 5): 4})
    assert again == {dt.date(2025, 3, 5): 3}
    assert AppealNumberSequence.objects.get(day=dt.date(2025, 3, 5)).last == 6
    assert appeal_number("4404", dt.date(2025, 3, 5), 3) == "440420250305000003"
    assert appeal_numbers_reserve_days(city_code="4404", counts={}) == {}


def _plain(value: Any) -> Any:
    """A prepared JSON value without PostgreSQL's wrapper (which compares by identity)."""
    return getattr(value, "obj", value)


@pytest.mark.django_db
def test_row_writer_prepares_values_as_their_fields_do() -> None:
    writer = RowWriter(AppealEvent, ["at", "details"], now=timezone.now())
    at_field = AppealEvent._meta.get_field("at")
    details_field = AppealEvent._meta.get_field("details")
    moments = [
        dt.datetime(2025, 3, 4, 9, 15, tzinfo=SH),
        dt.datetime(2025, 3, 4, 23, 59, 59, 123456, tzinfo=SH),
        dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC),
        dt.datetime(2025, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    ]
    for moment in moments:
        details = {"source": "legacy", "source_reference": "OLD-1"}
        prepared = writer.prepare([moment, details])
        assert prepared[0] == at_field.get_db_prep_save(moment, connection)
        assert _plain(prepared[1]) == _plain(details_field.get_db_prep_save(details, connection))
    # The same mapping again comes from the memo and is still the same value.
    expected = _plain(details_field.get_db_prep_save({"source": "legacy"}, connection))
    assert _plain(writer.prepare([moments[0], {"source": "legacy"}])[1]) == expected
    assert _plain(writer.prepare([moments[0], {"source": "legacy"}])[1]) == expected


def test_numbers_follow_received_times_across_batches_and_continue_the_day(
    urban: Category, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy_import, "BATCH_SIZE", 2)
    AppealNumberSequence.objects.create(city_code="4404", day=dt.date(2025, 3, 4), last=7)
    rows = [
        _row("OLD-A", "2025-03-04 15:00", "已派单"),
        _row("OLD-B", "2025-03-04 09:00"),
        _row("OLD-C", "2025-03-05 10:00", "已作废", closed="2025-03-05 12:00"),
        _row(
            "OLD-D",
            "2025-03-04 12:00",
            "已办结",
            replied="2025-03-05 09:00",
            satisfaction="满意",
            closed="2025-03-06 10:00",
        ),
        _row("OLD-E", "2025-03-04 09:00", lon="", lat=""),
    ]
    report = legacy_appeals_import(actor=None, content=_csv(rows), file_name="old.csv")
    assert report.errors == []
    assert report.imported == 5
    numbers = dict(Appeal.objects.values_list("source_reference", "number"))
    assert numbers == {
        "OLD-B": "440420250304000008",  # 09:00, row 3
        "OLD-E": "440420250304000009",  # 09:00, row 6
        "OLD-D": "440420250304000010",
        "OLD-A": "440420250304000011",
        "OLD-C": "440420250305000001",
    }
    assert AppealNumberSequence.objects.get(day=dt.date(2025, 3, 4)).last == 11
    events = {
        reference: list(
            AppealEvent.objects.filter(appeal__source_reference=reference)
            .order_by("at", "id")
            .values_list("kind", "details__source_reference")
        )
        for reference in numbers
    }
    assert events == {
        "OLD-A": [("import", "OLD-A"), ("dispatch", None)],
        "OLD-B": [("import", "OLD-B")],
        "OLD-C": [("import", "OLD-C"), ("cancel", None)],
        "OLD-D": [
            ("import", "OLD-D"),
            ("dispatch", None),
            ("sign_for", None),
            ("reply", None),
            ("follow_up", None),
            ("close", None),
        ],
        "OLD-E": [("import", "OLD-E")],
    }
    assert sorted(
        Assignment.objects.values_list("appeal__source_reference", "department__code", "is_open")
    ) == [
        ("OLD-A", "xiangzhou-government", True),
        ("OLD-C", "xiangzhou-government", False),
        ("OLD-D", "xiangzhou-government", False),
    ]
    follow_up = AppealEvent.objects.get(appeal__source_reference="OLD-D", kind="follow_up")
    assert follow_up.details == {"source": "legacy", "satisfaction": "satisfied"}
    assert follow_up.at == dt.datetime(2025, 3, 6, 10, 0, tzinfo=SH)
    cancel = AppealEvent.objects.get(appeal__source_reference="OLD-C", kind="cancel")
    assert (cancel.from_status, cancel.to_status, cancel.department_id) == (
        "accepted",
        "cancelled",
        None,
    )
    assert Appeal.objects.get(source_reference="OLD-E").admin_unit_code == "4404"


def test_imported_appeal_gets_the_model_defaults_and_the_administrator(
    urban: Category, make_user: Any
) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    before = timezone.now()
    report = legacy_appeals_import(
        actor=admin,
        content=_csv([_row("OLD-1", "2025-03-04 09:15", "已派单")]),
        file_name="old.csv",
    )
    assert report.imported == 1
    appeal = Appeal.objects.get(source_reference="OLD-1")
    assert (appeal.urgency, appeal.version, appeal.reopen_count) == (Urgency.NORMAL, 1, 0)
    assert (appeal.is_confidential, appeal.is_public_consent, appeal.is_auto_dispatched) == (
        False,
        False,
        False,
    )
    assert (appeal.routing_suggestions, appeal.idempotency_key, appeal.merged_into) == (
        [],
        None,
        None,
    )
    assert (appeal.suspended_on, appeal.suspended_working_days, appeal.citizen) == (None, 0, None)
    assert appeal.created_by == admin
    assert before <= appeal.created_at == appeal.updated_at <= timezone.now()
    assert appeal.signed_at is None
    assert appeal.sign_for_deadline == dt.date(2025, 3, 5)  # default: 1 working day
    assert set(appeal.events.values_list("actor", flat=True)) == {admin.pk}
    event = appeal.events.get(kind="dispatch")
    assert (event.department_id, event.note) == (appeal.lead_department_id, "")
    assert appeal.lead_department is not None
    assert appeal.lead_department.code == "xiangzhou-government"
    assignment = Assignment.objects.get(appeal=appeal)
    assert (assignment.role, assignment.is_open, assignment.closed_reason) == ("lead", True, "")
    assert before <= assignment.created_at <= timezone.now()
