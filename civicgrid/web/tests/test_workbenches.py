# ruff: noqa: F811  (pytest fixtures imported from the appeals conftest)
"""Workbenches: the shared list mechanism (filters, sort, pagination, batch lights), Excel
export (contents, masking, audit, cap), the supervisor board, the citizen's "my appeals" and
the operator's intake helpers — with permissions and query counts."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.accounts.models import Role
from civicgrid.appeals import clock
from civicgrid.appeals.models import (
    Appeal,
    AppealSettings,
    AppealStatus,
    Category,
    ExtensionRequest,
    ExtensionStatus,
    SupervisionItem,
    SupervisionLevel,
)
from civicgrid.appeals.selectors.category_suggestions import invalidate_category_model
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.core.models import AuditRecord
from civicgrid.territory.locator import invalidate_locator

from .test_appeals_staff import client_for, dispatched, numbers_in, signed, text_of


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    invalidate_category_model()
    yield
    cache.clear()
    invalidate_category_model()


def export_rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def three(accept: Callable[..., Appeal], staff: dict[str, Any], territory: Any) -> list[Appeal]:
    """香洲 complaint (accepted), 香洲 consultation (dispatched → yellow), 斗门 help."""
    first = accept(title="甲 噪音", citizen_phone="13800138000")
    second = dispatched(accept(appeal_type="consultation", title="乙 咨询"), staff, territory)
    third = accept(lon=12, lat=5, appeal_type="help", title="丙 斗门", citizen_phone="13900001234")
    return [first, second, third]


# --- List mechanism ----------


@pytest.mark.django_db
def test_sort_by_whitelisted_columns_and_headers_keep_the_filters(
    three: list[Appeal], city_admin: Any
) -> None:
    client = client_for(city_admin)
    url = reverse("web:appeal_list")
    numbers = sorted(appeal.number for appeal in three)
    assert numbers_in(client.get(url, {"sort": "number"})) == numbers
    assert numbers_in(client.get(url, {"sort": "-number"})) == numbers[::-1]
    # deadline: the dispatched one runs against its sign-for deadline (tomorrow) → first
    assert numbers_in(client.get(url, {"sort": "deadline"}))[0] == three[1].number
    # an unknown key falls back to newest first
    assert numbers_in(client.get(url, {"sort": "citizen_phone"})) == [
        three[2].number,
        three[1].number,
        three[0].number,
    ]
    html = text_of(client.get(url, {"appeal_type": "complaint", "sort": "number"}))
    assert '<a href="?appeal_type=complaint&amp;sort=-number"' in html  # toggles, keeps filter
    assert '<a href="?appeal_type=complaint&amp;sort=status"' in html


@pytest.mark.django_db
def test_filters_area_channel_search_dates_light_category(
    three: list[Appeal], city_admin: Any, territory: Any
) -> None:
    category = Category.objects.create(code="city", name="城市管理")
    child = Category.objects.create(code="city-noise", name="噪音", parent=category)
    Appeal.objects.filter(pk=three[0].pk).update(category=child)
    client = client_for(city_admin)
    url = reverse("web:appeal_list")
    assert numbers_in(client.get(url, {"area": "440403"})) == [three[2].number]
    assert numbers_in(client.get(url, {"area": "440402001", "sort": "number"})) == sorted(
        [three[0].number, three[1].number]
    )
    assert numbers_in(client.get(url, {"q": "咨询"})) == [three[1].number]
    assert numbers_in(client.get(url, {"q": three[2].number[-4:]})) == [three[2].number]
    assert numbers_in(client.get(url, {"category": category.pk})) == [three[0].number]
    assert numbers_in(client.get(url, {"channel": "web"})) == []
    assert numbers_in(client.get(url, {"light": "yellow"})) == [three[1].number]
    assert numbers_in(client.get(url, {"department": territory.xz_government.pk})) == [
        three[1].number
    ]
    assert len(numbers_in(client.get(url, {"accepted_from": "2026-09-29"}))) == 3
    assert numbers_in(client.get(url, {"accepted_to": "2026-09-28"})) == []
    # a bad value is reported on its field and filters nothing away
    response = client.get(url, {"accepted_from": "2026-13-40", "light": "purple"})
    assert response.status_code == 200
    assert len(numbers_in(response)) == 3


@pytest.mark.django_db
def test_department_staff_cannot_widen_the_inbox_with_filters(
    three: list[Appeal],
    staff: dict[str, Any],
) -> None:
    client = client_for(staff["xz_staff"])
    url = reverse("web:appeal_inbox")
    assert numbers_in(client.get(url)) == [three[1].number]
    assert numbers_in(client.get(url, {"status": "accepted"})) == []
    # 斗门区 is no choice for a department without a scope: ignored, never widening the list
    assert numbers_in(client.get(url, {"area": "440403"})) == [three[1].number]
    assert numbers_in(client.get(url, {"q": three[2].number})) == []


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_page(
    accept: Callable[..., Appeal],
    staff: dict[str, Any],
    territory: Any,
    city_admin: Any,
) -> None:
    client = client_for(city_admin)
    url = reverse("web:appeal_list")

    def count() -> int:
        client.get(url, {"light": "green", "sort": "deadline"})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"light": "green", "sort": "deadline"})
        assert response.status_code == 200
        return len(queries)

    for index in range(3):
        dispatched(accept(title=f"少{index}", appeal_type="suggestion"), staff, territory)
    few = count()
    for index in range(12):
        dispatched(accept(title=f"多{index}", appeal_type="suggestion"), staff, territory)
    assert count() == few


# --- Yellow light setting ----------


@pytest.mark.django_db
def test_yellow_light_follows_the_setting(three: list[Appeal], city_admin: Any) -> None:
    from civicgrid.appeals import sweep
    from civicgrid.appeals.selectors import deadline_light
    from civicgrid.appeals.selectors.lights import deadline_lights

    # the complaint's handling deadline is 10 working days away; 3 days before it:
    appeal = three[0]
    day = appeal.handling_deadline
    assert day is not None
    from civicgrid.core.workdays import add_working_days

    two_left = add_working_days(day, -2)
    assert deadline_light(appeal, two_left) == "green"
    assert deadline_lights([appeal], two_left)[appeal.pk] == "green"
    settings_row = AppealSettings.load()
    settings_row.yellow_light_working_days = 2
    settings_row.save()
    assert deadline_light(appeal, two_left) == "yellow"
    assert deadline_lights([appeal], two_left)[appeal.pk] == "yellow"
    assert deadline_lights([appeal], add_working_days(day, -3))[appeal.pk] == "green"
    # the consultation's sign-for deadline is tomorrow: yellow with either setting
    assert sweep.run(today=TODAY).yellow == 1
    assert sweep.run(today=two_left).yellow == 1  # the complaint; the other is red then
    url = reverse("web:appeal_list")
    assert numbers_in(client_for(city_admin).get(url, {"light": "yellow"})) == [three[1].number]


# --- Export ----------


@pytest.mark.django_db
def test_export_has_the_page_rows_chinese_headers_masked_data_and_is_audited(
    three: list[Appeal], city_admin: Any
) -> None:
    client = client_for(city_admin)
    params = {"area": "440402", "sort": "number"}
    page_numbers = numbers_in(client.get(reverse("web:appeal_list"), params))
    response = client.get(reverse("web:appeal_export", kwargs={"workbench": "list"}), params)
    rows = export_rows(response)
    assert rows[0][:3] == ["编号", "受理日期", "渠道"]
    assert rows[0][9:11] == ["诉求人姓名", "诉求人电话"]
    assert [row[0] for row in rows[1:]] == page_numbers
    first = rows[1] if rows[1][0] == three[0].number else rows[2]
    assert first[9:11] == ["张*", "138****8000"]
    assert "13800138000" not in str(rows)
    record = AuditRecord.objects.get(action="appeals.export")
    assert record.actor == city_admin
    assert record.details == {"workbench": "list", "filters": "area=440402&sort=number", "rows": 2}


@pytest.mark.django_db
def test_export_keeps_the_scope_and_refuses_others(
    three: list[Appeal],
    staff: dict[str, Any],
    citizen: Any,
) -> None:
    response = client_for(staff["dm_dispatcher"]).get(
        reverse("web:appeal_export", kwargs={"workbench": "queue"})
    )
    assert [row[0] for row in export_rows(response)[1:]] == [three[2].number]
    assert (
        client_for(citizen)
        .get(reverse("web:appeal_export", kwargs={"workbench": "list"}))
        .status_code
        == 403
    )
    assert (
        client_for(staff["xz_staff"])
        .get(reverse("web:appeal_export", kwargs={"workbench": "supervision"}))
        .status_code
        == 403
    )
    assert (
        client_for(citizen)
        .get(reverse("web:appeal_export", kwargs={"workbench": "nothing"}))
        .status_code
        == 404
    )
    assert AuditRecord.objects.filter(action="appeals.export").count() == 1


@pytest.mark.django_db
def test_export_over_the_cap_is_refused_with_a_message(
    three: list[Appeal], city_admin: Any, settings: Any
) -> None:
    settings.CIVICGRID_EXPORT_MAX_ROWS = 2
    client = client_for(city_admin)
    response = client.get(reverse("web:appeal_export", kwargs={"workbench": "list"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:appeal_list")
    page = client.get(response["Location"])
    assert "3 appeals match: an export holds at most 2." in text_of(page)
    assert not AuditRecord.objects.filter(action="appeals.export").exists()
    ok = client.get(reverse("web:appeal_export", kwargs={"workbench": "list"}), {"area": "440403"})
    assert len(export_rows(ok)) == 2


# --- Supervisor board ----------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["xz_staff", "operator", "xz_grid"])
def test_board_is_for_supervisors_and_dispatchers_only(
    who: str,
    staff: dict[str, Any],
) -> None:
    assert client_for(staff[who]).get(reverse("web:appeal_supervision")).status_code == 403


@pytest.mark.django_db
def test_supervisor_urges_escalates_and_sees_the_board(
    three: list[Appeal],
    staff: dict[str, Any],
) -> None:
    client = client_for(staff["supervisor"])
    board = reverse("web:appeal_supervision")
    assert numbers_in(client.get(board)) == []
    urge = reverse("web:appeal_supervision_urge", kwargs={"number": three[1].number})
    response = client.post(urge, {"note": "请尽快签收", "next": board + "?light=yellow"})
    assert response.status_code == 302
    assert response["Location"] == board + "?light=yellow"
    item = SupervisionItem.objects.get(appeal=three[1])
    assert (item.kind, item.level, item.note) == ("manual", SupervisionLevel.DISTRICT, "请尽快签收")
    html = text_of(client.get(board))
    assert numbers_in(client.get(board)) == [three[1].number]
    assert f'data-item="{item.pk}" data-kind="manual" data-level="1"' in html
    escalate = reverse("web:appeal_supervision_escalate", kwargs={"pk": item.pk})
    client.post(escalate, {"note": "多次催办无果"})
    item.refresh_from_db()
    assert item.level == SupervisionLevel.CITY
    rows = export_rows(
        client.get(reverse("web:appeal_export", kwargs={"workbench": "supervision"}))
    )
    assert rows[1][0] == three[1].number
    assert rows[1][14:16] == ["人工催办", "市级督办"]


@pytest.mark.django_db
def test_dispatcher_sees_the_board_but_may_not_urge_and_other_district_gets_404(
    three: list[Appeal],
    staff: dict[str, Any],
) -> None:
    assert (
        client_for(staff["xz_dispatcher"]).get(reverse("web:appeal_supervision")).status_code == 200
    )
    urge = reverse("web:appeal_supervision_urge", kwargs={"number": three[0].number})
    assert client_for(staff["xz_dispatcher"]).post(urge, {"note": "催一下"}).status_code == 403
    assert client_for(staff["dm_dispatcher"]).post(urge, {"note": "催一下"}).status_code == 404
    assert not SupervisionItem.objects.exists()


@pytest.mark.django_db
def test_extension_requested_on_the_detail_page_and_decided_on_the_board(
    accept: Callable[..., Appeal],
    staff: dict[str, Any],
    territory: Any,
) -> None:
    appeal = signed(accept(), staff, territory)
    deadline = appeal.handling_deadline
    detail = reverse("web:appeal_detail", kwargs={"number": appeal.number})
    assert 'data-step="extension"' in text_of(client_for(staff["xz_staff"]).get(detail))
    assert 'data-step="extension"' not in text_of(client_for(staff["dm_staff"]).get(detail))
    step = reverse("web:appeal_step", kwargs={"number": appeal.number, "step": "extension"})
    response = client_for(staff["xz_staff"]).post(
        step, {"expected_version": appeal.version, "days": 3, "reason": "需要现场勘查"}
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get(appeal=appeal)
    assert (extension.status, extension.days) == (ExtensionStatus.PENDING, 3)
    decide = reverse("web:appeal_extension_decide", kwargs={"pk": extension.pk})
    assert (
        client_for(staff["dm_dispatcher"]).post(decide, {"decision": "approve"}).status_code == 404
    )
    board = text_of(client_for(staff["xz_dispatcher"]).get(reverse("web:appeal_supervision")))
    assert f'data-extension="{extension.pk}"' in board
    client_for(staff["xz_dispatcher"]).post(decide, {"decision": "approve"})
    extension.refresh_from_db()
    appeal.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert appeal.handling_deadline == extension.new_deadline != deadline


# --- My appeals ----------


@pytest.mark.django_db
def test_my_appeals_lists_own_appeals_and_the_reply_only_once_visible(
    accept: Callable[..., Appeal],
    citizen: Any,
    make_user: Any,
) -> None:
    other = make_user(Role.CITIZEN, username="other-citizen")
    mine_replied = accept(title="已答复", citizen=citizen)
    mine_reviewing = accept(title="审核中", citizen=citizen)
    accept(title="别人的", citizen=other)
    Appeal.objects.filter(pk=mine_replied.pk).update(status=AppealStatus.REPLIED, reply="已修好")
    Appeal.objects.filter(pk=mine_reviewing.pk).update(
        status=AppealStatus.REVIEWING, reply="草稿答复"
    )
    client = client_for(citizen)
    url = reverse("web:appeal_mine")
    response = client.get(url, {"sort": "number"})
    assert numbers_in(response) == sorted([mine_replied.number, mine_reviewing.number])
    html = text_of(response)
    assert "已修好" in html
    assert "草稿答复" not in html
    assert 'data-status="reviewing"' not in html
    assert numbers_in(client.get(url, {"status": "signed"})) == [mine_reviewing.number]
    assert numbers_in(client.get(url, {"status": "reviewing"})) == [
        mine_reviewing.number,
        mine_replied.number,
    ]  # not a choice for citizens: ignored
    rows = export_rows(client.get(reverse("web:appeal_export", kwargs={"workbench": "mine"})))
    replies = {row[0]: row[6] for row in rows[1:]}
    assert replies == {mine_replied.number: "已修好", mine_reviewing.number: None}


@pytest.mark.django_db
def test_my_appeals_is_for_citizens_and_logged_in_web_submissions_land_there(
    citizen: Any,
    staff: dict[str, Any],
) -> None:
    assert client_for(staff["operator"]).get(reverse("web:appeal_mine")).status_code == 403
    assert client_for(None).get(reverse("web:appeal_mine")).status_code == 302
    client = client_for(citizen)
    client.post(
        reverse("web:appeal_new"),
        {
            "appeal_type": "help",
            "title": "路灯坏了",
            "text": "小区路灯坏了一周。",
            "lon": "2",
            "lat": "5",
            "idempotency_key": "mine-1",
        },
    )
    appeal = Appeal.objects.get(title="路灯坏了")
    assert appeal.citizen == citizen
    assert numbers_in(client.get(reverse("web:appeal_mine"))) == [appeal.number]


# --- Intake helpers ----------


@pytest.mark.django_db
def test_caller_history_in_scope_masked_and_audited(
    three: list[Appeal],
    staff: dict[str, Any],
    citizen: Any,
) -> None:
    url = reverse("web:appeal_intake_caller")
    response = client_for(staff["operator"]).get(url, {"citizen_phone": "138 0013 8000"})
    html = text_of(response)
    assert re.findall(r'<li data-number="(\d+)"', html) == [three[1].number, three[0].number]
    assert "张*" in html
    assert "张三" not in html
    assert "13800138000" not in html
    record = AuditRecord.objects.get(action="appeals.caller_history")
    assert record.details == {
        "phone": "138****8000",
        "found": [three[1].number, three[0].number],
    }
    # a 斗门 grid worker (intake role) sees none of the 香洲 appeals
    response = client_for(staff["xz_grid"]).get(url, {"citizen_phone": "13900001234"})
    assert re.findall(r'<li data-number="(\d+)"', text_of(response)) == []
    # no valid number: no lookup, no audit row
    client_for(staff["operator"]).get(url, {"citizen_phone": "138"})
    assert AuditRecord.objects.filter(action="appeals.caller_history").count() == 2
    assert (
        client_for(staff["xz_staff"]).get(url, {"citizen_phone": "13800138000"}).status_code == 403
    )
    assert client_for(citizen).get(url, {"citizen_phone": "13800138000"}).status_code == 403


@pytest.mark.django_db
def test_category_suggestions_by_name_and_by_similar_appeals(
    accept: Callable[..., Appeal],
    staff: dict[str, Any],
) -> None:
    roads = Category.objects.create(code="roads", name="道路交通")
    lights = Category.objects.create(code="lights", name="市政设施")
    noise = Category.objects.create(code="noise", name="噪声扰民")
    for index in range(3):
        accept(title=f"路灯不亮{index}", text="小区门口路灯晚上不亮，很黑。", category=lights)
        accept(title=f"装修噪音{index}", text="楼上装修电钻声音太吵。", category=noise)
    url = reverse("web:appeal_intake_categories")
    client = client_for(staff["operator"])

    def chosen(**params: str) -> list[str]:
        html = text_of(client.get(url, params))
        return re.findall(r'data-category-choice="(\d+)"', html)

    assert chosen(title="门口的路灯坏了不亮")[0] == str(lights.pk)
    assert chosen(title="半夜电钻很吵")[0] == str(noise.pk)
    assert chosen(title="道路交通拥堵")[0] == str(roads.pk)  # by name, no appeal yet
    assert chosen(title="a") == []
    assert client_for(staff["xz_staff"]).get(url, {"title": "路灯"}).status_code == 403


@pytest.mark.django_db
def test_intake_page_has_the_keyboard_and_htmx_helpers(staff: dict[str, Any]) -> None:
    html = text_of(client_for(staff["operator"]).get(reverse("web:appeal_intake")))
    assert 'hx-trigger="input changed delay:400ms from:#id_citizen_phone"' in html
    assert f'hx-get="{reverse("web:appeal_intake_categories")}"' in html
    assert 'accesskey="s"' in html
    assert "/static/web/intake_keys.js" in html
    assert "autofocus" in html
