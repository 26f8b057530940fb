"""The audit trail service. Services call :func:`audit_record`; nothing else writes audit rows.

The request's IP address and user agent reach services through a context variable set by
:class:`civicgrid.core.middleware.AuditContextMiddleware`, so services need no request object.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models

from .models import AuditRecord


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


_NO_ORIGIN = RequestOrigin()
_origin: contextvars.ContextVar[RequestOrigin | None] = contextvars.ContextVar(
    "civicgrid_request_origin", default=None
)


def current_origin() -> RequestOrigin:
    return _origin.get() or _NO_ORIGIN


@contextmanager
def request_origin(origin: RequestOrigin) -> Iterator[None]:
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    admin_unit_code: str = "",
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one audit row. ``actor`` may be ``None`` for system jobs (imports from the CLI)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:200]
        admin_unit_code = admin_unit_code or str(getattr(target, "admin_unit_code", "") or "")
    origin = current_origin()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditRecord.objects.create(
        actor=actor if is_user else None,
        actor_username=(actor.get_username() if is_user else "system")[:150],
        actor_role=str(getattr(actor, "role", "") or "")[:32] if is_user else "",
        action=action,
        target_type=target_type[:64],
        target_id=str(target_id)[:64],
        target_repr=target_repr[:200],
        admin_unit_code=admin_unit_code[:20],
        ip_address=origin.ip_address,
        user_agent=origin.user_agent[:300],
        purpose=purpose[:300],
        details=details or {},
    )
