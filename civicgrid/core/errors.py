"""Domain errors with a stable code and a human message (Chinese first, translated)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class of errors a service raises for a user to read.

    ``code`` is stable and machine-readable; ``message`` is translated text for people;
    ``field`` names the input at fault where there is one.
    """

    code = "domain_error"
    http_status = 400

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details or {}


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFoundError(DomainError):
    code = "not_found"
    http_status = 404


class ConflictError(DomainError):
    """Somebody else changed the object first (optimistic concurrency), or the move is illegal."""

    code = "conflict"
    http_status = 409
