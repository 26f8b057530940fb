"""Routing suggestions stored at intake and the automatic dispatch (自动派单)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealSettings,
    AppealStatus,
    Assignment,
    Category,
    ResponsibilityRule,
)
from civicgrid.appeals.services.routing import router_train

from .routing_data import make_answered_appeals, var_dir  # noqa: F401

pytestmark = pytest.mark.usefixtures("var_dir")

NOISE_TITLE = "工地半夜噪音扰民"
NOISE_TEXT = "楼下工地半夜噪音扰民，噪声太大睡不着。"


@pytest.fixture
def trained(territory: Any) -> Any:
    make_answered_appeals(territory)
    return router_train(actor=None).router


def _settings(*, threshold: float, enabled: bool = True) -> None:
    row = AppealSettings.load()
    row.auto_dispatch_threshold = threshold
    row.is_auto_dispatch_enabled = enabled
    row.save()


def _noise(accept: Callable[..., Appeal], **overrides: Any) -> Appeal:
    appeal = accept(title=NOISE_TITLE, text=NOISE_TEXT, **overrides)
    appeal.refresh_from_db()
    return appeal


def test_without_a_router_or_catalogue_nothing_is_stored(
    territory: Any, accept: Callable[..., Appeal]
) -> None:
    appeal = _noise(accept)
    assert appeal.routing_suggestions == []
    assert appeal.status == AppealStatus.ACCEPTED


def test_without_a_router_only_the_catalogue_answer_is_stored_and_nothing_dispatched(
    territory: Any, accept: Callable[..., Appeal]
) -> None:
    _settings(threshold=0.1)
    category = Category.objects.create(code="noise", name="噪音")
    ResponsibilityRule.objects.create(
        category=category, admin_unit=territory.xiangzhou, lead_department=territory.xz_government
    )
    appeal = _noise(accept, category=category)
    assert appeal.routing_suggestions == [
        {
            "department": "xiangzhou-government",
            "name": "香洲区政府",
            "confidence": 0.8,
            "source": "catalogue",
        }
    ]
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.is_auto_dispatched is False


def test_the_router_suggests_three_departments_surest_first(
    trained: Any, accept: Callable[..., Appeal]
) -> None:
    _settings(threshold=1.0)  # nothing is that sure
    appeal = _noise(accept)
    suggestions = appeal.routing_suggestions
    assert suggestions[0]["department"] == "doumen-government"
    assert sorted(s["department"] for s in suggestions) == [
        "city-civil-affairs",
        "doumen-government",
        "xiangzhou-government",
    ]
    assert suggestions[0]["name"] == "斗门区政府"
    assert {s["source"] for s in suggestions} == {"model"}
    confidences = [s["confidence"] for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert 0.5 < confidences[0] <= 5 / 6
    assert appeal.status == AppealStatus.ACCEPTED
    assert not AppealEvent.objects.filter(appeal=appeal, kind="auto_dispatch").exists()


def test_auto_dispatch_above_the_threshold_writes_the_event(
    trained: Any, accept: Callable[..., Appeal], territory: Any
) -> None:
    _settings(threshold=0.5)
    appeal = _noise(accept)
    assert appeal.status == AppealStatus.DISPATCHED
    assert appeal.is_auto_dispatched is True
    assert appeal.lead_department == territory.dm_government
    assert appeal.version == 2
    event = AppealEvent.objects.get(appeal=appeal, kind="auto_dispatch")
    assert event.actor is None
    assert (event.from_status, event.to_status) == ("accepted", "dispatched")
    assert event.department == territory.dm_government
    assert event.details == {
        "cooperating": [],
        "confidence": appeal.routing_suggestions[0]["confidence"],
        "source": "model",
        "router": trained.pk,
        "threshold": 0.5,
    }
    assert list(Assignment.objects.filter(appeal=appeal).values_list("department", "role")) == [
        (territory.dm_government.pk, "lead")
    ]


def test_no_auto_dispatch_just_below_the_threshold(
    trained: Any, accept: Callable[..., Appeal]
) -> None:
    _settings(threshold=1.0)
    probe = _noise(accept)
    _settings(threshold=probe.routing_suggestions[0]["confidence"] + 0.0001)
    appeal = _noise(accept)
    assert appeal.routing_suggestions == probe.routing_suggestions
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.is_auto_dispatched is False
    _settings(threshold=probe.routing_suggestions[0]["confidence"])
    assert _noise(accept).status == AppealStatus.DISPATCHED  # "at least" the threshold


def test_the_disabled_switch_stops_auto_dispatch(
    trained: Any, accept: Callable[..., Appeal]
) -> None:
    _settings(threshold=0.1, enabled=False)
    appeal = _noise(accept)
    assert appeal.routing_suggestions[0]["department"] == "doumen-government"
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.is_auto_dispatched is False


def test_legacy_imports_and_the_demo_walk_are_never_auto_dispatched(
    trained: Any, accept: Callable[..., Appeal]
) -> None:
    _settings(threshold=0.1)
    imported = _noise(accept, channel="import")
    assert imported.routing_suggestions[0]["department"] == "doumen-government"
    assert imported.status == AppealStatus.ACCEPTED
    walked = _noise(accept, auto_dispatch=False)
    assert walked.status == AppealStatus.ACCEPTED
    assert AppealEvent.objects.filter(kind="auto_dispatch").count() == 0


def test_an_inactive_department_is_neither_suggested_nor_dispatched_to(
    trained: Any, accept: Callable[..., Appeal], territory: Any
) -> None:
    _settings(threshold=0.1)
    territory.dm_government.is_active = False
    territory.dm_government.save()
    from civicgrid.appeals.routing.active import invalidate_active_router

    invalidate_active_router()  # department names and states are cached with the router
    appeal = _noise(accept)
    assert "doumen-government" not in [s["department"] for s in appeal.routing_suggestions]
    assert appeal.status == AppealStatus.ACCEPTED


def test_catalogue_and_router_agreeing_raise_the_confidence(
    trained: Any, accept: Callable[..., Appeal], territory: Any
) -> None:
    _settings(threshold=1.0)
    plain = _noise(accept).routing_suggestions[0]["confidence"]
    category = Category.objects.create(code="noise", name="噪音")
    ResponsibilityRule.objects.create(
        category=category, admin_unit=territory.xiangzhou, lead_department=territory.dm_government
    )
    top = _noise(accept, category=category).routing_suggestions[0]
    assert top["department"] == "doumen-government"
    assert top["source"] == "catalogue"
    assert top["confidence"] == round(0.8 + 0.2 * plain, 4)


def test_the_catalogue_alone_never_auto_dispatches_against_the_router(
    trained: Any, accept: Callable[..., Appeal], territory: Any
) -> None:
    _settings(threshold=0.5)
    category = Category.objects.create(code="noise", name="噪音")
    ResponsibilityRule.objects.create(
        category=category, admin_unit=territory.xiangzhou, lead_department=territory.civil_affairs
    )
    appeal = _noise(accept, category=category)
    assert appeal.routing_suggestions[0]["department"] == "city-civil-affairs"
    assert appeal.routing_suggestions[0]["confidence"] >= 0.8
    assert appeal.status == AppealStatus.ACCEPTED


def test_the_suggestions_are_written_with_the_appeal_and_the_dispatch_follows_it(
    trained: Any, accept: Callable[..., Appeal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The routing plan is made before the appeal takes its number; a dispatch that then fails
    (refused by the workflow, or in the database) leaves the accepted appeal in the queue."""
    from django.db import DatabaseError

    from civicgrid.appeals.services import workflow

    _settings(threshold=0.5)
    real_dispatch = workflow.appeal_auto_dispatch
    seen: list[tuple[str, list[dict[str, Any]]]] = []

    def failing(**kwargs: Any) -> Appeal:
        stored = Appeal.objects.get(pk=kwargs["appeal"].pk)
        seen.append((stored.status, stored.routing_suggestions))
        raise DatabaseError("connection lost")

    monkeypatch.setattr(workflow, "appeal_auto_dispatch", failing)
    appeal = _noise(accept)
    assert seen == [("accepted", appeal.routing_suggestions)]
    assert appeal.routing_suggestions[0]["department"] == "doumen-government"
    assert appeal.status == AppealStatus.ACCEPTED
    assert appeal.version == 1
    assert not Assignment.objects.filter(appeal=appeal).exists()

    def department_gone(**kwargs: Any) -> Appeal:
        kwargs["department"].is_active = False
        return real_dispatch(**kwargs)

    monkeypatch.setattr(workflow, "appeal_auto_dispatch", department_gone)
    refused = _noise(accept)
    assert refused.status == AppealStatus.ACCEPTED
    assert refused.routing_suggestions == appeal.routing_suggestions
    assert [e.kind for e in AppealEvent.objects.filter(appeal=refused)] == ["accept"]
