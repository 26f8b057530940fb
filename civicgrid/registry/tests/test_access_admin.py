"""The registry admin: read-only and masked for registry records, field policies, authorities
and sources editable by administrators only (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import FieldPolicy, Person

from .sharing_fixtures import People, build_people

REGISTRY_PAGES = [
    "person",
    "household",
    "householdmember",
    "building",
    "address",
    "residence",
    "specialgrouptag",
    "legalentity",
    "sourcerecord",
    "fieldconflict",
    "importrun",
    "linkcandidate",
    "changerequest",
    "source",
    "fieldauthority",
    "fieldpolicy",
]


@pytest.fixture
def people(territory: Any) -> People:
    return build_people(territory)


def _text(response: Any) -> str:
    return str(response.content.decode())


def _assert_masked(html: str, people: People) -> None:
    for number in people.numbers.values():
        assert number not in html
    assert "13812345678" not in html
    assert "张三" not in html


def test_every_registry_page_loads_masked(people: People, admin_client: Client) -> None:
    for page in REGISTRY_PAGES:
        listing = admin_client.get(f"/admin/registry/{page}/")
        assert listing.status_code == 200, page
        _assert_masked(_text(listing), people)
    person = admin_client.get(f"/admin/registry/person/{people.zhang.pk}/change/")
    assert person.status_code == 200
    html = _text(person)
    _assert_masked(html, people)
    assert people.zhang.id_masked in html
    assert "138****5678" in html
    assert people.zhang.id_hash not in html
    record = admin_client.get(
        f"/admin/registry/sourcerecord/{people.zhang.source_records.get().pk}/change/"
    )
    assert record.status_code == 200
    _assert_masked(_text(record), people)


def test_registry_records_are_read_only(people: People, admin_client: Client) -> None:
    assert admin_client.get("/admin/registry/person/add/").status_code == 403
    response = admin_client.post(
        f"/admin/registry/person/{people.zhang.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Person.objects.filter(pk=people.zhang.pk).exists()
    response = admin_client.post(
        f"/admin/registry/person/{people.zhang.pk}/change/", {"name": "改名"}
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=people.zhang.pk).name == "张三"


def test_person_search_by_id_number_uses_the_hash(people: People, admin_client: Client) -> None:
    html = _text(admin_client.get("/admin/registry/person/", {"q": people.numbers["李四"].lower()}))
    assert people.li.id_masked in html
    assert people.zhang.id_masked not in html
    by_unit = _text(admin_client.get("/admin/registry/person/", {"q": "440403"}))
    assert people.wang.id_masked in by_unit
    assert people.li.id_masked not in by_unit


def test_administrator_adds_a_field_policy_audited(people: People, admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/registry/fieldpolicy/add/",
        {"role": Role.LEADER, "entity_kind": "person", "field_name": "name", "access": "masked"},
    )
    assert response.status_code == 302
    policy = FieldPolicy.objects.get()
    assert (policy.role, policy.field_name, policy.access) == ("leader", "name", "masked")
    assert AuditRecord.objects.filter(action="registry.field_policy.add").count() == 1
    wrong = admin_client.post(
        "/admin/registry/fieldpolicy/add/",
        {"role": Role.LEADER, "entity_kind": "entity", "field_name": "phone", "access": "full"},
    )
    assert wrong.status_code == 200
    assert FieldPolicy.objects.count() == 1


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.PROGRAMME_OFFICE, Role.GRID_WORKER])
def test_other_staff_do_not_reach_the_registry_admin(
    people: People, make_user: Callable[..., User], role: str
) -> None:
    user = make_user(role, is_staff=True)
    client = Client()
    client.force_login(user)
    for page in ("person", "fieldpolicy"):
        assert client.get(f"/admin/registry/{page}/").status_code == 403
    response = client.post(
        "/admin/registry/fieldpolicy/add/",
        {"role": Role.LEADER, "entity_kind": "person", "field_name": "name", "access": "full"},
    )
    assert response.status_code == 403
    assert not FieldPolicy.objects.exists()


def test_staff_administrator_edits_policies(people: People, make_user: Callable[..., User]) -> None:
    user = make_user(Role.ADMINISTRATOR, is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/registry/person/").status_code == 200
    response = client.post(
        "/admin/registry/fieldpolicy/add/",
        {"role": Role.LEADER, "entity_kind": "person", "field_name": "name", "access": "full"},
    )
    assert response.status_code == 302
    assert FieldPolicy.objects.get().access == "full"
