"""Registry pages: persons, legal entities, the conflict review queue and the figures (人口、法人、
冲突审核、统计).

Every page reads through :mod:`civicgrid.registry.selectors` (scope and field access applied,
values already masked) and writes through :mod:`civicgrid.registry.services.access` (reveal,
export and conflict decisions, each audited). Users who may not see a kind of record get 403;
records outside their scope 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.selectors import unit_breadcrumb, unit_visible_to
from civicgrid.core.errors import DomainError, NotFoundError, PermissionDeniedError
from civicgrid.registry.models import (
    EntityKind,
    EntityKindOfLaw,
    ResidenceStatus,
    ReviewStatus,
)
from civicgrid.registry.selectors import access as gate
from civicgrid.registry.selectors import figures as figures_selectors
from civicgrid.registry.selectors import people as selectors
from civicgrid.registry.services import access as services

from ..views import staff_required

PAGE_SIZE = 50
SEARCH_FIELDS = ("q", "unit", "status", "address")
_CODE_PATTERN = r"^[0-9]{4,20}$"


# --- forms ----------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    """人口查询: an ID number (exact) or part of a name, an admin unit, a status, an address."""

    q = forms.CharField(
        label=_("ID number or name"),
        required=False,
        max_length=60,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    unit = forms.RegexField(
        label=_("Admin unit code"),
        regex=_CODE_PATTERN,
        required=False,
        max_length=20,
        error_messages={"invalid": _("An admin unit code has 4 to 20 digits.")},
    )
    status = forms.ChoiceField(
        label=_("Residence status"),
        required=False,
        choices=[("", _("all")), *ResidenceStatus.choices],
    )
    address = forms.CharField(label=_("Current address"), required=False, max_length=100)


class RevealForm(forms.Form):
    """Asks why the full value is needed (查看目的); the purpose goes to the audit trail."""

    field_names = forms.MultipleChoiceField(
        label=_("Show in full"),
        choices=[(name, gate.PERSON_FIELD_LABELS[name]) for name in sorted(gate.REVEALABLE_FIELDS)],
        error_messages={"required": _("Choose what to show.")},
    )
    purpose = forms.CharField(
        label=_("Purpose (recorded in the audit trail)"),
        min_length=2,
        max_length=300,
        strip=True,
        error_messages={
            "required": _("Please state why you need the full value."),
            "min_length": _("Please describe the purpose in at least 2 characters."),
            "max_length": _("The purpose may be at most 300 characters long."),
        },
        widget=forms.TextInput(attrs={"placeholder": _("e.g. home visit to verify residence")}),
    )


class ExportForm(PersonSearchForm):
    """导出: the list's filters, a format, and unmasked values only with a purpose."""

    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], initial="xlsx"
    )
    unmasked = forms.BooleanField(label=_("Export ID numbers and phones in full"), required=False)
    purpose = forms.CharField(
        label=_("Purpose (recorded in the audit trail)"), required=False, max_length=300
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unmasked") and len((data.get("purpose") or "").strip()) < 2:
            self.add_error("purpose", _("State the purpose of a full export."))
        return data


class EntitySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Credit code or name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    unit = forms.RegexField(
        label=_("Admin unit code"),
        regex=_CODE_PATTERN,
        required=False,
        max_length=20,
        error_messages={"invalid": _("An admin unit code has 4 to 20 digits.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *EntityKindOfLaw.choices]
    )


class ConflictDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Take the proposed value")), ("reject", _("Keep the current value"))]
    )
    version = forms.IntegerField(required=False, min_value=1)


class FiguresForm(forms.Form):
    unit = forms.RegexField(
        label=_("Admin unit code"),
        regex=_CODE_PATTERN,
        required=False,
        max_length=20,
        error_messages={"invalid": _("An admin unit code has 4 to 20 digits.")},
    )
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=10,
        help_text=_("A year (2025), a quarter (2025-Q3) or a month (2025-07); empty: today."),
    )


# --- helpers --------------------------------------------------------------------------------


def _filter_query(form: forms.Form, names: tuple[str, ...]) -> str:
    """The filters as a query string, never with an ID number in it."""
    data = getattr(form, "cleaned_data", {}) or {}
    values = {name: data[name] for name in names if data.get(name)}
    if selectors.id_number_hash(values.get("q", "")) is not None:
        values.pop("q")
    return urlencode(values)


def _filters(form: forms.Form) -> list[tuple[str, str]]:
    data = getattr(form, "cleaned_data", {}) or {}
    return [(name, str(data[name])) for name in SEARCH_FIELDS if data.get(name)]


def _add_domain_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- persons --------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    """人口列表: persons in the user's scope, masked per field access, with search and export.

    The search form is posted, so that an ID number never appears in a URL (server logs,
    browser history): an ID number leads straight to the person, other searches are redirected
    to the list's GET address with their filters (which pages and exports reuse)."""
    user = request.user
    access = gate.registry_access(user)
    if not access.may_list_persons:
        raise PermissionDenied
    form = PersonSearchForm(request.POST if request.method == "POST" else (request.GET or None))
    page = None
    rows: list[selectors.PersonRow] = []
    persons = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        query = data.get("q", "")
        is_id_number = selectors.id_number_hash(query) is not None
        try:
            persons = selectors.persons_search(
                user,
                query=query,
                unit_code=data.get("unit", ""),
                residence_status=data.get("status", ""),
                address=data.get("address", ""),
            )
        except PermissionDeniedError as error:
            form.add_error("q" if query else None, str(error.message))
            persons = None
        if persons is not None and request.method == "POST":
            if is_id_number:
                found = persons.first()
                if found is not None:
                    return redirect("web:registry_person_detail", pk=found.pk)
            else:
                query_string = _filter_query(form, SEARCH_FIELDS)
                target = reverse("web:registry_person_list")
                return redirect(f"{target}?{query_string}" if query_string else target)
    if persons is not None:
        page = _page(request, persons)
        rows = selectors.person_rows(user, page.object_list)
    is_id_search = form.is_bound and selectors.id_number_hash(form.data.get("q", "")) is not None
    return render(
        request,
        "web/registry/person_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "columns": selectors.visible_list_fields(user),
            "filter_query": "" if is_id_search else _filter_query(form, SEARCH_FIELDS),
            "export_filters": _filters(form),
            "show_export": not is_id_search,
            "may_export_unmasked": bool(access.revealable_fields),
            "may_search_by_address": access.may_search_by_address,
        },
    )


def _detail_context(user: Any, pk: int, revealed: dict[str, str] | None = None) -> dict[str, Any]:
    detail = selectors.person_detail(user, pk, revealed=revealed)
    if detail is None:
        raise Http404
    access = gate.registry_access(user)
    conflicts_reviewable = access.may_review_conflicts
    from .tags import tag_context

    return {
        "detail": detail,
        "person": detail.person,
        "revealed": revealed or {},
        "reveal_form": RevealForm(),
        "may_review_conflicts": conflicts_reviewable,
        **tag_context(user, detail.person),
    }


@staff_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """人口详情: each field with its source and time; full values only after a stated purpose."""
    return render(request, "web/registry/person_detail.html", _detail_context(request.user, pk))


@staff_required
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show chosen fields in full after asking why (audited by the service)."""
    user = request.user
    person = selectors.person_visible(user, pk)
    if person is None:
        raise Http404
    form = RevealForm(request.POST)
    revealed: dict[str, str] | None = None
    status = 400
    if form.is_valid():
        try:
            revealed = services.person_reveal(
                actor=user,
                person=person,
                fields=form.cleaned_data["field_names"],
                purpose=form.cleaned_data["purpose"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except NotFoundError as error:
            raise Http404 from error
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            status = 200
    context = _detail_context(user, pk, revealed)
    context["reveal_form"] = form
    context["reveal_field"] = (request.POST.getlist("field_names") or [""])[0]
    return render(request, "web/registry/person_detail.html", context, status=status)


@staff_required
@require_POST
def person_export(request: HttpRequest) -> HttpResponse:
    """导出: the filtered list as Excel or CSV, masked unless entitled with a purpose."""
    user = request.user
    if not gate.registry_access(user).may_list_persons:
        raise PermissionDenied
    form = ExportForm(request.POST)
    back = reverse("web:registry_person_list")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        exported = services.persons_export(
            actor=user,
            file_format=data["file_format"],
            query=data.get("q", ""),
            unit_code=data.get("unit", ""),
            residence_status=data.get("status", ""),
            address=data.get("address", ""),
            unmasked=bool(data.get("unmasked")),
            purpose=data.get("purpose", ""),
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(f"{back}?{_filter_query(form, SEARCH_FIELDS)}")
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- legal entities -------------------------------------------------------------------------


@staff_required
@require_GET
def entity_list(request: HttpRequest) -> HttpResponse:
    """法人列表."""
    user = request.user
    if not gate.registry_access(user).may_list_entities:
        raise PermissionDenied
    form = EntitySearchForm(request.GET or None)
    page = None
    rows: list[selectors.EntityRow] = []
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        entities = selectors.entities_search(
            user,
            query=data.get("q", ""),
            unit_code=data.get("unit", ""),
            kind=data.get("kind", ""),
        )
        page = _page(request, entities)
        rows = selectors.entity_rows(user, page.object_list)
    return render(
        request,
        "web/registry/entity_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "columns": selectors.visible_list_fields(user, EntityKind.ENTITY),
            "filter_query": _filter_query(form, ("q", "unit", "kind")),
        },
    )


@staff_required
@require_GET
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """法人详情: fields with source and time, source records, open conflicts."""
    detail = selectors.entity_detail(request.user, pk)
    if detail is None:
        raise Http404
    return render(request, "web/registry/entity_detail.html", {"detail": detail})


# --- conflicts ------------------------------------------------------------------------------

CONFLICT_TABS = (
    (ReviewStatus.OPEN.value, ReviewStatus.OPEN.label),
    (ReviewStatus.ACCEPTED.value, ReviewStatus.ACCEPTED.label),
    (ReviewStatus.REJECTED.value, ReviewStatus.REJECTED.label),
)


@staff_required
@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    """冲突审核: values two sources disagree on, for reviewers of those fields."""
    user = request.user
    if not gate.registry_access(user).may_review_conflicts:
        raise PermissionDenied
    status = request.GET.get("status", ReviewStatus.OPEN)
    if status not in ReviewStatus.values:
        status = ReviewStatus.OPEN
    page = _page(request, selectors.conflicts_for_review(user, status=status))
    return render(
        request,
        "web/registry/conflicts.html",
        {
            "page": page,
            "rows": selectors.conflict_rows(user, page.object_list),
            "status": status,
            "tabs": CONFLICT_TABS,
            "filter_query": urlencode({"status": status}),
        },
    )


@staff_required
@require_POST
def conflict_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the proposed value or keep the current one (audited; refuses stale decisions)."""
    user = request.user
    conflict = selectors.conflict_visible(user, pk)
    if conflict is None:
        raise Http404
    form = ConflictDecisionForm(request.POST)
    back = request.POST.get("next") or reverse("web:registry_conflict_list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("web:registry_conflict_list")
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "accept":
            services.conflict_accept(
                actor=user, conflict=conflict, expected_version=form.cleaned_data.get("version")
            )
            messages.success(request, _("The proposed value was taken."))
        else:
            services.conflict_reject(actor=user, conflict=conflict)
            messages.success(request, _("The current value was kept."))
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(back)


# --- figures --------------------------------------------------------------------------------


@staff_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """人口统计: residents, age bands, elderly, households and entities per unit below one."""
    user = request.user
    access = gate.registry_access(user)
    if not access.may_see_figures:
        raise PermissionDenied
    form = FiguresForm(request.GET or None)
    table = None
    on: dt.date | None = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        try:
            if data.get("period"):
                on = figures_selectors.period_end(data["period"])
            table = figures_selectors.figures_visible_to(
                user, parent_code=data.get("unit") or None, on=on
            )
        except DomainError as error:
            _add_domain_error(form, error)
        else:
            if table is None:
                raise Http404
    parent = unit_visible_to(user, table.parent_code) if table is not None else None
    return render(
        request,
        "web/registry/figures.html",
        {
            "form": form,
            "table": table,
            "breadcrumb": unit_breadcrumb(user, parent)[:-1] if parent is not None else [],
            "parent": parent,
            "age_bands": figures_selectors.AGE_BANDS,
            "statuses": ResidenceStatus.choices,
            "entity_kinds": EntityKindOfLaw.choices,
            "period": (form.cleaned_data.get("period") if form.is_bound and form.is_valid() else "")
            or "",
            "may_list_persons": access.may_list_persons,
        },
    )


urlpatterns: list[URLPattern] = [
    path("registry/people/", person_list, name="registry_person_list"),
    path("registry/people/export/", person_export, name="registry_person_export"),
    path("registry/people/<int:pk>/", person_detail, name="registry_person_detail"),
    path("registry/people/<int:pk>/reveal/", person_reveal, name="registry_person_reveal"),
    path("registry/entities/", entity_list, name="registry_entity_list"),
    path("registry/entities/<int:pk>/", entity_detail, name="registry_entity_detail"),
    path("registry/conflicts/", conflict_list, name="registry_conflict_list"),
    path("registry/conflicts/<int:pk>/decide/", conflict_decide, name="registry_conflict_decide"),
    path("registry/figures/", figures_page, name="registry_figures"),
]
