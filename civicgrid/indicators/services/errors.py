"""Errors the indicators services raise (Chinese-first translated messages, stable codes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicgrid.core.errors import ConflictError, DomainError


class InvalidInput(DomainError):
    """A field of the input is wrong (``field`` names it)."""

    code = "invalid"


class LockedError(ConflictError):
    """The values are locked: the submission is submitted or approved (the message says by whom)."""

    code = "locked"


class ValidationFailed(DomainError):
    """Validation rules with severity ``error`` fail; ``details["findings"]`` lists them."""

    code = "validation_failed"


@dataclass(frozen=True)
class RowError:
    """One problem of an import: ``row`` is 1-based as a person sees it (Excel row number)."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(DomainError):
    """An import had bad rows; nothing was saved. ``errors`` are the row-level messages."""

    code = "import_rejected"

    def __init__(self, message: Any, *, errors: list[RowError]) -> None:
        super().__init__(message, details={"errors": [error.as_dict() for error in errors]})
        self.errors = errors
