"""The unit catalogue: CivicGrid's departments as the extractor's resolver knows them.

Entries come from territory's departments (full name, short name, aliases) plus the names staff
resolved during review (:class:`~civicgrid.plans.models.UnitAlias`). :func:`unit_resolver`
answers "which departments does this name as written mean?" for the import service.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from civicgrid.territory.models import Department, DepartmentAlias

from ..models import Resolution, UnitAlias


def unit_catalogue_entries() -> list[Any]:
    """One ``CatalogueEntry`` per active department (aliases: territory's and the plans')."""
    from ..extraction.units import CatalogueEntry

    aliases: dict[int, list[str]] = defaultdict(list)
    for department_id, alias in DepartmentAlias.objects.values_list("department_id", "alias"):
        aliases[department_id].append(alias)
    for department_id, name in UnitAlias.objects.values_list("department_id", "name"):
        aliases[department_id].append(name)
    entries = []
    departments = Department.objects.filter(is_active=True).select_related("admin_unit", "parent")
    for department in departments.order_by("admin_unit__code", "code"):
        entries.append(
            CatalogueEntry(
                code=department.code,
                name=department.name,
                short_name=department.short_name,
                aliases=tuple(aliases.get(department.pk, ())),
                kind=department.kind,
                admin_unit_code=department.admin_unit.code,
                parent_code=department.parent.code if department.parent else None,
            )
        )
    return entries


def unit_catalogue() -> Any:
    """The extractor's ``UnitCatalogue`` built from :func:`unit_catalogue_entries`."""
    from ..extraction.units import UnitCatalogue

    return UnitCatalogue.from_entries(unit_catalogue_entries())


@dataclass(frozen=True)
class ResolvedName:
    """What a name as written was resolved to."""

    resolution: str  # a Resolution value
    departments: tuple[Department, ...]
    note: str = ""


class UnitResolver:
    """Resolves names as written for one import (the catalogue is built once)."""

    def __init__(self) -> None:
        self._remembered = {
            alias.name: alias.department for alias in UnitAlias.objects.select_related("department")
        }
        self._by_code = {d.code: d for d in Department.objects.filter(is_active=True)}
        try:
            self._catalogue = unit_catalogue()
        except ImportError:  # the extractor's catalogue is not installed yet (parallel work)
            self._catalogue = _NamesOnly()
        self._cache: dict[str, ResolvedName] = {}

    def resolve(self, name: str) -> ResolvedName:
        name = (name or "").strip()
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    def _resolve(self, name: str) -> ResolvedName:
        remembered = self._remembered.get(name)
        if remembered is not None and remembered.is_active:
            return ResolvedName(
                Resolution.ALIAS, (remembered,), "resolved during an earlier review"
            )
        found = self._catalogue.resolve(name)
        departments = tuple(
            self._by_code[code] for code in found.department_codes if code in self._by_code
        )
        status = str(found.status)
        if status != Resolution.COLLECTIVE and not departments:
            status = Resolution.UNKNOWN
        return ResolvedName(status, departments, found.note)


@dataclass(frozen=True)
class _Found:
    status: str
    department_codes: tuple[str, ...]
    note: str = ""


class _NamesOnly:
    """Exact names and aliases only; used while ``extraction.units`` is missing."""

    def __init__(self) -> None:
        self._codes: dict[str, tuple[str, str]] = {}
        for code, name, short_name in Department.objects.values_list("code", "name", "short_name"):
            self._codes[name] = (code, Resolution.EXACT)
            if short_name:
                self._codes.setdefault(short_name, (code, Resolution.EXACT))
        for code, alias in DepartmentAlias.objects.values_list("department__code", "alias"):
            self._codes.setdefault(alias, (code, Resolution.ALIAS))

    def resolve(self, name: str) -> _Found:
        found = self._codes.get(name)
        if found is None:
            return _Found(Resolution.UNKNOWN, ())
        return _Found(found[1], (found[0],))
