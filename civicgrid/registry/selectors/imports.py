"""Reads about registry imports: who may import from which source, which runs a user may
follow, whether a run has stalled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civicgrid.accounts.models import Role

from ..models import ImportRun, ImportStatus, Source

# Who may import every source (department staff import their own department's sources).
IMPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE})


def may_import(user: Any, source: Source) -> bool:
    """Administrators and the programme office; department staff for their department's
    sources; ``None`` is the system (CLI)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.role in IMPORT_ROLES:
        return True
    return bool(
        user.role == Role.DEPARTMENT_STAFF
        and source.department_id is not None
        and user.department_id == source.department_id
    )


def imports_visible_to(user: Any) -> QuerySet[ImportRun]:
    """The import runs ``user`` may follow: all of them for those who may import every
    source, the runs of their department's sources for department staff, none otherwise."""
    runs = ImportRun.objects.select_related("source", "created_by")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return runs.none()
    if user.is_superuser or user.role in IMPORT_ROLES:
        return runs
    if user.role == Role.DEPARTMENT_STAFF and user.department_id:
        return runs.filter(source__department_id=user.department_id)
    return runs.none()


def import_is_stalled(run: ImportRun, *, minutes: int = 10) -> bool:
    """A running import whose last chunk committed long ago (its process was stopped)."""
    if run.status != ImportStatus.RUNNING:
        return False
    return run.updated_at < timezone.now() - dt.timedelta(minutes=minutes)


def sources_for(user: Any) -> list[Source]:
    """The active sources ``user`` may import from."""
    return [s for s in Source.objects.filter(is_active=True) if may_import(user, s)]
