"""``field_sources`` kept compact: each (source, time) stamp is stored once per record.

In Python a record's ``field_sources`` is ``{field: {"source": code, "at": ISO time}}``. Stored
that way, an imported person repeats the same source and time for each of its dozen fields,
about 1 KB of a 1.4 KB row (ADR 0006). The database holds instead::

    {"_": [["gongan", "2026-12-07T15:50:43+00:00"], ["grid", "…"]], "name": 0, "phone": 1}

the stamps once, in order of first use, and per field the index of its stamp. An entry that is
a mapping but not a plain ``{"source": str, "at": str}`` is kept as it is (entries are always
mappings: a bare integer would read back as a stamp index). Rows written before this form
(no ``"_"``) read back unchanged, so the two forms may sit side by side in one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

STAMPS = "_"


def compact(sources: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of ``sources`` (see the module)."""
    stamps: list[list[str]] = []
    index: dict[tuple[str, str], int] = {}
    fields: dict[str, Any] = {}
    for name, info in sources.items():
        if name == STAMPS:
            continue
        if isinstance(info, Mapping) and len(info) == 2:
            source, at = info.get("source"), info.get("at")
            if isinstance(source, str) and isinstance(at, str):
                key = (source, at)
                position = index.get(key)
                if position is None:
                    position = index[key] = len(stamps)
                    stamps.append([source, at])
                fields[name] = position
                continue
        fields[name] = info
    return {STAMPS: stamps, **fields} if stamps else fields


def expand(stored: Any) -> Any:
    """``{field: {"source", "at"}}`` from the stored form; the older form as it is."""
    if not isinstance(stored, dict):
        return stored
    stamps = stored.get(STAMPS)
    if not isinstance(stamps, list):
        return stored
    out: dict[str, Any] = {}
    for name, info in stored.items():
        if name == STAMPS:
            continue
        if isinstance(info, int) and not isinstance(info, bool):
            stamp = stamps[info] if 0 <= info < len(stamps) else None
            if isinstance(stamp, list) and len(stamp) == 2:
                out[name] = {"source": stamp[0], "at": stamp[1]}
            continue  # a dangling index: the field's source is unknown, not invented
        out[name] = info
    return out


class FieldSourcesField(models.JSONField):
    """A JSON field holding ``field_sources`` in the compact form (see the module)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return expand(super().from_db_value(value, expression, connection))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            value = compact(value)
        return super().get_prep_value(value)
