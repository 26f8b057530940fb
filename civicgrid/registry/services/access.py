"""Writes around sharing registry data: revealing a field, exporting a list, deciding conflicts.

Every unmasked read and every export is written to the audit trail here (``registry.reveal``,
``registry.export``), with the purpose the user stated; the values themselves never go into the
audit row. Who may do what is decided by :mod:`civicgrid.registry.selectors.access`.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from civicgrid.core.masking import mask_id_number

from .. import crypto
from ..models import EntityKind, FieldConflict, LegalEntity, Person, ReviewStatus
from ..selectors.access import (
    PERSON_FIELD_LABELS,
    REVEALABLE_FIELDS,
    persons_visible_to,
    registry_access,
)
from ..selectors.people import id_number_hash, person_field_view, persons_search

PURPOSE_MIN_LENGTH = 2
PURPOSE_MAX_LENGTH = 300
EXPORT_MAX_ROWS_DEFAULT = 100_000
EXPORT_CHUNK = 2000
EXPORT_LANGUAGE = "zh-hans"
EXPORT_FORMATS = ("csv", "xlsx")
# Columns of a person export, in order (each only if the exporter may see the field).
EXPORT_FIELDS: tuple[str, ...] = (
    "name",
    "id_number",
    "sex",
    "birth_date",
    "residence_status",
    "phone",
    "registered_address",
    "registered_division_code",
    "permit_number",
    "permit_valid_until",
    "current_address",
    "employer",
)
# Fields a conflict decision may write (others change through an import or a change request).
CONFLICT_FIELDS: dict[str, frozenset[str]] = {
    EntityKind.PERSON.value: frozenset(
        {
            "name",
            "phone",
            "registered_address",
            "registered_division_code",
            "residence_status",
            "permit_number",
            "permit_valid_until",
            "employer",
        }
    ),
    EntityKind.ENTITY.value: frozenset(
        {"name", "kind", "legal_representative", "registered_address", "status", "established_on"}
    ),
}
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def _clean_purpose(purpose: Any) -> str:
    text = " ".join(str(purpose or "").split())
    if len(text) < PURPOSE_MIN_LENGTH:
        raise DomainError(
            _("State the purpose (at least 2 characters)."), code="invalid", field="purpose"
        )
    if len(text) > PURPOSE_MAX_LENGTH:
        raise DomainError(
            _("The purpose may be at most 300 characters long."), code="invalid", field="purpose"
        )
    return text


def _plain_value(person: Person, name: str) -> str:
    if name == "id_number":
        try:
            return crypto.unseal(person.id_sealed)
        except ValueError as error:
            raise DomainError(
                _("The ID number cannot be opened with the configured keys."),
                code="unavailable",
                field="id_number",
            ) from error
    if name == "current_address":
        return person.current_address.full_text if person.current_address else ""
    return str(getattr(person, name, "") or "")


@transaction.atomic
def person_reveal(
    *, actor: Any, person: Person, fields: Sequence[str], purpose: str
) -> dict[str, str]:
    """Show the plain values of ``fields`` (ID number, phone, permit number, addresses) of
    ``person`` to an entitled ``actor`` who states a ``purpose``; writes ``registry.reveal``.

    Refuses (and writes nothing) when the person is outside the actor's scope or a field is not
    revealable to the actor.
    """
    purpose = _clean_purpose(purpose)
    wanted = list(dict.fromkeys(str(name) for name in fields or ()))
    if not wanted:
        raise DomainError(_("Choose what to show."), code="invalid", field="fields")
    unknown = [name for name in wanted if name not in REVEALABLE_FIELDS]
    if unknown:
        raise DomainError(
            _("These fields cannot be revealed: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="invalid",
            field="fields",
        )
    if not persons_visible_to(actor).filter(pk=person.pk).exists():
        raise NotFoundError(_("No such person in your scope."))
    access = registry_access(actor)
    denied = [name for name in wanted if not access.may_reveal(name)]
    if denied:
        raise PermissionDeniedError(_("You may not see this person's data in full."))
    values = {name: _plain_value(person, name) for name in wanted}
    audit_record(
        actor=actor,
        action="registry.reveal",
        target=person,
        purpose=purpose,
        details={"fields": wanted},
    )
    return values


# --- export ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    file_name: str
    content_type: str
    rows: int
    is_unmasked: bool


def export_max_rows() -> int:
    return int(getattr(settings, "CIVICGRID_EXPORT_MAX_ROWS", EXPORT_MAX_ROWS_DEFAULT))


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA_START.match(text) else text


def _masked_query(query: str) -> str:
    """A search text for the audit row: an ID number in it is masked."""
    return mask_id_number(query) if id_number_hash(query) is not None else query


def persons_export(
    *,
    actor: Any,
    file_format: str = "xlsx",
    query: str = "",
    unit_code: str = "",
    residence_status: str = "",
    address: str = "",
    unmasked: bool = False,
    purpose: str = "",
) -> ExportFile:
    """The person list with these filters as CSV or Excel (导出), masked like the pages.

    With ``unmasked`` the revealable fields the actor may reveal are written in full, which
    needs a stated ``purpose``. Every export writes ``registry.export`` (row count, filters,
    format, which fields were unmasked). More than ``CIVICGRID_EXPORT_MAX_ROWS`` rows are
    refused with a message asking to narrow the filters.
    """
    if file_format not in EXPORT_FORMATS:
        raise DomainError(_("Choose CSV or Excel."), code="invalid", field="file_format")
    access = registry_access(actor)
    if not access.may_list_persons:
        raise PermissionDeniedError(_("You may not see the person registry."))
    revealed_fields: list[str] = []
    if unmasked:
        purpose = _clean_purpose(purpose)
        revealed_fields = [name for name in EXPORT_FIELDS if access.may_reveal(name)]
        if not revealed_fields:
            raise PermissionDeniedError(_("You may not export personal data in full."))
    else:
        purpose = " ".join(str(purpose or "").split())[:PURPOSE_MAX_LENGTH]
    persons = persons_search(
        actor,
        query=query,
        unit_code=unit_code,
        residence_status=residence_status,
        address=address,
    )
    count = persons.count()
    limit = export_max_rows()
    if count > limit:
        raise DomainError(
            _("%(count)s persons match; at most %(limit)s can be exported. Narrow the filters.")
            % {"count": count, "limit": limit},
            code="too_many_rows",
        )
    columns = [name for name in EXPORT_FIELDS if access.sees_person_field(name)]
    with transaction.atomic():
        with translation.override(EXPORT_LANGUAGE):
            header = [str(PERSON_FIELD_LABELS[name]) for name in columns]
            header += [_("Admin unit code"), _("Admin unit")]

            def rows() -> Iterable[list[str]]:
                for person in persons.iterator(chunk_size=EXPORT_CHUNK):
                    plain = {name: _plain_value(person, name) for name in revealed_fields}
                    views = [
                        person_field_view(access, person, name, revealed=plain) for name in columns
                    ]
                    unit = person.admin_unit.name if person.admin_unit else ""
                    yield [_cell(view.value) for view in views] + [person.admin_unit_code, unit]

            content, written = _write(file_format, header, rows())
        filters = {
            "query": _masked_query(query.strip()),
            "unit_code": unit_code,
            "residence_status": residence_status,
            "address": "***" if address else "",
        }
        audit_record(
            actor=actor,
            action="registry.export",
            target_type="registry.person",
            target_repr=f"{written} persons",
            admin_unit_code=unit_code or (access.scope.code or ""),
            purpose=purpose,
            details={
                "rows": written,
                "format": file_format,
                "unmasked": bool(revealed_fields),
                "fields": revealed_fields,
                "filters": {key: value for key, value in filters.items() if value},
            },
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        content_type = "text/csv; charset=utf-8"
    else:
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return ExportFile(
        content=content,
        file_name=f"persons-{stamp}.{file_format}",
        content_type=content_type,
        rows=written,
        is_unmasked=bool(revealed_fields),
    )


def _write(file_format: str, header: list[str], rows: Iterable[list[str]]) -> tuple[bytes, int]:
    written = 0
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            written += 1
        # UTF-8 with a byte-order mark: Excel opens it with the Chinese intact.
        return buffer.getvalue().encode("utf-8-sig"), written
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="persons")
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
        written += 1
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read(), written


# --- conflict review ------------------------------------------------------------------------


def _record_of(conflict: FieldConflict, *, lock: bool) -> Person | LegalEntity:
    if conflict.entity_kind == EntityKind.ENTITY:
        entities = LegalEntity.objects.select_for_update() if lock else LegalEntity.objects
        entity = entities.filter(pk=conflict.entity_id or 0).first()
        if entity is None:
            raise NotFoundError(_("The record of this conflict no longer exists."))
        return entity
    persons = Person.objects.select_for_update() if lock else Person.objects
    person = persons.filter(pk=conflict.person_id or 0).first()
    if person is None:
        raise NotFoundError(_("The record of this conflict no longer exists."))
    return person


def _check_reviewer(actor: Any, conflict: FieldConflict) -> None:
    access = registry_access(actor)
    if not access.may_review(conflict.entity_kind, conflict.field_name, conflict.admin_unit_code):
        raise PermissionDeniedError(_("You may not decide this conflict."))


def _locked_open(conflict: FieldConflict) -> FieldConflict:
    locked = (
        FieldConflict.objects.select_for_update(of=("self",))
        .select_related("proposed_source", "source_record")
        .get(pk=conflict.pk)
    )
    if locked.status != ReviewStatus.OPEN:
        raise ConflictError(
            _("Somebody decided this conflict already (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _coerce(record: Person | LegalEntity, name: str, value: str) -> Any:
    try:
        model_field = type(record)._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise DomainError(_("Unknown field."), code="invalid", field=name) from error
    if not isinstance(model_field, models.Field):
        raise DomainError(_("Unknown field."), code="invalid", field=name)
    if model_field.choices:
        allowed = {str(key) for key, _label in model_field.flatchoices}
        if value not in allowed:
            raise DomainError(
                _("“%(value)s” is not a valid value of this field.") % {"value": value},
                code="invalid",
                field=name,
            )
        return value
    try:
        result = model_field.to_python(value)
        limit = model_field.max_length
        if isinstance(result, str) and limit and len(result) > limit:
            raise ValidationError("too long")
    except ValidationError as error:
        raise DomainError(
            _("The proposed value does not fit this field."), code="invalid", field=name
        ) from error
    if result in (None, "") and not model_field.blank:
        raise DomainError(_("The proposed value is empty."), code="invalid", field=name)
    return result


@transaction.atomic
def conflict_accept(
    *, actor: Any, conflict: FieldConflict, expected_version: int | None = None
) -> FieldConflict:
    """Take the proposed value (采纳): the record's field gets it, with the proposing source and
    the time of its source record; the conflict is closed as accepted.

    ``expected_version`` is the record's version the reviewer saw: if somebody changed the
    record since, :class:`ConflictError` and nothing is written.
    """
    _check_reviewer(actor, conflict)
    locked = _locked_open(conflict)
    name = locked.field_name
    if name not in CONFLICT_FIELDS.get(locked.entity_kind, frozenset()):
        raise DomainError(
            _("This field cannot be changed in the review queue; correct it at its source."),
            code="invalid",
            field=name,
        )
    record = _record_of(locked, lock=True)
    if expected_version is not None and record.version != expected_version:
        raise ConflictError(_("The record was changed meanwhile; review the conflict again."))
    value = _coerce(record, name, locked.proposed_value)
    now = timezone.now()
    at = locked.source_record.received_at if locked.source_record is not None else now
    setattr(record, name, value)
    field_sources = dict(record.field_sources or {})
    field_sources[name] = {"source": locked.proposed_source.code, "at": at.isoformat()}
    record.field_sources = field_sources
    record.version += 1
    record.save(update_fields=[name, "field_sources", "version", "updated_at"])
    locked.status = ReviewStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.conflict_accept",
        target=record,
        details={
            "conflict": locked.pk,
            "field": name,
            "source": locked.proposed_source.code,
            "previous_source": locked.current_source,
        },
    )
    return locked


@transaction.atomic
def conflict_reject(*, actor: Any, conflict: FieldConflict) -> FieldConflict:
    """Keep the current value (驳回): the conflict is closed as rejected; the source record
    stays as it is."""
    _check_reviewer(actor, conflict)
    locked = _locked_open(conflict)
    record = _record_of(locked, lock=False)
    now = timezone.now()
    locked.status = ReviewStatus.REJECTED
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.conflict_reject",
        target=record,
        details={
            "conflict": locked.pk,
            "field": locked.field_name,
            "source": locked.proposed_source.code,
        },
    )
    return locked
