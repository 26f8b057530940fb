"""Citizens follow and rate their appeal with number + query code, without an account."""

from __future__ import annotations

from typing import Any

import pytest

from civicgrid.appeals import services
from civicgrid.appeals.models import AppealStatus
from civicgrid.appeals.selectors import appeal_for_citizen
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from .test_workflow import _full_walk

pytestmark = pytest.mark.django_db


def _web_appeal() -> tuple[Any, str]:
    appeal, code = services.appeal_accept(
        actor=None,
        channel="web",
        appeal_type="complaint",
        title="路灯不亮",
        text="小区东门路灯坏了一周。",
        lon=2,
        lat=5,
    )
    assert code is not None
    return appeal, code


def test_number_and_code_open_the_appeal_and_nothing_else(staff: Any) -> None:
    appeal, code = _web_appeal()
    assert appeal_for_citizen(appeal.number, code) == appeal
    assert appeal_for_citizen(f" {appeal.number} ", f"{code} ") == appeal
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert appeal_for_citizen(appeal.number, wrong) is None
    assert appeal_for_citizen("440420260929999999", code) is None
    assert appeal_for_citizen("", "") is None


def test_unsatisfied_citizen_rates_and_reopens(staff: Any, territory: Any) -> None:
    appeal, code = _web_appeal()
    with pytest.raises(PermissionDeniedError):
        services.appeal_rate_by_citizen(
            number=appeal.number, query_code="000000x", satisfaction="satisfied"
        )
    appeal = _full_walk(appeal, staff, territory)
    with pytest.raises(DomainError) as caught:
        services.appeal_rate_by_citizen(
            number=appeal.number, query_code=code, satisfaction="satisfied", reopen=True
        )
    assert caught.value.field == "reopen"
    appeal = services.appeal_rate_by_citizen(
        number=appeal.number,
        query_code=code,
        satisfaction="unsatisfied",
        comment="路灯还是不亮",
        reopen=True,
    )
    assert (appeal.status, appeal.satisfaction, appeal.reopen_count) == (
        AppealStatus.DISPATCHED,
        "unsatisfied",
        1,
    )
    kinds = list(appeal.events.values_list("kind", "actor", "note"))
    assert kinds[-2:] == [
        ("citizen_rating", None, "路灯还是不亮"),
        ("reopen", None, "路灯还是不亮"),
    ]


def test_rating_before_the_reply_is_refused(staff: Any) -> None:
    appeal, code = _web_appeal()
    with pytest.raises(ConflictError):
        services.appeal_rate_by_citizen(
            number=appeal.number, query_code=code, satisfaction="satisfied"
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED


def test_public_appeals_hide_confidential_and_cancelled(staff: Any, accept: Any) -> None:
    from civicgrid.appeals.selectors import appeals_public

    shown = accept()
    secret = accept(is_confidential=True)
    cancelled = accept()
    services.appeal_cancel(
        actor=staff["xz_dispatcher"], appeal=cancelled, expected_version=1, reason="测试电话"
    )
    assert list(appeals_public().values_list("number", flat=True)) == [shown.number]
    assert secret.number != shown.number


def test_sweep_command_prints_one_json_line(accept: Any) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    accept()  # handling deadline 2026-10-19
    out = StringIO()
    call_command("appeals", "sweep", "--today", "2026-10-20", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["checked"], figures["red"], figures["opened"]) == (1, 1, 1)
