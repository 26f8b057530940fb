"""Routing suggestions on the staff pages: queue and detail, one-click dispatch, prefill."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import Appeal, AppealSettings, AppealStatus, Assignment
from civicgrid.appeals.services.routing import router_train
from civicgrid.appeals.tests.conftest import accept, staff  # noqa: F401
from civicgrid.appeals.tests.routing_data import make_answered_appeals, var_dir  # noqa: F401

from .test_appeals_staff import client_for, detail_url, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("var_dir")]


@pytest.fixture
def routed(territory: Any, accept: Callable[..., Appeal]) -> Appeal:  # noqa: F811
    make_answered_appeals(territory)
    router_train(actor=None)
    settings_row = AppealSettings.load()
    settings_row.auto_dispatch_threshold = 1.0
    settings_row.save()
    appeal = accept(title="工地半夜噪音扰民", text="楼下工地半夜噪音扰民，噪声太大睡不着。")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED
    return appeal


def _post(user: Any, appeal: Appeal, code: str, next_url: str = "") -> Any:
    return client_for(user).post(
        reverse("web:appeal_dispatch_suggestion", kwargs={"number": appeal.number}),
        {"department": code, "expected_version": appeal.version, "next": next_url},
    )


def test_queue_shows_the_top_three_with_confidence(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    response = client_for(staff["xz_dispatcher"]).get(reverse("web:appeal_queue"))
    page = text_of(response)
    assert 'data-testid="routing-suggestions"' in page
    top = routed.routing_suggestions[0]
    percent = round(top["confidence"] * 100)
    assert f"{top['name']}</span>" in page
    assert f"{percent}%" in page
    assert page.count('data-testid="dispatch-suggestion"') == 3


def test_queue_query_count_does_not_grow_with_suggestions(
    routed: Appeal,
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    django_assert_max_num_queries: Any,
) -> None:
    for index in range(10):
        accept(title=f"路灯坏了很久没修{index}", text="小区路灯坏了很久没修，影响夜间出行。")
    client = client_for(staff["xz_dispatcher"])
    client.get(reverse("web:appeal_queue"))
    with django_assert_max_num_queries(13):  # the same budget as the other list pages
        response = client.get(reverse("web:appeal_queue"))
    assert text_of(response).count('data-testid="routing-suggestions"') == 11


def test_one_click_dispatch_by_the_dispatcher(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    queue = reverse("web:appeal_queue")
    response = _post(staff["xz_dispatcher"], routed, "xiangzhou-government", queue)
    assert response.status_code == 302
    assert response["Location"] == queue
    routed.refresh_from_db()
    assert routed.status == AppealStatus.DISPATCHED
    assert routed.lead_department == territory.xz_government
    assert routed.is_auto_dispatched is False
    assert routed.events.filter(kind="dispatch").count() == 1


def test_one_click_dispatch_ignores_a_foreign_next_url(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    response = _post(staff["xz_dispatcher"], routed, "xiangzhou-government", "https://evil.test/")
    assert response["Location"] == detail_url(routed)
    routed.refresh_from_db()
    assert routed.status == AppealStatus.DISPATCHED


def test_one_click_dispatch_to_a_department_out_of_sight_changes_nothing(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    response = _post(staff["xz_dispatcher"], routed, "doumen-government")
    assert response.status_code == 302
    routed.refresh_from_db()
    assert (routed.status, routed.version) == (AppealStatus.ACCEPTED, 1)


@pytest.mark.parametrize(
    ("who", "status"),
    [("dm_dispatcher", 404), ("xz_staff", 404), ("operator", 403), ("supervisor", 403)],
)
def test_one_click_dispatch_refused_changes_nothing(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
    who: str,
    status: int,
) -> None:
    response = _post(staff[who], routed, "doumen-government")
    assert response.status_code == status
    routed.refresh_from_db()
    assert (routed.status, routed.version, routed.lead_department_id) == (
        AppealStatus.ACCEPTED,
        1,
        None,
    )
    assert not Assignment.objects.filter(appeal=routed).exists()


def test_one_click_dispatch_with_a_stale_version_changes_nothing(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    routed.version = 7
    response = _post(staff["xz_dispatcher"], routed, "xiangzhou-government")
    assert response.status_code == 302
    routed.refresh_from_db()
    assert (routed.status, routed.version) == (AppealStatus.ACCEPTED, 1)


def test_detail_shows_suggestions_and_prefills_the_dispatch_form(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    client = client_for(staff["xz_dispatcher"])
    page = text_of(client.get(detail_url(routed)))
    assert 'data-testid="routing-suggestions"' in page
    assert "?dispatch_to=city-civil-affairs#step-dispatch" in page
    prefilled = text_of(client.get(detail_url(routed), {"dispatch_to": "city-civil-affairs"}))
    assert f'<option value="{territory.civil_affairs.pk}" selected>' in prefilled


def test_department_staff_see_no_dispatch_buttons(
    routed: Appeal,
    staff: dict[str, Any],  # noqa: F811
    make_user: Callable[..., Any],
    territory: Any,
) -> None:
    supervisor = make_user(Role.SUPERVISOR, scope_unit=territory.city, username="sup-2")
    page = text_of(client_for(supervisor).get(detail_url(routed)))
    assert 'data-testid="routing-suggestions"' in page
    assert 'data-testid="dispatch-suggestion"' not in page
