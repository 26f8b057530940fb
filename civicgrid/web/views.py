"""Pages of the web interface (网页端). Every page reads scoped data only through
:mod:`civicgrid.accounts.selectors`; staff pages refuse citizens with 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import (
    departments_visible_to,
    may_reveal_personal_data,
    role_may_reveal_personal_data,
    root_units_visible_to,
    scope_of,
    unit_breadcrumb,
    unit_visible_to,
    units_visible_to,
    users_visible_to,
)
from civicgrid.accounts.services import user_reveal_personal_data
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.masking import mask_phone
from civicgrid.core.navigation import nav_sections_for
from civicgrid.core.workdays import unknown_years
from civicgrid.territory.models import AdminUnit

from .context_processors import scope_label
from .forms import RevealPhoneForm

SEARCH_LIMIT = 30
STAFF_PAGE_SIZE = 50
DEPARTMENT_PAGE_SIZE = 100

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed-in staff only: anonymous users go to the login page, citizens get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (getattr(user, "is_staff_role", False) or user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: staff see cards for what their role may do and their scope; citizens a
    simple page."""
    user = request.user
    if not (getattr(user, "is_staff_role", False) or user.is_superuser):
        return render(request, "web/home_citizen.html")
    scope = scope_of(user)
    scope_unit = unit_visible_to(user, scope.code) if scope.code else None
    breadcrumb = unit_breadcrumb(user, scope_unit) if scope_unit is not None else []
    sections = nav_sections_for(user)
    cards = [card for section in sections for card in section["items"]]
    return render(
        request,
        "web/home.html",
        {
            "cards": cards,
            "card_sections": sections,
            "calendar_missing_year": _calendar_missing_year(),
            "scope": scope,
            "scope_unit": scope_unit,
            "scope_breadcrumb": breadcrumb,
            "scope_label": scope_label(user),
        },
    )


def _today() -> dt.date:
    return timezone.localdate()


def _calendar_missing_year() -> int | None:
    """Next year, from November on, while its official holiday arrangement is not entered:
    deadlines reaching into it are counted Monday to Friday for now (see core.workdays)."""
    today = _today()
    if today.month < 11:
        return None
    next_year = today.year + 1
    return next_year if unknown_years(dt.date(next_year, 1, 1), dt.date(next_year, 1, 1)) else None


# --- Territory (行政区划) -------------------------------------------------------------------


def _with_child_counts(units: QuerySet[AdminUnit]) -> QuerySet[AdminUnit]:
    # Children of a visible unit are visible too (scopes are whole subtrees).
    return units.annotate(child_count=Count("children")).order_by("code")


def _visible_unit_or_404(user: Any, code: str) -> AdminUnit:
    unit = unit_visible_to(user, code)
    if unit is None:
        raise Http404
    return unit


def _map_context(user: Any) -> dict[str, Any]:
    roots = list(root_units_visible_to(user))
    root = roots[0] if len(roots) == 1 else None
    return {
        "map_root_code": root.code if root else "",
        "map_root_level": root.level if root else "",
        "geojson_url": "/api/territory/geojson/",
        "locate_url": "/api/territory/locate/",
    }


@staff_required
@require_GET
def territory(request: HttpRequest) -> HttpResponse:
    """Searchable tree of the visible admin units next to a map of their boundaries."""
    roots = _with_child_counts(root_units_visible_to(request.user))
    return render(
        request,
        "web/territory/index.html",
        {"roots": roots, **_map_context(request.user)},
    )


@staff_required
@require_GET
def territory_search(request: HttpRequest) -> HttpResponse:
    """htmx partial: visible units whose name contains the query or whose code starts with it."""
    query = request.GET.get("q", "").strip()
    units: list[AdminUnit] = []
    if query:
        units = list(
            _with_child_counts(units_visible_to(request.user, search=query))[:SEARCH_LIMIT]
        )
    template = "web/territory/_search_results.html"
    return render(
        request,
        template if _is_htmx(request) else "web/territory/search_page.html",
        {"query": query, "units": units, "limit": SEARCH_LIMIT},
    )


def _unit_context(user: Any, unit: AdminUnit) -> dict[str, Any]:
    children = _with_child_counts(units_visible_to(user).filter(parent=unit))
    return {
        "unit": unit,
        "breadcrumb": unit_breadcrumb(user, unit),
        "children": list(children),
    }


@staff_required
@require_GET
def territory_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One visible unit with its breadcrumb and children (works without JavaScript)."""
    unit = _visible_unit_or_404(request.user, code)
    return render(request, "web/territory/detail.html", _unit_context(request.user, unit))


@staff_required
@require_GET
def territory_children(request: HttpRequest, code: str) -> HttpResponse:
    """htmx partial: the visible children of a unit, plus its details (out-of-band swap)."""
    unit = _visible_unit_or_404(request.user, code)
    if not _is_htmx(request):
        return render(request, "web/territory/detail.html", _unit_context(request.user, unit))
    return render(request, "web/territory/_children.html", _unit_context(request.user, unit))


# --- Departments (部门) ----------------------------------------------------------------------


@staff_required
@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    """Visible departments with their aliases; the search box filters by name, code or alias."""
    query = request.GET.get("q", "").strip()
    rows = departments_visible_to(request.user, search=query).prefetch_related("aliases")
    page = Paginator(rows.order_by("admin_unit__code", "code"), DEPARTMENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query}
    if _is_htmx(request) and request.htmx.target == "department-results":  # type: ignore[attr-defined]
        return render(request, "web/departments/_results.html", context)
    return render(request, "web/departments/index.html", context)


# --- Staff directory (通讯录) ----------------------------------------------------------------


@staff_required
@require_GET
def staff(request: HttpRequest) -> HttpResponse:
    """Directory of the staff accounts visible to the user, phones masked."""
    actor = request.user
    query = request.GET.get("q", "").strip()
    users = users_visible_to(actor, search=query).exclude(role=Role.CITIZEN)
    page = Paginator(users.order_by("username"), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    may_reveal_all = role_may_reveal_personal_data(actor)
    rows = [
        {
            "user": person,
            "scope_unit": person.effective_scope_unit,
            "department": person.department,
            "masked_phone": mask_phone(person.phone) if person.phone else "",
            "may_reveal": bool(person.phone) and (may_reveal_all or person.pk == actor.pk),
        }
        for person in page.object_list
    ]
    context = {"page": page, "rows": rows, "query": query, "form": RevealPhoneForm()}
    if _is_htmx(request) and request.htmx.target == "staff-results":  # type: ignore[attr-defined]
        return render(request, "web/staff/_results.html", context)
    return render(request, "web/staff/index.html", context)


@staff_required
@require_POST
def staff_reveal(request: HttpRequest, username: str) -> HttpResponse:
    """Reveal one colleague's full phone number after asking for the purpose (always audited).

    Only POST; users the actor may not reveal get 403 and nothing is written.
    """
    actor = request.user
    subject = users_visible_to(actor).filter(username=username).first()
    if subject is None:
        raise Http404
    if not may_reveal_personal_data(actor, subject):
        raise PermissionDenied
    form = RevealPhoneForm(request.POST)
    context: dict[str, Any] = {"subject": subject, "form": form}
    if form.is_valid():
        try:
            revealed = user_reveal_personal_data(
                actor=actor, subject=subject, purpose=form.cleaned_data["purpose"]
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except DomainError as error:
            form.add_error("purpose" if error.field == "purpose" else None, str(error.message))
        else:
            context["phone"] = revealed.get("phone", "")
    template = "web/staff/_revealed.html" if "phone" in context else "web/staff/_reveal_form.html"
    if _is_htmx(request):
        return render(request, template, context)
    context["back_url"] = reverse("web:staff")
    return render(request, "web/staff/reveal_page.html", context)
