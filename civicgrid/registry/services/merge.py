"""一数一源: which source's value a merged record keeps, field by field.

For each field a source gives (empty values give nothing):

* the record has no value yet → the value is taken, whoever gives it;
* the same value → kept; the field's source becomes the giver if it ranks better (the
  authority confirmed it);
* a different value:
  - from the source that gave the current value → taken (a department corrects its own data);
  - from a source authoritative for the field (a :class:`FieldAuthority` row) ranking better
    than the current value's source (or the current source has no rank) → taken;
  - otherwise (the giver ranks the same or worse, or is not authoritative at all) → the value
    stays, and the disagreement becomes a :class:`FieldConflict` for review (one open conflict
    per record, field, source and proposed value).

``field_sources`` keeps ``{field: {"source": code, "at": ISO time}}`` for every field taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import FieldAuthority


@dataclass(frozen=True)
class Authority:
    """The authority table, read once per import: (kind, field) → {source code: rank}."""

    ranks: Mapping[tuple[str, str], Mapping[str, int]]

    @classmethod
    def from_database(cls) -> Authority:
        ranks: dict[tuple[str, str], dict[str, int]] = {}
        rows = FieldAuthority.objects.values_list(
            "entity_kind", "field_name", "source__code", "rank"
        )
        for kind, field_name, source, rank in rows:
            ranks.setdefault((kind, field_name), {})[source] = rank
        return cls(ranks)

    def rank(self, kind: str, field_name: str, source: str) -> int | None:
        """The source's rank for the field (lower wins), ``None`` when not authoritative."""
        return self.ranks.get((kind, field_name), {}).get(source)


@dataclass(frozen=True)
class Conflict:
    field_name: str
    current_value: str
    current_source: str
    proposed_value: str


@dataclass
class MergeResult:
    changes: dict[str, Any] = field(default_factory=dict)  # field → new value
    field_sources: dict[str, Any] = field(default_factory=dict)  # the whole new mapping
    conflicts: list[Conflict] = field(default_factory=list)
    is_changed: bool = False  # a value or a field's source changed


def as_text(value: Any) -> str:
    """Values as merge compares and conflicts show them."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 7))
    return str(value)


def merge_fields(
    *,
    authority: Authority,
    kind: str,
    source: str,
    at: str,
    current: Mapping[str, Any],
    field_sources: Mapping[str, Any],
    incoming: Mapping[str, Any],
) -> MergeResult:
    """Merge ``incoming`` (field → value from ``source``) into ``current`` (see the module)."""
    sources = {name: dict(info) for name, info in (field_sources or {}).items()}
    result = MergeResult()
    stamp = {"source": source, "at": at}
    for name, value in incoming.items():
        new_text = as_text(value)
        if not new_text:
            continue
        old_text = as_text(current.get(name))
        info = sources.get(name) or {}
        old_source = str(info.get("source") or "")
        new_rank = authority.rank(kind, name, source)
        old_rank = authority.rank(kind, name, old_source) if old_source else None
        ranks_better = new_rank is not None and (old_rank is None or new_rank < old_rank)
        if not old_text:
            result.changes[name] = value
            sources[name] = stamp
            result.is_changed = True
        elif new_text == old_text:
            if old_source != source and (ranks_better or not old_source):
                sources[name] = stamp
                result.is_changed = True
        elif old_source == source or ranks_better:
            result.changes[name] = value
            sources[name] = stamp
            result.is_changed = True
        else:
            result.conflicts.append(
                Conflict(
                    field_name=name,
                    current_value=old_text[:300],
                    current_source=old_source,
                    proposed_value=new_text[:300],
                )
            )
    result.field_sources = sources
    return result


def new_field_sources(fields: Any, source: str, at: str) -> dict[str, dict[str, str]]:
    """``field_sources`` of a record created from one source."""
    return {name: {"source": source, "at": at} for name in fields}
