"""Equalisation groups: unit groups (urban / rural, regions, functional zones) and population
comparisons (registered residents vs the floating population), see
docs/adr/0008-indicator-groups.md.

Defined by the programme office or a whole-city administrator (``actor=None`` for the demo
loader); every definition is written to the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.territory.models import AdminUnit

from ..models import Indicator, PopulationComparison, UnitGroup, UnitGroupKind
from .common import require_definer
from .definitions import _check_choice, _check_code, _check_name
from .errors import InvalidInput


@transaction.atomic
def unit_group_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    unit_codes: Iterable[str],
    description: str = "",
    sort_order: int = 0,
) -> UnitGroup:
    """单元分组: a named group of admin units (each counted with its whole subtree)."""
    require_definer(actor)
    codes = sorted({str(code).strip() for code in unit_codes if str(code).strip()})
    if not codes:
        raise InvalidInput(_("Name at least one admin unit of the group."), field="units")
    units = list(AdminUnit.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {unit.code for unit in units})
    if unknown:
        raise InvalidInput(
            _("Unknown admin unit codes: %(codes)s.") % {"codes": ", ".join(unknown)},
            field="units",
        )
    group = UnitGroup.objects.create(
        code=_check_code(code, UnitGroup),
        name=_check_name(name),
        kind=_check_choice(kind, UnitGroupKind, "kind"),
        description=description.strip(),
        sort_order=sort_order,
    )
    group.units.set(units)
    audit_record(
        actor=actor,
        action="indicators.unit_group_create",
        target=group,
        details={"kind": kind, "units": codes},
    )
    return group


@transaction.atomic
def population_comparison_create(
    *,
    actor: Any,
    code: str,
    name: str,
    registered: Indicator,
    floating: Indicator,
    indicator: Indicator | None = None,
    source_document: str = "",
    source_passage: str = "",
    sort_order: int = 0,
) -> PopulationComparison:
    """户籍/流动人口对比: the pair of indicators measuring the same thing for registered residents
    and for the floating population (same kind and unit, otherwise the gap means nothing)."""
    require_definer(actor)
    if registered.pk == floating.pk:
        raise InvalidInput(
            _("The registered and the floating population need two different indicators."),
            field="floating",
        )
    for other, field in ((floating, "floating"), (indicator, "indicator")):
        if other is not None and (
            other.kind != registered.kind or other.unit_label != registered.unit_label
        ):
            raise InvalidInput(
                _(
                    "“%(other)s” is not measured like “%(registered)s” (kind and unit must be "
                    "the same)."
                )
                % {"other": other.code, "registered": registered.code},
                field=field,
            )
    comparison = PopulationComparison.objects.create(
        code=_check_code(code, PopulationComparison),
        name=_check_name(name),
        indicator=indicator,
        registered=registered,
        floating=floating,
        source_document=source_document.strip(),
        source_passage=source_passage.strip(),
        sort_order=sort_order,
    )
    audit_record(actor=actor, action="indicators.population_comparison_create", target=comparison)
    return comparison
