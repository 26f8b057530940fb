"""Computed data elements (系统计算): figures of CivicGrid's own data per admin unit and period.

Sources are read only through the other apps' selectors:

* the registry (:func:`civicgrid.registry.selectors.figures.registry_figures`, "as at" the
  period's last day): residents (all / by residence status), elderly 60+ and 65+, minors,
  households, active legal entities (all / by kind);
* appeals (:func:`civicgrid.appeals.selectors.statistics.statistics_table`, appeals accepted in
  the period): received, replied, replied on time;
* plans: task completion once the plans selectors offer it (see /work/notes/plans_contract.md).

Set-based: the registry is read with one ``GROUP BY admin_unit_code`` per table for the whole
city (district totals) and one per street (its communities and what is placed in the street
itself); a district's own remainder is its total minus its streets'. So every person is counted
twice at most, whatever the number of units, and nothing is read per unit.

Values are stored at the community (what is placed in a street, district or the city itself is
stored at that unit), replacing the element's previous computed values for the period, and the
aggregates of the touched indicators are refreshed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.models import Role, User
from civicgrid.core.audit import audit_record
from civicgrid.registry.selectors.figures import (
    ENTITY_KINDS,
    STATUSES,
    FiguresTable,
    UnitFigures,
    registry_figures,
)
from civicgrid.territory.models import AdminLevel, AdminUnit

from ..compute.periods import Period
from ..models import DataElement, DataValue, ElementSource, PeriodType, ValueOrigin
from .aggregates import aggregates_refresh
from .common import parse_any_period, require_definer
from .errors import InvalidInput

Figure = Callable[[UnitFigures], int]

REGISTRY_SOURCES: dict[str, tuple[Any, Figure]] = {
    "registry.residents": (gettext_lazy("residents"), lambda f: f.residents),
    "registry.elderly_60": (gettext_lazy("residents aged 60 and over"), lambda f: f.elderly_60),
    "registry.elderly_65": (gettext_lazy("residents aged 65 and over"), lambda f: f.elderly_65),
    "registry.minors": (gettext_lazy("residents under 18"), lambda f: f.age_bands["0_17"]),
    "registry.households": (gettext_lazy("households"), lambda f: f.households),
    "registry.entities": (gettext_lazy("active legal entities"), lambda f: f.entities),
}
for _status in STATUSES:
    REGISTRY_SOURCES[f"registry.residents.{_status}"] = (
        gettext_lazy("residents by residence status"),
        (lambda status: lambda f: f.by_status.get(status, 0))(_status),
    )
for _kind in ENTITY_KINDS:
    REGISTRY_SOURCES[f"registry.entities.{_kind}"] = (
        gettext_lazy("active legal entities by kind"),
        (lambda kind: lambda f: f.entities_by_kind.get(kind, 0))(_kind),
    )

APPEALS_SOURCES: dict[str, tuple[Any, str]] = {
    "appeals.received": (gettext_lazy("appeals received"), "received"),
    "appeals.replied": (gettext_lazy("appeals replied"), "replied"),
    "appeals.replied_on_time": (gettext_lazy("appeals replied on time"), "replied_on_time"),
}

COMPUTED_SOURCES: dict[str, Any] = {
    **{key: label for key, (label, _f) in REGISTRY_SOURCES.items()},
    **{key: label for key, (label, _n) in APPEALS_SOURCES.items()},
}


@dataclass
class RecomputeResult:
    period: str
    elements: list[str] = field(default_factory=list)
    values: int = 0
    seconds: float = 0.0
    aggregate_rows: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _system_reader() -> User:
    """An unsaved whole-city principal for scheduled jobs reading other apps' selectors that
    take a user (it is never stored and never signs in)."""
    return User(
        username="indicators-system", role=Role.ADMINISTRATOR, is_active=True, is_superuser=True
    )


def _registry_by_unit(on: dt.date) -> dict[str, UnitFigures]:
    """Figures per storage unit: communities, plus what is placed in a street, a district or
    the city itself (see the module)."""
    cities = list(AdminUnit.objects.filter(parent__isnull=True).order_by("code"))
    streets = list(
        AdminUnit.objects.filter(level=AdminLevel.STREET)
        .order_by("code")
        .values_list("code", "parent__code")
    )
    found: dict[str, UnitFigures] = {}
    street_totals: dict[str, list[UnitFigures]] = defaultdict(list)
    for street_code, district_code in streets:
        table = registry_figures(parent_code=street_code, on=on)
        for row in table.rows:
            found[row.code] = row
        found[street_code] = table.rest
        street_totals[district_code or ""].append(table.total)
    for city in cities:
        city_table: FiguresTable = registry_figures(parent_code=city.code, on=on)
        found[city.code] = city_table.rest
        for district in city_table.rows:
            remainder = UnitFigures(district.code, district.name, "rest")
            remainder.add(district)
            for street_total in street_totals.get(district.code, []):
                _subtract(remainder, street_total)
            found[district.code] = remainder
    return found


def _subtract(target: UnitFigures, other: UnitFigures) -> None:
    target.residents -= other.residents
    target.households -= other.households
    target.entities -= other.entities
    for key, value in other.by_status.items():
        target.by_status[key] = target.by_status.get(key, 0) - value
    for key, value in other.age_bands.items():
        target.age_bands[key] = target.age_bands.get(key, 0) - value
    for key, value in other.entities_by_kind.items():
        target.entities_by_kind[key] = target.entities_by_kind.get(key, 0) - value


def _appeals_by_unit(period: Period, units: dict[str, int]) -> dict[str, dict[str, int]]:
    from civicgrid.appeals.selectors.statistics import statistics_table

    table = statistics_table(
        _system_reader(),
        start=period.start,
        end=min(period.end, dt.date.today()),
        group_by="grid",
        with_overdue_open=False,
    )
    lengths = sorted({len(code) for code in units}, reverse=True)
    result: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in table.rows:
        code = str(row.get("key") or "")
        unit = next((code[:n] for n in lengths if n <= len(code) and code[:n] in units), None)
        if unit is None:
            continue
        for name in ("received", "replied", "replied_on_time"):
            result[unit][name] += int(row.get(name) or 0)
    return result


@transaction.atomic
def recompute(
    *,
    period: str,
    actor: Any = None,
    element_codes: Iterable[str] | None = None,
    refresh: bool = True,
) -> RecomputeResult:
    """重新计算: the computed elements for ``period`` (all, or ``element_codes``), stored per unit,
    then the aggregates refreshed. Safe to re-run (the period's computed values are replaced)."""
    require_definer(actor)
    started = time.monotonic()
    checked = parse_any_period(period)
    elements = list(DataElement.objects.filter(source=ElementSource.COMPUTED, is_active=True))
    if element_codes is not None:
        wanted = set(element_codes)
        unknown = wanted - {e.code for e in elements}
        if unknown:
            raise InvalidInput(
                _("Not computed data elements: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
                field="element_codes",
            )
        elements = [e for e in elements if e.code in wanted]
    result = RecomputeResult(period=checked.code, elements=[e.code for e in elements])
    if not elements:
        return result
    units = dict(
        AdminUnit.objects.filter(
            level__in=[
                AdminLevel.CITY,
                AdminLevel.DISTRICT,
                AdminLevel.STREET,
                AdminLevel.COMMUNITY,
            ]
        ).values_list("code", "pk")
    )
    values: dict[int, dict[str, int]] = {}
    registry_elements = [e for e in elements if e.computed_source in REGISTRY_SOURCES]
    if registry_elements:
        mark = time.monotonic()
        figures = _registry_by_unit(checked.end)
        result.timings["registry"] = round(time.monotonic() - mark, 3)
        for element in registry_elements:
            figure = REGISTRY_SOURCES[element.computed_source][1]
            values[element.pk] = {
                code: figure(row) for code, row in figures.items() if code in units
            }
    appeal_elements = [e for e in elements if e.computed_source in APPEALS_SOURCES]
    if appeal_elements and checked.start <= dt.date.today():
        mark = time.monotonic()
        counts = _appeals_by_unit(checked, units)
        result.timings["appeals"] = round(time.monotonic() - mark, 3)
        for element in appeal_elements:
            name = APPEALS_SOURCES[element.computed_source][1]
            values[element.pk] = {code: row[name] for code, row in counts.items()}
    mark = time.monotonic()
    DataValue.objects.filter(
        element__in=elements, period=checked.code, submission__isnull=True
    ).delete()
    rows = [
        DataValue(
            element_id=element_id,
            unit_id=units[code],
            unit_code=code,
            period=checked.code,
            period_type=PeriodType(checked.period_type.value),
            value=Decimal(count),
            origin=ValueOrigin.COMPUTED,
        )
        for element_id, per_unit in values.items()
        for code, count in per_unit.items()
        if count or len(code) == 12
    ]
    DataValue.objects.bulk_create(rows, batch_size=5000)
    result.values = len(rows)
    result.timings["store"] = round(time.monotonic() - mark, 3)
    if refresh:
        mark = time.monotonic()
        refreshed = aggregates_refresh(
            reason="recompute", element_ids=[e.pk for e in elements], periods=[checked.code]
        )
        result.aggregate_rows = refreshed.rows
        result.timings["aggregates"] = round(time.monotonic() - mark, 3)
    result.seconds = round(time.monotonic() - started, 3)
    audit_record(
        actor=actor,
        action="indicators.recompute",
        target_type="indicators.period",
        target_id=checked.code,
        details={"elements": result.elements, "values": result.values},
    )
    return result
