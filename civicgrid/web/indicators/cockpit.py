"""指标驾驶舱: the city cockpit and the district view.

One page for both: the unit is the city (whole-city users) or a district / street of the user's
scope. It lists every target that applies to the unit with its status, latest value, progress and
forecast, and the source passage of the policy document one click away; for the selected indicator
it draws the trend against the target, the target gauge, the comparison of the unit's children and
a choropleth of them (ECharts). Figures come from the precomputed aggregates through
:mod:`civicgrid.indicators.selectors`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.selectors import unit_breadcrumb, unit_visible_to
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import targets as target_selectors
from civicgrid.indicators.selectors import values as value_selectors

from .common import (
    COMPARATOR_SIGNS,
    LEVEL_LABELS,
    STATUS_LABELS,
    STATUS_ORDER,
    home_unit_code,
    indicators_view,
    number,
    periods_for,
)

CHILD_LEVEL = {"city": "district", "district": "street", "street": "community"}


def _year(request: HttpRequest, years: list[str]) -> str:
    wanted = request.GET.get("year", "")
    if wanted in years:
        return wanted
    return years[-1] if years else str(dt.date.today().year)


def _target_label(target: Any) -> str:
    sign = COMPARATOR_SIGNS.get(target.comparator, "")
    value = number(float(target.value))
    if target.comparator == "range" and target.value_high is not None:
        value = f"{value}–{number(float(target.value_high))}"
        sign = ""
    return f"{sign}{value}{target.indicator.unit_label} ({target.deadline_period})"


def target_rows(statuses: list[Any]) -> list[dict[str, Any]]:
    """Target status rows for the table, worst status first, then by indicator order."""
    rows = []
    for row in statuses:
        target = row.target
        indicator = target.indicator
        rows.append(
            {
                "row": row,
                "target": target,
                "indicator": indicator,
                "status": str(row.status),
                "status_label": STATUS_LABELS.get(str(row.status), row.status),
                "target_label": _target_label(target),
                "latest": number(row.latest_value, indicator.decimals),
                "forecast": number(row.forecast_value, indicator.decimals),
                "progress": None if row.progress is None else round(100 * row.progress),
                "source_document": target.source_document or indicator.source_document,
                "source_passage": target.source_passage or indicator.source_passage,
                "plans_target_id": target.plans_target_id or indicator.plans_target_id,
            }
        )
    order = {status: index for index, status in enumerate(STATUS_ORDER)}
    rows.sort(
        key=lambda r: (order.get(r["status"], 9), r["indicator"].sort_order, r["indicator"].code)
    )
    return rows


def _chart_data(
    user: Any, *, unit: Any, indicator: Any, year: str, status_row: Any | None
) -> dict[str, Any]:
    series = value_selectors.aggregate_series(
        user, indicator=indicator, unit_code=unit.code, period_type="yearly"
    )
    points = [point for point in series if point.period <= year]
    target = status_row.target if status_row is not None else None
    data: dict[str, Any] = {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit_label": indicator.unit_label,
            "direction": indicator.direction,
            "decimals": indicator.decimals,
        },
        "series": {
            "periods": [point.period for point in points],
            "values": [None if point.value is None else round(point.value, 4) for point in points],
            "target": None
            if target is None
            else {"value": float(target.value), "label": _("Target") + " " + _target_label(target)},
            "forecast": [],
        },
        "labels": {
            "value": indicator.name,
            "forecast": _("Forecast on the current trend"),
            "trend_title": _("Trend against the target"),
            "gauge_title": _("Progress toward the target"),
            "comparison_title": _("Comparison"),
            "map_title": _("Map"),
            "target": _("Target"),
        },
    }
    if status_row is not None and target is not None and status_row.forecast_value is not None:
        data["series"]["forecast"] = [
            {"period": points[-1].period, "value": points[-1].value} if points else None,
            {"period": target.deadline_period, "value": round(status_row.forecast_value, 4)},
        ]
        data["series"]["forecast"] = [p for p in data["series"]["forecast"] if p]
    if status_row is not None:
        progress = status_row.progress
        data["gauge"] = {
            "value": None if progress is None else max(0.0, min(100.0, 100 * progress)),
            "label": str(STATUS_LABELS.get(str(status_row.status), status_row.status)),
        }
    child_level = CHILD_LEVEL.get(unit.level)
    if child_level:
        children = value_selectors.aggregate_units(
            user, indicator=indicator, period=year, level=child_level, parent_code=unit.code
        )
        children = [child for child in children if child.value is not None]
        values = [round(float(child.value or 0), 4) for child in children]
        if children:
            data["comparison"] = {
                "names": [child.name for child in children],
                "codes": [child.code for child in children],
                "values": values,
                "target_value": None if target is None else float(target.value),
            }
            data["map"] = {
                "geojson_url": reverse("api:territory-geojson")
                + "?"
                + urlencode({"within": unit.code, "level": child_level}),
                "level": child_level,
                "within": unit.code,
                "values": {
                    child.code: value for child, value in zip(children, values, strict=True)
                },
                "names": {child.code: child.name for child in children},
            }
            data["labels"]["comparison_title"] = _("Comparison by %(level)s") % {
                "level": LEVEL_LABELS.get(child_level, child_level)
            }
            data["labels"]["map_title"] = _("Map by %(level)s") % {
                "level": LEVEL_LABELS.get(child_level, child_level)
            }
    return data


@indicators_view
@require_GET
def cockpit(request: HttpRequest, code: str = "") -> HttpResponse:
    """指标驾驶舱 of the city, a district or a street (``code``), for a year (``?year=``)."""
    user = request.user
    code = code or home_unit_code(user)
    unit = unit_visible_to(user, code)
    if unit is None:
        raise Http404(_("No such admin unit in your scope."))
    indicators = list(definition_selectors.indicators_visible_to(user))
    years = periods_for(user, indicators, unit_code=unit.code)
    year = _year(request, years)
    as_of = dt.date(int(year), 12, 31)
    statuses = target_selectors.target_statuses(user, unit_code=unit.code, today=as_of)
    rows = target_rows(statuses)
    counts = Counter(row["status"] for row in rows)
    selected_code = request.GET.get("indicator") or (rows[0]["indicator"].code if rows else "")
    selected = definition_selectors.indicator_for(user, selected_code) if selected_code else None
    if selected_code and selected is None:
        raise Http404(_("No such indicator."))
    selected_row = next((r["row"] for r in rows if r["indicator"].code == selected_code), None)
    chart_data = (
        _chart_data(user, unit=unit, indicator=selected, year=year, status_row=selected_row)
        if selected is not None
        else None
    )
    selected_info = next((r for r in rows if r["indicator"].code == selected_code), None)
    children = []
    if chart_data and "comparison" in chart_data:
        comparison = chart_data["comparison"]
        children = [
            {"code": code, "name": name}
            for code, name in zip(comparison["codes"], comparison["names"], strict=True)
        ]
    context = {
        "unit": unit,
        "breadcrumb": unit_breadcrumb(user, unit),
        "years": years,
        "year": year,
        "rows": rows,
        "counts": [
            {"status": status, "label": STATUS_LABELS[status], "count": counts.get(status, 0)}
            for status in STATUS_ORDER
        ],
        "selected": selected,
        "selected_info": selected_info,
        "chart_data": chart_data,
        "children": children,
        "query": urlencode({"year": year}),
    }
    return render(request, "web/indicators/cockpit.html", context)
