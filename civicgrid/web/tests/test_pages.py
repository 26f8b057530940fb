"""The pages of the web shell: who may open them and what each role sees (data scopes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role
from civicgrid.core.models import AuditRecord
from civicgrid.territory.models import DepartmentAlias

STAFF_PAGES = [
    ("web:territory", {}),
    ("web:territory_search", {}),
    ("web:territory_detail", {"code": "440402"}),
    ("web:territory_children", {"code": "440402"}),
    ("web:departments", {}),
    ("web:staff", {}),
]
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


# --- Who may open what -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), [("web:home", {}), *STAFF_PAGES])
def test_anonymous_users_are_sent_to_the_login_page(
    territory: Any, name: str, kwargs: dict[str, str]
) -> None:
    url = reverse(name, kwargs=kwargs)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_anonymous_reveal_post_is_sent_to_the_login_page(dm_grid_worker: Any) -> None:
    url = reverse("web:staff_reveal", kwargs={"username": dm_grid_worker.username})
    response = Client().post(url, {"purpose": "核实身份"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_citizens_get_403_on_staff_pages(
    citizen: Any, territory: Any, name: str, kwargs: dict[str, str]
) -> None:
    response = client_for(citizen).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403


def test_citizen_home_is_the_simple_page_without_staff_menu(citizen: Any) -> None:
    response = client_for(citizen).get(reverse("web:home"))
    assert response.status_code == 200
    assert response.templates[0].name == "web/home_citizen.html"
    assert [item["key"] for item in response.context["nav_items"]] == ["home", "appeal_mine"]
    assert reverse("web:staff") not in text_of(response)


def test_staff_home_shows_cards_and_scope(xz_grid_worker: Any) -> None:
    response = client_for(xz_grid_worker).get(reverse("web:home"))
    assert response.status_code == 200
    keys = [card["key"] for card in response.context["cards"]]
    assert keys == [
        "territory",
        "departments",
        "staff",
        "appeals",
        "appeal_grid_report",
        "appeal_intake",
        "registry_collect",
        "registry_people",
        "registry_entities",
        "registry_figures",
        "indicators",
        "indicators_reporting",
    ]
    # The cards stand under the name of their part of the platform, as in the menu.
    sections = response.context["card_sections"]
    assert [section["key"] for section in sections] == [
        "organisation",
        "appeals",
        "registry",
        "indicators",
    ]
    assert [card["key"] for section in sections for card in section["items"]] == keys
    html = response.content.decode()
    assert 'data-section="registry"' in html
    my_grid = sections[2]["items"][0]
    assert my_grid["key"] == "registry_collect"
    assert str(my_grid["description"]) in html  # each card says what the page is for
    assert response.context["scope_label"] == "紫荆第1网格"
    assert [u.name for u in response.context["scope_breadcrumb"]] == [
        "珠海市",
        "香洲区",
        "翠香街道",
        "紫荆社区居民委员会",
        "紫荆第1网格",
    ]


def test_base_layout_has_logout_post_form_language_switch_and_no_cdn(city_admin: Any) -> None:
    html = text_of(client_for(city_admin).get(reverse("web:territory")))
    assert f'<form class="logout-form" action="{reverse("logout")}" method="post">' in html
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'name="language" value="en"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "//cdn" not in html
    assert "unpkg" not in html
    assert "<script>" not in html  # no inline scripts (strict CSP)


# --- Territory -------------------------------------------------------------------------------


def test_grid_worker_territory_tree_starts_at_their_grid(xz_grid_worker: Any) -> None:
    response = client_for(xz_grid_worker).get(reverse("web:territory"))
    assert response.status_code == 200
    assert [u.code for u in response.context["roots"]] == ["440402001001001"]
    assert response.context["map_root_code"] == "440402001001001"
    html = text_of(response)
    assert "紫荆第1网格" in html
    assert "斗门区" not in html
    assert "紫荆第2网格" not in html


def test_city_admin_territory_tree_starts_at_the_city(city_admin: Any) -> None:
    response = client_for(city_admin).get(reverse("web:territory"))
    assert [u.code for u in response.context["roots"]] == ["4404"]
    assert response.context["roots"][0].child_count == 2


def test_grid_worker_gets_404_on_other_units(xz_grid_worker: Any) -> None:
    client = client_for(xz_grid_worker)
    for code in ["440403", "440403001001001", "440402001", "440402001001002", "999999"]:
        assert client.get(reverse("web:territory_detail", args=[code])).status_code == 404
        assert client.get(reverse("web:territory_children", args=[code]), **HTMX).status_code == 404


def test_grid_worker_detail_of_own_grid_shows_breadcrumb(xz_grid_worker: Any) -> None:
    response = client_for(xz_grid_worker).get(
        reverse("web:territory_detail", args=["440402001001001"])
    )
    assert response.status_code == 200
    assert [u.code for u in response.context["breadcrumb"]] == [
        "4404",
        "440402",
        "440402001",
        "440402001001",
        "440402001001001",
    ]
    assert response.context["children"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("网格", ["440402001001001"]),
        ("4404", ["440402001001001"]),
        ("白藤", []),
        ("440403", []),
        ("珠海", []),
    ],
)
def test_search_partial_of_grid_worker_never_leaves_their_scope(
    xz_grid_worker: Any, query: str, expected: list[str]
) -> None:
    response = client_for(xz_grid_worker).get(reverse("web:territory_search"), {"q": query}, **HTMX)
    assert response.status_code == 200
    assert [u.code for u in response.context["units"]] == expected
    assert "斗门" not in text_of(response)
    assert "<html" not in text_of(response)


def test_search_of_city_admin_finds_both_districts(city_admin: Any) -> None:
    response = client_for(city_admin).get(reverse("web:territory_search"), {"q": "网格"}, **HTMX)
    assert [u.code for u in response.context["units"]] == [
        "440402001001001",
        "440402001001002",
        "440403001001001",
        "440403001001002",
    ]


def test_search_without_htmx_renders_a_full_page(city_admin: Any) -> None:
    response = client_for(city_admin).get(reverse("web:territory_search"), {"q": "斗门"})
    assert response.status_code == 200
    assert "<html" in text_of(response)
    assert [u.code for u in response.context["units"]] == ["440403"]


def test_dispatcher_children_partial_lists_children_and_details(dm_dispatcher: Any) -> None:
    client = client_for(dm_dispatcher)
    response = client.get(reverse("web:territory_children", args=["440403"]), **HTMX)
    assert response.status_code == 200
    assert [u.code for u in response.context["children"]] == ["440403001"]
    html = text_of(response)
    assert 'id="unit-details"' in html
    assert 'hx-swap-oob="true"' in html
    assert "白藤街道" in html
    assert "<html" not in html
    assert client.get(reverse("web:territory_children", args=["440402"]), **HTMX).status_code == 404
    assert client.get(reverse("web:territory_detail", args=["440402"])).status_code == 404


def test_children_url_without_htmx_falls_back_to_the_detail_page(dm_dispatcher: Any) -> None:
    response = client_for(dm_dispatcher).get(reverse("web:territory_children", args=["440403"]))
    assert response.status_code == 200
    assert "<html" in text_of(response)


def test_demo_geometry_is_marked_on_the_detail_page(territory: Any, city_admin: Any) -> None:
    territory.xz_grid_2.is_demo_geometry = True
    territory.xz_grid_2.save()
    client = client_for(city_admin)
    html = text_of(client.get(reverse("web:territory_detail", args=["440402001001"])))
    assert html.count('class="demo-mark"') == 1
    html = text_of(client.get(reverse("web:territory_detail", args=["440402001001002"])))
    assert 'class="demo-mark"' in html


# --- Departments -----------------------------------------------------------------------------


def test_dispatcher_sees_own_district_and_city_departments(
    territory: Any, dm_dispatcher: Any
) -> None:
    response = client_for(dm_dispatcher).get(reverse("web:departments"))
    assert response.status_code == 200
    codes = [d.code for d in response.context["page"].object_list]
    assert codes == ["city-civil-affairs", "doumen-government"]
    assert "香洲区政府" not in text_of(response)


def test_department_search_by_alias_is_scoped(territory: Any, dm_dispatcher: Any) -> None:
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="民政部门")
    DepartmentAlias.objects.create(department=territory.xz_government, alias="香洲政府")
    client = client_for(dm_dispatcher)
    response = client.get(
        reverse("web:departments"), {"q": "民政部门"}, HTTP_HX_TARGET="department-results", **HTMX
    )
    assert [d.code for d in response.context["page"].object_list] == ["city-civil-affairs"]
    assert "<html" not in text_of(response)
    response = client.get(reverse("web:departments"), {"q": "香洲政府"})
    assert list(response.context["page"].object_list) == []


def test_city_admin_sees_every_department(territory: Any, city_admin: Any) -> None:
    response = client_for(city_admin).get(reverse("web:departments"))
    assert [d.code for d in response.context["page"].object_list] == [
        "city-civil-affairs",
        "xiangzhou-government",
        "doumen-government",
    ]


def test_departments_page_query_count_does_not_grow_with_rows(
    territory: Any, city_admin: Any, django_assert_max_num_queries: Any
) -> None:
    for department in [territory.civil_affairs, territory.xz_government, territory.dm_government]:
        DepartmentAlias.objects.create(department=department, alias=f"{department.code}-别名")
    client = client_for(city_admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("web:departments"))
    assert response.status_code == 200
    assert "doumen-government-别名" in text_of(response)


# --- Staff directory ---------------------------------------------------------------------------


def test_dispatcher_directory_masks_phones_and_offers_reveal(
    dm_dispatcher: Any, dm_grid_worker: Any, xz_grid_worker: Any
) -> None:
    response = client_for(dm_dispatcher).get(reverse("web:staff"))
    assert response.status_code == 200
    rows = {row["user"].username: row for row in response.context["rows"]}
    assert sorted(rows) == ["dm-dispatcher", "dm-grid"]
    assert (
        rows["dm-grid"]["masked_phone"]
        == dm_grid_worker.phone[:3] + "****" + (dm_grid_worker.phone[-4:])
    )
    assert rows["dm-grid"]["may_reveal"] is True
    html = text_of(response)
    assert dm_grid_worker.phone not in html
    assert xz_grid_worker.phone[-4:] + "<" not in html
    assert reverse("web:staff_reveal", args=["dm-grid"]) in html


def test_staff_without_reveal_right_sees_no_button(
    dm_street_staff: Any, dm_grid_worker: Any
) -> None:
    response = client_for(dm_street_staff).get(reverse("web:staff"))
    rows = {row["user"].username: row for row in response.context["rows"]}
    assert sorted(rows) == ["dm-grid", "dm-street-staff"]
    assert rows["dm-grid"]["may_reveal"] is False
    assert reverse("web:staff_reveal", args=["dm-grid"]) not in text_of(response)


def test_city_admin_directory_excludes_citizens(
    city_admin: Any, citizen: Any, xz_grid_worker: Any, dm_grid_worker: Any
) -> None:
    response = client_for(city_admin).get(reverse("web:staff"))
    usernames = [row["user"].username for row in response.context["rows"]]
    assert usernames == ["city-admin", "dm-grid", "xz-grid"]


def test_staff_page_query_count_does_not_grow_with_rows(
    territory: Any, city_admin: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(12):
        make_user(
            Role.DEPARTMENT_STAFF,
            department=territory.dm_government if index % 2 else territory.xz_government,
        )
    client = client_for(city_admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("web:staff"))
    assert len(response.context["rows"]) == 13


def test_territory_page_query_count(city_admin: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(city_admin)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("web:territory")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("web:territory_search"), {"q": "网格"}, **HTMX).status_code == 200


# --- Revealing a phone -----------------------------------------------------------------------


def test_reveal_returns_the_full_number_and_writes_an_audit_row(
    dm_dispatcher: Any, dm_grid_worker: Any
) -> None:
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client_for(dm_dispatcher).post(url, {"purpose": "核实网格事件"}, **HTMX)
    assert response.status_code == 200
    assert f'data-testid="revealed-phone">{dm_grid_worker.phone}<' in text_of(response)
    record = AuditRecord.objects.get(action="pii.reveal")
    assert record.actor_id == dm_dispatcher.pk
    assert record.target_id == str(dm_grid_worker.pk)
    assert record.purpose == "核实网格事件"


def test_reveal_without_purpose_asks_again_and_writes_nothing(
    dm_dispatcher: Any, dm_grid_worker: Any
) -> None:
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client_for(dm_dispatcher).post(url, {"purpose": "  "}, **HTMX)
    assert response.status_code == 200
    assert response.context["form"].errors["purpose"] == ["请说明需要查看完整号码的原因。"]
    assert dm_grid_worker.phone not in text_of(response)
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_forged_reveal_by_staff_without_the_right_is_403_and_not_audited(
    dm_street_staff: Any, dm_grid_worker: Any
) -> None:
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client_for(dm_street_staff).post(url, {"purpose": "好奇"}, **HTMX)
    assert response.status_code == 403
    assert dm_grid_worker.phone not in text_of(response)
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_reveal_of_a_user_outside_the_scope_is_404_and_not_audited(
    dm_dispatcher: Any, xz_grid_worker: Any
) -> None:
    url = reverse("web:staff_reveal", args=[xz_grid_worker.username])
    response = client_for(dm_dispatcher).post(url, {"purpose": "核实"}, **HTMX)
    assert response.status_code == 404
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_reveal_by_get_is_not_allowed(dm_dispatcher: Any, dm_grid_worker: Any) -> None:
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client_for(dm_dispatcher).get(url, {"purpose": "核实"})
    assert response.status_code == 405
    assert dm_grid_worker.phone not in text_of(response)
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_reveal_without_htmx_renders_a_full_page(dm_dispatcher: Any, dm_grid_worker: Any) -> None:
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client_for(dm_dispatcher).post(url, {"purpose": "核实网格事件"})
    assert response.status_code == 200
    assert "<html" in text_of(response)
    assert dm_grid_worker.phone in text_of(response)
    assert AuditRecord.objects.filter(action="pii.reveal").count() == 1


# --- Language --------------------------------------------------------------------------------


def test_pages_are_chinese_by_default_and_english_after_set_language(city_admin: Any) -> None:
    client = client_for(city_admin)
    html = text_of(client.get(reverse("web:territory")))
    assert '<html lang="zh-hans"' in html
    assert "<h1>行政区划</h1>" in html
    assert "退出登录" in html
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("web:territory")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:territory")
    html = text_of(client.get(reverse("web:territory")))
    assert '<html lang="en"' in html
    assert "<h1>Territory</h1>" in html
    assert "Log out" in html
    assert "administrator" in html  # the role label from the model choices


def test_login_page_is_chinese_and_logs_in(city_admin: Any) -> None:
    client = Client()
    html = text_of(client.get(reverse("login")))
    assert "<h1>登录</h1>" in html
    response = client.post(
        reverse("login"), {"username": "city-admin", "password": "pass-Word-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


# --- More roles, CSRF, account pages -----------------------------------------------------------


def test_dispatcher_territory_tree_starts_at_their_district(dm_dispatcher: Any) -> None:
    response = client_for(dm_dispatcher).get(reverse("web:territory"))
    assert [u.code for u in response.context["roots"]] == ["440403"]
    assert response.context["map_root_level"] == "district"
    assert "香洲区" not in text_of(response)


def test_children_partial_query_count(
    dm_dispatcher: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(dm_dispatcher)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("web:territory_children", args=["440403"]), **HTMX)
    assert response.status_code == 200


def test_reveal_post_without_csrf_token_is_refused(dm_dispatcher: Any, dm_grid_worker: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(dm_dispatcher)
    url = reverse("web:staff_reveal", args=[dm_grid_worker.username])
    response = client.post(url, {"purpose": "核实网格事件"}, **HTMX)
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_password_change_page_uses_the_civicgrid_layout(xz_grid_worker: Any) -> None:
    html = text_of(client_for(xz_grid_worker).get(reverse("password_change")))
    assert "<h1>修改密码</h1>" in html
    assert 'class="logout-form"' in html


def test_logout_is_a_post_form_and_ends_the_session(xz_grid_worker: Any) -> None:
    client = client_for(xz_grid_worker)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:territory")).status_code == 302


def test_repeated_wrong_passwords_show_the_locked_out_page(xz_grid_worker: Any) -> None:
    client = Client()
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "xz-grid", "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": "xz-grid", "password": "pass-Word-2026"})
    assert response.status_code == 429
    assert "<h1>登录失败次数过多</h1>" in text_of(response)


def test_home_warns_when_next_years_holidays_are_missing(
    city_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from civicgrid.core.models import CalendarYear
    from civicgrid.web import views

    monkeypatch.setattr(views, "_today", lambda: dt.date(2026, 12, 7))
    page = client_for(city_admin).get(reverse("web:home")).content.decode()
    assert 'data-notice="calendar"' in page
    assert "2027" in page
    assert reverse("admin:core_calendaryear_changelist") in page
    CalendarYear.objects.create(year=2027, is_published=True)
    page = client_for(city_admin).get(reverse("web:home")).content.decode()
    assert 'data-notice="calendar"' not in page
    monkeypatch.setattr(views, "_today", lambda: dt.date(2026, 6, 1))
    CalendarYear.objects.filter(year=2027).delete()
    page = client_for(city_admin).get(reverse("web:home")).content.decode()
    assert 'data-notice="calendar"' not in page  # too early in the year to warn
