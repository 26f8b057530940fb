"""考核 (assessment): per department and per district and year — on-time rate, completion and
the reviewers' quality score, weighted as the programme office sets it — the ranking, and the
records (one row per task) behind every score.

The office edits the weights, computes and publishes; before publication only the office,
administrators and leaders see the figures (:func:`civicgrid.plans.selectors.assessment_ranking`
decides), afterwards every staff member sees the published ranking.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.models import Role
from civicgrid.core.errors import DomainError
from civicgrid.plans import selectors, services

from ..views import staff_required
from .common import OFFICE_ROLES, OVERVIEW_ROLES, has_role, report_error, require_roles, today
from .forms import WeightsForm

ASSESSMENT_ROLES = OVERVIEW_ROLES | {Role.DEPARTMENT_STAFF}
DEFAULT_WEIGHTS = {"weight_on_time": 40, "weight_completion": 40, "weight_quality": 20}


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return today().year


def _url(year: int) -> str:
    return f"{reverse('web:plans_assessment')}?year={year}"


@staff_required
@require_GET
def assessment(request: HttpRequest) -> HttpResponse:
    """The year's weights, ranking of departments and districts, and the records."""
    user: Any = request.user
    require_roles(user, ASSESSMENT_ROLES)
    year = _year(request)
    scheme = selectors.assessment_scheme(year)
    may_manage = has_role(user, OFFICE_ROLES)
    weights = (
        {name: getattr(scheme, name) for name in DEFAULT_WEIGHTS} if scheme else DEFAULT_WEIGHTS
    )
    return render(
        request,
        "web/plans/assessment.html",
        {
            "year": year,
            "years": list(range(today().year - 3, today().year + 2)),
            "scheme": scheme,
            "departments": selectors.assessment_ranking(user, year=year, subject="department"),
            "districts": selectors.assessment_ranking(user, year=year, subject="district"),
            "weights_form": WeightsForm(initial=weights),
            "may_manage": may_manage,
        },
    )


@staff_required
@require_POST
def assessment_step(request: HttpRequest, step: str) -> HttpResponse:
    """Save the weights, compute the results, or publish the ranking."""
    user: Any = request.user
    require_roles(user, OFFICE_ROLES)
    year = _year(request)
    try:
        if step == "weights":
            form = WeightsForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return redirect(_url(year))
            services.assessment_scheme_save(actor=user, year=year, **form.cleaned_data)
            messages.success(request, _("The weights were saved; compute the results again."))
        elif step == "compute":
            services.assessment_compute(actor=user, year=year)
            messages.success(request, _("The results were computed."))
        elif step == "publish":
            services.assessment_publish(actor=user, year=year)
            messages.success(request, _("The ranking is published."))
        else:
            return redirect(_url(year))
    except DomainError as error:
        report_error(request, error)
    return redirect(_url(year))


urlpatterns: list[URLPattern] = [
    path("plans/assessment/", assessment, name="plans_assessment"),
    path("plans/assessment/<slug:step>/", assessment_step, name="plans_assessment_step"),
]
