"""htmx: place search under the address field of the intake forms (地址检索)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.appeals.selectors.places import place_candidates

from ..views import staff_required


@require_GET
@staff_required
def appeal_places(request: HttpRequest) -> HttpResponse:
    """Places matching ``address`` (the address field's value) in the user's scope."""
    query = request.GET.get("address", "")
    return render(
        request,
        "web/appeals/_place_results.html",
        {"places": place_candidates(request.user, query), "query": query.strip()},
    )
