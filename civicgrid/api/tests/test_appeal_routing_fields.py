"""The appeal API detail shows the routing suggestions (read-only) to staff, not to citizens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.tests.conftest import accept, staff  # noqa: F401

from .conftest import client_for

pytestmark = pytest.mark.django_db

SUGGESTIONS = [
    {
        "department": "doumen-government",
        "name": "斗门区政府",
        "confidence": 0.91,
        "source": "model",
    },
    {"department": "city-civil-affairs", "name": "市民政局", "confidence": 0.05, "source": "model"},
]


def test_staff_see_suggestions_and_the_auto_flag_read_only(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, User],  # noqa: F811
) -> None:
    appeal = accept()
    Appeal.objects.filter(pk=appeal.pk).update(
        routing_suggestions=SUGGESTIONS, is_auto_dispatched=True
    )
    client = client_for(staff["xz_dispatcher"])
    body = client.get(f"/api/appeals/{appeal.number}/").json()
    assert body["routing_suggestions"] == SUGGESTIONS
    assert body["is_auto_dispatched"] is True
    client.patch(
        f"/api/appeals/{appeal.number}/",
        {"routing_suggestions": [], "is_auto_dispatched": False},
        content_type="application/json",
    )
    appeal.refresh_from_db()
    assert (appeal.routing_suggestions, appeal.is_auto_dispatched) == (SUGGESTIONS, True)
    assert appeal.status == AppealStatus.ACCEPTED


def test_citizens_get_no_suggestions(
    accept: Callable[..., Appeal],  # noqa: F811
    make_user: Callable[..., User],
) -> None:
    citizen = make_user(Role.CITIZEN, username="citizen-r")
    appeal = accept(actor=None, channel="web", citizen=citizen)
    Appeal.objects.filter(pk=appeal.pk).update(routing_suggestions=SUGGESTIONS)
    body = client_for(citizen).get(f"/api/appeals/{appeal.number}/").json()
    assert body["routing_suggestions"] == []
