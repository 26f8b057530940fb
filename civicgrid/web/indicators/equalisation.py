"""均等化分析: gaps between the units of a level (districts, streets) per indicator and period.

For the chosen indicator: max/min ratio, coefficient of variation and Theil index per year with
their trend (narrowing / widening / stable) and a chart; for the chosen year: the same metrics
for every indicator. Weighted by the denominator (population) on request. Exported as CSV or Excel.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from civicgrid.core.audit import audit_record
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import values as value_selectors

from .common import LEVEL_LABELS, indicators_view, number, periods_for, table_download

LEVELS = ("district", "street")
METRICS = ("max_min_ratio", "coefficient_of_variation", "theil")
DIRECTION_LABELS: dict[str, Any] = {
    "narrowing": lazy("narrowing"),
    "widening": lazy("widening"),
    "stable": lazy("stable"),
}


def _metric(summary: Any, name: str) -> float | None:
    value = summary.metric(name).value
    return None if value is None else round(value, 4)


def equalisation_data(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    indicators = list(definition_selectors.indicators_visible_to(user))
    years = periods_for(user, indicators)
    level = request.GET.get("level", "district")
    if level not in LEVELS:
        level = "district"
    weighted = request.GET.get("weighted") == "1"
    weighting = "denominator" if weighted else ""
    code = request.GET.get("indicator") or (indicators[0].code if indicators else "")
    indicator = next((item for item in indicators if item.code == code), None)
    if code and indicator is None:
        raise Http404(_("No such indicator."))
    year = request.GET.get("year", "")
    if year not in years:
        year = years[-1] if years else ""
    trend = None
    if indicator is not None and years:
        trend = value_selectors.equalisation_series(
            user, indicator=indicator, level=level, weighting=weighting
        )
    overview = []
    if year:
        # Every indicator's gaps for the year in one query (not one per indicator).
        found = value_selectors.equalisation_overview(
            user, period=year, level=level, weighting=weighting, indicators=indicators
        )
        for item in indicators:
            summary = found[item.pk][1]
            overview.append(
                {
                    "indicator": item,
                    "units": summary.units,
                    "mean": _metric(summary, "mean"),
                    "max_min_ratio": _metric(summary, "max_min_ratio"),
                    "coefficient_of_variation": _metric(summary, "coefficient_of_variation"),
                    "theil": _metric(summary, "theil"),
                }
            )
    return {
        "indicators": indicators,
        "indicator": indicator,
        "years": years,
        "year": year,
        "level": level,
        "levels": [(value, LEVEL_LABELS[value]) for value in LEVELS],
        "weighted": weighted,
        "trend": trend,
        "overview": overview,
        "query": urlencode(
            {"indicator": code, "year": year, "level": level, "weighted": "1" if weighted else ""}
        ),
    }


def _trend_rows(trend: Any) -> list[dict[str, Any]]:
    if trend is None:
        return []
    return [
        {
            "period": period,
            "units": summary.units,
            "mean": _metric(summary, "mean"),
            "max_min_ratio": _metric(summary, "max_min_ratio"),
            "coefficient_of_variation": _metric(summary, "coefficient_of_variation"),
            "theil": _metric(summary, "theil"),
        }
        for period, summary in zip(trend.periods, trend.summaries, strict=True)
    ]


@indicators_view
@require_GET
def equalisation(request: HttpRequest) -> HttpResponse:
    data = equalisation_data(request)
    rows = _trend_rows(data["trend"])
    trend = data["trend"]
    directions = []
    if trend is not None:
        labels = {
            "max_min_ratio": _("Max/min ratio"),
            "coefficient_of_variation": _("Coefficient of variation"),
            "theil": _("Theil index"),
        }
        for name in METRICS:
            direction = trend.directions.get(name)
            directions.append(
                {
                    "metric": labels[name],
                    "direction": str(direction) if direction else "",
                    "label": DIRECTION_LABELS.get(str(direction), "–") if direction else "–",
                }
            )
    chart = None
    if rows:
        chart = {
            "periods": [row["period"] for row in rows],
            "metrics": {name: [row[name] for row in rows] for name in METRICS},
            "labels": {
                "title": _("Gaps over time"),
                "ratio": _("Max/min ratio"),
                "dispersion": _("CV / Theil"),
                "max_min": _("Max/min ratio"),
                "cv": _("Coefficient of variation"),
                "theil": _("Theil index"),
            },
        }
    for row in [*rows, *data["overview"]]:
        for name in ("mean", *METRICS):
            row[f"{name}_text"] = number(row[name], 3)
    context = {**data, "rows": rows, "directions": directions, "chart": chart}
    return render(request, "web/indicators/equalisation.html", context)


@indicators_view
@require_GET
def equalisation_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """Every indicator × year: units, mean, max/min ratio, CV and Theil (CSV or Excel)."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    user = request.user
    data = equalisation_data(request)
    headings = [
        _("Indicator code"),
        _("Indicator"),
        _("Period"),
        _("Level"),
        pgettext("admin unit", "Units"),
        _("Mean"),
        _("Max/min ratio"),
        _("Coefficient of variation"),
        _("Theil index"),
    ]
    lines: list[list[Any]] = []
    for indicator in data["indicators"]:
        if not data["years"]:
            break
        trend = value_selectors.equalisation_series(
            user,
            indicator=indicator,
            level=data["level"],
            weighting="denominator" if data["weighted"] else "",
        )
        for row in _trend_rows(trend):
            lines.append(
                [
                    indicator.code,
                    indicator.name,
                    row["period"],
                    data["level"],
                    row["units"],
                    row["mean"],
                    row["max_min_ratio"],
                    row["coefficient_of_variation"],
                    row["theil"],
                ]
            )
    audit_record(
        actor=user,
        action="indicators.equalisation_export",
        target_type="indicators.aggregate",
        target_repr=f"{data['level']} {len(lines)} rows",
        details={"format": file_format, "level": data["level"], "weighted": data["weighted"]},
    )
    name = f"equalisation-{data['level']}"
    return table_download(name, _("Equalisation"), headings, lines, file_format)
