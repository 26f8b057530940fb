"""Registry pages: the review queue of record linkage (待核对的关联).

A source row without a trustworthy ID number (a tenant list, a grid worker's note) that linkage
could not match with certainty waits here with its candidate persons. Administrators and the
programme office see the candidates inside their scope, both sides masked, and accept one (the
row is linked to that person, its other candidates are rejected) or reject it. Decisions are
plain form POSTs back to the queue (post/redirect/get); the services check the permission again
and write the audit rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from civicgrid.core.errors import ConflictError, PermissionDeniedError
from civicgrid.core.navigation import NavItem, register_nav_item
from civicgrid.registry.linkage.selectors import (
    candidate_view,
    link_candidate_visible_to,
    link_candidates_visible_to,
)
from civicgrid.registry.linkage.services import (
    LINKAGE_ROLES,
    link_candidate_accept,
    link_candidate_reject,
)
from civicgrid.registry.models import LinkCandidate

from ..views import staff_required

PAGE_SIZE = 50


@staff_required
@require_GET
def link_queue(request: HttpRequest) -> HttpResponse:
    """The open link candidates in the user's scope, best match first."""
    user: Any = request.user
    if not _may_open_queue(user):
        raise PermissionDenied(_("Only administrators and the programme office review links."))
    candidates = link_candidates_visible_to(user)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [candidate_view(candidate) for candidate in page.object_list]
    return render(request, "web/registry/link_queue.html", {"page": page, "rows": rows})


def _may_open_queue(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "role", "") in LINKAGE_ROLES)


def _candidate_or_404(user: Any, pk: int) -> LinkCandidate:
    candidate = link_candidate_visible_to(user, pk)
    if candidate is None:
        raise Http404(_("No such link candidate."))
    return candidate


def _decide(request: HttpRequest, pk: int, *, accept: bool) -> HttpResponse:
    user: Any = request.user
    candidate = _candidate_or_404(user, pk)
    try:
        if accept:
            link_candidate_accept(actor=user, candidate=candidate)
        else:
            link_candidate_reject(actor=user, candidate=candidate)
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except ConflictError as error:
        messages.error(request, str(error.message))
        return redirect("web:registry_link_queue")
    if accept:
        messages.success(request, _("The source row is now linked to the person."))
    else:
        messages.success(request, _("The candidate was rejected."))
    return redirect("web:registry_link_queue")


@staff_required
@require_POST
def link_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept one candidate: the row is about this person."""
    return _decide(request, pk, accept=True)


@staff_required
@require_POST
def link_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject one candidate: the row is not about this person."""
    return _decide(request, pk, accept=False)


def register_navigation() -> None:
    """The queue's menu entry (待核对的关联), for administrators and the programme office; to be
    called from :meth:`civicgrid.web.apps.WebConfig.ready` beside the other registry entries."""
    register_nav_item(
        NavItem(
            "registry_links",
            gettext_lazy("Links to review"),
            "web:registry_link_queue",
            frozenset(LINKAGE_ROLES),
            66,
            description=gettext_lazy(
                "Decide the uncertain matches between source rows without an ID number and "
                "registered persons."
            ),
        )
    )


urlpatterns: list[URLPattern] = [
    path("registry/links/", link_queue, name="registry_link_queue"),
    path("registry/links/<int:pk>/accept/", link_accept, name="registry_link_accept"),
    path("registry/links/<int:pk>/reject/", link_reject, name="registry_link_reject"),
]
