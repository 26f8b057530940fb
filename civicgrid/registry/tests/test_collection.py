"""Grid collection (动态采集): change requests a grid worker submits inside their grid and the
community confirms — every kind applied with source ``grid``, permissions, illegal moves,
optimistic concurrency, bad input, and no plain ID number anywhere in what is stored."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import translation

from civicgrid.accounts.models import Role, User
from civicgrid.core.creditcodes import credit_code_check_char
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.core.models import AuditRecord
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    Address,
    Building,
    ChangeKind,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeStatus,
    FieldConflict,
    LegalEntity,
    Person,
    Residence,
    Source,
    SourceRecord,
)
from civicgrid.registry.selectors.collection import (
    change_request_for,
    change_requests_submitted_by,
    change_requests_to_decide,
    grid_addresses,
    may_decide,
)
from civicgrid.registry.services.collection import (
    change_request_confirm,
    change_request_reject,
    change_request_submit,
    change_request_withdraw,
)
from civicgrid.territory.locator import invalidate_locator

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def id_number(body: str) -> str:
    return body + id_number_check_digit(body)


TENANT_ID = id_number("44040219900101123")  # a man born 1990-01-01
OTHER_ID = id_number("51010219850615002")  # a woman born 1985-06-15


def credit_code(body: str) -> str:
    return body + credit_code_check_char(body)


USCC = credit_code("91440402MA4W12345")


@pytest.fixture(autouse=True)
def _english_fresh_locator() -> Iterator[None]:
    invalidate_locator()
    with translation.override("en"):
        yield
    invalidate_locator()


def make_address(
    grid: Any, *, road: str = "紫荆路", number: str = "128号", room: str = "301"
) -> Address:
    building_key = f"香洲区|翠香街道|{grid.code}|{road}|{number}|1栋"
    building, _ = Building.objects.get_or_create(
        key=building_key,
        defaults={
            "road": road,
            "house_number": number,
            "building_name": "1栋",
            "admin_unit": grid,
            "admin_unit_code": grid.code,
        },
    )
    return Address.objects.create(
        key=f"{building_key}||{room}",
        building=building,
        room=room,
        full_text=f"{road}{number}1栋{room}室",
        admin_unit_code=grid.code,
    )


@pytest.fixture
def people(territory: Any, make_user: Callable[..., User]) -> dict[str, Any]:
    """Everybody who appears in a collection story, by what they are."""
    return {
        "worker": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-grid"),
        "neighbour_worker": make_user(
            Role.GRID_WORKER, scope_unit=territory.xz_grid_2, username="xz-grid-2"
        ),
        "dm_worker": make_user(Role.GRID_WORKER, scope_unit=territory.dm_grid_1, username="dm-g"),
        "community": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community, username="xz-community"
        ),
        "dm_community": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.dm_community, username="dm-community"
        ),
        "street_staff": make_user(
            Role.DEPARTMENT_STAFF, scope_unit=territory.xz_street, username="xz-street"
        ),
        "xz_dispatcher": make_user(
            Role.DISPATCHER, scope_unit=territory.xiangzhou, username="xz-disp"
        ),
        "dm_dispatcher": make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-d"),
        "office": make_user(Role.PROGRAMME_OFFICE, username="office"),
        "admin": make_user(Role.ADMINISTRATOR, username="city-admin"),
        "supervisor": make_user(Role.SUPERVISOR, scope_unit=territory.city, username="sup"),
        "citizen": make_user(Role.CITIZEN, username="citizen"),
    }


@pytest.fixture
def address(territory: Any) -> Address:
    return make_address(territory.xz_grid_1)


def tenant_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "id_number": TENANT_ID,
        "name": "王小明",
        "phone": "138 0756 1234",
        "residence_status": "floating",
        "residence_kind": "rent",
        "moved_in": "2026-11-01",
    }
    data.update(overrides)
    return data


def submit_tenant(worker: User, address: Address, **overrides: Any) -> ChangeRequest:
    return change_request_submit(
        actor=worker,
        kind=ChangeKind.RESIDENCE_ADD,
        address=address,
        data=tenant_data(**overrides),
        today=TODAY,
    )


def stored_text(*objects: Any) -> str:
    return json.dumps([obj for obj in objects], ensure_ascii=False, default=str)


# ---------------------------------------------------------------- the main story


def test_tenant_is_added_only_when_the_community_confirms(
    people: dict[str, Any], address: Address, territory: Any
) -> None:
    request = submit_tenant(people["worker"], address)

    assert request.status == ChangeStatus.SUBMITTED
    assert request.version == 1
    assert request.admin_unit_code == "440402001001001"
    assert request.address == address
    assert request.person is None
    block = request.payload["person"]
    assert block["id_masked"] == TENANT_ID[:6] + "********" + TENANT_ID[-4:]
    assert block["id_hash"] == crypto.id_hash(TENANT_ID)
    assert crypto.unseal(block["id_sealed"]) == TENANT_ID
    assert block["phone"] == "13807561234"
    assert TENANT_ID not in json.dumps(request.payload)
    assert not Person.objects.exists()
    assert not Residence.objects.exists()

    confirmed = change_request_confirm(
        actor=people["community"], change_request=request, expected_version=1
    )

    assert confirmed.status == ChangeStatus.CONFIRMED
    assert confirmed.version == 2
    assert confirmed.decided_by == people["community"]
    person = Person.objects.get()
    assert confirmed.person == person
    assert (person.name, person.phone, person.sex, person.birth_date) == (
        "王小明",
        "13807561234",
        "M",
        dt.date(1990, 1, 1),
    )
    assert person.residence_status == "floating"
    assert person.id_hash == crypto.id_hash(TENANT_ID)
    assert crypto.unseal(person.id_sealed) == TENANT_ID
    assert person.current_address == address
    assert person.admin_unit == territory.xz_grid_1
    assert person.admin_unit_code == "440402001001001"
    collected_at = request.created_at.isoformat()
    for field in ("name", "phone", "current_address", "admin_unit_code", "id_number", "sex"):
        assert person.field_sources[field] == {"source": "grid", "at": collected_at}
    residence = Residence.objects.get()
    assert (residence.person, residence.address, residence.kind) == (person, address, "rent")
    assert residence.moved_in == dt.date(2026, 11, 1)
    assert residence.moved_out is None
    assert residence.source == Source.objects.get(code="grid")
    assert residence.admin_unit_code == "440402001001001"

    record = SourceRecord.objects.get()
    assert (record.source.code, record.entity_kind, record.natural_key) == (
        "grid",
        "person",
        person.id_hash,
    )
    assert record.person == person
    assert record.fields["name"] == "王小明"
    assert record.fields["address"] == address.key
    assert record.fields["change_request"] == request.pk
    assert record.received_at == request.created_at
    assert TENANT_ID not in stored_text(record.fields, request.payload, person.field_sources)

    assert list(
        ChangeRequestEvent.objects.filter(change_request=request).values_list(
            "from_status", "to_status", "actor__username"
        )
    ) == [("", "submitted", "xz-grid"), ("submitted", "confirmed", "xz-community")]
    audits = AuditRecord.objects.filter(target_id=str(request.pk)).order_by("at", "id")
    assert [(a.action, a.actor_username) for a in audits] == [
        ("registry.change_request.submit", "xz-grid"),
        ("registry.change_request.confirm", "xz-community"),
    ]
    assert TENANT_ID not in stored_text([a.details for a in audits])


def test_an_existing_person_is_merged_by_the_authority_rules(
    people: dict[str, Any], address: Address, territory: Any
) -> None:
    """一数一源 (migration 0002's defaults): 公安 gives the name and the self-declared phone
    ranks above the grid's, so different values from the grid become conflicts; the grid is
    authoritative for the residence status and where the person lives now."""
    gongan_time = "2026-01-05T00:00:00+00:00"
    person = Person.objects.create(
        id_hash=crypto.id_hash(TENANT_ID),
        id_sealed=crypto.seal(TENANT_ID),
        id_masked="440402********" + TENANT_ID[-4:],
        name="王晓明",
        sex="M",
        birth_date=dt.date(1990, 1, 1),
        region_code="440402",
        phone="13900000000",
        residence_status="registered",
        admin_unit_code="440402",
        field_sources={
            "name": {"source": "gongan", "at": gongan_time},
            "residence_status": {"source": "gongan", "at": gongan_time},
            "phone": {"source": "self", "at": gongan_time},
        },
    )
    request = submit_tenant(people["worker"], address)
    assert request.person == person

    change_request_confirm(actor=people["admin"], change_request=request, expected_version=1)

    person.refresh_from_db()
    collected = {"source": "grid", "at": request.created_at.isoformat()}
    assert (person.name, person.phone) == ("王晓明", "13900000000")
    assert person.field_sources["name"] == {"source": "gongan", "at": gongan_time}
    assert person.field_sources["phone"] == {"source": "self", "at": gongan_time}
    assert person.residence_status == "floating"
    assert person.field_sources["residence_status"] == collected
    assert person.current_address == address
    assert person.field_sources["current_address"] == collected
    assert person.admin_unit == territory.xz_grid_1
    assert person.admin_unit_code == "440402001001001"
    assert person.field_sources["admin_unit_code"] == collected
    assert person.version == 2
    conflicts = FieldConflict.objects.filter(person=person).order_by("field_name")
    assert [
        (c.field_name, c.current_value, c.current_source, c.proposed_value, c.status)
        for c in conflicts
    ] == [
        ("name", "王晓明", "gongan", "王小明", "open"),
        ("phone", "13900000000", "self", "13807561234", "open"),
    ]
    assert {c.proposed_source.code for c in conflicts} == {"grid"}
    assert Residence.objects.get().person == person


def test_the_tenant_moves_out(people: dict[str, Any], address: Address) -> None:
    request = submit_tenant(people["worker"], address)
    change_request_confirm(actor=people["community"], change_request=request, expected_version=1)
    residence = Residence.objects.get()

    with pytest.raises(DomainError) as early:
        change_request_submit(
            actor=people["worker"],
            kind=ChangeKind.RESIDENCE_END,
            residence=residence,
            data={"moved_out": "2026-10-01"},
            today=TODAY,
        )
    assert early.value.field == "moved_out"
    move_out = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.RESIDENCE_END,
        residence=residence,
        data={"moved_out": "2026-11-18"},
        today=TODAY,
    )
    assert Residence.objects.get().moved_out is None

    change_request_confirm(actor=people["community"], change_request=move_out, expected_version=1)

    residence.refresh_from_db()
    assert residence.moved_out == dt.date(2026, 11, 18)
    person = Person.objects.get()
    assert person.current_address is None
    assert person.field_sources["current_address"] == {
        "source": "grid",
        "at": move_out.created_at.isoformat(),
    }
    (only_address,) = grid_addresses(people["worker"])
    assert only_address.current_residences == []


def test_an_address_is_added_in_the_grid(people: dict[str, Any], territory: Any) -> None:
    data = {
        "road": "紫荆路",
        "house_number": "130号",
        "building": "2栋",
        "unit": "1",
        "room": "502",
    }
    data.update(lon=2.5, lat=5.0)  # inside 紫荆第1网格 (x 0..5)
    request = change_request_submit(
        actor=people["worker"], kind=ChangeKind.ADDRESS_ADD, data=data, today=TODAY
    )
    assert request.payload["full_text"] == "香洲区翠香街道紫荆社区居民委员会紫荆路130号2栋1单元502"
    assert not Address.objects.exists()

    change_request_confirm(actor=people["community"], change_request=request, expected_version=1)

    added = Address.objects.get()
    assert request.payload["key"] == added.key
    assert (added.unit, added.room, added.admin_unit_code) == ("1", "502", "440402001001001")
    assert added.building.admin_unit == territory.xz_grid_1
    assert (added.building.lon, added.building.lat) == (2.5, 5.0)
    assert added.field_sources["full_text"]["source"] == "grid"
    assert ChangeRequest.objects.get().address == added
    assert SourceRecord.objects.get().entity_kind == "address"
    with pytest.raises(DomainError) as again:
        change_request_submit(
            actor=people["worker"], kind=ChangeKind.ADDRESS_ADD, data=data, today=TODAY
        )
    assert again.value.field == "road"
    assert "already in the registry" in str(again.value.message)


def test_an_address_outside_the_grid_is_refused(people: dict[str, Any]) -> None:
    data = {"road": "紫荆路", "house_number": "2号", "lon": 7.5, "lat": 5.0}  # 紫荆第2网格
    with pytest.raises(DomainError) as error:
        change_request_submit(
            actor=people["worker"], kind=ChangeKind.ADDRESS_ADD, data=data, today=TODAY
        )
    assert error.value.field == "location"
    assert str(error.value.message) == "The place on the map is outside your grid."
    assert not ChangeRequest.objects.exists()


def test_an_entity_is_added_and_updated(people: dict[str, Any], address: Address) -> None:
    request = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.ENTITY_ADD,
        address=address,
        data={
            "uscc": USCC.lower(),
            "entity_name": "珠海紫荆便利店有限公司",
            "entity_kind": "company",
            "legal_representative": "李四",
            "established_on": "2020-05-06",
            "address": address,
        },
        today=TODAY,
    )
    change_request_confirm(actor=people["community"], change_request=request, expected_version=1)
    entity = LegalEntity.objects.get()
    assert (entity.uscc, entity.name, entity.kind, entity.status) == (
        USCC,
        "珠海紫荆便利店有限公司",
        "company",
        "active",
    )
    assert entity.actual_address == address
    assert entity.established_on == dt.date(2020, 5, 6)
    assert entity.admin_unit_code == "440402001001001"
    assert entity.field_sources["name"]["source"] == "grid"

    # 市场监管 becomes the source of the name; the grid then reports another name and a new
    # legal representative: the name is a conflict, the representative (from grid) is updated.
    entity.field_sources["name"] = {"source": "shichang", "at": "2026-11-01T00:00:00+00:00"}
    entity.save()
    update = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.ENTITY_UPDATE,
        entity=entity,
        data={"entity_name": "紫荆便利店", "legal_representative": "王五"},
        today=TODAY,
    )
    assert set(update.payload) == {"uscc", "entity_version", "name", "legal_representative"}
    change_request_confirm(actor=people["community"], change_request=update, expected_version=1)
    entity.refresh_from_db()
    assert (entity.name, entity.legal_representative, entity.version) == (
        "珠海紫荆便利店有限公司",
        "王五",
        2,
    )
    conflict = FieldConflict.objects.get(entity=entity)
    assert (conflict.field_name, conflict.proposed_value) == ("name", "紫荆便利店")
    with pytest.raises(DomainError) as nothing:
        change_request_submit(
            actor=people["worker"],
            kind=ChangeKind.ENTITY_UPDATE,
            entity=entity,
            data={"legal_representative": "王五"},
            today=TODAY,
        )
    assert str(nothing.value.message) == "Nothing was changed."


def test_a_person_in_the_grid_is_updated(people: dict[str, Any], address: Address) -> None:
    change_request_confirm(
        actor=people["community"],
        change_request=submit_tenant(people["worker"], address),
        expected_version=1,
    )
    person = Person.objects.get()
    update = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.PERSON_UPDATE,
        person=person,
        data={"phone": "13912345678"},
        today=TODAY,
    )
    change_request_confirm(actor=people["community"], change_request=update, expected_version=1)
    person.refresh_from_db()
    assert person.phone == "13912345678"  # the grid gave the phone before: its newer value wins
    assert person.field_sources["phone"] == {"source": "grid", "at": update.created_at.isoformat()}
    with pytest.raises(PermissionDeniedError):
        change_request_submit(
            actor=people["neighbour_worker"],
            kind=ChangeKind.PERSON_UPDATE,
            person=person,
            data={"phone": "13912345679"},
            today=TODAY,
        )


def test_a_person_is_added_in_the_grid_without_an_address(
    people: dict[str, Any], territory: Any
) -> None:
    request = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.PERSON_ADD,
        data={"id_number": OTHER_ID, "name": "赵敏", "residence_status": "registered"},
        today=TODAY,
    )
    change_request_confirm(actor=people["admin"], change_request=request, expected_version=1)
    person = Person.objects.get()
    assert (person.sex, person.birth_date, person.region_code) == (
        "F",
        dt.date(1985, 6, 15),
        "510102",
    )
    assert (person.admin_unit, person.current_address) == (territory.xz_grid_1, None)
    assert person.residence_status == "registered"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": TENANT_ID[:17] + ("0" if TENANT_ID[17] != "0" else "1")},
            "id_number",
            "ID number: the ID number's check digit is wrong",
        ),
        ({"id_number": "44040219901301123X"}, "id_number", "is not a real date"),
        ({"id_number": ""}, "id_number", "ID number: this field is required."),
        ({"name": "  "}, "name", "Name: this field is required."),
        ({"phone": "12345678"}, "phone", "is not a mainland phone number"),
        ({"moved_in": "2026-12-01"}, "moved_in", "Moved in on: the date is in the future."),
        ({"moved_in": "1.11.2026"}, "moved_in", "Moved in on: enter a date as YYYY-MM-DD."),
        ({"residence_kind": "castle"}, "residence_kind", "choose one of the offered values"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    people: dict[str, Any], address: Address, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(DomainError) as error:
        submit_tenant(people["worker"], address, **overrides)
    assert error.value.field == field
    assert message in str(error.value.message)
    assert not ChangeRequest.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="registry.").exists()


def test_the_same_tenant_cannot_wait_twice(people: dict[str, Any], address: Address) -> None:
    submit_tenant(people["worker"], address)
    with pytest.raises(ConflictError) as error:
        submit_tenant(people["worker"], address, name="王小明")
    assert error.value.code == "duplicate_request"
    assert ChangeRequest.objects.count() == 1


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("neighbour_worker", "This record is outside your grid."),
        ("dm_worker", "This record is outside your grid."),
        ("community", "Only grid workers collect registry data."),
        ("admin", "Only grid workers collect registry data."),
        ("citizen", "Only grid workers collect registry data."),
        ("anonymous", "Only grid workers collect registry data."),
    ],
)
def test_only_the_grid_worker_of_the_grid_submits(
    people: dict[str, Any], address: Address, who: str, message: str
) -> None:
    actor = AnonymousUser() if who == "anonymous" else people[who]
    with pytest.raises(PermissionDeniedError) as error:
        submit_tenant(actor, address)
    assert str(error.value.message) == message
    assert not ChangeRequest.objects.exists()


def test_a_grid_worker_without_a_grid_is_told_so(
    make_user: Callable[..., User], territory: Any, address: Address
) -> None:
    worker = make_user(Role.GRID_WORKER, scope_unit=territory.xz_community)
    with pytest.raises(PermissionDeniedError) as error:
        submit_tenant(worker, address)
    assert str(error.value.message) == "Your account is not assigned to a grid."


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("community", True),
        ("xz_dispatcher", False),  # dispatchers do no registry work
        ("office", True),
        ("admin", True),
        ("worker", False),  # the submitter
        ("neighbour_worker", False),
        ("dm_worker", False),
        ("dm_community", False),
        ("street_staff", False),
        ("dm_dispatcher", False),
        ("supervisor", False),
        ("citizen", False),
        ("anonymous", False),
    ],
)
def test_who_confirms(people: dict[str, Any], address: Address, who: str, allowed: bool) -> None:
    request = submit_tenant(people["worker"], address)
    actor = AnonymousUser() if who == "anonymous" else people[who]
    assert may_decide(actor, request) is allowed
    assert (request in change_requests_to_decide(actor)) is allowed
    if not allowed:
        for decide in (
            lambda: change_request_confirm(actor=actor, change_request=request, expected_version=1),
            lambda: change_request_reject(
                actor=actor, change_request=request, expected_version=1, reason="不对"
            ),
        ):
            with pytest.raises(PermissionDeniedError):
                decide()
        request.refresh_from_db()
        assert (request.status, request.version) == (ChangeStatus.SUBMITTED, 1)
        assert not Person.objects.exists()
        assert request.events.count() == 1
        return
    change_request_confirm(actor=actor, change_request=request, expected_version=1)
    assert Person.objects.count() == 1


def test_only_the_submitter_withdraws(people: dict[str, Any], address: Address) -> None:
    request = submit_tenant(people["worker"], address)
    for actor in (people["neighbour_worker"], people["community"], AnonymousUser()):
        with pytest.raises(PermissionDeniedError):
            change_request_withdraw(actor=actor, change_request=request, expected_version=1)
    withdrawn = change_request_withdraw(
        actor=people["worker"], change_request=request, expected_version=1
    )
    assert (withdrawn.status, withdrawn.version) == (ChangeStatus.WITHDRAWN, 2)
    assert list(change_requests_to_decide(people["community"])) == []
    assert AuditRecord.objects.filter(action="registry.change_request.withdraw").count() == 1


def test_visibility_of_requests(people: dict[str, Any], address: Address) -> None:
    request = submit_tenant(people["worker"], address)
    assert list(change_requests_submitted_by(people["worker"])) == [request]
    assert list(change_requests_submitted_by(people["neighbour_worker"])) == []
    assert change_request_for(people["worker"], request.pk) == request
    assert change_request_for(people["community"], request.pk) == request
    for outsider in ("neighbour_worker", "dm_community", "dm_dispatcher", "citizen"):
        assert change_request_for(people[outsider], request.pk) is None
    assert change_request_for(AnonymousUser(), request.pk) is None


# ---------------------------------------------------------------- illegal moves, concurrency


def test_rejection_needs_a_reason_and_ends_the_request(
    people: dict[str, Any], address: Address
) -> None:
    request = submit_tenant(people["worker"], address)
    with pytest.raises(DomainError) as error:
        change_request_reject(
            actor=people["community"], change_request=request, expected_version=1, reason=" "
        )
    assert error.value.field == "reason"
    rejected = change_request_reject(
        actor=people["community"],
        change_request=request,
        expected_version=1,
        reason="身份证号与本人不符",
    )
    assert (rejected.status, rejected.reason, rejected.decided_by) == (
        ChangeStatus.REJECTED,
        "身份证号与本人不符",
        people["community"],
    )
    assert rejected.events.last().note == "身份证号与本人不符"
    for step in (
        lambda: change_request_confirm(
            actor=people["community"], change_request=rejected, expected_version=2
        ),
        lambda: change_request_withdraw(
            actor=people["worker"], change_request=rejected, expected_version=2
        ),
        lambda: change_request_reject(
            actor=people["admin"], change_request=rejected, expected_version=2, reason="再退"
        ),
    ):
        with pytest.raises(ConflictError) as illegal:
            step()
        assert illegal.value.code == "illegal_transition"
        assert "not possible while the change request is rejected" in str(illegal.value.message)
    assert not Person.objects.exists()
    rejected.refresh_from_db()
    assert rejected.version == 2


def test_two_confirmations_one_wins(people: dict[str, Any], address: Address) -> None:
    request = submit_tenant(people["worker"], address)
    seen_by_community = ChangeRequest.objects.get(pk=request.pk)
    seen_by_admin = ChangeRequest.objects.get(pk=request.pk)
    change_request_confirm(
        actor=people["community"], change_request=seen_by_community, expected_version=1
    )
    with pytest.raises(ConflictError) as error:
        change_request_confirm(
            actor=people["admin"], change_request=seen_by_admin, expected_version=1
        )
    assert error.value.code == "version_conflict"
    assert Person.objects.count() == 1
    assert Residence.objects.count() == 1
    assert SourceRecord.objects.count() == 1
    request.refresh_from_db()
    assert (request.version, request.decided_by) == (2, people["community"])
    assert request.events.count() == 2
    with pytest.raises(ConflictError) as stale_reject:
        change_request_reject(
            actor=people["admin"],
            change_request=seen_by_admin,
            expected_version=1,
            reason="重复",
        )
    assert stale_reject.value.code == "version_conflict"


def test_a_failed_apply_leaves_the_request_waiting(people: dict[str, Any], territory: Any) -> None:
    request = change_request_submit(
        actor=people["worker"],
        kind=ChangeKind.ADDRESS_ADD,
        data={"road": "紫荆路", "house_number": "9号"},
        today=TODAY,
    )
    # The same address arrives through an import before the community confirms.
    building = Building.objects.create(
        key=request.payload["building_key"], admin_unit_code=territory.xz_grid_1.code
    )
    Address.objects.create(
        key=request.payload["key"],
        building=building,
        full_text="紫荆路9号",
        admin_unit_code=territory.xz_grid_1.code,
    )
    with pytest.raises(ConflictError) as error:
        change_request_confirm(
            actor=people["community"], change_request=request, expected_version=1
        )
    assert error.value.code == "duplicate"
    request.refresh_from_db()
    assert (request.status, request.version, request.decided_by) == ("submitted", 1, None)
    assert request.events.count() == 1
    assert Address.objects.count() == 1
    assert not SourceRecord.objects.exists()
    assert not AuditRecord.objects.filter(action="registry.change_request.confirm").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_one_wins(people: dict[str, Any], address: Address) -> None:
    """Two deciders press confirm at the same moment on their own connections: the guarded
    UPDATE lets exactly one through; the other gets a ConflictError and nothing is doubled."""
    request = submit_tenant(people["worker"], address)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(who: str) -> None:
        try:
            seen = ChangeRequest.objects.get(pk=request.pk)
            barrier.wait(timeout=10)
            change_request_confirm(actor=people[who], change_request=seen, expected_version=1)
            outcomes[who] = "confirmed"
        except ConflictError as error:
            outcomes[who] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(who,)) for who in ("community", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["confirmed", "version_conflict"]
    request.refresh_from_db()
    assert (request.status, request.version) == (ChangeStatus.CONFIRMED, 2)
    winner = next(who for who, outcome in outcomes.items() if outcome == "confirmed")
    assert request.decided_by == people[winner]
    assert request.events.count() == 2
    assert Person.objects.count() == 1
    assert Residence.objects.count() == 1
    assert SourceRecord.objects.count() == 1
