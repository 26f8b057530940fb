"""报告待审: the progress reports waiting for the person — the programme office reviews the lead
departments' reports, a lead department consolidates or returns its cooperating units' ones."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from civicgrid.accounts.models import Role
from civicgrid.plans import selectors

from ..views import staff_required
from .common import OFFICE_ROLES, require_roles

PAGE_SIZE = 50
# Who has reports to review: the office (lead reports) and department staff (as a lead).
WAITING_ROLES = OFFICE_ROLES | {Role.DEPARTMENT_STAFF}


@staff_required
@require_GET
def reports_waiting(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_roles(user, WAITING_ROLES)
    page = Paginator(selectors.reports_waiting_for(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/plans/reports_waiting.html", {"page": page})


urlpatterns: list[URLPattern] = [
    path("plans/reports/waiting/", reports_waiting, name="plans_reports_waiting"),
]
