"""Staff appeal pages: who may open them, what each role sees (the gatekeeper), every workflow
step through HTTP (stale version → 409 and nothing changed), the audited reveal, escaping and
bounded query counts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import (
    Appeal,
    AppealStatus,
    Assignment,
    Category,
    ResponsibilityRule,
)
from civicgrid.appeals.tests.conftest import TODAY, accept, reply_and_approve, staff  # noqa: F401
from civicgrid.core.models import AuditRecord
from civicgrid.territory.locator import invalidate_locator

LISTS = ["web:appeal_list", "web:appeal_queue", "web:appeal_inbox", "web:appeal_intake"]


@pytest.fixture(autouse=True)
def _fixed_day_empty_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


def numbers_in(response: Any) -> list[str]:
    return re.findall(r'<tr data-number="(\d+)"', text_of(response))


def detail_url(appeal: Appeal) -> str:
    return reverse("web:appeal_detail", kwargs={"number": appeal.number})


def step_url(appeal: Appeal, step: str) -> str:
    return reverse("web:appeal_step", kwargs={"number": appeal.number, "step": step})


@pytest.fixture
def xz_appeal(accept: Callable[..., Appeal]) -> Appeal:  # noqa: F811
    return accept()


@pytest.fixture
def dm_appeal(accept: Callable[..., Appeal]) -> Appeal:  # noqa: F811
    return accept(lon=12, lat=5, title="斗门的诉求")


def dispatched(appeal: Appeal, staff: dict[str, Any], territory: Any) -> Appeal:  # noqa: F811
    return services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )


def signed(appeal: Appeal, staff: dict[str, Any], territory: Any) -> Appeal:  # noqa: F811
    appeal = dispatched(appeal, staff, territory)
    return services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )


def replied(appeal: Appeal, staff: dict[str, Any], territory: Any) -> Appeal:  # noqa: F811
    appeal = signed(appeal, staff, territory)
    return reply_and_approve(
        actor=staff["xz_staff"], reviewer=staff["xz_dispatcher"], appeal=appeal, reply="已处理"
    )


# --- Who may open what ----------


@pytest.mark.django_db
@pytest.mark.parametrize("name", LISTS)
def test_anonymous_users_are_sent_to_the_login_page(territory: Any, name: str) -> None:
    url = reverse(name)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_anonymous_detail_and_steps_go_to_login_and_change_nothing(xz_appeal: Appeal) -> None:
    client = client_for(None)
    assert client.get(detail_url(xz_appeal)).status_code == 302
    response = client.post(step_url(xz_appeal, "cancel"), {"expected_version": 1, "reason": "xx"})
    assert response.status_code == 302
    xz_appeal.refresh_from_db()
    assert xz_appeal.status == AppealStatus.ACCEPTED


@pytest.mark.django_db
def test_citizens_get_403_on_every_staff_page(
    xz_appeal: Appeal, make_user: Callable[..., Any]
) -> None:
    citizen = make_user(Role.CITIZEN)
    client = client_for(citizen)
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(detail_url(xz_appeal)).status_code == 403
    response = client.post(step_url(xz_appeal, "cancel"), {"expected_version": 1, "reason": "xx"})
    assert response.status_code == 403
    xz_appeal.refresh_from_db()
    assert xz_appeal.status == AppealStatus.ACCEPTED


@pytest.mark.django_db
def test_grid_worker_of_xiangzhou_sees_the_xiangzhou_appeal_only(
    xz_appeal: Appeal,
    dm_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    client = client_for(staff["xz_grid"])
    assert numbers_in(client.get(reverse("web:appeal_list"))) == [xz_appeal.number]
    page = client.get(detail_url(xz_appeal))
    assert page.status_code == 200
    assert 'data-step="' not in text_of(page)  # a grid worker has no step here
    assert client.get(detail_url(dm_appeal)).status_code == 404
    assert client.get(reverse("web:appeal_queue")).status_code == 200


@pytest.mark.django_db
def test_doumen_dispatcher_sees_no_xiangzhou_appeal_and_gets_404_on_it(
    xz_appeal: Appeal,
    dm_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    client = client_for(staff["dm_dispatcher"])
    for name in ("web:appeal_list", "web:appeal_queue"):
        assert numbers_in(client.get(reverse(name))) == [dm_appeal.number]
    assert client.get(detail_url(xz_appeal)).status_code == 404
    response = client.post(
        step_url(xz_appeal, "dispatch"),
        {"expected_version": 1, "department": territory.dm_government.pk},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("web:appeal_reveal", kwargs={"number": xz_appeal.number}), {"purpose": "回访"}
    )
    assert response.status_code == 404
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == (AppealStatus.ACCEPTED, 1)
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


@pytest.mark.django_db
def test_department_inbox_lists_what_the_department_leads(
    xz_appeal: Appeal,
    dm_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = dispatched(xz_appeal, staff, territory)
    inbox = reverse("web:appeal_inbox")
    assert numbers_in(client_for(staff["xz_staff"]).get(inbox)) == [appeal.number]
    assert numbers_in(client_for(staff["dm_staff"]).get(inbox)) == []
    page = client_for(staff["xz_staff"]).get(inbox)
    assert 'data-light="yellow"' in text_of(page)  # sign for by tomorrow
    filtered = client_for(staff["xz_staff"]).get(inbox, {"status": "signed"})
    assert numbers_in(filtered) == []


@pytest.mark.django_db
def test_administrator_sees_every_appeal(
    xz_appeal: Appeal, dm_appeal: Appeal, city_admin: Any
) -> None:
    response = client_for(city_admin).get(reverse("web:appeal_list"))
    assert sorted(numbers_in(response)) == sorted([xz_appeal.number, dm_appeal.number])


@pytest.mark.django_db
def test_list_filters_by_status_type_and_light(
    xz_appeal: Appeal,
    accept: Callable[..., Appeal],  # noqa: F811
    city_admin: Any,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    consultation = accept(appeal_type="consultation", title="咨询")
    dispatched(consultation, staff, territory)
    client = client_for(city_admin)
    url = reverse("web:appeal_list")
    assert numbers_in(client.get(url, {"status": "dispatched"})) == [consultation.number]
    assert numbers_in(client.get(url, {"appeal_type": "complaint"})) == [xz_appeal.number]
    # 2026-09-29: the sign-for deadline (1 working day) is tomorrow → yellow; the complaint's
    # handling deadline is 10 working days away → green.
    assert numbers_in(client.get(url, {"light": "yellow"})) == [consultation.number]
    assert numbers_in(client.get(url, {"light": "green"})) == [xz_appeal.number]
    assert numbers_in(client.get(url, {"light": "red"})) == []


@pytest.mark.django_db
def test_queue_is_oldest_first_and_only_accepted(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    first, second, third = accept(title="一"), accept(title="二"), accept(title="三")
    dispatched(second, staff, territory)
    response = client_for(staff["xz_dispatcher"]).get(reverse("web:appeal_queue"))
    assert numbers_in(response) == [first.number, third.number]


# --- Intake ----------


def intake_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "citizen_phone": "13800138001",
        "citizen_name": "钱七",
        "appeal_type": "help",
        "urgency": "normal",
        "category": "",
        "title": "独居老人需要帮助",
        "text": "楼上独居老人两天没出门。",
        "address": "",
        "lon": "3",
        "lat": "4",
        "idempotency_key": "intake-1",
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_operator_registers_a_hotline_appeal_and_lands_on_its_detail(
    staff: dict[str, Any],  # noqa: F811
) -> None:
    client = client_for(staff["operator"])
    form = text_of(client.get(reverse("web:appeal_intake")))
    assert re.search(r'name="citizen_phone"[^>]*autofocus', form)
    response = client.post(reverse("web:appeal_intake"), intake_values())
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    assert (appeal.channel, appeal.created_by, appeal.appeal_type) == (
        "hotline",
        staff["operator"],
        "help",
    )
    page = text_of(client.get(response["Location"]))
    assert re.search(
        rf"Appeal {appeal.number} registered\. Query code for the citizen: \d{{6}}", page
    )
    again = client.post(reverse("web:appeal_intake"), intake_values())
    assert again.status_code == 302
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_grid_worker_reports_on_the_grid_channel(staff: dict[str, Any]) -> None:  # noqa: F811
    response = client_for(staff["xz_grid"]).post(reverse("web:appeal_intake"), intake_values())
    assert response.status_code == 302
    assert Appeal.objects.get().channel == "grid"


@pytest.mark.django_db
def test_roles_without_intake_get_403(staff: dict[str, Any]) -> None:  # noqa: F811
    for role in ("xz_staff", "supervisor"):
        client = client_for(staff[role])
        assert client.get(reverse("web:appeal_intake")).status_code == 403
        assert client.post(reverse("web:appeal_intake"), intake_values()).status_code == 403
    assert Appeal.objects.count() == 0


@pytest.mark.django_db
def test_intake_error_is_shown_on_the_field(staff: dict[str, Any]) -> None:  # noqa: F811
    response = client_for(staff["operator"]).post(
        reverse("web:appeal_intake"), intake_values(citizen_phone="12")
    )
    assert response.status_code == 400
    assert 'id="id_citizen_phone_error"' in text_of(response)
    assert Appeal.objects.count() == 0


# --- Detail: masking, reveal, escaping ----------


@pytest.mark.django_db
def test_detail_masks_the_citizen_and_reveal_is_audited(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    client = client_for(staff["xz_dispatcher"])
    page = text_of(client.get(detail_url(xz_appeal)))
    assert "张* 138****8000" in page
    assert "13800138000" not in page
    url = reverse("web:appeal_reveal", kwargs={"number": xz_appeal.number})
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()
    response = client.post(url, {"purpose": "回访核实"})
    assert response.status_code == 200
    assert 'data-testid="revealed">张三 13800138000<' in text_of(response)
    record = AuditRecord.objects.get(action="pii.reveal")
    assert (record.actor, record.purpose) == (staff["xz_dispatcher"], "回访核实")


@pytest.mark.django_db
def test_grid_worker_may_not_reveal(xz_appeal: Appeal, staff: dict[str, Any]) -> None:  # noqa: F811
    url = reverse("web:appeal_reveal", kwargs={"number": xz_appeal.number})
    assert client_for(staff["xz_grid"]).post(url, {"purpose": "看看"}).status_code == 403
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


@pytest.mark.django_db
def test_confidential_citizen_is_not_revealed_to_the_department(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = dispatched(accept(is_confidential=True), staff, territory)
    client = client_for(staff["xz_staff"])
    page = text_of(client.get(detail_url(appeal)))
    assert "张* 138****8000" in page
    assert reverse("web:appeal_reveal", kwargs={"number": appeal.number}) not in page
    response = client.post(
        reverse("web:appeal_reveal", kwargs={"number": appeal.number}), {"purpose": "联系市民"}
    )
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


@pytest.mark.django_db
def test_html_in_title_and_text_is_escaped(
    accept: Callable[..., Appeal],  # noqa: F811
    city_admin: Any,
) -> None:
    appeal = accept(title="<b>粗体</b>", text="<img src=x onerror=alert(1)>")
    client = client_for(city_admin)
    for url in (reverse("web:appeal_list"), detail_url(appeal)):
        html = text_of(client.get(url))
        assert "&lt;b&gt;粗体&lt;/b&gt;" in html
        assert "<b>粗体" not in html
        assert "<img src=x" not in html


# --- Workflow steps through HTTP ----------


@pytest.mark.django_db
def test_dispatch_form_preselects_the_catalogue_suggestion_and_dispatches(
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    category = Category.objects.create(code="noise", name="噪音")
    rule = ResponsibilityRule.objects.create(
        category=category, admin_unit=territory.xiangzhou, lead_department=territory.xz_government
    )
    rule.cooperating_departments.add(territory.civil_affairs)
    appeal = accept(category=category)
    client = client_for(staff["xz_dispatcher"])
    page = text_of(client.get(detail_url(appeal)))
    assert re.search(rf'<option value="{territory.xz_government.pk}" selected>', page)
    assert re.search(rf'value="{territory.civil_affairs.pk}"[^>]*checked', page)
    response = client.post(
        step_url(appeal, "dispatch"),
        {
            "expected_version": appeal.version,
            "department": territory.xz_government.pk,
            "cooperating": [territory.civil_affairs.pk],
            "note": "请尽快",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(appeal)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.lead_department, appeal.version) == (
        AppealStatus.DISPATCHED,
        territory.xz_government,
        2,
    )
    assert sorted(Assignment.objects.filter(appeal=appeal).values_list("role", flat=True)) == [
        "cooperating",
        "lead",
    ]


@pytest.mark.django_db
def test_stale_version_gives_409_keeps_the_typed_text_and_changes_nothing(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = signed(xz_appeal, staff, territory)  # now version 3
    response = client_for(staff["xz_staff"]).post(
        step_url(appeal, "reply"), {"expected_version": 2, "reply": "我写了很长的答复"}
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "Someone else changed this appeal in the meantime" in html
    assert "我写了很长的答复</textarea>" in html
    assert 'name="expected_version" value="3"' in html
    appeal.refresh_from_db()
    assert (appeal.status, appeal.version, appeal.reply) == (AppealStatus.SIGNED, 3, "")


@pytest.mark.django_db
def test_step_not_possible_in_this_status_is_a_conflict(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
) -> None:
    response = client_for(staff["xz_dispatcher"]).post(
        step_url(xz_appeal, "close"), {"expected_version": 1}
    )
    assert response.status_code == 409
    assert "This step is not possible while the appeal is accepted." in text_of(response)
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == (AppealStatus.ACCEPTED, 1)


@pytest.mark.django_db
def test_step_the_role_may_not_do_is_403(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    response = client_for(staff["supervisor"]).post(
        step_url(xz_appeal, "dispatch"),
        {"expected_version": 1, "department": territory.xz_government.pk},
    )
    assert response.status_code == 403
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == (AppealStatus.ACCEPTED, 1)


@pytest.mark.django_db
def test_unknown_step_is_404(xz_appeal: Appeal, staff: dict[str, Any]) -> None:  # noqa: F811
    response = client_for(staff["xz_dispatcher"]).post(
        step_url(xz_appeal, "explode"), {"expected_version": 1}
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_sign_for_reply_follow_up_and_close(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = dispatched(xz_appeal, staff, territory)
    department = client_for(staff["xz_staff"])
    page = text_of(department.get(detail_url(appeal)))
    assert re.findall(r'data-step="(\w+)"', page) == ["sign_for", "return"]
    assert department.post(step_url(appeal, "sign_for"), {"expected_version": 2}).status_code == 302
    response = department.post(
        step_url(appeal, "reply"), {"expected_version": 3, "reply": "已处理完毕"}
    )
    assert response.status_code == 302
    dispatcher = client_for(staff["xz_dispatcher"])
    page = text_of(dispatcher.get(detail_url(appeal)))
    assert re.findall(r'data-step="(\w+)"', page) == ["reply_approve", "reply_reject"]
    response = dispatcher.post(
        step_url(appeal, "reply_approve"), {"expected_version": 4, "reply": "已处理完毕。"}
    )
    assert response.status_code == 302
    operator = client_for(staff["operator"])
    response = operator.post(
        step_url(appeal, "follow_up"),
        {"expected_version": 5, "satisfaction": "basically_satisfied", "note": "电话回访"},
    )
    assert response.status_code == 302
    assert dispatcher.post(step_url(appeal, "close"), {"expected_version": 6}).status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reply, appeal.satisfaction, appeal.version) == (
        AppealStatus.CLOSED,
        "已处理完毕。",
        "basically_satisfied",
        7,
    )
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [
        "accept",
        "dispatch",
        "sign_for",
        "reply",
        "reply_approve",
        "follow_up",
        "close",
    ]
    page = text_of(dispatcher.get(detail_url(appeal)))
    assert re.findall(r'data-kind="(\w+)"', page) == kinds


@pytest.mark.django_db
def test_return_needs_a_reason_on_the_field(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = dispatched(xz_appeal, staff, territory)
    client = client_for(staff["xz_staff"])
    response = client.post(step_url(appeal, "return"), {"expected_version": 2, "reason": "x"})
    assert response.status_code == 400
    assert "Give a reason (at least 2 characters)." in text_of(response)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISPATCHED
    response = client.post(
        step_url(appeal, "return"), {"expected_version": 2, "reason": "不属于本单位职责"}
    )
    # After returning, the department no longer sees the appeal's lead role but keeps history.
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.lead_department) == (AppealStatus.ACCEPTED, None)


@pytest.mark.django_db
def test_reopen_and_cancel(
    xz_appeal: Appeal,
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = replied(xz_appeal, staff, territory)
    client = client_for(staff["xz_dispatcher"])
    response = client.post(
        step_url(appeal, "reopen"), {"expected_version": appeal.version, "reason": "市民不认可"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopen_count) == (AppealStatus.DISPATCHED, 1)
    other = accept(title="测试来电")
    response = client.post(
        step_url(other, "cancel"), {"expected_version": other.version, "reason": "测试电话"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == AppealStatus.CANCELLED


# --- Query counts ----------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["web:appeal_list", "web:appeal_queue", "web:appeal_inbox"])
def test_list_pages_use_a_bounded_number_of_queries(
    name: str,
    accept: Callable[..., Appeal],  # noqa: F811
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
    city_admin: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for index in range(12):
        appeal = accept(title=f"诉求{index}")
        if index % 2:
            dispatched(appeal, staff, territory)
    user = staff["xz_staff"] if name == "web:appeal_inbox" else city_admin
    client = client_for(user)
    client.get(reverse(name))  # warm up sessions and caches
    # + 3 for the filter option lists (categories, districts/streets, departments)
    with django_assert_max_num_queries(13):
        response = client.get(
            reverse(name), {"light": "green"} if name == "web:appeal_list" else {}
        )
    assert response.status_code == 200
    assert numbers_in(response)


@pytest.mark.django_db
def test_dispatcher_suspends_and_department_resumes_from_the_detail_page(
    xz_appeal: Appeal,
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal = signed(xz_appeal, staff, territory)  # now version 3
    assert 'data-step-submit="suspend"' not in text_of(
        client_for(staff["xz_staff"]).get(detail_url(appeal))
    )
    dispatcher = client_for(staff["xz_dispatcher"])
    assert 'data-step-submit="suspend"' in text_of(dispatcher.get(detail_url(appeal)))
    response = dispatcher.post(
        step_url(appeal, "suspend"), {"expected_version": 3, "reason": "等待市民补充材料"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.suspended_on, appeal.version) == (
        AppealStatus.SUSPENDED,
        TODAY,
        4,
    )
    staff_page = client_for(staff["xz_staff"])
    assert 'data-step-submit="resume"' in text_of(staff_page.get(detail_url(appeal)))
    response = staff_page.post(step_url(appeal, "resume"), {"expected_version": 4})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.suspended_on, appeal.version) == (AppealStatus.SIGNED, None, 5)
