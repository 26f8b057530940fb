"""Registry API: the gatekeeper over every endpoint, masking in every answer, ID-number lookup
by POST only, reveals with a purpose (audited), figures, query counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import ResidenceStatus, Sex
from civicgrid.registry.tests.sharing_fixtures import People, build_people

from .conftest import assert_error, assert_refused_anonymous, client_for

REGISTRY_ACTORS = [
    "anonymous",
    "citizen",
    "dispatcher",
    "leader",
    "other_grid_worker",
    "grid_worker",
    "renshe_staff",
    "administrator",
]
# Which persons (by name) each actor sees.
SEES = {
    "citizen": set(),
    "dispatcher": set(),
    "leader": set(),
    "other_grid_worker": {"李四"},
    "grid_worker": {"张三"},
    "renshe_staff": {"张三", "李四", "王五"},
    "administrator": {"张三", "李四", "王五"},
}
PHONES = ("13812345678", "13900001234", "13700007777")


@pytest.fixture
def people(territory: Any) -> People:
    return build_people(territory)


@pytest.fixture
def registry_actors(
    territory: Any, people: People, make_user: Callable[..., User], xz_grid_worker: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "citizen": make_user(Role.CITIZEN, username="r-citizen"),
        "dispatcher": make_user(
            Role.DISPATCHER, scope_unit=territory.xiangzhou, username="r-dispatcher"
        ),
        "leader": make_user(Role.LEADER, username="r-leader"),
        "other_grid_worker": make_user(
            Role.GRID_WORKER, scope_unit=territory.xz_grid_2, username="r-grid-2"
        ),
        "grid_worker": xz_grid_worker,
        "renshe_staff": make_user(
            Role.DEPARTMENT_STAFF, department=people.renshe, username="r-renshe"
        ),
        "administrator": make_user(Role.ADMINISTRATOR, username="r-admin"),
    }


def _assert_masked(body: Any, people: People) -> None:
    text = str(body)
    for number in people.numbers.values():
        assert number not in text
    for phone in PHONES:
        assert phone not in text


@pytest.mark.parametrize("actor", REGISTRY_ACTORS)
def test_person_list_by_grid_and_masking(
    people: People, registry_actors: dict[str, User | None], actor: str
) -> None:
    response = client_for(registry_actors[actor]).get(reverse("api:registry-persons"))
    if actor == "anonymous":
        assert_refused_anonymous(response)
        return
    if not SEES[actor]:
        assert_error(response, 403, "permission_denied")
        return
    assert response.status_code == 200
    body = response.json()
    assert {row["name"] for row in body["results"]} == SEES[actor]
    assert body["count"] == len(SEES[actor])
    _assert_masked(body, people)
    grid = client_for(registry_actors[actor]).get(
        reverse("api:registry-persons"), {"grid": "440402001001001"}
    )
    assert {row["name"] for row in grid.json()["results"]} == SEES[actor] & {"张三"}


def test_person_list_row_shape_for_a_grid_worker(people: People, xz_grid_worker: User) -> None:
    body = client_for(xz_grid_worker).get(reverse("api:registry-persons")).json()
    with translation.override("zh-hans"):  # the language of a request without a preference
        labels = {"sex": str(Sex.MALE.label), "status": str(ResidenceStatus.REGISTERED.label)}
    assert body["results"] == [
        {
            "id": people.zhang.pk,
            "version": 1,
            "admin_unit_code": "440402001001001",
            "admin_unit_name": "紫荆第1网格",
            "name": "张三",
            "id_number": people.zhang.id_masked,
            "sex": labels["sex"],
            "birth_date": "1950-03-01",
            "residence_status": labels["status"],
            "phone": "138****5678",
            "current_address": "广东省珠海市香洲区***********",
            "masked": ["id_number", "phone", "current_address"],
            "revealable": ["id_number", "phone", "current_address"],
        }
    ]


def test_department_staff_get_hidden_fields_as_null(
    people: People, registry_actors: dict[str, User | None]
) -> None:
    body = (
        client_for(registry_actors["renshe_staff"])
        .get(reverse("api:registry-persons"), {"grid": "440402001001001"})
        .json()
    )
    row = body["results"][0]
    assert row["name"] == "张三"
    assert row["id_number"] == people.zhang.id_masked
    assert row["phone"] is None
    assert row["current_address"] is None
    assert row["revealable"] == []


def test_an_id_number_in_the_query_string_is_refused(
    people: People, registry_actors: dict[str, User | None]
) -> None:
    response = client_for(registry_actors["administrator"]).get(
        reverse("api:registry-persons"), {"q": people.numbers["张三"]}
    )
    error = assert_error(response, 400, "invalid")
    assert "q" in error["fields"]


@pytest.mark.parametrize("actor", REGISTRY_ACTORS)
def test_lookup_by_id_number(
    people: People, registry_actors: dict[str, User | None], actor: str
) -> None:
    client = client_for(registry_actors[actor])
    number = people.numbers["张三"]
    response = client.post(
        reverse("api:registry-person-lookup"), {"id_number": number.lower()}, format="json"
    )
    if actor == "anonymous":
        assert_refused_anonymous(response)
    elif actor in {"citizen", "dispatcher", "leader"}:
        assert_error(response, 403, "permission_denied")
    elif "张三" in SEES[actor]:
        assert response.status_code == 200
        assert response.json()["id"] == people.zhang.pk
        assert response.json()["id_number"] == people.zhang.id_masked
        _assert_masked(response.json(), people)
    else:
        assert_error(response, 404, "not_found")


def test_lookup_reports_a_bad_check_digit(
    people: People, registry_actors: dict[str, User | None]
) -> None:
    number = people.numbers["张三"]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client_for(registry_actors["administrator"]).post(
        reverse("api:registry-person-lookup"), {"id_number": wrong}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["id_number"]


def test_lookup_query_count(
    people: People, xz_grid_worker: User, django_assert_num_queries: Any
) -> None:
    client = client_for(xz_grid_worker)
    url = reverse("api:registry-person-lookup")
    # token + user, scope unit, policies, the person (with unit and address)
    with django_assert_num_queries(4):
        response = client.post(url, {"id_number": people.numbers["张三"]}, format="json")
    assert response.status_code == 200


def test_list_query_count_does_not_grow_with_rows(
    people: People, registry_actors: dict[str, User | None], django_assert_num_queries: Any
) -> None:
    client = client_for(registry_actors["administrator"])
    # token + user, policies, count, page
    with django_assert_num_queries(4):
        response = client.get(reverse("api:registry-persons"))
    assert response.json()["count"] == 3


@pytest.mark.parametrize("actor", REGISTRY_ACTORS)
def test_person_detail(people: People, registry_actors: dict[str, User | None], actor: str) -> None:
    url = reverse("api:registry-person-detail", args=[people.zhang.pk])
    response = client_for(registry_actors[actor]).get(url)
    if actor == "anonymous":
        assert_refused_anonymous(response)
    elif actor in {"citizen", "dispatcher", "leader"}:
        assert_error(response, 403, "permission_denied")
    elif "张三" not in SEES[actor]:
        assert_error(response, 404, "not_found")
    else:
        assert response.status_code == 200
        body = response.json()
        _assert_masked(body, people)
        fields = {field["name"]: field for field in body["fields"]}
        assert fields["employer"]["value"] == "珠海格力电器股份有限公司"
        assert fields["employer"]["source"] == "renshe"
        assert fields["employer"]["source_name"] == "人社"
        assert fields["id_number"]["value"] == people.zhang.id_masked
        assert fields["id_number"]["masked"] is True
        assert body["open_conflicts"] == 1
        if actor == "grid_worker":
            assert body["special_groups"][0]["group"] == "elderly_alone"
            assert body["households"][0]["members_outside_scope"] == 2
        else:
            assert body["special_groups"] is None
        if actor == "renshe_staff":
            assert "phone" not in fields
            assert fields["id_number"]["revealable"] is False
            assert body["households"] == []
        else:
            assert fields["phone"]["value"] == "138****5678"
            assert fields["id_number"]["revealable"] is True


def test_detail_query_count(
    people: People, xz_grid_worker: User, django_assert_num_queries: Any
) -> None:
    url = reverse("api:registry-person-detail", args=[people.zhang.pk])
    client = client_for(xz_grid_worker)
    # token + user, scope unit, policies, person, sources, households (+ members), residences,
    # tags, source records, conflicts
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200


def test_reveal_with_purpose_is_audited(people: People, xz_grid_worker: User) -> None:
    url = reverse("api:registry-person-reveal", args=[people.zhang.pk])
    response = client_for(xz_grid_worker).post(
        url, {"fields": ["id_number", "phone"], "purpose": "入户核实"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "values": {"id_number": people.numbers["张三"], "phone": "13812345678"}
    }
    record = AuditRecord.objects.get(action="registry.reveal")
    assert record.purpose == "入户核实"
    assert record.actor == xz_grid_worker
    assert record.details == {"fields": ["id_number", "phone"]}


@pytest.mark.parametrize(
    ("actor", "payload", "status", "code"),
    [
        ("anonymous", {"fields": ["id_number"], "purpose": "核实"}, 401, "not_authenticated"),
        ("citizen", {"fields": ["id_number"], "purpose": "核实"}, 404, "not_found"),
        ("other_grid_worker", {"fields": ["id_number"], "purpose": "核实"}, 404, "not_found"),
        ("renshe_staff", {"fields": ["id_number"], "purpose": "核实"}, 403, "permission_denied"),
        ("grid_worker", {"fields": ["id_number"]}, 400, "invalid"),
        ("grid_worker", {"fields": ["id_number"], "purpose": "x"}, 400, "invalid"),
        ("grid_worker", {"fields": ["name"], "purpose": "核实"}, 400, "invalid"),
        ("grid_worker", {"fields": [], "purpose": "核实"}, 400, "invalid"),
    ],
)
def test_reveal_refusals_write_nothing(
    people: People,
    registry_actors: dict[str, User | None],
    actor: str,
    payload: dict[str, Any],
    status: int,
    code: str,
) -> None:
    url = reverse("api:registry-person-reveal", args=[people.zhang.pk])
    response = client_for(registry_actors[actor]).post(url, payload, format="json")
    assert_error(response, status, code)
    assert people.numbers["张三"] not in response.content.decode()
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


@pytest.mark.parametrize("actor", REGISTRY_ACTORS)
def test_entities(people: People, registry_actors: dict[str, User | None], actor: str) -> None:
    client = client_for(registry_actors[actor])
    response = client.get(reverse("api:registry-entities"))
    detail = client.get(reverse("api:registry-entity-detail", args=[people.entity.pk]))
    if actor == "anonymous":
        assert_refused_anonymous(response)
        assert_refused_anonymous(detail)
        return
    if actor in {"citizen", "dispatcher", "leader"}:
        assert_error(response, 403, "permission_denied")
        assert_error(detail, 403, "permission_denied")
        return
    names = [row["values"]["name"] for row in response.json()["results"]]
    if actor == "other_grid_worker":
        assert names == []
        assert_error(detail, 404, "not_found")
    else:
        assert names == ["珠海紫荆物业管理有限公司"]
        assert response.json()["results"][0]["values"]["uscc"] == "91440400MA4UE1234K"
        fields = {field["name"]: field for field in detail.json()["fields"]}
        assert fields["legal_representative"]["value"] == "赵六"
        assert fields["name"]["source_name"] == "市场监管"


def test_figures(people: People, registry_actors: dict[str, User | None]) -> None:
    leader = client_for(registry_actors["leader"])
    body = leader.get(reverse("api:registry-figures")).json()
    assert body["parent_code"] == "4404"
    assert [row["code"] for row in body["rows"]] == ["440402", "440403"]
    assert body["total"]["residents"] == 3
    assert body["total"]["elderly_60"] == 1
    assert body["total"]["households"] == 1
    assert body["total"]["entities_by_kind"]["company"] == 1
    assert body["rows"][0]["by_status"] == {
        "registered": 1,
        "floating": 1,
        "hmt": 0,
        "foreign": 0,
    }
    bad = leader.get(reverse("api:registry-figures"), {"period": "2025-Q9"})
    assert list(assert_error(bad, 400, "invalid")["fields"]) == ["period"]
    worker = client_for(registry_actors["grid_worker"])
    assert_error(worker.get(reverse("api:registry-figures"), {"unit": "4404"}), 404, "not_found")
    counts = leader.get(reverse("api:registry-residents-by-unit")).json()
    assert counts == {
        "440402001001001": {"total": 1, "registered": 1},
        "440402001001002": {"total": 1, "floating": 1},
        "440403001001001": {"total": 1, "registered": 1},
    }
    assert_error(
        client_for(registry_actors["citizen"]).get(reverse("api:registry-figures")),
        403,
        "permission_denied",
    )
