"""透视表: indicator × unit × period from the precomputed aggregates, with CSV and Excel export.

Units are a unit of the user's scope and its children; periods a range of years. The export has
one row per indicator, unit and period (numerator, denominator and value), the shape a pivot
table in a spreadsheet starts from; every export is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from civicgrid.accounts.selectors import unit_visible_to
from civicgrid.core.audit import audit_record
from civicgrid.indicators.selectors import definitions as definition_selectors
from civicgrid.indicators.selectors import values as value_selectors

from .common import home_unit_code, indicators_view, number, periods_for, table_download

CHILD_LEVEL = {"city": "district", "district": "street", "street": "community"}
MAX_INDICATORS = 200


class PivotForm(forms.Form):
    unit = forms.CharField(label=pgettext_lazy("admin unit", "Unit"), required=False, max_length=20)
    indicator = forms.MultipleChoiceField(label=lazy("Indicators"), required=False)
    first = forms.ChoiceField(label=lazy("From"), required=False)
    last = forms.ChoiceField(label=lazy("To"), required=False)

    def __init__(self, *args: Any, indicators: list[Any], years: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        indicator_field = self.fields["indicator"]
        assert isinstance(indicator_field, forms.MultipleChoiceField)
        indicator_field.choices = [(i.code, f"{i.name} ({i.code})") for i in indicators]
        year_choices = [(year, year) for year in years]
        for name in ("first", "last"):
            year_field = self.fields[name]
            assert isinstance(year_field, forms.ChoiceField)
            year_field.choices = year_choices


def pivot_data(request: HttpRequest) -> dict[str, Any]:
    """The form, the chosen unit, indicators and periods, and the pivot rows (raises 404 for a
    unit outside the user's scope)."""
    user = request.user
    indicators = list(definition_selectors.indicators_visible_to(user))
    years = periods_for(user, indicators)
    form = PivotForm(request.GET or None, indicators=indicators, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    unit_code = data.get("unit") or home_unit_code(user)
    unit = unit_visible_to(user, unit_code)
    if unit is None:
        raise Http404(_("No such admin unit in your scope."))
    chosen_codes = data.get("indicator") or [indicator.code for indicator in indicators]
    chosen = [indicator for indicator in indicators if indicator.code in set(chosen_codes)]
    chosen = chosen[:MAX_INDICATORS]
    first = data.get("first") or (years[0] if years else "")
    last = data.get("last") or (years[-1] if years else "")
    if first > last:
        first, last = last, first
    periods = [year for year in years if first <= year <= last]
    child_level = CHILD_LEVEL.get(unit.level)
    unit_codes = [unit.code]
    unit_names = {unit.code: unit.name}
    if child_level and chosen and periods:
        for child in value_selectors.aggregate_units(
            user, indicator=chosen[0], period=periods[-1], level=child_level, parent_code=unit.code
        ):
            unit_codes.append(child.code)
            unit_names[child.code] = child.name
    rows = (
        value_selectors.aggregate_pivot(
            user,
            indicator_codes=[indicator.code for indicator in chosen],
            unit_codes=unit_codes,
            periods=periods,
        )
        if chosen and periods
        else []
    )
    return {
        "form": form,
        "unit": unit,
        "indicators": chosen,
        "periods": periods,
        "unit_codes": unit_codes,
        "unit_names": unit_names,
        "rows": rows,
        "query": urlencode(
            [("unit", unit.code), ("first", first), ("last", last)]
            + [("indicator", code) for code in (data.get("indicator") or [])]
        ),
    }


def table(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows indicator × unit with one cell per period, for the page."""
    cells: dict[tuple[str, str, str], Any] = {}
    for row in data["rows"]:
        cells[(row["indicator"], row["unit"], row["period"])] = row
    lines = []
    for indicator in data["indicators"]:
        for code in data["unit_codes"]:
            values = []
            for period in data["periods"]:
                row = cells.get((indicator.code, code, period))
                values.append(number(row["value"] if row else None, indicator.decimals))
            lines.append(
                {
                    "indicator": indicator,
                    "unit_code": code,
                    "unit_name": data["unit_names"].get(code, code),
                    "values": values,
                }
            )
    return lines


@indicators_view
@require_GET
def pivot(request: HttpRequest) -> HttpResponse:
    data = pivot_data(request)
    context = {**data, "lines": table(data)}
    return render(request, "web/indicators/pivot.html", context)


EXPORT_COLUMNS = (
    "indicator",
    "indicator_name",
    "unit_code",
    "unit_name",
    "period",
    "numerator",
    "denominator",
    "value",
)


def _export_rows(data: dict[str, Any]) -> list[list[Any]]:
    names = {indicator.code: indicator.name for indicator in data["indicators"]}
    lines = []
    for row in data["rows"]:
        lines.append(
            [
                row["indicator"],
                names.get(row["indicator"], row["indicator"]),
                row["unit"],
                row["unit_name"],
                row["period"],
                row.get("numerator"),
                row.get("denominator"),
                row["value"],
            ]
        )
    return lines


@indicators_view
@require_GET
def pivot_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The pivot rows as CSV (UTF-8 with BOM, opens in Excel) or an Excel workbook."""
    if file_format not in {"csv", "xlsx"}:
        raise Http404
    data = pivot_data(request)
    lines = _export_rows(data)
    headings = [
        _("Indicator code"),
        _("Indicator"),
        _("Unit code"),
        pgettext("admin unit", "Unit"),
        _("Period"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
    ]
    audit_record(
        actor=request.user,
        action="indicators.pivot_export",
        target_type="indicators.aggregate",
        target_repr=f"{data['unit'].code} {','.join(data['periods'])}",
        details={
            "format": file_format,
            "unit": data["unit"].code,
            "periods": data["periods"],
            "indicators": [indicator.code for indicator in data["indicators"]],
            "rows": len(lines),
        },
    )
    name = f"indicators-{data['unit'].code}"
    return table_download(name, _("Indicators"), headings, lines, file_format)
