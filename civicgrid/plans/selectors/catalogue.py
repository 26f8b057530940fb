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
        self._catalogue = unit_catalogue()
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
