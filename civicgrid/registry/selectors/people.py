"""Reads of persons, legal entities and source conflicts, already masked for the reader.

Every function takes the acting user and starts from the gatekeeper
(:mod:`civicgrid.registry.selectors.access`); values leave here as display strings that are
masked according to the user's field access, never as plain personal data. The plain value of a
revealable field comes only from :func:`civicgrid.registry.services.access.person_reveal`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import PermissionDeniedError
from civicgrid.core.idnumbers import normalise_id_number

from .. import crypto
from ..models import (
    EntityKind,
    FieldConflict,
    HouseholdMember,
    LegalEntity,
    Person,
    Residence,
    ReviewStatus,
    Source,
    SourceRecord,
    SpecialGroupTag,
)
from .access import (
    ENTITY_FIELD_LABELS,
    ENTITY_FIELDS,
    FULL,
    HIDDEN,
    PERSON_FIELD_LABELS,
    PERSON_FIELDS,
    REVEALABLE_FIELDS,
    RegistryAccess,
    code_prefix_q,
    conflicts_visible_to,
    entities_visible_to,
    masked_value,
    persons_visible_to,
    registry_access,
)

_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# Columns of the person list, in order (each shown per the reader's field access).
PERSON_LIST_FIELDS: tuple[str, ...] = (
    "name",
    "id_number",
    "sex",
    "birth_date",
    "residence_status",
    "phone",
    "current_address",
)
ENTITY_LIST_FIELDS: tuple[str, ...] = ("name", "uscc", "kind", "legal_representative", "status")
SOURCE_RECORDS_SHOWN = 50
# The admin unit comes with a person for its name; its boundary polygon stays in the database.
UNIT_DEFERRED = ("admin_unit__boundary", "admin_unit__boundary_source", "admin_unit__source")


@dataclass(frozen=True)
class FieldView:
    """One field as this reader may see it, with the source and time of the value."""

    name: str
    label: Any
    value: str
    access: str
    is_masked: bool = False
    may_reveal: bool = False
    source_code: str = ""
    source_name: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class PersonRow:
    """A person in a list: visible fields only, masked per the reader's access."""

    pk: int
    version: int
    admin_unit_code: str
    unit_name: str
    fields: Mapping[str, FieldView]

    @property
    def cells(self) -> list[FieldView]:
        """The visible fields in list-column order."""
        return [self.fields[name] for name in PERSON_LIST_FIELDS if name in self.fields]


@dataclass(frozen=True)
class MemberView:
    pk: int | None  # None: a member outside the reader's scope (not named)
    name: str
    id_number: str
    relation: str


@dataclass(frozen=True)
class HouseholdView:
    number: str
    kind: str
    relation: str
    address: str
    members: list[MemberView]
    members_outside_scope: int


@dataclass(frozen=True)
class ResidenceView:
    address: str
    kind: str
    moved_in: dt.date | None
    moved_out: dt.date | None
    source_name: str
    is_current: bool


@dataclass(frozen=True)
class SourceRecordView:
    pk: int
    source_code: str
    source_name: str
    received_at: dt.datetime
    file_name: str
    line: int | None
    fields: list[tuple[Any, str]]


@dataclass(frozen=True)
class ConflictView:
    pk: int
    entity_kind: str
    record_pk: int | None
    record_name: str
    field_name: str
    field_label: Any
    current_value: str
    current_source: str
    proposed_value: str
    proposed_source: str
    status: str
    status_label: Any
    created_at: dt.datetime
    decided_at: dt.datetime | None
    may_decide: bool
    record_version: int | None


@dataclass(frozen=True)
class PersonDetail:
    person: Person
    unit_name: str
    fields: list[FieldView]
    revealable: list[str]
    households: list[HouseholdView]
    residences: list[ResidenceView] | None  # None: the reader may not see addresses
    tags: list[SpecialGroupTag] | None  # None: the reader is not entitled to special groups
    source_records: list[SourceRecordView]
    source_record_count: int
    conflicts: list[ConflictView]


@dataclass(frozen=True)
class EntityRow:
    pk: int
    admin_unit_code: str
    unit_name: str
    fields: Mapping[str, FieldView]

    @property
    def cells(self) -> list[FieldView]:
        return [self.fields[name] for name in ENTITY_LIST_FIELDS if name in self.fields]


@dataclass(frozen=True)
class EntityDetail:
    entity: LegalEntity
    unit_name: str
    fields: list[FieldView]
    source_records: list[SourceRecordView]
    source_record_count: int
    conflicts: list[ConflictView]


@dataclass
class _Sources:
    """Source names by code, read once per call."""

    names: dict[str, str] = field(default_factory=dict)
    loaded: bool = False

    def name(self, code: str) -> str:
        if not code:
            return ""
        if not self.loaded:
            self.names = dict(Source.objects.values_list("code", "name"))
            self.loaded = True
        return self.names.get(code, code)


# --- lookups --------------------------------------------------------------------------------


def id_number_hash(value: Any) -> str | None:
    """The keyed hash of a typed ID number (normalised: full-width, spaces, ``x``), or ``None``
    when it does not have the shape of an 18-character ID number."""
    number = normalise_id_number(value)
    if not _ID_SHAPE.fullmatch(number):
        return None
    return crypto.id_hash(number)


def person_by_id_number(user: Any, number: Any) -> Person | None:
    """The person with this ID number if ``user`` may see them (one index probe on the hash)."""
    access = registry_access(user)
    if access.person_access("id_number") == HIDDEN:
        return None
    digest = id_number_hash(number)
    if digest is None:
        return None
    return (
        persons_visible_to(user)
        .filter(id_hash=digest)
        .select_related("admin_unit", "current_address")
        .defer(*UNIT_DEFERRED)
        .first()
    )


def person_visible(user: Any, pk: Any) -> Person | None:
    """One person by primary key if ``user`` may see them, else ``None`` (callers answer 404)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        persons_visible_to(user)
        .filter(pk=key)
        .select_related("admin_unit", "current_address")
        .defer(*UNIT_DEFERRED)
        .first()
    )


def persons_search(
    user: Any,
    *,
    query: str = "",
    unit_code: str = "",
    residence_status: str = "",
    address: str = "",
) -> QuerySet[Person]:
    """Persons in ``user``'s scope matching the filters, ordered by unit and name.

    ``query`` is an ID number (exact, through the keyed hash) or part of a name; ``unit_code``
    keeps a subtree (a grid, community, …); ``address`` part of the current address. Searching
    by a field the user may not see in full raises :class:`PermissionDeniedError`.
    """
    access = registry_access(user)
    persons = (
        persons_visible_to(user)
        .select_related("admin_unit", "current_address")
        .defer(*UNIT_DEFERRED)
    )
    query = (query or "").strip()
    if query:
        digest = id_number_hash(query)
        if digest is not None:
            if access.person_access("id_number") == HIDDEN:
                raise PermissionDeniedError(_("You may not search by ID number."))
            persons = persons.filter(id_hash=digest)
        else:
            if not access.may_search_by_name:
                raise PermissionDeniedError(_("You may not search by name."))
            persons = persons.filter(name__contains=query)
    address = (address or "").strip()
    if address:
        if not access.may_search_by_address:
            raise PermissionDeniedError(_("You may not search by address."))
        persons = persons.filter(current_address__full_text__contains=address)
    unit_code = (unit_code or "").strip()
    if unit_code:
        persons = persons.filter(code_prefix_q(unit_code))
    if residence_status:
        persons = persons.filter(residence_status=residence_status)
    return persons.order_by("admin_unit_code", "name", "pk")


def residents_of_unit(user: Any, unit_code: str) -> QuerySet[Person]:
    """Living persons placed in ``unit_code`` or below (a grid's residents), if visible."""
    return persons_search(user, unit_code=unit_code).filter(is_deceased=False)


# --- display --------------------------------------------------------------------------------


def _raw_person_value(person: Person, name: str) -> Any:
    if name == "id_number":
        return person.id_masked
    if name == "current_address":
        address = person.current_address
        return address.full_text if address is not None else ""
    if name == "special_tags":
        return ""
    return getattr(person, name, "")


def _display(instance: Any, name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    getter = getattr(instance, f"get_{name}_display", None)
    if callable(getter):
        return str(getter())
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _source_of(
    field_sources: Any, name: str, sources: _Sources
) -> tuple[str, str, dt.datetime | None]:
    entry = field_sources.get(name) if isinstance(field_sources, dict) else None
    if not isinstance(entry, dict):
        return "", "", None
    code = str(entry.get("source") or "")
    at = entry.get("at")
    parsed = parse_datetime(at) if isinstance(at, str) else None
    return code, sources.name(code), parsed


def person_field_view(
    access: RegistryAccess,
    person: Person,
    name: str,
    *,
    sources: _Sources | None = None,
    revealed: Mapping[str, str] | None = None,
) -> FieldView:
    """How ``name`` of ``person`` is shown to the reader (``revealed``: plain values the
    reader has just revealed with a purpose, through the service)."""
    level = access.person_access(name)
    label = PERSON_FIELD_LABELS[name]
    source_code = source_name = ""
    at = None
    if sources is not None:
        source_code, source_name, at = _source_of(person.field_sources, name, sources)
    if level == HIDDEN:
        return FieldView(name, label, "", level)
    raw = _raw_person_value(person, name)
    may_reveal = access.may_reveal(name)
    if revealed and name in revealed and may_reveal:
        value, is_masked = revealed[name], False
    elif level == FULL and name not in REVEALABLE_FIELDS:
        value, is_masked = _display(person, name, raw), False
    else:
        value, is_masked = masked_value(name, raw, person=person), bool(raw)
    return FieldView(
        name, label, value, level, is_masked, may_reveal and bool(raw), source_code, source_name, at
    )


def person_rows(user: Any, persons: Iterable[Person]) -> list[PersonRow]:
    """Masked list rows (select ``admin_unit`` and ``current_address`` with the persons)."""
    access = registry_access(user)
    rows = []
    for person in persons:
        rows.append(
            PersonRow(
                pk=person.pk,
                version=person.version,
                admin_unit_code=person.admin_unit_code,
                unit_name=person.admin_unit.name if person.admin_unit else "",
                fields={
                    name: person_field_view(access, person, name)
                    for name in PERSON_LIST_FIELDS
                    if access.sees_person_field(name)
                },
            )
        )
    return rows


def visible_list_fields(user: Any, kind: str = EntityKind.PERSON) -> list[tuple[str, Any]]:
    """The list columns ``user`` may see, with their labels."""
    access = registry_access(user)
    if kind == EntityKind.ENTITY:
        return [
            (name, ENTITY_FIELD_LABELS[name])
            for name in ENTITY_LIST_FIELDS
            if access.entity_access(name) != HIDDEN
        ]
    return [
        (name, PERSON_FIELD_LABELS[name])
        for name in PERSON_LIST_FIELDS
        if access.sees_person_field(name)
    ]


def _choice_label(kind: str, name: str, value: Any) -> str:
    """A stored code as its label (``floating`` → 流动人口); other values as they are."""
    model = LegalEntity if kind == EntityKind.ENTITY else Person
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = getattr(field, "flatchoices", None)
    return str(dict(choices).get(value, value)) if choices else str(value)


def _record_views(
    access: RegistryAccess,
    records: Iterable[SourceRecord],
    kind: str,
    sources: _Sources,
) -> list[SourceRecordView]:
    labels = ENTITY_FIELD_LABELS if kind == EntityKind.ENTITY else PERSON_FIELD_LABELS
    views = []
    for record in records:
        shown: list[tuple[Any, str]] = []
        values = record.fields if isinstance(record.fields, dict) else {}
        for name in ENTITY_FIELDS if kind == EntityKind.ENTITY else PERSON_FIELDS:
            key = "id_masked" if name == "id_number" and name not in values else name
            if key not in values or values[key] in (None, ""):
                continue
            level = access.access(kind, name)
            if level == HIDDEN:
                continue
            value = values[key]
            if key == "id_masked":
                text = str(value)  # stored masked already
            elif level != FULL or name in REVEALABLE_FIELDS:
                text = masked_value(name, value)
            else:
                text = _choice_label(kind, name, value)
            shown.append((labels[name], text))
        views.append(
            SourceRecordView(
                pk=record.pk,
                source_code=record.source.code,
                source_name=record.source.name,
                received_at=record.received_at,
                file_name=record.run.file_name if record.run is not None else "",
                line=record.line,
                fields=shown,
            )
        )
    return views


def _conflict_view(
    access: RegistryAccess, conflict: FieldConflict, sources: _Sources
) -> ConflictView:
    kind = conflict.entity_kind
    record: Any = conflict.entity if kind == EntityKind.ENTITY else conflict.person
    labels = ENTITY_FIELD_LABELS if kind == EntityKind.ENTITY else PERSON_FIELD_LABELS
    name = conflict.field_name
    level = access.access(kind, name)

    def show(value: str) -> str:
        if level == HIDDEN:
            return ""
        if level == FULL and name not in REVEALABLE_FIELDS:
            return value
        return masked_value(name, value)

    record_name = ""
    if record is not None:
        name_level = access.access(kind, "name")
        record_name = (
            record.name
            if name_level == FULL
            else (masked_value("name", record.name) if name_level != HIDDEN else "")
        )
    return ConflictView(
        pk=conflict.pk,
        entity_kind=kind,
        record_pk=record.pk if record is not None else None,
        record_name=record_name,
        field_name=name,
        field_label=labels.get(name, name),
        current_value=show(conflict.current_value),
        current_source=sources.name(conflict.current_source),
        proposed_value=show(conflict.proposed_value),
        proposed_source=conflict.proposed_source.name,
        status=conflict.status,
        status_label=conflict.get_status_display(),
        created_at=conflict.created_at,
        decided_at=conflict.decided_at,
        may_decide=(
            conflict.status == ReviewStatus.OPEN
            and access.may_review(kind, name, conflict.admin_unit_code)
        ),
        record_version=record.version if record is not None else None,
    )


def person_detail(
    user: Any, pk: Any, *, revealed: Mapping[str, str] | None = None
) -> PersonDetail | None:
    """Everything ``user`` may see of one person, masked; ``None`` if not visible."""
    person = person_visible(user, pk)
    if person is None:
        return None
    access = registry_access(user)
    sources = _Sources()
    fields = [
        person_field_view(access, person, name, sources=sources, revealed=revealed)
        for name in PERSON_FIELDS
        if name != "special_tags" and access.sees_person_field(name)
    ]
    households = _household_views(user, access, person)
    residences = None
    if access.sees_person_field("current_address"):
        residences = [
            ResidenceView(
                address=masked_value("current_address", residence.address.full_text),
                kind=residence.get_kind_display(),
                moved_in=residence.moved_in,
                moved_out=residence.moved_out,
                source_name=residence.source.name if residence.source else "",
                is_current=residence.moved_out is None,
            )
            for residence in Residence.objects.filter(person=person)
            .select_related("address", "source")
            .order_by("-moved_in", "-pk")
        ]
    tags = None
    if access.may_see_tags:
        tags = list(
            SpecialGroupTag.objects.filter(person=person)
            .select_related("source")
            .order_by("until", "group")
        )
    records = SourceRecord.objects.filter(person=person).select_related("source", "run")
    record_list = list(records.order_by("-received_at", "-pk")[:SOURCE_RECORDS_SHOWN])
    record_count = len(record_list)
    if record_count == SOURCE_RECORDS_SHOWN:
        record_count = records.count()
    conflicts = [
        _conflict_view(access, conflict, sources)
        for conflict in FieldConflict.objects.filter(person=person, status=ReviewStatus.OPEN)
        .select_related("proposed_source", "person")
        .order_by("created_at", "pk")
        if access.sees_person_field(conflict.field_name)
    ]
    return PersonDetail(
        person=person,
        unit_name=person.admin_unit.name if person.admin_unit else "",
        fields=fields,
        revealable=[name for name in access.revealable_fields if name != "special_tags"],
        households=households,
        residences=residences,
        tags=tags,
        source_records=_record_views(access, record_list, EntityKind.PERSON, sources),
        source_record_count=record_count,
        conflicts=conflicts,
    )


def _household_views(user: Any, access: RegistryAccess, person: Person) -> list[HouseholdView]:
    if not access.sees_person_field("registered_address"):
        return []
    scope = access.scope
    memberships = (
        HouseholdMember.objects.filter(person=person)
        .select_related("household", "household__address")
        .prefetch_related(
            Prefetch(
                "household__members",
                queryset=HouseholdMember.objects.select_related("person").order_by("pk"),
            )
        )
    )
    views = []
    for membership in memberships:
        household = membership.household
        members = []
        outside = 0
        for member in household.members.all():
            other = member.person
            if not scope.covers_code(other.admin_unit_code):
                outside += 1
                continue
            members.append(
                MemberView(
                    pk=other.pk,
                    name=person_field_view(access, other, "name").value,
                    id_number=other.id_masked if access.sees_person_field("id_number") else "",
                    relation=member.get_relation_display(),
                )
            )
        address = household.address.full_text if household.address else ""
        views.append(
            HouseholdView(
                number=household.number,
                kind=household.get_kind_display(),
                relation=membership.get_relation_display(),
                address=masked_value("registered_address", address),
                members=members,
                members_outside_scope=outside,
            )
        )
    return views


# --- legal entities -------------------------------------------------------------------------


def entities_search(
    user: Any, *, query: str = "", unit_code: str = "", kind: str = ""
) -> QuerySet[LegalEntity]:
    """Legal entities in ``user``'s scope: ``query`` is a USCC (exact) or part of the name."""
    entities = (
        entities_visible_to(user)
        .select_related("admin_unit", "actual_address")
        .defer(*UNIT_DEFERRED)
    )
    query = (query or "").strip().upper()
    if query:
        if len(query) == 18 and query.isalnum():
            entities = entities.filter(uscc=query)
        else:
            entities = entities.filter(name__contains=query)
    if unit_code:
        entities = entities.filter(code_prefix_q(unit_code.strip()))
    if kind:
        entities = entities.filter(kind=kind)
    return entities.order_by("admin_unit_code", "name", "pk")


def entity_visible(user: Any, pk: Any) -> LegalEntity | None:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        entities_visible_to(user)
        .filter(pk=key)
        .select_related("admin_unit", "actual_address")
        .defer(*UNIT_DEFERRED)
        .first()
    )


def entity_field_view(
    access: RegistryAccess, entity: LegalEntity, name: str, *, sources: _Sources | None = None
) -> FieldView:
    level = access.entity_access(name)
    label = ENTITY_FIELD_LABELS[name]
    source_code = source_name = ""
    at = None
    if sources is not None:
        source_code, source_name, at = _source_of(entity.field_sources, name, sources)
    if level == HIDDEN:
        return FieldView(name, label, "", level)
    if name == "actual_address":
        raw: Any = entity.actual_address.full_text if entity.actual_address else ""
    else:
        raw = getattr(entity, name, "")
    if level == FULL:
        return FieldView(
            name, label, _display(entity, name, raw), level, False, False, source_code,
            source_name, at,
        )  # fmt: skip
    return FieldView(
        name, label, masked_value(name, raw), level, bool(raw), False, source_code, source_name, at
    )


def entity_rows(user: Any, entities: Iterable[LegalEntity]) -> list[EntityRow]:
    access = registry_access(user)
    return [
        EntityRow(
            pk=entity.pk,
            admin_unit_code=entity.admin_unit_code,
            unit_name=entity.admin_unit.name if entity.admin_unit else "",
            fields={
                name: entity_field_view(access, entity, name)
                for name in ENTITY_LIST_FIELDS
                if access.entity_access(name) != HIDDEN
            },
        )
        for entity in entities
    ]


def entity_detail(user: Any, pk: Any) -> EntityDetail | None:
    entity = entity_visible(user, pk)
    if entity is None:
        return None
    access = registry_access(user)
    sources = _Sources()
    records = SourceRecord.objects.filter(entity=entity).select_related("source", "run")
    record_list = list(records.order_by("-received_at", "-pk")[:SOURCE_RECORDS_SHOWN])
    record_count = len(record_list)
    if record_count == SOURCE_RECORDS_SHOWN:
        record_count = records.count()
    return EntityDetail(
        entity=entity,
        unit_name=entity.admin_unit.name if entity.admin_unit else "",
        fields=[
            entity_field_view(access, entity, name, sources=sources)
            for name in ENTITY_FIELDS
            if access.entity_access(name) != HIDDEN
        ],
        source_records=_record_views(access, record_list, EntityKind.ENTITY, sources),
        source_record_count=record_count,
        conflicts=[
            _conflict_view(access, conflict, sources)
            for conflict in FieldConflict.objects.filter(entity=entity, status=ReviewStatus.OPEN)
            .select_related("proposed_source", "entity")
            .order_by("created_at", "pk")
            if access.entity_access(conflict.field_name) != HIDDEN
        ],
    )


# --- conflicts (review queue) ---------------------------------------------------------------


def conflicts_for_review(user: Any, *, status: str = ReviewStatus.OPEN) -> QuerySet[FieldConflict]:
    """The review queue: conflicts ``user`` may decide (open ones by default), oldest first."""
    conflicts = conflicts_visible_to(user).select_related("proposed_source", "person", "entity")
    if status:
        conflicts = conflicts.filter(status=status)
    return conflicts.order_by("created_at", "pk")


def conflict_rows(user: Any, conflicts: Iterable[FieldConflict]) -> list[ConflictView]:
    access = registry_access(user)
    sources = _Sources()
    return [_conflict_view(access, conflict, sources) for conflict in conflicts]


def conflict_visible(user: Any, pk: Any) -> FieldConflict | None:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        conflicts_visible_to(user)
        .filter(pk=key)
        .select_related("proposed_source", "person", "entity")
        .first()
    )
