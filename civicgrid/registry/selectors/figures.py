"""Figures of the registry by admin unit and period (人口、户、法人统计), for pages, indicators
and dashboards.

Counts are taken "as at" the last day of a period: persons in the registry by then and not
deceased, by residence status and by age on that day (age bands, elderly 60+ and 65+);
households in the registry by then; active legal entities registered in it and established by
then, by kind. Status and deceased flags are the current ones (the registry keeps no history
of them).

Each table is read with one set-based query (``GROUP BY admin_unit_code`` with filtered
counts), and the per-code counts are folded into the child units of the chosen parent in
Python: there are at most as many codes as grids, so this stays cheap at city scale, and the
grouping key is the indexed column itself.

:func:`figures_visible_to` applies the user's scope; :func:`registry_figures` is the same
without a user, for scheduled indicator jobs only (never for a page or the API).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.errors import DomainError
from civicgrid.territory.models import CODE_LENGTH, AdminLevel, AdminUnit

from ..models import EntityKindOfLaw, EntityStatus, Household, LegalEntity, Person, ResidenceStatus
from .access import code_prefix_q, registry_access

# (key, label, lowest age, highest age or None)
AGE_BANDS: tuple[tuple[str, Any, int, int | None], ...] = (
    ("0_17", _("0–17"), 0, 17),
    ("18_59", _("18–59"), 18, 59),
    ("60_64", _("60–64"), 60, 64),
    ("65_79", _("65–79"), 65, 79),
    ("80_plus", _("80 and over"), 80, None),
)
STATUSES: tuple[str, ...] = tuple(ResidenceStatus.values)
ENTITY_KINDS: tuple[str, ...] = tuple(EntityKindOfLaw.values)
_CODE_LENGTHS = sorted(CODE_LENGTH.values())
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{1,2})))?$")


@dataclass
class UnitFigures:
    """The counts of one admin unit (or of the rest / the total of a table)."""

    code: str
    name: str
    level: str = ""
    residents: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    age_bands: dict[str, int] = field(default_factory=lambda: {band[0]: 0 for band in AGE_BANDS})
    households: int = 0
    entities: int = 0
    entities_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITY_KINDS, 0))

    @property
    def elderly_60(self) -> int:
        return sum(self.age_bands[key] for key in ("60_64", "65_79", "80_plus"))

    @property
    def elderly_65(self) -> int:
        return sum(self.age_bands[key] for key in ("65_79", "80_plus"))

    def add(self, other: UnitFigures) -> None:
        self.residents += other.residents
        self.households += other.households
        self.entities += other.entities
        for key, value in other.by_status.items():
            self.by_status[key] = self.by_status.get(key, 0) + value
        for key, value in other.age_bands.items():
            self.age_bands[key] = self.age_bands.get(key, 0) + value
        for key, value in other.entities_by_kind.items():
            self.entities_by_kind[key] = self.entities_by_kind.get(key, 0) + value

    @property
    def is_empty(self) -> bool:
        return not (self.residents or self.households or self.entities)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "residents": self.residents,
            "by_status": dict(self.by_status),
            "age_bands": dict(self.age_bands),
            "elderly_60": self.elderly_60,
            "elderly_65": self.elderly_65,
            "households": self.households,
            "entities": self.entities,
            "entities_by_kind": dict(self.entities_by_kind),
        }


@dataclass
class FiguresTable:
    """Counts per child unit of ``parent`` as at ``on``; ``rest`` holds what is placed in the
    parent itself (not in any child) or under a code no child unit has."""

    parent_code: str
    parent_name: str
    parent_level: str
    on: dt.date
    rows: list[UnitFigures]
    rest: UnitFigures
    total: UnitFigures


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def period_end(period: str) -> dt.date:
    """The last day of ``2025`` (a year), ``2025-Q3`` (a quarter) or ``2025-07`` (a month);
    a ``DomainError`` naming ``period`` otherwise."""
    match = _PERIOD.match((period or "").strip())
    if not match:
        raise DomainError(
            _("Give the period as a year (2025), a quarter (2025-Q3) or a month (2025-07)."),
            code="invalid",
            field="period",
        )
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2)) * 3
    elif match.group(3):
        month = int(match.group(3))
        if not 1 <= month <= 12:
            raise DomainError(_("The month must be 1 to 12."), code="invalid", field="period")
    else:
        month = 12
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def _end_of_day(day: dt.date) -> dt.datetime:
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start) if timezone.is_naive(start) else start


def _person_counts(prefix: str, on: dt.date) -> list[dict[str, Any]]:
    cuts = {age: years_before(on, age) for age in (18, 60, 65, 80)}
    bands = {
        "0_17": Q(birth_date__gt=cuts[18]),
        "18_59": Q(birth_date__lte=cuts[18], birth_date__gt=cuts[60]),
        "60_64": Q(birth_date__lte=cuts[60], birth_date__gt=cuts[65]),
        "65_79": Q(birth_date__lte=cuts[65], birth_date__gt=cuts[80]),
        "80_plus": Q(birth_date__lte=cuts[80]),
    }
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for status in STATUSES:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(residence_status=status))
    for key, condition in bands.items():
        aggregates[f"band_{key}"] = Count("pk", filter=condition)
    persons = Person.objects.filter(is_deceased=False, created_at__lt=_end_of_day(on))
    if prefix:
        persons = persons.filter(code_prefix_q(prefix))
    return list(persons.values("admin_unit_code").annotate(**aggregates).order_by())


def _household_counts(prefix: str, on: dt.date) -> list[dict[str, Any]]:
    households = Household.objects.filter(created_at__lt=_end_of_day(on))
    if prefix:
        households = households.filter(code_prefix_q(prefix))
    return list(households.values("admin_unit_code").annotate(total=Count("pk")).order_by())


def _entity_counts(prefix: str, on: dt.date) -> list[dict[str, Any]]:
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for kind in ENTITY_KINDS:
        aggregates[f"kind_{kind}"] = Count("pk", filter=Q(kind=kind))
    entities = LegalEntity.objects.filter(
        Q(established_on__isnull=True) | Q(established_on__lte=on),
        status=EntityStatus.ACTIVE,
        created_at__lt=_end_of_day(on),
    )
    if prefix:
        entities = entities.filter(code_prefix_q(prefix))
    return list(entities.values("admin_unit_code").annotate(**aggregates).order_by())


def _child_length(code: str) -> int | None:
    longer = [length for length in _CODE_LENGTHS if length > len(code)]
    return longer[0] if longer else None


def registry_figures(*, parent_code: str, on: dt.date | None = None) -> FiguresTable:
    """Counts per child unit of ``parent_code`` as at ``on`` (today by default), without a
    user: for scheduled indicator jobs. Pages and the API use :func:`figures_visible_to`."""
    on = on or timezone.localdate()
    parent = AdminUnit.objects.filter(code=parent_code).first()
    child_length = _child_length(parent_code)
    children: list[AdminUnit] = []
    if child_length is not None:
        children = list(
            AdminUnit.objects.filter(parent__code=parent_code)
            .order_by("code")
            .only("code", "name", "level")
        )
    rows = {unit.code: UnitFigures(unit.code, unit.name, str(unit.level)) for unit in children}
    rest = UnitFigures(parent_code, parent.name if parent else parent_code, "rest")

    def bucket(code: str) -> UnitFigures:
        if child_length is not None and len(code) >= child_length:
            row = rows.get(code[:child_length])
            if row is not None:
                return row
        return rest

    for item in _person_counts(parent_code, on):
        row = bucket(item["admin_unit_code"])
        row.residents += item["total"]
        for status in STATUSES:
            row.by_status[status] += item[f"status_{status}"]
        for key, *_range in AGE_BANDS:
            row.age_bands[key] += item[f"band_{key}"]
    for item in _household_counts(parent_code, on):
        bucket(item["admin_unit_code"]).households += item["total"]
    for item in _entity_counts(parent_code, on):
        row = bucket(item["admin_unit_code"])
        row.entities += item["total"]
        for kind in ENTITY_KINDS:
            row.entities_by_kind[kind] += item[f"kind_{kind}"]
    total = UnitFigures(parent_code, parent.name if parent else parent_code, "total")
    for row in [*rows.values(), rest]:
        total.add(row)
    return FiguresTable(
        parent_code=parent_code,
        parent_name=parent.name if parent else parent_code,
        parent_level=str(parent.level) if parent else "",
        on=on,
        rows=list(rows.values()),
        rest=rest,
        total=total,
    )


def default_parent_code(user: Any) -> str | None:
    """Where a user's figures start: their scope unit, or the city for whole-city users."""
    access = registry_access(user)
    if not access.may_see_figures:
        return None
    if access.scope.code is not None:
        return access.scope.code
    return (
        AdminUnit.objects.filter(parent__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def figures_visible_to(
    user: Any, *, parent_code: str | None = None, on: dt.date | None = None
) -> FiguresTable | None:
    """The figures table under ``parent_code`` (default: the user's top unit) if ``user`` may
    see it; ``None`` when the unit is outside the scope (callers answer 404)."""
    access = registry_access(user)
    if not access.may_see_figures:
        return None
    code = (parent_code or "").strip() or default_parent_code(user)
    if not code or not access.covers(code):
        return None
    return registry_figures(parent_code=code, on=on)


def residents_by_unit(
    user: Any, *, level: str = AdminLevel.GRID, parent_code: str | None = None
) -> dict[str, dict[str, int]] | None:
    """Living residents per unit of ``level`` under ``parent_code`` (the user's top unit by
    default), by residence status: ``{code: {status: count, "total": count}}``.

    One ``GROUP BY admin_unit_code, residence_status``; ``None`` outside the user's scope. The
    deceased are left out; the person unit index holds the code, the status and
    ``is_deceased``, so on PostgreSQL the count is an index-only scan of it."""
    access = registry_access(user)
    if not access.may_see_figures:
        return None
    code = (parent_code or "").strip() or default_parent_code(user)
    if not code or not access.covers(code):
        return None
    length = CODE_LENGTH.get(AdminLevel(level), CODE_LENGTH[AdminLevel.GRID])
    persons = Person.objects.filter(is_deceased=False)
    if code:
        persons = persons.filter(code_prefix_q(code))
    result: dict[str, dict[str, int]] = {}
    rows: Iterable[tuple[str, str, int]] = (
        persons.values_list("admin_unit_code", "residence_status")
        .annotate(count=Count("*"))  # COUNT(*): an index-only scan needs no other column
        .order_by()
    )
    for unit_code, status, count in rows:
        key = unit_code[:length] if len(unit_code) >= length else unit_code
        counts = result.setdefault(key, {"total": 0})
        counts[status] = counts.get(status, 0) + count
        counts["total"] += count
    return result
