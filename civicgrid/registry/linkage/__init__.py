"""Record linkage (issue 4, item 4): match source rows without a trustworthy ID to persons.

:func:`link_rows` is the engine (Splink with its DuckDB backend, embedded); the services that
link :class:`~civicgrid.registry.models.SourceRecord` rows and decide review candidates are in
:mod:`civicgrid.registry.linkage.services`.
"""

from __future__ import annotations

from .engine import (
    LINKED,
    REVIEW,
    UNMATCHED,
    Candidate,
    LinkageSettings,
    LinkOutcome,
    LinkRecord,
    RowLink,
    link_rows,
)

__all__ = [
    "LINKED",
    "REVIEW",
    "UNMATCHED",
    "Candidate",
    "LinkOutcome",
    "LinkRecord",
    "LinkageSettings",
    "RowLink",
    "link_rows",
]
