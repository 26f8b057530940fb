"""动态采集: grid workers collect and update registry data as change requests that the
community confirms (issue 4, item 5).

A grid worker (网格员) submits a :class:`~civicgrid.registry.models.ChangeRequest` for a record
inside their own grid; it changes nothing in the registry until the community confirms it.
Confirming applies it in the same transaction: the person, residence, address or legal entity
is created or updated with source ``grid`` (网格采集), each written field gets
``field_sources[field] = {"source": "grid", "at": <collection time>}``, and a
:class:`~civicgrid.registry.models.SourceRecord` keeps what was collected.

Who may submit, decide and withdraw is stated in :mod:`civicgrid.registry.selectors.collection`
(grid worker of the grid; the community's staff, or the programme office or an administrator
over the grid; the submitter while it waits).

States (:class:`~civicgrid.registry.models.ChangeStatus`)::

    submitted ──confirm──▶ confirmed (applied)
        │ ──reject (reason)──▶ rejected
        └ ──withdraw (submitter)──▶ withdrawn

Each transition is one service, one transaction, guarded by the request's ``version``
(optimistic concurrency: a stale version or a finished request is a :class:`ConflictError`
and nothing changes), with one :class:`ChangeRequestEvent` and one audit row.

ID numbers never appear in plain text in a payload: it holds the keyed hash (to find the
person), the Fernet token (:func:`civicgrid.registry.crypto.seal`, opened only when the change
is applied) and the masked form for display.

Merge rules (一数一源) are the registry's own (:mod:`civicgrid.registry.services.merge`, the
same as imports): a value fills an empty field; a different value replaces the current one when
it comes from the same source or ``grid`` ranks better for the field in the authority table
(by default the current address, its grid code and the residence status come from grid
collection); otherwise the disagreement becomes an open :class:`FieldConflict` for review and
the value is kept in the source record only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.selectors import scope_of
from civicgrid.core.audit import audit_record
from civicgrid.core.creditcodes import validate_credit_code
from civicgrid.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from civicgrid.core.idnumbers import parse_id_number
from civicgrid.core.masking import mask_id_number
from civicgrid.core.phones import validate_phone
from civicgrid.territory.models import AdminUnit
from civicgrid.territory.selectors import locate_point

from ..crypto import id_hash, seal, unseal
from ..models import (
    Address,
    Building,
    ChangeKind,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeStatus,
    EntityKind,
    EntityKindOfLaw,
    EntityStatus,
    FieldConflict,
    LegalEntity,
    Person,
    Residence,
    ResidenceKind,
    ResidenceStatus,
    ReviewStatus,
    Source,
    SourceRecord,
)
from ..selectors.collection import collecting_grid_of, may_decide
from .merge import Authority, Conflict, merge_fields
from .placement import Placer, address_key, building_key

__all__ = [
    "GRID_SOURCE",
    "change_request_confirm",
    "change_request_reject",
    "change_request_submit",
    "change_request_withdraw",
]

GRID_SOURCE = "grid"  # 网格采集
GRID_SOURCE_NAME = "网格采集"
REASON_MIN = 2
REASON_MAX = 300

# Input fields each kind takes, with their labels for messages.
FIELD_LABELS: dict[str, Any] = {
    "id_number": gettext_lazy("ID number"),
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "residence_status": gettext_lazy("Residence status"),
    "employer": gettext_lazy("Employer"),
    "residence_kind": gettext_lazy("Kind of residence"),
    "moved_in": gettext_lazy("Moved in on"),
    "moved_out": gettext_lazy("Moved out on"),
    "road": gettext_lazy("Road"),
    "house_number": gettext_lazy("House number"),
    "building": gettext_lazy("Building"),
    "unit": gettext_lazy("Unit"),
    "room": gettext_lazy("Room"),
    "location": gettext_lazy("Place on the map"),
    "uscc": gettext_lazy("Unified social credit code"),
    "entity_name": gettext_lazy("Name of the entity"),
    "entity_kind": gettext_lazy("Kind of entity"),
    "legal_representative": gettext_lazy("Legal representative"),
    "entity_status": gettext_lazy("Status"),
    "established_on": gettext_lazy("Established on"),
    "address": gettext_lazy("Address"),
}

_SPACES = re.compile(r"\s+")


# ---------------------------------------------------------------- input cleaning


def _invalid(field: str, message: Any) -> DomainError:
    return DomainError(message, code="invalid", field=field)


def _text(data: Mapping[str, Any], field: str, *, max_length: int, required: bool) -> str:
    value = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(data.get(field) or ""))).strip()
    if not value and required:
        raise _invalid(field, _("%(field)s: this field is required.") % _label(field))
    if len(value) > max_length:
        raise _invalid(
            field,
            _("%(field)s: at most %(max)s characters.") % {**_label(field), "max": max_length},
        )
    return value


def _label(field: str) -> dict[str, Any]:
    return {"field": FIELD_LABELS.get(field, field)}


def _choice(data: Mapping[str, Any], field: str, choices: Any, default: str | None = None) -> str:
    value = str(data.get(field) or default or "")
    if value not in choices.values:
        raise _invalid(field, _("%(field)s: choose one of the offered values.") % _label(field))
    return value


def _date(data: Mapping[str, Any], field: str, *, required: bool, today: dt.date) -> dt.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise _invalid(field, _("%(field)s: this field is required.") % _label(field))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise _invalid(
                field, _("%(field)s: enter a date as YYYY-MM-DD.") % _label(field)
            ) from None
    if value > today:
        raise _invalid(field, _("%(field)s: the date is in the future.") % _label(field))
    if value < dt.date(1900, 1, 1):
        raise _invalid(field, _("%(field)s: the date is before 1900.") % _label(field))
    return value


def _validated(field: str, check: Callable[[], Any]) -> Any:
    try:
        return check()
    except ValidationError as error:
        raise _invalid(field, " ".join(error.messages)) from None


def _phone(data: Mapping[str, Any]) -> str:
    raw = str(data.get("phone") or "").strip()
    if not raw:
        return ""
    return str(_validated("phone", lambda: validate_phone(raw, FIELD_LABELS["phone"])))


def _person_block(data: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The person part of a payload: ID number validated and sealed, never in plain text."""
    raw = data.get("id_number")
    if not str(raw or "").strip():
        raise _invalid("id_number", _("%(field)s: this field is required.") % _label("id_number"))
    info = _validated(
        "id_number", lambda: parse_id_number(raw, FIELD_LABELS["id_number"], today=today)
    )
    return {
        "id_hash": id_hash(info.number),
        "id_sealed": seal(info.number),
        "id_masked": mask_id_number(info.number),
        "name": _text(data, "name", max_length=60, required=True),
        "phone": _phone(data),
        "residence_status": _choice(
            data, "residence_status", ResidenceStatus, default=ResidenceStatus.FLOATING
        ),
        "employer": _text(data, "employer", max_length=200, required=False),
    }


# ---------------------------------------------------------------- permissions


def _require_grid_worker(actor: Any) -> AdminUnit:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError(_("Only grid workers collect registry data."))
    grid = collecting_grid_of(actor)
    if grid is None:
        if actor.role == "grid_worker":
            raise PermissionDeniedError(_("Your account is not assigned to a grid."))
        raise PermissionDeniedError(_("Only grid workers collect registry data."))
    return grid


def _require_in_grid(actor: Any, grid: AdminUnit, code: str) -> None:
    """The record's admin unit must lie inside the worker's grid (and their data scope)."""
    if not code or not code.startswith(grid.code) or not scope_of(actor).covers_code(code):
        raise PermissionDeniedError(_("This record is outside your grid."))


def _require_decider(actor: Any, change_request: ChangeRequest) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDeniedError(_("Only the community confirms collected data."))
    if actor.pk == change_request.submitted_by_id:
        raise PermissionDeniedError(_("You cannot confirm or reject your own submission."))
    if not may_decide(actor, change_request):
        raise PermissionDeniedError(
            _(
                "Only the community of this grid (its staff, or the programme office or an "
                "administrator over it) confirms collected data."
            )
        )


# ---------------------------------------------------------------- payloads per kind


def _grid_names(grid: AdminUnit) -> list[str]:
    """District, street and community names above ``grid`` (from the admin-unit tree)."""
    prefixes = [grid.code[:length] for length in (6, 9, 12)]
    names = dict(AdminUnit.objects.filter(code__in=prefixes).values_list("code", "name"))
    return [names.get(prefix, "") for prefix in prefixes]


def _address_payload(grid: AdminUnit, data: Mapping[str, Any]) -> dict[str, Any]:
    """A new dwelling in the grid: the parts are read by the registry's placement module
    (same standard key as imports); the point, if any, must lie inside the grid."""
    road = _text(data, "road", max_length=60, required=True)
    house_number = _text(data, "house_number", max_length=20, required=True)
    building = _text(data, "building", max_length=60, required=False)
    unit = _text(data, "unit", max_length=20, required=False)
    room = _text(data, "room", max_length=20, required=False)
    lon, lat = data.get("lon"), data.get("lat")
    if (lon in (None, "")) != (lat in (None, "")):
        raise _invalid("location", _("Pick the place on the map again."))
    point: dict[str, float] = {}
    if lon not in (None, ""):
        try:
            point = {"lon": float(lon), "lat": float(lat)}  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _invalid("location", _("Pick the place on the map again.")) from None
        found = locate_point(point["lon"], point["lat"])
        if found is None or found.unit.code != grid.code:
            raise _invalid("location", _("The place on the map is outside your grid."))
    district, street, community = _grid_names(grid)
    parsed = Placer.from_database(with_locator=False).parse_parts(
        district=district,
        street=street,
        community=community,
        road=road,
        house_number=house_number,
        building=building,
        unit=unit,
        room=room,
    )
    key = address_key(parsed)
    if not key or parsed.too_long():
        raise _invalid("house_number", _("Give the road and the house number of the address."))
    if Address.objects.filter(key=key).exists():
        raise _invalid("road", _("This address is already in the registry."))
    return {
        "key": key,
        "building_key": building_key(parsed),
        "district": parsed.district,
        "street": parsed.street,
        "community": parsed.community,
        "road": parsed.road,
        "house_number": parsed.house_number,
        "building": parsed.building,
        "unit": parsed.unit,
        "room": parsed.room,
        "full_text": parsed.text()[:300],
        **point,
    }


def _entity_fields(
    data: Mapping[str, Any], grid: AdminUnit, actor: Any, *, required: bool, today: dt.date
) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    name = _text(data, "entity_name", max_length=200, required=required)
    if name:
        fields["name"] = name
    if required or data.get("entity_kind"):
        fields["kind"] = _choice(data, "entity_kind", EntityKindOfLaw)
    representative = _text(data, "legal_representative", max_length=60, required=False)
    if representative:
        fields["legal_representative"] = representative
    if required or data.get("entity_status"):
        fields["status"] = _choice(data, "entity_status", EntityStatus, default=EntityStatus.ACTIVE)
    established = _date(data, "established_on", required=False, today=today)
    if established is not None:
        fields["established_on"] = established.isoformat()
    address = data.get("address")
    if address is not None:
        if not isinstance(address, Address):
            raise _invalid("address", _("Choose an address of your grid."))
        _require_in_grid(actor, grid, address.admin_unit_code)
        fields["actual_address_id"] = address.pk
        fields["actual_address_text"] = address.full_text
    return fields


def _residence_exists(person_hash: str, address: Address) -> bool:
    return Residence.objects.filter(
        person__id_hash=person_hash, address=address, moved_out__isnull=True
    ).exists()


def _pending(kind: str, **lookups: Any) -> bool:
    return ChangeRequest.objects.filter(
        kind=kind, status=ChangeStatus.SUBMITTED, **lookups
    ).exists()


def _build_payload(
    *,
    actor: Any,
    grid: AdminUnit,
    kind: str,
    data: Mapping[str, Any],
    person: Person | None,
    address: Address | None,
    entity: LegalEntity | None,
    residence: Residence | None,
    today: dt.date,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The payload of a new request and its target links (person / address / entity)."""
    links: dict[str, Any] = {}
    if kind == ChangeKind.PERSON_ADD:
        block = _person_block(data, today=today)
        links["person"] = Person.objects.filter(id_hash=block["id_hash"]).first()
        return {"person": block}, links
    if kind == ChangeKind.RESIDENCE_ADD:
        if address is None:
            raise _invalid("address", _("Choose an address of your grid."))
        _require_in_grid(actor, grid, address.admin_unit_code)
        block = _person_block(data, today=today)
        if _residence_exists(block["id_hash"], address):
            raise _invalid("id_number", _("This person already lives at this address."))
        if _pending(kind, address=address, payload__person__id_hash=block["id_hash"]):
            raise ConflictError(
                _("The same resident at this address is already waiting for confirmation."),
                code="duplicate_request",
            )
        payload = {
            "person": block,
            "address_id": address.pk,
            "address_text": address.full_text,
            "residence_kind": _choice(data, "residence_kind", ResidenceKind, ResidenceKind.RENT),
            "moved_in": _iso(_date(data, "moved_in", required=False, today=today)),
        }
        links["address"] = address
        links["person"] = Person.objects.filter(id_hash=block["id_hash"]).first()
        return payload, links
    if kind == ChangeKind.RESIDENCE_END:
        if residence is None or residence.moved_out is not None:
            raise _invalid("moved_out", _("Choose a current resident of your grid."))
        _require_in_grid(actor, grid, residence.admin_unit_code)
        moved_out = _date(data, "moved_out", required=True, today=today)
        assert moved_out is not None
        if residence.moved_in is not None and moved_out < residence.moved_in:
            raise _invalid("moved_out", _("Moved out on: the date is before the move-in date."))
        if _pending(kind, payload__residence_id=residence.pk):
            raise ConflictError(
                _("This move-out is already waiting for confirmation."), code="duplicate_request"
            )
        links.update(person=residence.person, address=residence.address)
        return {
            "residence_id": residence.pk,
            "address_text": residence.address.full_text,
            "person_masked": residence.person.id_masked,
            "moved_out": moved_out.isoformat(),
        }, links
    if kind == ChangeKind.ADDRESS_ADD:
        payload = _address_payload(grid, data)
        if _pending(kind, payload__key=payload["key"]):
            raise ConflictError(
                _("This address is already waiting for confirmation."), code="duplicate_request"
            )
        return payload, links
    if kind == ChangeKind.ENTITY_ADD:
        uscc = _validated(
            "uscc", lambda: validate_credit_code(data.get("uscc"), FIELD_LABELS["uscc"])
        )
        if LegalEntity.objects.filter(uscc=uscc).exists():
            raise _invalid("uscc", _("This entity is already in the registry; update it instead."))
        if _pending(kind, payload__uscc=uscc):
            raise ConflictError(
                _("This entity is already waiting for confirmation."), code="duplicate_request"
            )
        fields = _entity_fields(data, grid, actor, required=True, today=today)
        return {"uscc": uscc, **fields}, links
    if kind == ChangeKind.ENTITY_UPDATE:
        if entity is None:
            raise _invalid("entity_name", _("Choose an entity of your grid."))
        _require_in_grid(actor, grid, entity.admin_unit_code)
        fields = _entity_fields(data, grid, actor, required=False, today=today)
        changed = {
            name: value
            for name, value in fields.items()
            if name != "actual_address_text"
            and str(getattr(entity, name) or "") != str(value or "")
            and not (name == "established_on" and _iso(entity.established_on) == value)
        }
        if not changed:
            raise _invalid("entity_name", _("Nothing was changed."))
        if "actual_address_id" in changed:
            changed["actual_address_text"] = fields["actual_address_text"]
        links["entity"] = entity
        return {"uscc": entity.uscc, "entity_version": entity.version, **changed}, links
    if kind == ChangeKind.PERSON_UPDATE:
        if person is None:
            raise _invalid("name", _("Choose a person of your grid."))
        lives_here = Residence.objects.filter(
            person=person, moved_out__isnull=True, admin_unit_code__startswith=grid.code
        ).exists()
        if not lives_here:
            _require_in_grid(actor, grid, person.admin_unit_code)
        update: dict[str, Any] = {}
        for name, max_length in (("name", 60), ("employer", 200)):
            value = _text(data, name, max_length=max_length, required=False)
            if value and value != getattr(person, name):
                update[name] = value
        phone = _phone(data)
        if phone and phone != person.phone:
            update["phone"] = phone
        if data.get("residence_status"):
            status = _choice(data, "residence_status", ResidenceStatus)
            if status != person.residence_status:
                update["residence_status"] = status
        if not update:
            raise _invalid("name", _("Nothing was changed."))
        links["person"] = person
        return {
            "person": {"id_masked": person.id_masked, **update},
            "person_version": person.version,
        }, links
    raise _invalid("kind", _("Unknown kind of change."))


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------- submit / withdraw


@transaction.atomic
def change_request_submit(
    *,
    actor: Any,
    kind: str,
    data: Mapping[str, Any] | None = None,
    person: Person | None = None,
    address: Address | None = None,
    entity: LegalEntity | None = None,
    residence: Residence | None = None,
    today: dt.date | None = None,
) -> ChangeRequest:
    """采集提交: a grid worker proposes a change inside their grid; it waits for the community.

    ``data`` holds the entered values by field name (see :data:`FIELD_LABELS`); the target
    record is passed as ``person`` / ``address`` / ``entity`` / ``residence`` as the kind needs:
    ``residence_add`` an address (+ the tenant's ``id_number``, ``name``, …), ``residence_end``
    a residence (+ ``moved_out``), ``person_update`` a person, ``entity_update`` an entity,
    ``entity_add`` optionally its actual address. Invalid input raises :class:`DomainError`
    naming the field; nothing is written then.
    """
    grid = _require_grid_worker(actor)
    if kind not in ChangeKind.values:
        raise _invalid("kind", _("Unknown kind of change."))
    today = today or timezone.localdate()
    payload, links = _build_payload(
        actor=actor,
        grid=grid,
        kind=kind,
        data=data or {},
        person=person,
        address=address,
        entity=entity,
        residence=residence,
        today=today,
    )
    change_request = ChangeRequest.objects.create(
        kind=kind,
        payload=payload,
        admin_unit=grid,
        admin_unit_code=grid.code,
        submitted_by=actor,
        **links,
    )
    ChangeRequestEvent.objects.create(
        change_request=change_request,
        actor=actor,
        from_status="",
        to_status=ChangeStatus.SUBMITTED,
    )
    audit_record(
        actor=actor,
        action="registry.change_request.submit",
        target=change_request,
        details={"kind": kind},
    )
    return change_request


def _transition(
    *,
    actor: Any,
    change_request: ChangeRequest,
    expected_version: int,
    to_status: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> ChangeRequest:
    """Move a submitted request to ``to_status`` if it is still at ``expected_version``
    (one guarded UPDATE, so of two concurrent decisions exactly one wins); write the event."""
    updated = ChangeRequest.objects.filter(
        pk=change_request.pk, version=expected_version, status=ChangeStatus.SUBMITTED
    ).update(
        status=to_status, version=F("version") + 1, updated_at=timezone.now(), **(changes or {})
    )
    if updated != 1:
        current = ChangeRequest.objects.only("status", "version").get(pk=change_request.pk)
        if current.version != expected_version:
            raise ConflictError(
                _(
                    "Someone else changed this change request in the meantime (now: "
                    "%(status)s). Reload it and try again."
                )
                % {"status": current.get_status_display()},
                code="version_conflict",
            )
        raise ConflictError(
            _("This step is not possible while the change request is %(status)s.")
            % {"status": current.get_status_display()},
            code="illegal_transition",
        )
    from_status = change_request.status
    change_request.refresh_from_db()
    ChangeRequestEvent.objects.create(
        change_request=change_request,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return change_request


def _clean_reason(reason: str) -> str:
    reason = _SPACES.sub(" ", reason or "").strip()
    if len(reason) < REASON_MIN:
        raise DomainError(
            _("Give a reason (at least 2 characters)."), code="invalid", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("The reason can have at most 300 characters."), code="invalid", field="reason"
        )
    return reason


@transaction.atomic
def change_request_withdraw(
    *, actor: Any, change_request: ChangeRequest, expected_version: int
) -> ChangeRequest:
    """撤回: the submitter takes back a request that still waits for the community."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or actor.pk != change_request.submitted_by_id
    ):
        raise PermissionDeniedError(_("Only the grid worker who submitted it may withdraw it."))
    change_request = _transition(
        actor=actor,
        change_request=change_request,
        expected_version=expected_version,
        to_status=ChangeStatus.WITHDRAWN,
    )
    audit_record(
        actor=actor,
        action="registry.change_request.withdraw",
        target=change_request,
        details={"kind": change_request.kind},
    )
    return change_request


@transaction.atomic
def change_request_reject(
    *, actor: Any, change_request: ChangeRequest, expected_version: int, reason: str
) -> ChangeRequest:
    """退回: the community refuses the collected change, with a reason the worker reads."""
    _require_decider(actor, change_request)
    reason = _clean_reason(reason)
    change_request = _transition(
        actor=actor,
        change_request=change_request,
        expected_version=expected_version,
        to_status=ChangeStatus.REJECTED,
        changes={"decided_by": actor, "decided_at": timezone.now(), "reason": reason},
        note=reason,
    )
    audit_record(
        actor=actor,
        action="registry.change_request.reject",
        target=change_request,
        details={"kind": change_request.kind},
    )
    return change_request


# ---------------------------------------------------------------- confirm and apply


@transaction.atomic
def change_request_confirm(
    *, actor: Any, change_request: ChangeRequest, expected_version: int
) -> ChangeRequest:
    """确认: the community confirms; the change is applied to the registry in the same
    transaction (if applying fails, the request stays submitted and nothing is written)."""
    _require_decider(actor, change_request)
    now = timezone.now()
    change_request = _transition(
        actor=actor,
        change_request=change_request,
        expected_version=expected_version,
        to_status=ChangeStatus.CONFIRMED,
        changes={"decided_by": actor, "decided_at": now},
    )
    applier = _APPLIERS[change_request.kind]
    applied = _Apply(change_request)
    applier(applied)
    links = {
        name: value
        for name, value in (
            ("person", applied.person),
            ("address", applied.address),
            ("entity", applied.entity),
        )
        if value is not None
    }
    if links:
        ChangeRequest.objects.filter(pk=change_request.pk).update(**links)
        for name, value in links.items():
            setattr(change_request, name, value)
    audit_record(
        actor=actor,
        action="registry.change_request.confirm",
        target=change_request,
        details={
            "kind": change_request.kind,
            "applied": applied.summary,
            "conflicts": applied.conflicts,
        },
    )
    return change_request


class _Apply:
    """What confirming one request wrote (for the links, the audit row and the tests)."""

    def __init__(self, change_request: ChangeRequest) -> None:
        self.request = change_request
        self.payload: dict[str, Any] = change_request.payload
        self.at = change_request.created_at  # when the grid worker collected it
        self.at_text = self.at.isoformat()
        self.source = _grid_source()
        self.person: Person | None = None
        self.address: Address | None = None
        self.entity: LegalEntity | None = None
        self.summary: dict[str, Any] = {}
        self.conflicts: int = 0
        self._authority: Authority | None = None

    # -- 一数一源 -------------------------------------------------------------

    @property
    def authority(self) -> Authority:
        if self._authority is None:
            self._authority = Authority.from_database()
        return self._authority

    def may_clear(self, kind: str, field: str, current_source: str) -> bool:
        """Whether the grid may empty ``field`` (a move-out): it gave the value itself, or it
        is authoritative for the field and ranks at least as well as the value's source."""
        if current_source in ("", GRID_SOURCE):
            return True
        grid_rank = self.authority.rank(kind, field, GRID_SOURCE)
        current_rank = self.authority.rank(kind, field, current_source)
        return grid_rank is not None and (current_rank is None or grid_rank <= current_rank)

    def merge(self, record: Model, kind: str, values: dict[str, Any]) -> list[str]:
        """Write ``values`` into ``record`` by the registry's merge rules
        (:func:`civicgrid.registry.services.merge.merge_fields`); a disagreement the rules do
        not settle becomes an open conflict. Foreign keys are given as objects. Returns the
        fields whose value changed."""
        result = merge_fields(
            authority=self.authority,
            kind=kind,
            source=GRID_SOURCE,
            at=self.at_text,
            current={name: getattr(record, name) for name in values},
            field_sources=record.field_sources,  # type: ignore[attr-defined]
            incoming=values,
        )
        for name, value in result.changes.items():
            setattr(record, name, value)
        record.field_sources = result.field_sources  # type: ignore[attr-defined]
        for conflict in result.conflicts:
            self.conflict(record, kind, conflict)
        return list(result.changes)

    def conflict(self, record: Model, kind: str, conflict: Conflict) -> None:
        target = {"person": record} if kind == EntityKind.PERSON else {"entity": record}
        exists = FieldConflict.objects.filter(
            **target,
            field_name=conflict.field_name,
            proposed_source=self.source,
            proposed_value=conflict.proposed_value,
            status=ReviewStatus.OPEN,
        ).exists()
        if not exists:
            FieldConflict.objects.create(
                entity_kind=kind,
                field_name=conflict.field_name,
                current_value=conflict.current_value,
                current_source=conflict.current_source,
                proposed_value=conflict.proposed_value,
                proposed_source=self.source,
                admin_unit_code=str(getattr(record, "admin_unit_code", "") or ""),
                **target,
            )
        self.conflicts += 1

    def keep_record(
        self, kind: str, natural_key: str, fields: dict[str, Any], **links: Any
    ) -> None:
        """The source record of what was collected (no plain ID numbers)."""
        fields = {**fields, "change_request": self.request.pk}
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
        SourceRecord.objects.get_or_create(
            source=self.source,
            entity_kind=kind,
            natural_key=natural_key,
            # Like an import row's: the key and the fields (unique per source and kind).
            fingerprint=hashlib.sha256(f"{natural_key}\n{text}".encode()).hexdigest(),
            defaults={
                "fields": json.loads(text),
                "received_at": self.at,
                "admin_unit_code": self.request.admin_unit_code,
                **links,
            },
        )


def _grid_source() -> Source:
    """The ``grid`` source (seeded by the registry's sources migration; created if missing)."""
    source, _created = Source.objects.get_or_create(
        code=GRID_SOURCE, defaults={"name": GRID_SOURCE_NAME}
    )
    return source


def _locked_address(pk: Any) -> Address:
    address = Address.objects.select_for_update().filter(pk=pk).first()
    if address is None:
        raise NotFoundError(_("The address of this request is no longer in the registry."))
    return address


def _upsert_person(applied: _Apply, block: dict[str, Any], place: Address | None) -> Person:
    """Create the person from the sealed ID number, or merge the collected fields into them.
    With ``place``, the person lives there now: current address, admin unit and code (its grid).
    """
    values: dict[str, Any] = {
        "name": block.get("name", ""),
        "phone": block.get("phone", ""),
        "employer": block.get("employer", ""),
    }
    grid = applied.request.admin_unit
    unit = (place.building.admin_unit if place is not None else None) or grid
    code = place.admin_unit_code if place is not None else grid.code
    person = Person.objects.select_for_update().filter(id_hash=block["id_hash"]).first()
    if person is None:
        info = parse_id_number(unseal(block["id_sealed"]))
        person = Person(
            id_hash=block["id_hash"],
            id_sealed=block["id_sealed"],
            id_masked=block["id_masked"],
            sex=info.sex,
            birth_date=info.birth_date,
            region_code=info.region_code,
            residence_status=block.get("residence_status") or ResidenceStatus.FLOATING,
            current_address=place,
            admin_unit=unit,
            admin_unit_code=code,
            field_sources={},
        )
        stamp = {"source": GRID_SOURCE, "at": applied.at_text}
        stamped = ["id_number", "sex", "birth_date", "residence_status", "admin_unit_code"]
        if place is not None:
            stamped.append("current_address")
        for field in stamped:
            person.field_sources[field] = dict(stamp)
        for field, value in values.items():
            if value:
                setattr(person, field, value)
                person.field_sources[field] = dict(stamp)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # created by somebody else a moment ago
            raise ConflictError(
                _("This person was added to the registry in the meantime; confirm again."),
                code="version_conflict",
            ) from None
        applied.summary["person"] = "created"
    else:
        if block.get("residence_status"):
            values["residence_status"] = block["residence_status"]
        if place is not None:
            values["current_address"] = place
        written = applied.merge(person, EntityKind.PERSON, values)
        if "current_address" in written:
            person.admin_unit = unit
            person.admin_unit_code = code
            person.field_sources["admin_unit_code"] = {
                "source": GRID_SOURCE,
                "at": applied.at_text,
            }
        applied.summary["person"] = written
        if written:
            person.version += 1
            person.save()
    applied.person = person
    return person


def _apply_person_add(applied: _Apply) -> None:
    block = applied.payload["person"]
    person = _upsert_person(applied, block, None)
    applied.keep_record(
        EntityKind.PERSON,
        person.id_hash,
        {key: block.get(key, "") for key in ("name", "phone", "residence_status", "employer")},
        person=person,
    )


def _apply_residence_add(applied: _Apply) -> None:
    payload = applied.payload
    address = _locked_address(payload["address_id"])
    existing = Person.objects.filter(id_hash=payload["person"]["id_hash"]).first()
    if (
        existing is not None
        and Residence.objects.filter(
            person=existing, address=address, moved_out__isnull=True
        ).exists()
    ):
        raise ConflictError(
            _("This person already lives at this address; reject the request as a duplicate."),
            code="duplicate",
        )
    person = _upsert_person(applied, payload["person"], address)
    moved_in = dt.date.fromisoformat(payload["moved_in"]) if payload.get("moved_in") else None
    Residence.objects.create(
        person=person,
        address=address,
        kind=payload["residence_kind"],
        moved_in=moved_in,
        source=applied.source,
        admin_unit_code=address.admin_unit_code,
    )
    applied.address = address
    block = payload["person"]
    applied.keep_record(
        EntityKind.PERSON,
        person.id_hash,
        {
            **{key: block.get(key, "") for key in ("name", "phone", "residence_status")},
            "address": address.key,
            "residence_kind": payload["residence_kind"],
            "moved_in": payload.get("moved_in"),
        },
        person=person,
    )


def _apply_residence_end(applied: _Apply) -> None:
    payload = applied.payload
    residence = (
        Residence.objects.select_for_update()
        .select_related("person", "address")
        .filter(pk=payload["residence_id"])
        .first()
    )
    if residence is None:
        raise NotFoundError(_("The residence of this request is no longer in the registry."))
    if residence.moved_out is not None:
        raise ConflictError(
            _("This resident has already been recorded as moved out."), code="duplicate"
        )
    residence.moved_out = dt.date.fromisoformat(payload["moved_out"])
    residence.save(update_fields=["moved_out", "updated_at"])
    person = Person.objects.select_for_update().get(pk=residence.person_id)
    if person.current_address_id == residence.address_id:
        current_source = str((person.field_sources.get("current_address") or {}).get("source", ""))
        if applied.may_clear(EntityKind.PERSON, "current_address", current_source):
            person.current_address = None
            person.field_sources["current_address"] = {
                "source": GRID_SOURCE,
                "at": applied.at_text,
            }
            person.version += 1
            person.save()
    applied.person, applied.address = person, residence.address
    applied.keep_record(
        EntityKind.PERSON,
        person.id_hash,
        {"address": residence.address.key, "moved_out": payload["moved_out"]},
        person=person,
    )


def _apply_address_add(applied: _Apply) -> None:
    payload = applied.payload
    if Address.objects.filter(key=payload["key"]).exists():
        raise ConflictError(
            _("This address was added in the meantime; reject the request as a duplicate."),
            code="duplicate",
        )
    grid = applied.request.admin_unit
    building, _created = Building.objects.get_or_create(
        key=payload["building_key"],
        defaults={
            "district": payload["district"],
            "street": payload["street"],
            "community": payload["community"],
            "road": payload["road"],
            "house_number": payload["house_number"],
            "building_name": payload["building"],
            "lon": payload.get("lon"),
            "lat": payload.get("lat"),
            "admin_unit": grid,
            "admin_unit_code": grid.code,
        },
    )
    stamp = {"source": GRID_SOURCE, "at": applied.at_text}
    address = Address.objects.create(
        key=payload["key"],
        building=building,
        unit=payload["unit"],
        room=payload["room"],
        full_text=payload["full_text"],
        admin_unit_code=building.admin_unit_code or grid.code,
        field_sources={field: dict(stamp) for field in ("full_text", "unit", "room", "building")},
    )
    applied.address = address
    applied.keep_record(
        EntityKind.ADDRESS,
        address.key,
        {key: payload.get(key) for key in ("full_text", "lon", "lat")},
    )


def _entity_values(payload: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: payload[key]
        for key in ("name", "kind", "legal_representative", "status")
        if payload.get(key)
    }
    if payload.get("established_on"):
        values["established_on"] = dt.date.fromisoformat(payload["established_on"])
    if payload.get("actual_address_id"):
        values["actual_address"] = _locked_address(payload["actual_address_id"])
    return values


def _apply_entity(applied: _Apply) -> None:
    payload = applied.payload
    values = _entity_values(payload)
    entity = LegalEntity.objects.select_for_update().filter(uscc=payload["uscc"]).first()
    grid = applied.request.admin_unit
    if entity is None:
        if applied.request.kind == ChangeKind.ENTITY_UPDATE:
            raise NotFoundError(_("The entity of this request is no longer in the registry."))
        stamp = {"source": GRID_SOURCE, "at": applied.at_text}
        address = values.get("actual_address")
        entity = LegalEntity(
            uscc=payload["uscc"],
            admin_unit=(address.building.admin_unit if address else None) or grid,
            admin_unit_code=address.admin_unit_code if address else grid.code,
            field_sources={"uscc": dict(stamp)},
            **values,
        )
        for field in values:
            entity.field_sources[field] = dict(stamp)
        try:
            with transaction.atomic():
                entity.save()
        except IntegrityError:
            raise ConflictError(
                _("This entity was added to the registry in the meantime; confirm again."),
                code="version_conflict",
            ) from None
        applied.summary["entity"] = "created"
    else:
        written = applied.merge(entity, EntityKind.ENTITY, values)
        if "actual_address" in written:
            address = values["actual_address"]
            entity.admin_unit = address.building.admin_unit or grid
            entity.admin_unit_code = address.admin_unit_code
        if written:
            entity.version += 1
            entity.save()
        applied.summary["entity"] = written
    applied.entity = entity
    recorded = {key: value for key, value in payload.items() if key != "entity_version"}
    applied.keep_record(EntityKind.ENTITY, entity.uscc, recorded, entity=entity)


def _apply_person_update(applied: _Apply) -> None:
    if applied.request.person_id is None:
        raise NotFoundError(_("The person of this request is no longer in the registry."))
    person = Person.objects.select_for_update().get(pk=applied.request.person_id)
    update = {key: value for key, value in applied.payload["person"].items() if key != "id_masked"}
    written = applied.merge(person, EntityKind.PERSON, update)
    if written:
        person.version += 1
        person.save()
    applied.summary["person"] = written
    applied.person = person
    applied.keep_record(EntityKind.PERSON, person.id_hash, update, person=person)


_APPLIERS: dict[str, Callable[[_Apply], None]] = {
    ChangeKind.PERSON_ADD: _apply_person_add,
    ChangeKind.PERSON_UPDATE: _apply_person_update,
    ChangeKind.RESIDENCE_ADD: _apply_residence_add,
    ChangeKind.RESIDENCE_END: _apply_residence_end,
    ChangeKind.ADDRESS_ADD: _apply_address_add,
    ChangeKind.ENTITY_ADD: _apply_entity,
    ChangeKind.ENTITY_UPDATE: _apply_entity,
}
