"""考核: the annual assessment schemes, the scores and ranking of the districts, each score's
trace (the values behind it), scoring and publishing (programme office), and the Excel and PDF
exports (the PDF with the Chinese font embedded, see :mod:`civicgrid.web.pdf`).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.indicators.selectors import assessment as assessment_selectors
from civicgrid.indicators.selectors.access import may_define
from civicgrid.indicators.services import assessment as assessment_services

from ..pdf import cjk_pdf, write_heading, write_table
from .common import definer_view, indicators_view, number


def _scheme(request: HttpRequest, code: str | None) -> tuple[list[Any], Any]:
    schemes = list(assessment_selectors.schemes_visible_to(request.user).order_by("-year", "code"))
    if not code:
        return schemes, (schemes[0] if schemes else None)
    scheme = next((item for item in schemes if item.code == code), None)
    if scheme is None:
        raise Http404(_("No such assessment scheme."))
    return schemes, scheme


def _trace_text(trace: dict[str, Any]) -> str:
    return json.dumps(trace, ensure_ascii=False, indent=1, default=str)


@indicators_view
@require_GET
def assessment(request: HttpRequest, code: str = "") -> HttpResponse:
    schemes, scheme = _scheme(request, code)
    results = assessment_selectors.scheme_results(request.user, scheme) if scheme else []
    titles = [item.title for item in results[0].items] if results else []
    rows = [
        {
            "row": row,
            "total": number(row.total, 2),
            "items": [
                {
                    "item": item,
                    "points": number(item.points, 2),
                    "value": number(item.value, 2),
                    "trace": _trace_text(item.trace),
                }
                for item in row.items
            ],
        }
        for row in results
    ]
    context = {
        "schemes": schemes,
        "scheme": scheme,
        "rows": rows,
        "titles": titles,
        "may_define": may_define(request.user),
    }
    return render(request, "web/indicators/assessment.html", context)


@definer_view
@require_POST
def assessment_action(request: HttpRequest, code: str) -> HttpResponse:
    """Score (评分) or publish (发布) a draft scheme."""
    _schemes, scheme = _scheme(request, code)
    action = request.POST.get("action", "")
    try:
        if action == "score":
            assessment_services.scheme_score(actor=request.user, scheme=scheme)
            messages.success(request, _("Scores computed."))
        elif action == "publish":
            assessment_services.scheme_publish(actor=request.user, scheme=scheme)
            messages.success(request, _("Scheme published."))
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(reverse("web:indicators_assessment_scheme", args=[scheme.code]))


@indicators_view
@require_GET
def assessment_export(request: HttpRequest, code: str) -> HttpResponse:
    """The ranking with every item's value and points, and a sheet of the traces (Excel)."""
    _schemes, scheme = _scheme(request, code)
    results = assessment_selectors.scheme_results(request.user, scheme)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Ranking")
    sheet.append([scheme.name, scheme.year, scheme.get_status_display()])
    titles = [item.title for item in results[0].items] if results else []
    header = [_("Rank"), _("Unit code"), pgettext("admin unit", "Unit"), _("Total")]
    for title in titles:
        header += [f"{title} ({_('value')})", f"{title} ({_('points')})"]
    sheet.append(header)
    traces = workbook.create_sheet(_("Traces"))
    traces.append(
        [
            pgettext("admin unit", "Unit"),
            _("Item"),
            _("Weight"),
            _("Value"),
            _("Points"),
            _("Trace"),
        ]
    )
    for row in results:
        line: list[Any] = [row.rank, row.subject_code, row.subject_name, row.total]
        for item in row.items:
            line += [item.value, item.points]
            traces.append(
                [
                    row.subject_name,
                    item.title,
                    item.weight,
                    item.value,
                    item.points,
                    _trace_text(item.trace),
                ]
            )
        sheet.append(line)
    output = io.BytesIO()
    workbook.save(output)
    audit_record(
        actor=request.user,
        action="indicators.assessment_export",
        target=scheme,
        details={"rows": len(results)},
    )
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{scheme.code}.xlsx"'
    return response


def _trace_line(trace: dict[str, Any]) -> str:
    """A score's trace in one line: its source values, the calculation and the notes."""
    parts: list[str] = []
    source = trace.get("source") or {}
    if isinstance(source, dict):
        for key in ("indicator", "unit", "period", "numerator", "denominator"):
            if source.get(key) not in (None, ""):
                parts.append(f"{key}={source[key]}")
        if source.get("plans"):
            parts.append(f"plans={json.dumps(source['plans'], ensure_ascii=False, default=str)}")
    if trace.get("calculation"):
        parts.append(str(trace["calculation"]))
    elif trace.get("formula"):
        parts.append(str(trace["formula"]))
    for note in trace.get("notes") or ():
        parts.append(str(note))
    return "; ".join(parts)


@indicators_view
@require_GET
def assessment_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The ranking, then each unit's item scores with the values behind every score (PDF)."""
    _schemes, scheme = _scheme(request, code)
    results = assessment_selectors.scheme_results(request.user, scheme)
    title = f"{scheme.name}({scheme.year})"
    subtitle = f"{scheme.get_status_display()}"
    ranking_headings = [_("Rank"), _("Unit code"), pgettext("admin unit", "Unit"), _("Total")]
    ranking = [
        [row.rank, row.subject_code, row.subject_name, number(row.total, 2)] for row in results
    ]
    item_headings = [_("Item"), _("Weight"), _("Value"), _("Points"), _("Trace")]
    details = [
        (
            f"{row.rank}. {row.subject_name} — {_('Total')} {number(row.total, 2)}",
            [
                [
                    item.title,
                    number(item.weight, 2),
                    number(item.value, 2),
                    number(item.points, 2),
                    _trace_line(item.trace),
                ]
                for item in row.items
            ],
        )
        for row in results
    ]
    texts = [title, subtitle, *ranking_headings, *item_headings]
    texts += [str(cell) for line in ranking for cell in line]
    texts += [head for head, _lines in details]
    texts += [str(cell) for _head, lines in details for line in lines for cell in line]
    pdf = cjk_pdf(texts, title=title, page_label=_("page %(page)s"), orientation="P")
    write_heading(pdf, title, size=16)
    write_heading(pdf, subtitle, size=9)
    pdf.ln(2)
    write_heading(pdf, _("Ranking"))
    write_table(
        pdf,
        ranking_headings,
        ranking,
        col_widths=(1, 2, 4, 2),
        align=("RIGHT", "LEFT", "LEFT", "RIGHT"),
        size=9,
    )
    for head, lines in details:
        pdf.ln(4)
        write_heading(pdf, head, size=11)
        write_table(
            pdf,
            item_headings,
            lines,
            col_widths=(4, 1, 1.3, 1.3, 7),
            align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
            size=8,
        )
    audit_record(
        actor=request.user,
        action="indicators.assessment_export",
        target=scheme,
        details={"rows": len(results), "format": "pdf"},
    )
    response = HttpResponse(bytes(pdf.output()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="assessment-{scheme.code}.pdf"'
    return response
