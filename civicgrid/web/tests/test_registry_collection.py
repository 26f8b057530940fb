"""Grid collection pages (动态采集): the grid worker's grid, forms and submissions, the
community's queue and decisions over HTTP — who may open what, masking, 409 on a stale version,
nothing changed on refusal, and bounded query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role, User
from civicgrid.core.creditcodes import credit_code_check_char
from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    Address,
    Building,
    ChangeKind,
    ChangeRequest,
    LegalEntity,
    Person,
    Residence,
)
from civicgrid.registry.services.collection import change_request_confirm, change_request_submit
from civicgrid.territory.locator import invalidate_locator

pytestmark = pytest.mark.django_db

TENANT_ID = "44040219900101123" + id_number_check_digit("44040219900101123")
USCC = "91440402MA4W12345" + credit_code_check_char("91440402MA4W12345")


@pytest.fixture(autouse=True)
def _fresh_locator() -> Any:
    invalidate_locator()
    yield
    invalidate_locator()


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


def make_address(grid: Any, room: str, road: str = "紫荆路", number: str = "128") -> Address:
    key = f"香洲区|||{road}|{number}|1"
    building, _ = Building.objects.get_or_create(
        key=key,
        defaults={
            "road": road,
            "house_number": number,
            "building_name": "1",
            "admin_unit": grid,
            "admin_unit_code": grid.code,
        },
    )
    return Address.objects.create(
        key=f"{key}||{room}",
        building=building,
        room=room,
        full_text=f"{road}{number}号1栋{room}",
        admin_unit_code=grid.code,
    )


@pytest.fixture
def cast(territory: Any, make_user: Callable[..., User]) -> dict[str, Any]:
    return {
        "worker": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-grid"),
        "neighbour": make_user(
            Role.GRID_WORKER, scope_unit=territory.xz_grid_2, username="xz-grid-2"
        ),
        "community": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community, username="xz-community"
        ),
        "dm_community": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.dm_community, username="dm-community"
        ),
        "dispatcher": make_user(Role.DISPATCHER, scope_unit=territory.xiangzhou, username="disp"),
        "citizen": make_user(Role.CITIZEN, username="citizen-1"),
        "address": make_address(territory.xz_grid_1, "301"),
        "other_address": make_address(territory.xz_grid_2, "502", road="香柠路", number="6"),
    }


def tenant_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "id_number": TENANT_ID,
        "name": "王小明",
        "phone": "13807561234",
        "residence_status": "floating",
        "residence_kind": "rent",
        "moved_in": "2026-11-01",
    }
    data.update(overrides)
    return data


def submit(cast: dict[str, Any]) -> ChangeRequest:
    return change_request_submit(
        actor=cast["worker"],
        kind=ChangeKind.RESIDENCE_ADD,
        address=cast["address"],
        data=tenant_post(),
    )


# ---------------------------------------------------------------- who may open what

GRID_WORKER_PAGES = [
    ("web:registry_collect_grid", {}),
    ("web:registry_collect_mine", {}),
    ("web:registry_collect_address", {}),
    ("web:registry_collect_entity", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), GRID_WORKER_PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("citizen", 403), ("community", 403), ("dispatcher", 403)]
)
def test_grid_worker_pages_refuse_others(
    cast: dict[str, Any], name: str, kwargs: dict[str, Any], who: str, status: int
) -> None:
    assert client_for(cast[who]).get(reverse(name, kwargs=kwargs)).status_code == status


@pytest.mark.parametrize(("name", "kwargs"), GRID_WORKER_PAGES)
def test_anonymous_users_are_sent_to_log_in(name: str, kwargs: dict[str, Any]) -> None:
    response = client_for(None).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"), [("citizen", 403), ("worker", 403), ("dispatcher", 403)]
)
def test_the_queue_is_for_the_community(cast: dict[str, Any], who: str, status: int) -> None:
    assert client_for(cast[who]).get(reverse("web:registry_collect_queue")).status_code == status


def test_department_staff_without_a_community_get_an_empty_queue(
    cast: dict[str, Any], territory: Any, make_user: Callable[..., User]
) -> None:
    submit(cast)
    bureau = make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs)
    response = client_for(bureau).get(reverse("web:registry_collect_queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "your account has no community scope" in text_of(response)


def test_menu_entries(cast: dict[str, Any]) -> None:
    def keys(user: User) -> list[str]:
        response = client_for(user).get(reverse("web:home"))
        return [item["key"] for item in response.context["nav_items"]]

    assert "registry_collect" in keys(cast["worker"])
    assert "registry_collect_queue" not in keys(cast["worker"])
    assert "registry_collect_queue" in keys(cast["community"])
    assert "registry_collect" not in keys(cast["community"])
    assert not {"registry_collect", "registry_collect_queue"} & set(keys(cast["dispatcher"]))


# ---------------------------------------------------------------- my grid


def test_my_grid_shows_only_my_grid_masked(
    cast: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    change_request_confirm(actor=cast["community"], change_request=submit(cast), expected_version=1)
    for room in ("302", "303", "304"):
        make_address(cast["address"].building.admin_unit, room)
    client = client_for(cast["worker"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("web:registry_collect_grid"))
    assert response.status_code == 200
    html = text_of(response)
    assert "紫荆路128号1栋301" in html
    assert "香柠路" not in html  # the neighbouring grid
    assert "王** " in html
    assert "王小明" not in html
    assert TENANT_ID not in html
    assert TENANT_ID[:6] + "********" + TENANT_ID[-4:] in html
    assert "138****1234" in html
    assert "13807561234" not in html
    assert [item["address"].room for item in response.context["addresses"]] == [
        "301",
        "302",
        "303",
        "304",
    ]
    found = client.get(reverse("web:registry_collect_grid"), {"q": "303"})
    assert [item["address"].room for item in found.context["addresses"]] == ["303"]


# ---------------------------------------------------------------- tenant form


def test_grid_worker_adds_a_tenant(cast: dict[str, Any]) -> None:
    url = reverse("web:registry_collect_tenant", kwargs={"pk": cast["address"].pk})
    client = client_for(cast["worker"])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert "紫荆路128号1栋301" in text_of(form_page)

    response = client.post(url, tenant_post())

    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "web:registry_collect_request", kwargs={"pk": change_request.pk}
    )
    assert change_request.kind == "residence_add"
    assert change_request.payload["person"]["id_hash"] == crypto.id_hash(TENANT_ID)
    assert not Person.objects.exists()
    detail = client.get(response["Location"])
    html = text_of(detail)
    assert detail.context["change_request"] == change_request
    assert "Sent to the community for confirmation: add a resident to an address." in html
    assert TENANT_ID not in html
    assert "王小明" not in html
    assert 'data-testid="withdraw-form"' in html
    assert 'data-testid="confirm-form"' not in html  # the submitter does not decide


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": TENANT_ID[:17] + ("1" if TENANT_ID[17] == "0" else "0")},
            "id_number",
            "check digit is wrong",
        ),
        ({"phone": "12345678"}, "phone", "is not a mainland phone number"),
        ({"moved_in": "2099-01-01"}, "moved_in", "the date is in the future"),
    ],
)
def test_bad_tenant_input_is_shown_on_the_field(
    cast: dict[str, Any], overrides: dict[str, Any], field: str, message: str
) -> None:
    url = reverse("web:registry_collect_tenant", kwargs={"pk": cast["address"].pk})
    response = client_for(cast["worker"]).post(url, tenant_post(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert not ChangeRequest.objects.exists()


def test_an_address_of_another_grid_is_not_found(cast: dict[str, Any]) -> None:
    url = reverse("web:registry_collect_tenant", kwargs={"pk": cast["other_address"].pk})
    client = client_for(cast["worker"])
    assert client.get(url).status_code == 404
    assert client.post(url, tenant_post()).status_code == 404
    assert not ChangeRequest.objects.exists()


# ---------------------------------------------------------------- the community decides


def test_community_confirms_from_the_queue_and_sees_the_record_with_its_sources(
    cast: dict[str, Any], territory: Any, django_assert_max_num_queries: Any
) -> None:
    change_request = submit(cast)
    client = client_for(cast["community"])
    with django_assert_max_num_queries(5):
        queue = client.get(reverse("web:registry_collect_queue"))
    assert list(queue.context["page"]) == [change_request]
    assert (
        client_for(cast["dm_community"])
        .get(reverse("web:registry_collect_queue"))
        .context["page"]
        .paginator.count
        == 0
    )

    detail_url = reverse("web:registry_collect_request", kwargs={"pk": change_request.pk})
    detail = client.get(detail_url)
    assert 'data-testid="confirm-form"' in text_of(detail)
    response = client.post(
        reverse("web:registry_collect_step", kwargs={"pk": change_request.pk, "step": "confirm"}),
        {"expected_version": 1},
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.admin_unit == territory.xz_grid_1
    page = client.get(detail_url)
    html = text_of(page)
    result = page.context["result"]
    rows = {str(row.label): row for row in result["rows"]}
    assert rows["Grid"].value == "紫荆第1网格 (440402001001001)"
    assert rows["Current address"].value == "紫荆路128号1栋301"
    assert rows["Name"].value == "王**"
    assert rows["Phone"].value == "138****1234"
    for label in ("ID number", "Name", "Phone", "Current address", "Grid", "Residence status"):
        assert rows[label].source == "网格采集"
        assert rows[label].at is not None
    assert "Confirmed: the change is in the registry." in html
    assert "网格采集" in html
    assert TENANT_ID not in html
    assert "王小明" not in html
    assert 'data-testid="confirm-form"' not in html
    # The grid worker sees the same result on their request.
    mine = client_for(cast["worker"]).get(detail_url)
    assert mine.context["result"]["rows"][0].value == person.id_masked
    person_page = reverse("web:registry_person_detail", kwargs={"pk": person.pk})
    assert mine.context["person_url"] == person_page
    assert f'href="{person_page}"' in text_of(mine)


def test_a_stale_confirmation_answers_409_and_changes_nothing(cast: dict[str, Any]) -> None:
    change_request = submit(cast)
    step = reverse("web:registry_collect_step", kwargs={"pk": change_request.pk, "step": "confirm"})
    client = client_for(cast["community"])
    response = client.post(step, {"expected_version": 7})
    assert response.status_code == 409
    assert "Someone else changed this change request in the meantime" in text_of(response)
    change_request.refresh_from_db()
    assert (change_request.status, change_request.version) == ("submitted", 1)
    assert not Person.objects.exists()
    assert client.post(step, {"expected_version": 1}).status_code == 302
    again = client.post(step, {"expected_version": 1})
    assert again.status_code == 409
    assert Residence.objects.count() == 1


def test_reject_needs_a_reason_and_the_worker_reads_it(cast: dict[str, Any]) -> None:
    change_request = submit(cast)
    step = reverse("web:registry_collect_step", kwargs={"pk": change_request.pk, "step": "reject"})
    client = client_for(cast["community"])
    empty = client.post(step, {"expected_version": 1, "reason": ""})
    assert empty.status_code == 400
    assert "reason" in empty.context["reject_form"].errors
    assert client.post(step, {"expected_version": 1, "reason": "查无此人"}).status_code == 302
    change_request.refresh_from_db()
    assert (change_request.status, change_request.reason) == ("rejected", "查无此人")
    mine = client_for(cast["worker"]).get(reverse("web:registry_collect_mine"))
    html = text_of(mine)
    assert 'data-status="rejected"' in html
    assert "查无此人" in html


def test_who_may_take_a_step(cast: dict[str, Any]) -> None:
    change_request = submit(cast)

    def post(user: Any, step: str) -> int:
        url = reverse("web:registry_collect_step", kwargs={"pk": change_request.pk, "step": step})
        return client_for(user).post(url, {"expected_version": 1, "reason": "不对"}).status_code

    assert post(cast["worker"], "confirm") == 403  # the submitter sees it but does not decide
    assert post(cast["neighbour"], "confirm") == 404
    assert post(cast["dm_community"], "reject") == 404
    assert post(cast["dispatcher"], "confirm") == 404
    assert post(cast["community"], "withdraw") == 403
    assert post(cast["community"], "delete") == 404
    change_request.refresh_from_db()
    assert (change_request.status, change_request.version) == ("submitted", 1)
    assert post(cast["worker"], "withdraw") == 302
    change_request.refresh_from_db()
    assert change_request.status == "withdrawn"


# ---------------------------------------------------------------- addresses, entities, residents


def test_grid_worker_adds_an_address_and_an_entity(cast: dict[str, Any]) -> None:
    client = client_for(cast["worker"])
    response = client.post(
        reverse("web:registry_collect_address"),
        {"road": "紫荆路", "house_number": "130号", "building": "2", "room": "101"},
    )
    assert response.status_code == 302
    address_request = ChangeRequest.objects.get(kind="address_add")
    assert address_request.payload["key"] == "香洲区|||紫荆路|130|2||101"

    outside = client.post(
        reverse("web:registry_collect_address"),
        {"road": "紫荆路", "house_number": "132号", "lon": 7.5, "lat": 5},
    )
    assert outside.status_code == 400
    assert "The place on the map is outside your grid." in text_of(outside)

    entity_page = client.get(reverse("web:registry_collect_entity"))
    choices = dict(entity_page.context["form"].fields["address"].choices)
    assert set(choices) == {"", str(cast["address"].pk)}
    response = client.post(
        reverse("web:registry_collect_entity"),
        {
            "uscc": USCC,
            "entity_name": "紫荆便利店",
            "entity_kind": "company",
            "address": str(cast["address"].pk),
            "entity_status": "active",
        },
    )
    assert response.status_code == 302
    entity_request = ChangeRequest.objects.get(kind="entity_add")
    change_request_confirm(
        actor=cast["community"], change_request=entity_request, expected_version=1
    )
    entity = LegalEntity.objects.get()
    update_url = reverse("web:registry_collect_entity_update", kwargs={"pk": entity.pk})
    assert client.get(update_url).context["form"].initial["entity_name"] == "紫荆便利店"
    response = client.post(
        update_url,
        {
            "entity_name": "紫荆便利店",
            "entity_kind": "company",
            "entity_status": "deregistered",
            "address": str(cast["address"].pk),
        },
    )
    assert response.status_code == 302
    update = ChangeRequest.objects.get(kind="entity_update")
    assert update.payload["status"] == "deregistered"
    assert "name" not in update.payload
    assert client_for(cast["neighbour"]).get(update_url).status_code == 404


def test_grid_worker_records_a_move_out_and_an_update(cast: dict[str, Any]) -> None:
    change_request_confirm(actor=cast["community"], change_request=submit(cast), expected_version=1)
    residence = Residence.objects.get()
    client = client_for(cast["worker"])
    move_out = reverse("web:registry_collect_move_out", kwargs={"pk": residence.pk})
    assert client_for(cast["neighbour"]).get(move_out).status_code == 404
    assert client.post(move_out, {"moved_out": "2026-11-02"}).status_code == 302
    assert ChangeRequest.objects.get(kind="residence_end").payload["moved_out"] == "2026-11-02"
    update = reverse("web:registry_collect_person_update", kwargs={"pk": residence.pk})
    nothing = client.post(update, {"phone": "13807561234"})
    assert nothing.status_code == 400
    assert "Nothing was changed." in text_of(nothing)
    assert client.post(update, {"phone": "13911112222"}).status_code == 302
    assert ChangeRequest.objects.get(kind="person_update").payload["person"]["phone"] == (
        "13911112222"
    )
    assert Person.objects.get().phone == "13807561234"  # until the community confirms
