"""均等化分析 between groups: unit groups (urban / rural, regions, functional zones) and registered
residents vs the floating population, per indicator and year, shown and exported (CSV / Excel).

Reads :mod:`civicgrid.indicators.selectors.groups` (group values sum numerators and denominators
over the group's units; see docs/adr/0008-indicator-groups.md).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from civicgrid.core.audit import audit_record
from civicgrid.indicators.models import UnitGroupKind
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import groups as group_selectors

from .common import LEVEL_LABELS, home_unit_code, indicators_view, number, table_download

LEVELS = ("district", "street")


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _group_rows(comparison: Any) -> list[dict[str, Any]]:
    rows = []
    for row in comparison.as_rows() if comparison is not None else []:
        for key in ("value_0", "value_1", "difference", "ratio", "theil", "between", "within"):
            row[key] = _round(row.get(key))
        row["between_share"] = _round(row["between_share"])
        for key in ("value_0", "value_1", "difference"):
            row[f"{key}_text"] = number(row[key], 2)
        for key in ("ratio", "theil", "between", "within"):
            row[f"{key}_text"] = number(row[key], 3)
        share = row["between_share"]
        row["between_share_text"] = "–" if share is None else f"{number(100 * share, 0)} %"
        rows.append(row)
    return rows


def groups_data(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    indicators = list(definition_selectors.indicators_visible_to(user))
    kinds = group_selectors.group_kinds()
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        kind = kinds[0] if kinds else ""
    level = request.GET.get("level", "district")
    if level not in LEVELS:
        level = "district"
    weighted = request.GET.get("weighted") == "1"
    code = request.GET.get("indicator") or (indicators[0].code if indicators else "")
    indicator = next((item for item in indicators if item.code == code), None)
    if code and indicator is None:
        raise Http404(_("No such indicator."))
    groups = list(group_selectors.unit_groups(kind=kind)) if kind else []
    comparison = None
    if indicator is not None and kind:
        comparison = group_selectors.group_comparison(
            user,
            indicator=indicator,
            kind=kind,
            level=level,
            weighting="denominator" if weighted else "",
        )
    return {
        "indicators": indicators,
        "indicator": indicator,
        "kinds": [(value, UnitGroupKind(value).label) for value in kinds],
        "kind": kind,
        "groups": [
            {"code": group.code, "name": group.name, "units": [name for _c, name in units]}
            for group, units in zip(
                groups, group_selectors.unit_group_members(groups).values(), strict=True
            )
        ],
        "level": level,
        "levels": [(value, LEVEL_LABELS[value]) for value in LEVELS],
        "weighted": weighted,
        "comparison": comparison,
        "query": urlencode(
            {"indicator": code, "kind": kind, "level": level, "weighted": "1" if weighted else ""}
        ),
    }


@indicators_view
@require_GET
def equalisation_groups(request: HttpRequest) -> HttpResponse:
    data = groups_data(request)
    comparison = data["comparison"]
    rows = _group_rows(comparison)
    sides = comparison.sides if comparison is not None else []
    incomplete = bool(
        comparison is not None
        and any(not value.complete for item in comparison.periods for value in item.groups)
    )
    context = {**data, "rows": rows, "sides": sides, "incomplete": incomplete}
    return render(request, "web/indicators/equalisation_groups.html", context)


@indicators_view
@require_GET
def equalisation_groups_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """Every indicator × year for the chosen kind of group: both groups' values, their
    difference and ratio, and the Theil index split between / within the groups."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    user = request.user
    data = groups_data(request)
    headings = [
        _("Indicator code"),
        _("Indicator"),
        _("Period"),
        _("Group"),
        _("Value"),
        _("Compared with"),
        _("Value"),
        _("Difference"),
        _("Ratio"),
        _("Level"),
        _("Theil index"),
        _("Between groups"),
        _("Within groups"),
        _("Share between groups"),
    ]
    lines: list[list[Any]] = []
    if data["kind"]:
        comparisons = group_selectors.group_comparisons(
            user,
            indicators=data["indicators"],
            kind=data["kind"],
            level=data["level"],
            weighting="denominator" if data["weighted"] else "",
        )
        for indicator in data["indicators"]:
            comparison = comparisons.get(indicator.pk)
            for row in _group_rows(comparison):
                lines.append(
                    [
                        indicator.code,
                        indicator.name,
                        row["period"],
                        row.get("group_0", ""),
                        row["value_0"],
                        row.get("group_1", ""),
                        row["value_1"],
                        row["difference"],
                        row["ratio"],
                        data["level"],
                        row["theil"],
                        row["between"],
                        row["within"],
                        row["between_share"],
                    ]
                )
    audit_record(
        actor=user,
        action="indicators.equalisation_groups_export",
        target_type="indicators.aggregate",
        target_repr=f"{data['kind']} {len(lines)} rows",
        details={"format": file_format, "kind": data["kind"], "level": data["level"]},
    )
    name = f"equalisation-groups-{data['kind'] or 'none'}"
    return table_download(name, _("Equalisation"), headings, lines, file_format)


# ---------------------------------------------------------------------------------------------
# Registered residents vs the floating population
# ---------------------------------------------------------------------------------------------


def _gap_row(gap: Any) -> dict[str, Any]:
    row = {
        "period": gap.period,
        "unit": gap.unit_code,
        "unit_name": gap.unit_name,
        "registered": _round(gap.registered),
        "floating": _round(gap.floating),
        "difference": _round(gap.gap.difference),
        "ratio": _round(gap.gap.ratio),
    }
    for key in ("registered", "floating", "difference"):
        row[f"{key}_text"] = number(row[key], 2)
    row["ratio_text"] = number(row["ratio"], 3)
    return row


def population_data(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    comparisons = list(group_selectors.population_comparisons())
    code = request.GET.get("comparison") or (comparisons[0].code if comparisons else "")
    comparison = next((item for item in comparisons if item.code == code), None)
    if code and comparison is None:
        raise Http404(_("No such comparison."))
    home = home_unit_code(user)
    return {
        "comparisons": comparisons,
        "comparison": comparison,
        "home": home,
        "query": urlencode({"comparison": code}),
    }


@indicators_view
@require_GET
def equalisation_population(request: HttpRequest) -> HttpResponse:
    data = population_data(request)
    comparison = data["comparison"]
    trend: list[dict[str, Any]] = []
    districts: list[dict[str, Any]] = []
    if comparison is not None:
        user = request.user
        trend = [
            _gap_row(gap)
            for gap in group_selectors.population_gaps(
                user, comparison=comparison, unit_codes=[data["home"]]
            )
        ]
        districts = [
            _gap_row(gap)
            for gap in group_selectors.population_gaps(
                user, comparison=comparison, level="district"
            )
        ]
    latest = trend[-1]["period"] if trend else ""
    context = {
        **data,
        "trend": trend,
        "districts": [row for row in districts if row["period"] == latest],
        "latest": latest,
    }
    return render(request, "web/indicators/equalisation_population.html", context)


@indicators_view
@require_GET
def equalisation_population_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """Every comparison × unit (the user's home unit and the districts) × year."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    user = request.user
    data = population_data(request)
    headings = [
        _("Comparison"),
        _("Registered residents"),
        _("Floating population"),
        _("Unit code"),
        pgettext("admin unit", "Unit"),
        _("Period"),
        _("Registered residents"),
        _("Floating population"),
        _("Difference"),
        _("Ratio"),
    ]
    lines: list[list[Any]] = []
    for comparison in data["comparisons"]:
        gaps = group_selectors.population_gaps(
            user, comparison=comparison, unit_codes=[data["home"]]
        )
        gaps += [
            gap
            for gap in group_selectors.population_gaps(
                user, comparison=comparison, level="district"
            )
            if gap.unit_code != data["home"]
        ]
        for gap in gaps:
            row = _gap_row(gap)
            lines.append(
                [
                    comparison.name,
                    comparison.registered.name,
                    comparison.floating.name,
                    row["unit"],
                    row["unit_name"],
                    row["period"],
                    row["registered"],
                    row["floating"],
                    row["difference"],
                    row["ratio"],
                ]
            )
    audit_record(
        actor=user,
        action="indicators.equalisation_population_export",
        target_type="indicators.aggregate",
        target_repr=f"{len(lines)} rows",
        details={"format": file_format},
    )
    return table_download(
        "equalisation-population", _("Equalisation"), headings, lines, file_format
    )
