"""Shared pieces of the plans pages: who sees which page, turning a service's DomainError into
a message, and htmx-or-redirect answers.

The services decide who may do what (they raise PermissionDeniedError); the roles here only
choose which menu entries and buttons a person is shown, so a hidden button is never the only
check.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as lazy

from civicgrid.accounts.models import Role
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.plans import clock

# 社工委 and administrators: documents, review, publishing, report review, assessment.
OFFICE_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR})
# Who may urge (催办), escalate (督办) and score the quality of the work.
SUPERVISION_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who reads the whole programme: boards, monthly report, documents, assessment.
OVERVIEW_ROLES = OFFICE_ROLES | SUPERVISION_ROLES | {Role.LEADER}
# Who works on tasks: the departments report, everybody above follows.
TASK_ROLES = OVERVIEW_ROLES | {Role.DEPARTMENT_STAFF}

LIGHT_LABELS = {
    "red": lazy("Red: overdue"),
    "yellow": lazy("Yellow: deadline near"),
    "green": lazy("Green: on track"),
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def has_role(user: Any, roles: frozenset[str]) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in roles)


def require_roles(user: Any, roles: frozenset[str]) -> None:
    if not has_role(user, roles):
        raise PermissionDenied


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def error_text(error: DomainError) -> str:
    return str(error.message)


def report_error(request: HttpRequest, error: DomainError) -> None:
    """A refused service call as a message; a permission error becomes a 403 page."""
    if isinstance(error, PermissionDeniedError):
        raise PermissionDenied(error_text(error)) from error
    messages.error(request, error_text(error))


def back(url: str) -> HttpResponse:
    return redirect(url)


def today() -> dt.date:
    """Today as the plans see it (civicgrid.plans.clock: tests and the demo move it)."""
    return clock.today()


def current_month() -> str:
    return today().strftime("%Y-%m")


def parse_month(value: str | None) -> str | None:
    """``2026-11`` when the value is a valid month, else None."""
    match = _MONTH.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def light_label(light: str) -> str:
    label = LIGHT_LABELS.get(light)
    return str(label) if label is not None else ""
