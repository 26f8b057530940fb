"""Writes of record linkage: link source rows to persons, decide review candidates.

* :func:`link_source_records` links the person-kind :class:`SourceRecord` rows that have no
  person yet (tenant lists, grid workers' notes: no trustworthy ID number) against every
  registry person with :func:`civicgrid.registry.linkage.link_rows`: a row whose best match is
  certain gets ``SourceRecord.person``; an uncertain one gets :class:`LinkCandidate` rows (the
  review queue, status open); the rest stay unlinked. One audit row per run. A re-run is safe:
  linked rows are not read again, a candidate pair exists at most once, and a pair a reviewer
  rejected is never proposed or linked again.
* :func:`link_candidate_accept` / :func:`link_candidate_reject` are the reviewer's decisions
  (administrators and the programme office, inside their scope), each with an audit row.

Linking says *who* a row is about; merging the row's values into the person (一数一源) is the
import's merge step, not linkage's.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import ConflictError, PermissionDeniedError

from ..models import EntityKind, LinkCandidate, Person, ReviewStatus, Source, SourceRecord
from .engine import (
    LINKED,
    REVIEW,
    Candidate,
    LinkageSettings,
    LinkRecord,
    RowLink,
    decide,
    link_rows,
)
from .features import ADDRESS_PARTS, AddressReader, normalise_birth_date

# Who runs linkage and decides its review queue (besides system jobs without a user).
LINKAGE_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE})

# Keys a source row may use for each compared value (English keys first, then Chinese headers).
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名"),
    "phone": ("phone", "联系电话", "电话", "手机号码", "手机"),
    "birth_date": ("birth_date", "出生日期"),
    "address": ("current_address", "address", "现住址", "居住地址", "地址", "住址"),
}
PERSON_BATCH = 20_000


@dataclass
class LinkRunSummary:
    """What one linkage run did (also the CLI's JSON and the audit row's details)."""

    records: int = 0
    persons: int = 0
    linked: int = 0
    review: int = 0
    unmatched: int = 0
    candidates_created: int = 0
    skipped_without_name: int = 0
    trained: bool = False
    seconds: float = 0.0
    accept_threshold: float = 0.0
    review_threshold: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "persons": self.persons,
            "linked": self.linked,
            "review": self.review,
            "unmatched": self.unmatched,
            "candidates_created": self.candidates_created,
            "skipped_without_name": self.skipped_without_name,
            "trained": self.trained,
            "accept_threshold": self.accept_threshold,
            "review_threshold": self.review_threshold,
            "seconds": round(self.seconds, 2),
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }


# --- permissions ----------------------------------------------------------------------------


def _is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def may_run_linkage(actor: Any) -> bool:
    """System jobs (``actor`` None) and city-wide administrators / programme office."""
    if actor is None:
        return True
    if not _is_active(actor):
        return False
    is_role = actor.is_superuser or actor.role in LINKAGE_ROLES
    return bool(is_role and scope_of(actor).is_everything)


def may_review_links(actor: Any, admin_unit_code: str = "") -> bool:
    """Administrators and the programme office decide candidates inside their scope."""
    if not _is_active(actor):
        return False
    if not (actor.is_superuser or actor.role in LINKAGE_ROLES):
        return False
    return scope_of(actor).covers_code(admin_unit_code or "")


# --- reading rows and persons ---------------------------------------------------------------


def row_value(fields: Mapping[str, Any], name: str) -> str:
    """The value of ``name`` (see :data:`ROW_KEYS`) in a source row's fields, ``""`` if none."""
    for key in ROW_KEYS[name]:
        value = fields.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def source_row_records(records: Iterable[SourceRecord]) -> tuple[list[LinkRecord], int]:
    """Link records of source rows (key: the record's pk) and how many had no name."""
    reader = AddressReader()
    out: list[LinkRecord] = []
    skipped = 0
    for record in records:
        fields = record.fields if isinstance(record.fields, dict) else {}
        name = row_value(fields, "name")
        if not name:
            skipped += 1
            continue
        address = row_value(fields, "address")
        out.append(
            LinkRecord(
                key=record.pk,
                name=name,
                phone=row_value(fields, "phone"),
                birth_date=row_value(fields, "birth_date") or None,
                address=address,
                address_parts=reader.parts(address),
            )
        )
    return out, skipped


_PERSON_COLUMNS = (
    "pk",
    "name",
    "phone",
    "birth_date",
    "current_address__building__district",
    "current_address__building__street",
    "current_address__building__community",
    "current_address__building__road",
    "current_address__building__house_number",
    "current_address__building__building_name",
    "current_address__unit",
    "current_address__room",
)


def person_records(persons: QuerySet[Person] | None = None) -> Iterator[LinkRecord]:
    """Link records of registry persons (key: the person's pk), read in batches."""
    queryset = persons if persons is not None else Person.objects.filter(is_deceased=False)
    values = queryset.order_by().values_list(*_PERSON_COLUMNS)
    for row in values.iterator(chunk_size=PERSON_BATCH):
        pk, name, phone, birth_date, *address = row
        parts = dict(zip(ADDRESS_PARTS, (str(v or "") for v in address), strict=True))
        yield LinkRecord(
            key=pk,
            name=name,
            phone=phone or "",
            birth_date=birth_date,
            address_parts=parts if any(parts.values()) else None,
        )


# --- storing rows of a file -----------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class StoredRows:
    """Which source records hold the rows of a file (new and already stored) and the rows
    refused, with line and reason."""

    record_ids: list[int] = field(default_factory=list)
    created: int = 0
    existing: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def source_rows_store(
    *, actor: Any, source: Source, rows: Iterable[tuple[int, Mapping[str, Any]]]
) -> StoredRows:
    """Keep the rows of a linkage file (``(line, fields)``, fields by :data:`ROW_KEYS`) as
    person-kind source records of ``source`` without a natural key; the same row stored again
    (same source, same values) is the same record. Rows without a name are refused."""
    if not may_run_linkage(actor):
        raise PermissionDeniedError(_("You may not run record linkage."))
    stored = StoredRows()
    now = timezone.now()
    with transaction.atomic():
        for line, raw in rows:
            values = {name: row_value(raw, name) for name in ROW_KEYS}
            if not values["name"]:
                stored.problems.append(
                    RowProblem(line, "name", _("The name is empty; the row is skipped."))
                )
                continue
            if values["birth_date"] and normalise_birth_date(values["birth_date"]) is None:
                stored.problems.append(
                    RowProblem(
                        line,
                        "birth_date",
                        _("The birth date is not a date; the row is linked without it."),
                    )
                )
                values["birth_date"] = ""
            fields = {name: value for name, value in values.items() if value}
            text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
            record, created = SourceRecord.objects.get_or_create(
                source=source,
                entity_kind=EntityKind.PERSON,
                natural_key="",
                fingerprint=hashlib.sha256(text.encode()).hexdigest(),
                defaults={"fields": fields, "received_at": now, "line": line},
            )
            stored.record_ids.append(record.pk)
            if created:
                stored.created += 1
            else:
                stored.existing += 1
        audit_record(
            actor=actor,
            action="registry.linkage_rows_stored",
            target=source,
            details={
                "created": stored.created,
                "existing": stored.existing,
                "refused": len({p.line for p in stored.problems if p.field == "name"}),
            },
        )
    return stored


# --- the run --------------------------------------------------------------------------------


def pending_source_records(*, source: Source | str | None = None) -> QuerySet[SourceRecord]:
    """Person-kind source records without a person (what a run links)."""
    records = SourceRecord.objects.filter(entity_kind=EntityKind.PERSON, person__isnull=True)
    if isinstance(source, Source):
        records = records.filter(source=source)
    elif source:
        records = records.filter(source__code=source)
    return records


def link_source_records(
    *,
    actor: Any,
    records: QuerySet[SourceRecord] | None = None,
    source: Source | str | None = None,
    persons: QuerySet[Person] | None = None,
    settings: LinkageSettings | None = None,
) -> LinkRunSummary:
    """Link pending source rows to persons (see the module docstring); returns the summary.

    ``records`` defaults to :func:`pending_source_records` (of ``source`` when given; rows that
    already have a person are never relinked), ``persons`` to every living person."""
    if not may_run_linkage(actor):
        raise PermissionDeniedError(_("You may not run record linkage."))
    settings = settings or LinkageSettings.from_django_settings()
    started = time.perf_counter()
    queryset = records if records is not None else pending_source_records(source=source)
    queryset = queryset.filter(entity_kind=EntityKind.PERSON, person__isnull=True)
    rows, skipped = source_row_records(queryset.only("pk", "fields").order_by("pk"))
    outcome = link_rows(rows, person_records(persons), settings=settings)
    summary = LinkRunSummary(
        records=len(rows) + skipped,
        persons=outcome.person_count,
        skipped_without_name=skipped,
        trained=bool(outcome.model.get("trained")),
        accept_threshold=settings.accept_threshold,
        review_threshold=settings.review_threshold,
        timings=dict(outcome.timings),
    )
    with transaction.atomic():
        _write_outcome(outcome.results, settings, summary)
        summary.seconds = time.perf_counter() - started
        audit_record(
            actor=actor,
            action="registry.linkage_run",
            target_type="registry.sourcerecord",
            target_repr=_("Record linkage run"),
            details=summary.as_dict(),
        )
    return summary


def _write_outcome(
    results: list[RowLink], settings: LinkageSettings, summary: LinkRunSummary
) -> None:
    record_ids = [result.row_key for result in results]
    rejected: set[tuple[int, int]] = set()
    open_by_record: dict[int, list[int]] = {}
    for chunk in _chunks(record_ids, 5000):
        for record_id, person_id, status in LinkCandidate.objects.filter(
            source_record_id__in=chunk
        ).values_list("source_record_id", "person_id", "status"):
            if status == ReviewStatus.REJECTED:
                rejected.add((record_id, person_id))
            elif status == ReviewStatus.OPEN:
                open_by_record.setdefault(record_id, []).append(person_id)
    person_ids = {c.person_key for r in results for c in r.candidates} | {
        r.person_key for r in results if r.person_key is not None
    }
    units: dict[int, str] = {}
    for chunk in _chunks(sorted(person_ids), 5000):
        units.update(Person.objects.filter(pk__in=chunk).values_list("pk", "admin_unit_code"))

    links: dict[int, int] = {}
    new_candidates: list[LinkCandidate] = []
    for result in results:
        if rejected and result.candidates:
            # A pair a reviewer rejected is never proposed or linked again.
            kept = [c for c in result.candidates if (result.row_key, c.person_key) not in rejected]
            if len(kept) != len(result.candidates):
                result = decide(result.row_key, _as_list(kept), settings)
        if result.decision == LINKED and result.person_key is not None:
            links[result.row_key] = result.person_key
            summary.linked += 1
        elif result.decision == REVIEW:
            summary.review += 1
            new_candidates.extend(
                LinkCandidate(
                    source_record_id=result.row_key,
                    person_id=candidate.person_key,
                    match_probability=round(candidate.match_probability, 6),
                    admin_unit_code=units.get(candidate.person_key, ""),
                )
                for candidate in result.candidates
            )
        else:
            summary.unmatched += 1

    now = timezone.now()
    for chunk in _chunks(sorted(links), 2000):
        # Lock the rows still without a person (another run or a reviewer may have linked
        # some meanwhile: theirs stands) and link them in one statement per batch.
        still_open = (
            SourceRecord.objects.select_for_update()
            .filter(pk__in=chunk, person__isnull=True)
            .values_list("pk", flat=True)
        )
        SourceRecord.objects.bulk_update(
            [
                SourceRecord(pk=pk, person_id=links[pk], admin_unit_code=units.get(links[pk], ""))
                for pk in still_open
            ],
            ["person", "admin_unit_code"],
        )
    # Open candidates of rows that are now linked are settled by the link.
    linked_with_open = [r for r in links if r in open_by_record]
    for chunk in _chunks(linked_with_open, 5000):
        for record_id in chunk:
            LinkCandidate.objects.filter(
                source_record_id=record_id, status=ReviewStatus.OPEN, person_id=links[record_id]
            ).update(status=ReviewStatus.ACCEPTED, decided_at=now)
            LinkCandidate.objects.filter(
                source_record_id=record_id, status=ReviewStatus.OPEN
            ).update(status=ReviewStatus.REJECTED, decided_at=now)
    before = LinkCandidate.objects.count() if new_candidates else 0
    LinkCandidate.objects.bulk_create(new_candidates, batch_size=2000, ignore_conflicts=True)
    if new_candidates:
        summary.candidates_created = LinkCandidate.objects.count() - before


def _as_list(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: -c.match_weight)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- review decisions -----------------------------------------------------------------------


def _locked_open_candidate(actor: Any, candidate: LinkCandidate) -> LinkCandidate:
    if not may_review_links(actor, candidate.admin_unit_code):
        raise PermissionDeniedError(_("You may not decide this link candidate."))
    locked = (
        LinkCandidate.objects.select_for_update()
        .select_related("source_record", "person")
        .get(pk=candidate.pk)
    )
    if locked.status != ReviewStatus.OPEN:
        raise ConflictError(_("This link candidate has already been decided."))
    return locked


def link_candidate_accept(*, actor: Any, candidate: LinkCandidate) -> LinkCandidate:
    """The reviewer confirms that the source row is about this person: the row is linked, the
    row's other open candidates are rejected."""
    with transaction.atomic():
        locked = _locked_open_candidate(actor, candidate)
        record = SourceRecord.objects.select_for_update().get(pk=locked.source_record_id)
        if record.person_id is not None and record.person_id != locked.person_id:
            raise ConflictError(_("This source row is already linked to another person."))
        now = timezone.now()
        record.person_id = locked.person_id
        record.admin_unit_code = locked.person.admin_unit_code
        record.save(update_fields=["person", "admin_unit_code"])
        locked.status = ReviewStatus.ACCEPTED
        locked.decided_by = actor
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        others = LinkCandidate.objects.filter(
            source_record_id=record.pk, status=ReviewStatus.OPEN
        ).exclude(pk=locked.pk)
        rejected = others.update(status=ReviewStatus.REJECTED, decided_by=actor, decided_at=now)
        audit_record(
            actor=actor,
            action="registry.link_accept",
            target=locked,
            target_repr=_("Link candidate %(pk)s") % {"pk": locked.pk},
            details={
                "source_record": record.pk,
                "person": locked.person_id,
                "match_probability": locked.match_probability,
                "other_candidates_rejected": rejected,
            },
        )
    return locked


def link_candidate_reject(*, actor: Any, candidate: LinkCandidate) -> LinkCandidate:
    """The reviewer says the source row is not about this person (never proposed again)."""
    with transaction.atomic():
        locked = _locked_open_candidate(actor, candidate)
        locked.status = ReviewStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action="registry.link_reject",
            target=locked,
            target_repr=_("Link candidate %(pk)s") % {"pk": locked.pk},
            details={
                "source_record": locked.source_record_id,
                "person": locked.person_id,
                "match_probability": locked.match_probability,
            },
        )
    return locked
