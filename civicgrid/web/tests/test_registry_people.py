"""Registry pages: persons, entities, conflicts and figures — who may open what, masking on
every page and export, reveals with a purpose (audited), query counts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import FieldConflict, Person
from civicgrid.registry.tests.sharing_fixtures import People, build_people, make_person

ACTORS = [
    "anonymous",
    "citizen",
    "dispatcher",
    "leader",
    "other_grid_worker",
    "grid_worker",
    "renshe_staff",
    "administrator",
]


@pytest.fixture
def people(territory: Any) -> People:
    return build_people(territory)


@pytest.fixture
def actors(
    territory: Any, people: People, make_user: Callable[..., User], xz_grid_worker: User
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "citizen": make_user(Role.CITIZEN),
        "dispatcher": make_user(Role.DISPATCHER, scope_unit=territory.xiangzhou),
        "leader": make_user(Role.LEADER),
        "other_grid_worker": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_2),
        "grid_worker": xz_grid_worker,
        "renshe_staff": make_user(Role.DEPARTMENT_STAFF, department=people.renshe),
        "administrator": make_user(Role.ADMINISTRATOR),
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return str(response.content.decode())


# Expected status per page and actor (anonymous users are sent to the login page).
PAGES: dict[str, dict[str, int]] = {
    "list": {
        "citizen": 403,
        "dispatcher": 403,
        "leader": 403,
        "other_grid_worker": 200,
        "grid_worker": 200,
        "renshe_staff": 200,
        "administrator": 200,
    },
    "detail": {
        "citizen": 403,
        "dispatcher": 404,
        "leader": 404,
        "other_grid_worker": 404,
        "grid_worker": 200,
        "renshe_staff": 200,
        "administrator": 200,
    },
    "entities": {
        "citizen": 403,
        "dispatcher": 403,
        "leader": 403,
        "other_grid_worker": 200,
        "grid_worker": 200,
        "renshe_staff": 200,
        "administrator": 200,
    },
    "entity": {
        "citizen": 403,
        "dispatcher": 404,
        "leader": 404,
        "other_grid_worker": 404,
        "grid_worker": 200,
        "renshe_staff": 200,
        "administrator": 200,
    },
    "conflicts": {
        "citizen": 403,
        "dispatcher": 403,
        "leader": 403,
        "other_grid_worker": 403,
        "grid_worker": 403,
        "renshe_staff": 200,
        "administrator": 200,
    },
    "figures": {
        "citizen": 403,
        "dispatcher": 200,
        "leader": 200,
        "other_grid_worker": 200,
        "grid_worker": 200,
        "renshe_staff": 200,
        "administrator": 200,
    },
}


def _url(page: str, people: People) -> str:
    return {
        "list": reverse("web:registry_person_list"),
        "detail": reverse("web:registry_person_detail", args=[people.zhang.pk]),
        "entities": reverse("web:registry_entity_list"),
        "entity": reverse("web:registry_entity_detail", args=[people.entity.pk]),
        "conflicts": reverse("web:registry_conflict_list"),
        "figures": reverse("web:registry_figures"),
    }[page]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_open_each_page(
    people: People, actors: dict[str, User | None], actor: str, page: str
) -> None:
    response = client_for(actors[actor]).get(_url(page, people))
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == PAGES[page][actor]


def _assert_no_plain_personal_data(html: str, people: People) -> None:
    for number in people.numbers.values():
        assert number not in html
    for phone in ("13812345678", "13900001234", "13700007777"):
        assert phone not in html
    assert "紫荆路100号501房" not in html


@pytest.mark.parametrize("actor", ["grid_worker", "renshe_staff", "administrator"])
def test_pages_show_id_numbers_and_phones_masked(
    people: People, actors: dict[str, User | None], actor: str
) -> None:
    client = client_for(actors[actor])
    for page in ("list", "detail"):
        html = text_of(client.get(_url(page, people)))
        _assert_no_plain_personal_data(html, people)
        assert people.zhang.id_masked in html
    detail = text_of(client.get(_url("detail", people)))
    if actor == "renshe_staff":
        assert "138****5678" not in detail  # the phone is hidden from 人社 altogether
        assert 'name="purpose"' not in detail  # nothing to reveal
        assert "珠海格力电器股份有限公司" in detail  # their own source's field
    else:
        assert "138****5678" in detail
        assert 'name="field_names" value="id_number"' in detail


def test_detail_shows_sources_household_residence_and_tags(
    people: People, xz_grid_worker: User
) -> None:
    response = client_for(xz_grid_worker).get(_url("detail", people))
    html = text_of(response)
    assert 'data-testid="source-name">公安</td>' in html
    assert 'data-testid="source-employer">人社</td>' in html
    assert 'data-testid="special-tags"' in html
    assert 'data-testid="household"' in html
    assert 'data-testid="residences"' in html
    assert 'data-testid="source-records"' in html
    assert 'data-testid="person-unit">紫荆第1网格<' in html
    assert "珠海华发集团有限公司" in html  # the open conflict on the employer


def test_reveal_on_the_page_shows_the_number_and_writes_an_audit_row(
    people: People, xz_grid_worker: User
) -> None:
    client = client_for(xz_grid_worker)
    url = reverse("web:registry_person_reveal", args=[people.zhang.pk])
    response = client.post(url, {"field_names": "id_number", "purpose": "入户核实身份"})
    assert response.status_code == 200
    html = text_of(response)
    assert f'data-testid="revealed-id_number">{people.numbers["张三"]}<' in html
    assert "13812345678" not in html  # only what was asked for
    record = AuditRecord.objects.get(action="registry.reveal")
    assert record.purpose == "入户核实身份"
    assert record.actor == xz_grid_worker
    assert record.details == {"fields": ["id_number"]}
    # The next plain GET is masked again.
    _assert_no_plain_personal_data(text_of(client.get(_url("detail", people))), people)


def test_reveal_without_purpose_asks_again_and_writes_nothing(
    people: People, xz_grid_worker: User
) -> None:
    url = reverse("web:registry_person_reveal", args=[people.zhang.pk])
    response = client_for(xz_grid_worker).post(url, {"field_names": "phone", "purpose": " "})
    assert response.status_code == 400
    assert "13812345678" not in text_of(response)
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


@pytest.mark.parametrize(
    ("actor", "status"),
    [("other_grid_worker", 404), ("dispatcher", 404), ("renshe_staff", 403), ("citizen", 403)],
)
def test_forged_reveal_is_refused_and_not_audited(
    people: People, actors: dict[str, User | None], actor: str, status: int
) -> None:
    url = reverse("web:registry_person_reveal", args=[people.zhang.pk])
    response = client_for(actors[actor]).post(url, {"field_names": "id_number", "purpose": "核实"})
    assert response.status_code == status
    assert people.numbers["张三"] not in text_of(response)
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


def test_search_by_id_number_is_posted_and_opens_the_person(
    people: People, actors: dict[str, User | None]
) -> None:
    client = client_for(actors["administrator"])
    number = people.numbers["李四"]
    response = client.post(reverse("web:registry_person_list"), {"q": number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:registry_person_detail", args=[people.li.pk])
    assert number not in response["Location"]
    missing = client.post(reverse("web:registry_person_list"), {"q": "11010519491231002X"})
    assert missing.status_code == 200
    assert 'data-testid="no-persons"' in text_of(missing)
    assert 'data-testid="person-export"' not in text_of(missing)  # would export everybody
    assert 'data-testid="person-export"' in text_of(client.get(reverse("web:registry_person_list")))


def test_search_by_name_redirects_to_the_list_address(
    people: People, actors: dict[str, User | None]
) -> None:
    client = client_for(actors["administrator"])
    response = client.post(reverse("web:registry_person_list"), {"q": "李", "status": "floating"})
    assert response.status_code == 302
    listing = client.get(response["Location"])
    html = text_of(listing)
    assert f'data-person="{people.li.pk}"' in html
    assert f'data-person="{people.zhang.pk}"' not in html


def test_department_staff_may_not_search_by_address(
    people: People, actors: dict[str, User | None]
) -> None:
    response = client_for(actors["renshe_staff"]).get(
        reverse("web:registry_person_list"), {"address": "紫荆路"}
    )
    assert response.status_code == 200
    assert 'data-testid="search-errors"' in text_of(response)
    assert 'data-testid="person-table"' not in text_of(response)


def test_list_query_count_does_not_grow_with_rows(
    territory: Any,
    people: People,
    actors: dict[str, User | None],
    django_assert_num_queries: Any,
) -> None:
    import datetime as dt

    client = client_for(actors["administrator"])
    url = reverse("web:registry_person_list")
    client.get(url)  # warm up (session, translations)
    # session + user, policies, count, page of persons (with unit and address)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    for n in range(10):
        make_person(territory.xz_grid_1, name=f"新{n}", birth=dt.date(1980, 1, 1), sequence=400 + n)
    with django_assert_num_queries(5):
        response = client.get(url)
    assert text_of(response).count("data-person=") == 13


def test_export_is_masked_for_everybody_by_default_and_audited(
    people: People, actors: dict[str, User | None]
) -> None:
    response = client_for(actors["administrator"]).post(
        reverse("web:registry_person_export"), {"file_format": "csv", "q": "张"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="persons-')
    content = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert len(rows) == 2
    assert people.zhang.id_masked in rows[1]
    _assert_no_plain_personal_data(content, people)
    record = AuditRecord.objects.get(action="registry.export")
    assert record.details["filters"] == {"query": "张"}


def test_unmasked_export_needs_a_purpose(people: People, xz_grid_worker: User) -> None:
    client = client_for(xz_grid_worker)
    url = reverse("web:registry_person_export")
    refused = client.post(url, {"file_format": "csv", "unmasked": "on"})
    assert refused.status_code == 302
    assert not AuditRecord.objects.filter(action="registry.export").exists()
    response = client.post(url, {"file_format": "csv", "unmasked": "on", "purpose": "入户核查"})
    assert response.status_code == 200
    assert people.numbers["张三"] in response.content.decode("utf-8-sig")
    assert AuditRecord.objects.get(action="registry.export").purpose == "入户核查"


def test_export_refused_without_the_right(people: People, actors: dict[str, User | None]) -> None:
    response = client_for(actors["dispatcher"]).post(
        reverse("web:registry_person_export"), {"file_format": "csv"}
    )
    assert response.status_code == 403
    assert not AuditRecord.objects.filter(action="registry.export").exists()


def test_conflict_review_page_and_decision(people: People, actors: dict[str, User | None]) -> None:
    client = client_for(actors["renshe_staff"])
    html = text_of(client.get(reverse("web:registry_conflict_list")))
    assert f'data-conflict="{people.conflict.pk}"' in html
    decide = reverse("web:registry_conflict_decide", args=[people.conflict.pk])
    stale = client.post(decide, {"decision": "accept", "version": "7"})
    assert stale.status_code == 302
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "open"
    response = client.post(decide, {"decision": "accept", "version": "1"})
    assert response.status_code == 302
    assert Person.objects.get(pk=people.zhang.pk).employer == "珠海华发集团有限公司"
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "accepted"
    assert AuditRecord.objects.filter(action="registry.conflict_accept").count() == 1


def test_conflict_decision_by_a_grid_worker_is_refused(
    people: People, xz_grid_worker: User
) -> None:
    decide = reverse("web:registry_conflict_decide", args=[people.conflict.pk])
    response = client_for(xz_grid_worker).post(decide, {"decision": "accept"})
    assert response.status_code == 404
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "open"


def test_figures_page_table_and_scope(people: People, actors: dict[str, User | None]) -> None:
    client = client_for(actors["leader"])
    response = client.get(reverse("web:registry_figures"))
    html = text_of(response)
    assert 'data-unit="440402"' in html
    assert 'data-unit="440403"' in html
    drill = client.get(reverse("web:registry_figures"), {"unit": "440402", "period": "2030"})
    assert drill.status_code == 200
    assert 'data-unit="440402001"' in text_of(drill)
    bad = client.get(reverse("web:registry_figures"), {"period": "2030-13"})
    assert bad.status_code == 200
    assert 'data-testid="figures-errors"' in text_of(bad)
    worker = client_for(actors["grid_worker"])
    assert worker.get(reverse("web:registry_figures"), {"unit": "4404"}).status_code == 404


def test_menu_entries_follow_the_role(actors: dict[str, User | None]) -> None:
    worker_home = text_of(client_for(actors["grid_worker"]).get(reverse("web:home")))
    assert 'data-nav-key="registry_people"' in worker_home
    assert 'data-nav-key="registry_conflicts"' not in worker_home
    dispatcher_home = text_of(client_for(actors["dispatcher"]).get(reverse("web:home")))
    assert 'data-nav-key="registry_people"' not in dispatcher_home
    leader_home = text_of(client_for(actors["leader"]).get(reverse("web:home")))
    assert 'data-nav-key="registry_figures"' in leader_home
    assert 'data-nav-key="registry_people"' not in leader_home
