"""统计分析 page: figures per grouping for a period, charts (ECharts), hot topics, rising
categories, the grid density map (Leaflet) and the Excel export of the table.

Reads only :mod:`civicgrid.appeals.selectors.statistics` (scoped to the user); definitions of
the figures in docs/adr/0004-statistics.md.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from civicgrid.accounts.models import Role
from civicgrid.appeals import clock
from civicgrid.appeals.selectors import (
    hot_topics,
    rising_categories,
    statistics_table,
)
from civicgrid.appeals.selectors.statistics import check_period, previous_period
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError

from ..views import staff_required

STATISTICS_ROLES = frozenset(
    {Role.DISPATCHER, Role.SUPERVISOR, Role.PROGRAMME_OFFICE, Role.LEADER, Role.ADMINISTRATOR}
)
PERIODS = [
    ("this_month", lazy("This month")),
    ("last_month", lazy("Last month")),
    ("quarter", lazy("This quarter")),
    ("year", lazy("This year")),
    ("custom", lazy("Custom")),
]
GROUP_LABELS: dict[str, Any] = {
    "district": lazy("District"),
    "street": lazy("Street / town"),
    "department": lazy("Department"),
    "category": lazy("Category"),
    "channel": lazy("Channel"),
    "type": lazy("Type"),
    "month": lazy("Month"),
}
# (row field, column heading, kind) of the table and of the Excel export
COLUMNS: list[tuple[str, Any, str]] = [
    ("received", lazy("Received"), "count"),
    ("replied", lazy("Replied"), "count"),
    ("on_time_rate", lazy("On-time rate"), "rate"),
    ("overdue", lazy("Overdue"), "count"),
    ("average_handling_working_days", lazy("Average handling (working days)"), "number"),
    ("satisfaction_rate", lazy("Satisfaction rate"), "rate"),
    ("reopen_rate", lazy("Reopen rate"), "rate"),
    ("cancelled", lazy("Cancelled"), "count"),
    ("merged", lazy("Merged"), "count"),
]


class StatisticsForm(forms.Form):
    period = forms.ChoiceField(label=lazy("Period"), choices=PERIODS, required=False)
    start = forms.DateField(label=lazy("From"), required=False)
    end = forms.DateField(label=lazy("To"), required=False)
    group_by = forms.ChoiceField(
        label=lazy("Group by"), choices=list(GROUP_LABELS.items()), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        today = clock.today()
        period = data.get("period") or "this_month"
        if period == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise forms.ValidationError(_("Enter both dates of a custom period."))
        else:
            start, end = period_bounds(period, today)
        try:
            check_period(start, end)
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from error
        data.update(
            period=period, start=start, end=end, group_by=data.get("group_by") or "district"
        )
        return data


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """This month / last month / this quarter / this year, up to ``today`` included."""
    if period == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
    if period == "year":
        return today.replace(month=1, day=1), today
    return today.replace(day=1), today


def _allowed(user: Any) -> bool:
    return bool(user.is_superuser or user.role in STATISTICS_ROLES)


def _form(request: HttpRequest) -> StatisticsForm:
    form = StatisticsForm(request.GET or {"period": "this_month"})
    if not _allowed(request.user):
        raise PermissionDenied
    return form


@staff_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """统计分析: the table, charts, hot topics, rising categories and the density map."""
    form = _form(request)
    context: dict[str, Any] = {
        "form": form,
        "periods": PERIODS,
        "groups": list(GROUP_LABELS.items()),
        "columns": COLUMNS,
    }
    if not form.is_valid():
        return render(request, "web/appeals/statistics.html", context, status=400)
    data = form.cleaned_data
    user = request.user
    start, end, group_by = data["start"], data["end"], data["group_by"]
    table = statistics_table(user, start=start, end=end, group_by=group_by)
    trend_group = "month" if (end - start).days > 62 else "day"
    trend = statistics_table(
        user, start=start, end=end, group_by=trend_group, with_overdue_open=False
    )
    categories = statistics_table(
        user, start=start, end=end, group_by="category", with_overdue_open=False
    )
    query = {"period": data["period"], "start": start.isoformat(), "end": end.isoformat()}
    context.update(
        table=table,
        group_by=group_by,
        period=data["period"],
        start=start,
        end=end,
        previous=previous_period(start, end),
        query=urlencode(query),
        export_query=urlencode({**query, "group_by": group_by}),
        hot_topics=hot_topics(user, start=start, end=end),
        rising=rising_categories(user, start=start, end=end),
        chart_data={
            "trend": {
                "labels": [row["label"] for row in trend.rows],
                "received": [row["received"] for row in trend.rows],
                "replied": [row["replied"] for row in trend.rows],
                "title": _("Received and replied"),
                "received_label": _("Received"),
                "replied_label": _("Replied"),
            },
            "categories": {
                "labels": [row["label"] for row in categories.rows],
                "received": [row["received"] for row in categories.rows],
                "title": _("Received by category"),
            },
            "satisfaction": {
                "title": _("Satisfaction"),
                "items": [
                    {
                        "name": _("satisfied or basically satisfied"),
                        "value": table.total["satisfied"],
                    },
                    {
                        "name": _("unsatisfied"),
                        "value": table.total["rated"] - table.total["satisfied"],
                    },
                ],
            },
        },
        grids_url="/api/appeals/statistics/grids/?"
        + urlencode({"start": start.isoformat(), "end": end.isoformat()}),
    )
    return render(request, "web/appeals/statistics.html", context)


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "rate":
        return round(float(value) * 100, 2)
    return value


@staff_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The table as an Excel file (rates in percent); the export is written to the audit trail."""
    form = _form(request)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(error) for errors in form.errors.values() for error in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    data = form.cleaned_data
    start, end, group_by = data["start"], data["end"], data["group_by"]
    table = statistics_table(request.user, start=start, end=end, group_by=group_by)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Statistics")
    sheet.append([_("Period"), f"{start.isoformat()} – {end.isoformat()}"])
    sheet.append([_("Group by"), str(GROUP_LABELS[group_by])])
    sheet.append([])
    headings = [str(GROUP_LABELS[group_by])]
    for _field, label, kind in COLUMNS:
        headings.append(f"{label} (%)" if kind == "rate" else str(label))
    sheet.append(headings)
    for row in [*table.rows, table.total]:
        sheet.append([row["label"], *(_cell(row[name], kind) for name, _l, kind in COLUMNS)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(
        actor=request.user,
        action="appeals.statistics_export",
        target_type="appeals.statistics",
        target_repr=f"{group_by} {start.isoformat()}..{end.isoformat()}",
        details={
            "group_by": group_by,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "rows": len(table.rows),
        },
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"statistics-{group_by}-{start.isoformat()}-{end.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
