"""Appeal numbers at intake (工单编号): gapless and unique per city and day, the query code
hashed with the number the appeal got, and on PostgreSQL one statement that takes the number
and writes the appeal with its accept event (the counter row is locked only while it runs)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.appeals import querycodes, services
from civicgrid.appeals.models import Appeal, AppealEvent, AppealNumberSequence, Category
from civicgrid.appeals.services import intake
from civicgrid.appeals.services.intake import query_code_matches
from civicgrid.appeals.services.numbers import appeal_numbers_reserve

from .conftest import TODAY

pytestmark = pytest.mark.django_db

DAY = f"4404{TODAY:%Y%m%d}"


def _accept_with_code(accept_values: dict[str, Any], **overrides: Any) -> tuple[Appeal, str]:
    appeal, code = services.appeal_accept(**{**accept_values, **overrides})
    assert code is not None
    return appeal, code


@pytest.fixture
def values(staff: dict[str, Any]) -> dict[str, Any]:
    return {
        "actor": staff["operator"],
        "channel": "hotline",
        "appeal_type": "complaint",
        "title": "路灯不亮",
        "text": "紫荆路的路灯坏了一周。",
        "lon": 2,
        "lat": 5,
    }


def _counter() -> int:
    return AppealNumberSequence.objects.get(city_code="4404", day=TODAY).last


@pytest.mark.parametrize("attempts", [intake.NUMBER_ATTEMPTS, 0])
def test_numbers_follow_the_counter_and_the_query_code_fits_the_number(
    values: dict[str, Any], monkeypatch: pytest.MonkeyPatch, attempts: int
) -> None:
    """The same numbers whether the one statement takes them (PostgreSQL) or the counter is
    locked first (SQLite, or PostgreSQL after misses: ``attempts`` 0)."""
    monkeypatch.setattr(intake, "NUMBER_ATTEMPTS", attempts)
    made = [_accept_with_code(values, title=f"路灯不亮{n}") for n in range(3)]
    assert [appeal.number for appeal, _code in made] == [f"{DAY}00000{n}" for n in (1, 2, 3)]
    for appeal, code in made:
        stored = Appeal.objects.get(pk=appeal.pk)
        assert stored.number == appeal.number
        assert query_code_matches(stored, code)
        assert not query_code_matches(stored, "000000" if code != "000000" else "000001")
        event = AppealEvent.objects.get(appeal=stored)
        assert (event.kind, event.to_status, event.actor) == ("accept", "accepted", values["actor"])
        assert event.pk == appeal.events.all()[0].pk
    assert _counter() == 3


def test_a_counter_moved_far_by_others_is_followed_without_a_gap(values: dict[str, Any]) -> None:
    """Another process (here a block reserved by a legacy import) moved the counter beyond
    the numbers this process would offer: the next appeal still gets the very next number."""
    first, _code = _accept_with_code(values)
    reserved = appeal_numbers_reserve(
        city_code="4404", day=TODAY, count=intake.NUMBER_WINDOW_MAX * 2
    )
    appeal, code = _accept_with_code(values)
    assert reserved[-1] == f"{DAY}{1 + intake.NUMBER_WINDOW_MAX * 2:06d}"
    assert appeal.number == f"{DAY}{2 + intake.NUMBER_WINDOW_MAX * 2:06d}"
    assert query_code_matches(Appeal.objects.get(pk=appeal.pk), code)
    assert _counter() == 2 + intake.NUMBER_WINDOW_MAX * 2
    assert first.number == f"{DAY}000001"


def test_a_lost_idempotency_race_takes_no_number(
    values: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent submission with the same key is written between this one's check and its
    write: this one returns the winner and leaves no gap in the day's numbers."""
    real_plan = intake.routing_plan
    raced: list[Appeal] = []

    def plan_while_the_other_submission_lands(**kwargs: Any) -> Any:
        if not raced:
            raced.append(Appeal())  # the competing call below plans normally
            winner, _code = services.appeal_accept(**values, idempotency_key="same-key")
            raced[0] = winner
        return real_plan(**kwargs)

    monkeypatch.setattr(intake, "routing_plan", plan_while_the_other_submission_lands)
    appeal, code = services.appeal_accept(**values, idempotency_key="same-key")
    assert code is None
    assert appeal.pk == raced[0].pk
    assert appeal.number == f"{DAY}000001"
    assert Appeal.objects.count() == 1
    assert _counter() == 1
    monkeypatch.setattr(intake, "routing_plan", real_plan)
    assert _accept_with_code(values)[0].number == f"{DAY}000002"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_writes_are_one_statement(values: dict[str, Any]) -> None:
    """No BEGIN, no savepoint, no COMMIT round trip: the number, the appeal and its event in
    one statement that is its own transaction."""
    _accept_with_code(values)  # the day's counter exists
    with CaptureQueriesContext(connection) as queries:
        appeal, code = _accept_with_code(values)
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1
    assert writes[0].startswith("WITH taken AS (UPDATE")
    assert appeal.number == f"{DAY}000002"
    assert query_code_matches(Appeal.objects.get(pk=appeal.pk), code)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_gapless_unique_numbers(values: dict[str, Any]) -> None:
    threads_count, each = 6, 5
    codes: dict[str, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def work(n: int) -> None:
        try:
            start.wait()
            for k in range(each):
                appeal, code = _accept_with_code(values, title=f"路灯不亮{n}-{k}")
                codes[appeal.number] = code
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    total = threads_count * each
    assert sorted(codes) == [f"{DAY}{n:06d}" for n in range(1, total + 1)]
    assert _counter() == total
    assert AppealEvent.objects.filter(kind="accept").count() == total
    for appeal in Appeal.objects.all():
        assert query_code_matches(appeal, codes[appeal.number])


def test_the_one_statement_writes_the_rows_model_save_writes(
    values: dict[str, Any], monkeypatch: pytest.MonkeyPatch, territory: Any
) -> None:
    """Every column as ``Model.save`` (the locked path) writes it, the empty ones included."""
    category = Category.objects.create(code="lights", name="路灯")
    extra = {
        "category": category,
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
        "address": "紫荆路",
        "is_confidential": True,
        "urgency": "urgent",
    }
    by_statement, _code = _accept_with_code(values, idempotency_key="k-1", **extra)
    monkeypatch.setattr(intake, "NUMBER_ATTEMPTS", 0)
    by_save, _code = _accept_with_code(values, idempotency_key="k-2", **extra)
    differing = {"id", "number", "query_code_hash", "idempotency_key", "created_at", "updated_at"}
    rows = [
        Appeal.objects.filter(pk=appeal.pk).values().get() for appeal in (by_statement, by_save)
    ]
    assert {k: v for k, v in rows[0].items() if k not in differing} == {
        k: v for k, v in rows[1].items() if k not in differing
    }
    assert rows[0]["category_id"] == category.pk
    assert rows[0]["lead_department_id"] is None
    assert rows[0]["idempotency_key"] == "k-1"
    events = [
        AppealEvent.objects.filter(appeal=appeal).values().get()
        for appeal in (by_statement, by_save)
    ]
    assert {k: v for k, v in events[0].items() if k not in {"id", "appeal_id", "at"}} == {
        k: v for k, v in events[1].items() if k not in {"id", "appeal_id", "at"}
    }


def test_the_window_hashes_are_the_query_code_hashes_of_its_numbers() -> None:
    prefix = DAY
    hashes = querycodes.query_code_hashes(prefix, range(7, 12), " 042917 ")
    assert hashes == [
        querycodes.query_code_hash(f"{prefix}{n:06d}", "042917") for n in range(7, 12)
    ]


def test_the_window_widens_when_numbers_were_taken_in_between_and_shrinks_slowly() -> None:
    """Misses double it, an intake that found its number far into it widens it to twice that
    distance, quiet intakes let it shrink a little each time, within the bounds."""
    key = ("9999", TODAY)
    before = intake._window
    try:
        intake._window = intake.NUMBER_WINDOW_MIN
        intake._remember_take(*key, 5, None)
        assert intake._number_window(*key) == (5, 2 * intake.NUMBER_WINDOW_MIN)
        intake._remember_take(*key, 3, None)  # an older value never moves the start back
        assert intake._number_window(*key)[0] == 5
        intake._remember_take(*key, 60, 40)
        assert intake._number_window(*key) == (60, 88)
        intake._remember_take(*key, 61, 0)
        assert intake._number_window(*key) == (61, 88 - 88 // 64)
        for _n in range(1000):
            intake._remember_take(*key, 61, 0)
        assert intake._number_window(*key)[1] == intake.NUMBER_WINDOW_MIN
        for _n in range(20):
            intake._remember_take(*key, 61, None)
        assert intake._number_window(*key)[1] == intake.NUMBER_WINDOW_MAX
        intake._remember_take(*key, None, None)  # the day has no counter row (any more)
        assert intake._number_window(*key)[0] is None
    finally:
        intake._window = before
