"""The registry gatekeeper: whom each kind of user sees, which fields and how, overrides by
FieldPolicy rows, and the services that reveal, export and decide conflicts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from openpyxl import load_workbook

from civicgrid.accounts.models import Role, User
from civicgrid.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import EntityKind, FieldConflict, FieldPolicy, Person
from civicgrid.registry.selectors import access as gate
from civicgrid.registry.selectors import people as selectors
from civicgrid.registry.services.access import (
    conflict_accept,
    conflict_reject,
    person_reveal,
    persons_export,
)

from .sharing_fixtures import People, build_people

ACTORS = [
    "anonymous",
    "citizen",
    "inactive_admin",
    "dispatcher_without_right",
    "leader",
    "grid_worker_other_grid",
    "grid_worker_other_district",
    "grid_worker",
    "renshe_staff",
    "street_staff_without_source",
    "programme_office",
    "administrator",
    "superuser",
]
# Whom each actor sees (by name).
VISIBLE = {
    "anonymous": set(),
    "citizen": set(),
    "inactive_admin": set(),
    "dispatcher_without_right": set(),
    "leader": set(),
    "grid_worker_other_grid": {"李四"},
    "grid_worker_other_district": {"王五"},
    "grid_worker": {"张三"},
    "renshe_staff": {"张三", "李四", "王五"},
    "street_staff_without_source": {"张三", "李四"},
    "programme_office": {"张三", "李四", "王五"},
    "administrator": {"张三", "李四", "王五"},
    "superuser": {"张三", "李四", "王五"},
}


@pytest.fixture
def people(territory: Any) -> People:
    return build_people(territory)


@pytest.fixture
def actors(
    territory: Any, people: People, make_user: Callable[..., User], xz_grid_worker: User
) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(),
        "citizen": make_user(Role.CITIZEN),
        "inactive_admin": make_user(Role.ADMINISTRATOR, is_active=False),
        "dispatcher_without_right": make_user(Role.DISPATCHER, scope_unit=territory.xiangzhou),
        "leader": make_user(Role.LEADER),
        "grid_worker_other_grid": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_2),
        "grid_worker_other_district": make_user(Role.GRID_WORKER, scope_unit=territory.dm_grid_1),
        "grid_worker": xz_grid_worker,
        "renshe_staff": make_user(Role.DEPARTMENT_STAFF, department=people.renshe),
        "street_staff_without_source": make_user(
            Role.DEPARTMENT_STAFF, department=territory.xz_government
        ),
        "programme_office": make_user(Role.PROGRAMME_OFFICE),
        "administrator": make_user(Role.ADMINISTRATOR),
        "superuser": make_user(Role.CITIZEN, is_superuser=True),
    }


def _fresh(user: Any) -> Any:
    """The user re-read, so no access resolved earlier is cached on it."""
    return User.objects.get(pk=user.pk) if getattr(user, "pk", None) else user


# --- whom -----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_persons_visible_to_each_actor(actors: dict[str, Any], actor: str) -> None:
    user = actors[actor]
    names = set(gate.persons_visible_to(user).values_list("name", flat=True))
    assert names == VISIBLE[actor]
    for person in Person.objects.all():
        shown = selectors.person_visible(user, person.pk)
        assert (shown is not None) == (person.name in VISIBLE[actor])
        assert (selectors.person_detail(user, person.pk) is not None) == (
            person.name in VISIBLE[actor]
        )


@pytest.mark.parametrize("actor", ACTORS)
def test_lookup_by_id_number_respects_the_scope(
    actors: dict[str, Any], people: People, actor: str
) -> None:
    for name, number in people.numbers.items():
        found = selectors.person_by_id_number(actors[actor], number)
        assert (found is not None) == (name in VISIBLE[actor])
        if found is not None:
            assert found.name == name


@pytest.mark.parametrize("actor", ACTORS)
def test_entities_and_figures_visibility(
    actors: dict[str, Any], people: People, actor: str
) -> None:
    access = gate.registry_access(actors[actor])
    sees_entities = set(gate.entities_visible_to(actors[actor]).values_list("name", flat=True))
    entity_visible = actor in {
        "grid_worker",
        "renshe_staff",
        "street_staff_without_source",
        "programme_office",
        "administrator",
        "superuser",
    }
    assert sees_entities == ({people.entity.name} if entity_visible else set())
    staff_with_scope = actor not in {"anonymous", "citizen", "inactive_admin"}
    assert access.may_see_figures == staff_with_scope


def test_lookup_normalises_the_typed_number_with_one_query(
    people: People, xz_grid_worker: User, django_assert_num_queries: Any
) -> None:
    number = people.numbers["张三"]
    gate.registry_access(xz_grid_worker)  # policies read once per request
    typed = " " + number[:6] + " " + number[6:].lower().replace("x", "x") + " "
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    with django_assert_num_queries(1):
        assert selectors.person_by_id_number(xz_grid_worker, typed) == people.zhang
    with django_assert_num_queries(1):
        assert selectors.person_by_id_number(xz_grid_worker, full_width) == people.zhang
    with django_assert_num_queries(0):
        assert selectors.person_by_id_number(xz_grid_worker, "12345") is None


def test_access_is_resolved_once_per_user_object(
    people: People, xz_grid_worker: User, django_assert_num_queries: Any
) -> None:
    user = _fresh(xz_grid_worker)
    with django_assert_num_queries(2):  # the user's scope unit, the FieldPolicy rows
        gate.registry_access(user)
    with django_assert_num_queries(0):
        gate.registry_access(user)


# --- which fields, how ----------------------------------------------------------------------


def _row_of(user: Any, person: Person) -> dict[str, selectors.FieldView]:
    rows = selectors.person_rows(user, selectors.persons_search(user).filter(pk=person.pk))
    assert len(rows) == 1
    return dict(rows[0].fields)


def test_grid_worker_sees_masked_id_and_phone_with_reveal(
    people: People, xz_grid_worker: User
) -> None:
    fields = _row_of(xz_grid_worker, people.zhang)
    assert fields["id_number"].value == people.zhang.id_masked
    assert fields["id_number"].value != people.numbers["张三"]
    assert fields["id_number"].is_masked
    assert fields["id_number"].may_reveal
    assert fields["phone"].value == "138****5678"
    assert fields["phone"].may_reveal
    assert fields["name"].value == "张三"
    assert not fields["name"].is_masked
    assert fields["current_address"].value.startswith("广东省珠海市香洲")
    assert fields["current_address"].value.endswith("*")
    detail = selectors.person_detail(xz_grid_worker, people.zhang.pk)
    assert detail is not None
    by_name = {field.name: field for field in detail.fields}
    assert by_name["employer"].value == "珠海格力电器股份有限公司"
    assert by_name["employer"].source_name == "人社"
    assert by_name["name"].source_code == "gongan"
    assert by_name["name"].at is not None
    assert detail.tags is not None
    assert [tag.group for tag in detail.tags] == ["elderly_alone"]
    assert sorted(detail.revealable) == [
        "current_address",
        "id_number",
        "permit_number",
        "phone",
        "registered_address",
    ]
    # Household: the other members live in grids outside the worker's scope: not named.
    assert len(detail.households) == 1
    assert [member.pk for member in detail.households[0].members] == [people.zhang.pk]
    assert detail.households[0].members[0].id_number == people.zhang.id_masked
    assert detail.households[0].members_outside_scope == 2
    # The source record shows the phone masked, never in full.
    record_fields = dict(detail.source_records[0].fields)
    assert "13812345678" not in record_fields.values()
    assert "138****5678" in record_fields.values()


def test_department_staff_see_their_sources_fields_only(
    people: People, actors: dict[str, Any]
) -> None:
    staff = actors["renshe_staff"]
    fields = _row_of(staff, people.zhang)
    assert set(fields) == {"name", "id_number"}
    assert fields["id_number"].value == people.zhang.id_masked
    assert not fields["id_number"].may_reveal
    detail = selectors.person_detail(staff, people.zhang.pk)
    assert detail is not None
    assert [field.name for field in detail.fields] == ["id_number", "name", "employer"]
    assert detail.fields[2].value == "珠海格力电器股份有限公司"
    assert detail.revealable == []
    assert detail.tags is None
    assert detail.residences is None
    assert detail.households == []
    with pytest.raises(PermissionDeniedError):
        selectors.persons_search(staff, address="紫荆路")


def test_special_groups_only_for_entitled_roles(
    people: People, actors: dict[str, Any], make_user: Callable[..., User], territory: Any
) -> None:
    community_staff = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    expectations = {
        "grid_worker": True,
        "programme_office": True,
        "administrator": False,
        "renshe_staff": False,
    }
    for actor, entitled in expectations.items():
        detail = selectors.person_detail(actors[actor], people.zhang.pk)
        assert detail is not None
        assert (detail.tags is not None) == entitled, actor
    detail = selectors.person_detail(community_staff, people.zhang.pk)
    assert detail is not None
    assert detail.tags is not None


def test_community_staff_see_their_residents_as_grid_workers_do(
    people: People, make_user: Callable[..., User], territory: Any
) -> None:
    community_staff = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    detail = selectors.person_detail(community_staff, people.zhang.pk)
    assert detail is not None
    shown = {field.name: field for field in detail.fields}
    assert {"id_number", "name", "phone", "current_address", "employer"} <= set(shown)
    assert shown["phone"].is_masked
    assert shown["phone"].may_reveal  # in full only with a stated purpose
    assert detail.residences is not None
    # Outside the community nothing changes: 王五 of 斗门 is not visible at all.
    assert selectors.person_detail(community_staff, people.wang.pk) is None


def test_field_policy_overrides_role_then_department(
    people: People, actors: dict[str, Any], territory: Any
) -> None:
    # Role-wide: leaders may see names masked -> they get a (masked) list.
    FieldPolicy.objects.create(
        role=Role.LEADER, entity_kind=EntityKind.PERSON, field_name="name", access="masked"
    )
    leader = _fresh(actors["leader"])
    assert gate.registry_access(leader).may_list_persons
    rows = selectors.person_rows(leader, selectors.persons_search(leader))
    assert {row.fields["name"].value for row in rows} == {"张*", "李*", "王*"}
    assert all(set(row.fields) == {"name"} for row in rows)
    with pytest.raises(PermissionDeniedError):
        selectors.persons_search(leader, query="张")
    # Department staff: a role-wide row hides the employer, the department's own row wins.
    FieldPolicy.objects.create(
        role=Role.DEPARTMENT_STAFF,
        entity_kind=EntityKind.PERSON,
        field_name="employer",
        access="hidden",
    )
    staff = _fresh(actors["renshe_staff"])
    assert gate.registry_access(staff).person_access("employer") == "hidden"
    FieldPolicy.objects.create(
        role=Role.DEPARTMENT_STAFF,
        department=people.renshe,
        entity_kind=EntityKind.PERSON,
        field_name="employer",
        access="masked",
    )
    staff = _fresh(staff)
    assert gate.registry_access(staff).person_access("employer") == "masked"
    other_staff = _fresh(actors["street_staff_without_source"])
    assert gate.registry_access(other_staff).person_access("employer") == "hidden"
    # Administrators may be given the special groups.
    FieldPolicy.objects.create(
        role=Role.ADMINISTRATOR,
        entity_kind=EntityKind.PERSON,
        field_name="special_tags",
        access="full",
    )
    assert gate.registry_access(_fresh(actors["administrator"])).may_see_tags
    # A policy hiding everything from grid workers empties their lists.
    for name in gate.PERSON_FIELDS:
        FieldPolicy.objects.create(
            role=Role.GRID_WORKER, entity_kind=EntityKind.PERSON, field_name=name, access="hidden"
        )
    assert not gate.persons_visible_to(_fresh(actors["grid_worker"])).exists()


def test_masking_rules() -> None:
    import datetime as dt

    assert (
        gate.mask_address("广东省珠海市香洲区紫荆路100号501房") == "广东省珠海市香洲区" + "*" * 11
    )
    assert gate.mask_address("短") == "*"
    assert gate.masked_value("birth_date", dt.date(1990, 7, 15)) == "1990-**-**"
    assert gate.masked_value("phone", "13812345678") == "138****5678"
    assert gate.masked_value("name", "欧阳娜娜") == "欧***"
    assert gate.masked_value("employer", "珠海格力") == "***"
    assert gate.masked_value("phone", "") == ""


# --- reveal ---------------------------------------------------------------------------------


def test_reveal_with_purpose_returns_plain_values_and_is_audited(
    people: People, xz_grid_worker: User
) -> None:
    values = person_reveal(
        actor=xz_grid_worker,
        person=people.zhang,
        fields=["id_number", "phone", "current_address"],
        purpose="入户走访核实",
    )
    assert values == {
        "id_number": people.numbers["张三"],
        "phone": "13812345678",
        "current_address": "广东省珠海市香洲区紫荆路100号501房",
    }
    record = AuditRecord.objects.get(action="registry.reveal")
    assert record.actor == xz_grid_worker
    assert record.purpose == "入户走访核实"
    assert record.target_type == "registry.person"
    assert record.target_id == str(people.zhang.pk)
    assert record.admin_unit_code == people.zhang.admin_unit_code
    assert record.details == {"fields": ["id_number", "phone", "current_address"]}
    assert people.numbers["张三"] not in str(record.details) + record.target_repr


@pytest.mark.parametrize(
    ("actor", "error"),
    [
        ("anonymous", NotFoundError),
        ("citizen", NotFoundError),
        ("dispatcher_without_right", NotFoundError),
        ("leader", NotFoundError),
        ("grid_worker_other_grid", NotFoundError),
        ("grid_worker_other_district", NotFoundError),
        ("renshe_staff", PermissionDeniedError),
    ],
)
def test_reveal_refused_writes_nothing(
    people: People, actors: dict[str, Any], actor: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        person_reveal(
            actor=actors[actor], person=people.zhang, fields=["id_number"], purpose="核实身份"
        )
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


@pytest.mark.parametrize(
    ("fields", "purpose", "field"),
    [
        (["id_number"], "", "purpose"),
        (["id_number"], " x ", "purpose"),
        ([], "核实身份", "fields"),
        (["name"], "核实身份", "fields"),
        (["employer"], "核实身份", "fields"),
    ],
)
def test_reveal_needs_a_purpose_and_revealable_fields(
    people: People, xz_grid_worker: User, fields: list[str], purpose: str, field: str
) -> None:
    with pytest.raises(DomainError) as raised:
        person_reveal(actor=xz_grid_worker, person=people.zhang, fields=fields, purpose=purpose)
    assert raised.value.field == field
    assert not AuditRecord.objects.filter(action="registry.reveal").exists()


# --- export ---------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_is_masked_and_audited(people: People, actors: dict[str, Any]) -> None:
    admin = actors["administrator"]
    exported = persons_export(actor=admin, file_format="csv")
    rows = _csv_rows(exported.content)
    assert exported.rows == 3
    assert len(rows) == 4
    header = rows[0]
    assert header[:2] == ["姓名", "身份证号"]
    text = exported.content.decode("utf-8-sig")
    for number in people.numbers.values():
        assert number not in text
    assert people.zhang.id_masked in text
    assert "13812345678" not in text
    assert "138****5678" in text
    record = AuditRecord.objects.get(action="registry.export")
    assert record.details == {
        "rows": 3,
        "format": "csv",
        "unmasked": False,
        "fields": [],
        "filters": {},
    }
    assert record.actor == admin


def test_unmasked_export_needs_entitlement_and_purpose(
    people: People, actors: dict[str, Any], xz_grid_worker: User
) -> None:
    with pytest.raises(DomainError) as raised:
        persons_export(actor=xz_grid_worker, file_format="xlsx", unmasked=True)
    assert raised.value.field == "purpose"
    with pytest.raises(PermissionDeniedError):
        persons_export(
            actor=actors["renshe_staff"], file_format="csv", unmasked=True, purpose="就业统计"
        )
    with pytest.raises(PermissionDeniedError):
        persons_export(actor=actors["dispatcher_without_right"], file_format="csv")
    assert not AuditRecord.objects.filter(action="registry.export").exists()
    exported = persons_export(
        actor=xz_grid_worker, file_format="xlsx", unmasked=True, purpose="网格入户核查"
    )
    sheet = load_workbook(io.BytesIO(exported.content), read_only=True).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 2  # header + the one person of the grid
    assert people.numbers["张三"] in values[1]
    assert "13812345678" in values[1]
    record = AuditRecord.objects.get(action="registry.export")
    assert record.purpose == "网格入户核查"
    assert record.details["unmasked"] is True
    assert "id_number" in record.details["fields"]


def test_export_filters_are_audited_without_plain_numbers(
    people: People, actors: dict[str, Any]
) -> None:
    number = people.numbers["李四"]
    exported = persons_export(actor=actors["administrator"], file_format="csv", query=number)
    assert exported.rows == 1
    record = AuditRecord.objects.get(action="registry.export")
    assert record.details["filters"] == {"query": people.li.id_masked}
    assert number not in str(record.details)


def test_export_refuses_too_many_rows(
    people: People, actors: dict[str, Any], settings: Any
) -> None:
    settings.CIVICGRID_EXPORT_MAX_ROWS = 2
    with pytest.raises(DomainError) as raised:
        persons_export(actor=actors["administrator"], file_format="csv")
    assert raised.value.code == "too_many_rows"
    assert not AuditRecord.objects.filter(action="registry.export").exists()


def test_export_neutralises_formulas(
    people: People, actors: dict[str, Any], territory: Any
) -> None:
    Person.objects.filter(pk=people.zhang.pk).update(name="=HYPERLINK(1)")
    rows = _csv_rows(persons_export(actor=actors["administrator"], file_format="csv").content)
    assert "'=HYPERLINK(1)" in [row[0] for row in rows]


# --- conflicts ------------------------------------------------------------------------------


def test_conflict_queue_shows_entitled_reviewers_only(
    people: People, actors: dict[str, Any]
) -> None:
    for actor in ACTORS:
        conflicts = list(selectors.conflicts_for_review(actors[actor]))
        expected = actor in {"renshe_staff", "programme_office", "administrator", "superuser"}
        assert (conflicts == [people.conflict]) == expected, actor
    rows = selectors.conflict_rows(actors["renshe_staff"], [people.conflict])
    assert rows[0].current_value == "珠海格力电器股份有限公司"
    assert rows[0].proposed_value == "珠海华发集团有限公司"
    assert rows[0].proposed_source == "网格采集"
    assert rows[0].may_decide


def test_conflict_accept_sets_value_source_and_version(
    people: People, actors: dict[str, Any]
) -> None:
    staff = actors["renshe_staff"]
    conflict_accept(actor=staff, conflict=people.conflict, expected_version=1)
    person = Person.objects.get(pk=people.zhang.pk)
    assert person.employer == "珠海华发集团有限公司"
    assert person.field_sources["employer"]["source"] == "grid"
    assert person.version == 2
    conflict = FieldConflict.objects.get(pk=people.conflict.pk)
    assert conflict.status == "accepted"
    assert conflict.decided_by == staff
    record = AuditRecord.objects.get(action="registry.conflict_accept")
    assert record.details["field"] == "employer"
    assert record.target_id == str(person.pk)
    with pytest.raises(ConflictError):
        conflict_accept(actor=staff, conflict=conflict)
    with pytest.raises(ConflictError):
        conflict_reject(actor=staff, conflict=conflict)


def test_conflict_accept_refuses_a_stale_version_and_writes_nothing(
    people: People, actors: dict[str, Any]
) -> None:
    Person.objects.filter(pk=people.zhang.pk).update(version=5)
    with pytest.raises(ConflictError):
        conflict_accept(actor=actors["administrator"], conflict=people.conflict, expected_version=4)
    assert Person.objects.get(pk=people.zhang.pk).employer == "珠海格力电器股份有限公司"
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "open"
    assert not AuditRecord.objects.filter(action__startswith="registry.conflict").exists()


@pytest.mark.parametrize(
    "actor",
    ["citizen", "dispatcher_without_right", "grid_worker", "street_staff_without_source"],
)
def test_conflict_decisions_refused_without_the_right(
    people: People, actors: dict[str, Any], actor: str
) -> None:
    for decide in (conflict_accept, conflict_reject):
        with pytest.raises(PermissionDeniedError):
            decide(actor=actors[actor], conflict=people.conflict)
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "open"
    assert Person.objects.get(pk=people.zhang.pk).version == 1
    assert not AuditRecord.objects.filter(action__startswith="registry.conflict").exists()


def test_conflict_reject_keeps_the_current_value(people: People, actors: dict[str, Any]) -> None:
    conflict_reject(actor=actors["programme_office"], conflict=people.conflict)
    assert Person.objects.get(pk=people.zhang.pk).employer == "珠海格力电器股份有限公司"
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "rejected"
    assert AuditRecord.objects.filter(action="registry.conflict_reject").count() == 1


def test_conflict_with_an_invalid_value_is_refused(people: People, actors: dict[str, Any]) -> None:
    people.conflict.field_name = "residence_status"
    people.conflict.proposed_value = "martian"
    people.conflict.save()
    with pytest.raises(DomainError) as raised:
        conflict_accept(actor=actors["administrator"], conflict=people.conflict)
    assert raised.value.field == "residence_status"
    assert FieldConflict.objects.get(pk=people.conflict.pk).status == "open"


@pytest.mark.parametrize(
    ("prefix", "upper"),
    [("4404", "4405"), ("4409", "441"), ("440402001001009", "44040200100101"), ("99", None)],
)
def test_next_code(prefix: str, upper: str | None) -> None:
    assert gate._next_code(prefix) == upper


def test_code_prefix_filter_matches_startswith(territory: Any) -> None:
    codes = ["4404", "44040", "440409", "4404999", "4405", "441", "4403", "44"]
    for index, code in enumerate(codes):
        Person.objects.create(
            id_hash=f"h{index}",
            id_sealed="s",
            id_masked="m",
            name=code,
            sex="M",
            birth_date="1990-01-01",
            region_code="440402",
            admin_unit_code=code,
        )
    for prefix in ("4404", "44040", "4409", "44", "440409", "9"):
        expected = {code for code in codes if code.startswith(prefix)}
        found = set(
            Person.objects.filter(gate.code_prefix_q(prefix)).values_list("name", flat=True)
        )
        assert found == expected, prefix


def test_source_records_show_coded_values_by_their_labels(
    people: People, make_user: Callable[..., User], territory: Any
) -> None:
    from django.utils import timezone

    from civicgrid.registry.models import SourceRecord

    from .sharing_fixtures import source

    SourceRecord.objects.create(
        source=source("gongan"),
        entity_kind=EntityKind.PERSON,
        natural_key=people.li.id_hash,
        fingerprint="f2",
        fields={"name": "李四", "residence_status": "floating", "sex": "F"},
        received_at=timezone.now(),
        person=people.li,
        admin_unit_code=people.li.admin_unit_code,
    )
    worker = make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_2)
    detail = selectors.person_detail(worker, people.li.pk)
    assert detail is not None
    (record,) = detail.source_records
    shown = dict((str(label), text) for label, text in record.fields)
    assert shown["人口类型"] == "流动人口"
    assert shown["性别"] == "女"
    assert shown["姓名"] == "李四"
