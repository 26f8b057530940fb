"""动态采集: phone-first pages for grid workers to collect registry data in their grid, and the
community's confirmation queue.

* 我的网格 (``registry/collect/``): the addresses of the worker's grid with their current
  residents (masked) and the legal entities there; from it, add a tenant to an address, record a
  move-out, update a resident, add an address, add or update an entity;
* 我的采集 (``registry/collect/mine/``): the worker's submissions and their status;
* 采集确认 (``registry/collect/queue/``): requests waiting for the community, each with a detail
  page to confirm, or reject with a reason; after confirmation the detail page shows the record
  as the registry now holds it, with the grid and the source and time of each field.

Every write calls :mod:`civicgrid.registry.services.collection`; every read comes from
:mod:`civicgrid.registry.selectors.collection` (scope and the rule of who decides). Personal
data are masked on all these pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.models import Role
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError
from civicgrid.core.masking import mask_name, mask_phone
from civicgrid.core.navigation import NavItem, register_nav_item
from civicgrid.registry.models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    EntityKindOfLaw,
    EntityStatus,
    FieldConflict,
    LegalEntity,
    Person,
    ResidenceKind,
    ResidenceStatus,
    ReviewStatus,
    Source,
)
from civicgrid.registry.selectors.collection import (
    change_request_for,
    change_requests_submitted_by,
    change_requests_to_decide,
    collecting_grid_of,
    grid_address,
    grid_addresses,
    grid_entities,
    grid_entity,
    grid_residence,
    may_decide,
    may_decide_change_requests,
)
from civicgrid.registry.selectors.people import person_visible
from civicgrid.registry.services import collection as services

from ..appeals.public import add_domain_error
from ..views import staff_required

PAGE_SIZE = 30
DECIDER_ROLES = frozenset({Role.DEPARTMENT_STAFF, Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR})


# ---------------------------------------------------------------- forms


class DateInput(forms.DateInput):
    input_type = "date"


class TenantForm(forms.Form):
    """新增住户: a tenant (or any resident) at an address of the grid."""

    id_number = forms.CharField(
        label=lazy("ID number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    name = forms.CharField(label=lazy("Name"), max_length=60)
    phone = forms.CharField(
        label=lazy("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    residence_status = forms.ChoiceField(
        label=lazy("Residence status"),
        choices=ResidenceStatus.choices,
        initial=ResidenceStatus.FLOATING,
    )
    residence_kind = forms.ChoiceField(
        label=lazy("Kind of residence"), choices=ResidenceKind.choices, initial=ResidenceKind.RENT
    )
    moved_in = forms.DateField(label=lazy("Moved in on"), required=False, widget=DateInput)


class MoveOutForm(forms.Form):
    moved_out = forms.DateField(label=lazy("Moved out on"), widget=DateInput)


class PersonUpdateForm(forms.Form):
    name = forms.CharField(label=lazy("Name"), max_length=60, required=False)
    phone = forms.CharField(
        label=lazy("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    residence_status = forms.ChoiceField(
        label=lazy("Residence status"),
        choices=[("", "—"), *ResidenceStatus.choices],
        required=False,
    )
    employer = forms.CharField(label=lazy("Employer"), max_length=200, required=False)


class AddressForm(forms.Form):
    road = forms.CharField(
        label=lazy("Road"), max_length=60, help_text=lazy("With its ending, e.g. 紫荆路.")
    )
    house_number = forms.CharField(label=lazy("House number"), max_length=20)
    building = forms.CharField(label=lazy("Building"), max_length=60, required=False)
    unit = forms.CharField(label=lazy("Unit"), max_length=20, required=False)
    room = forms.CharField(label=lazy("Room"), max_length=20, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)


class EntityForm(forms.Form):
    """新增/更新法人: a legal entity at an address of the grid."""

    uscc = forms.CharField(label=lazy("Unified social credit code"), max_length=30)
    entity_name = forms.CharField(label=lazy("Name of the entity"), max_length=200)
    entity_kind = forms.ChoiceField(label=lazy("Kind of entity"), choices=EntityKindOfLaw.choices)
    legal_representative = forms.CharField(
        label=lazy("Legal representative"), max_length=60, required=False
    )
    address = forms.ChoiceField(label=lazy("Actual address"), required=False)
    entity_status = forms.ChoiceField(
        label=lazy("Status"), choices=EntityStatus.choices, initial=EntityStatus.ACTIVE
    )
    established_on = forms.DateField(label=lazy("Established on"), required=False, widget=DateInput)

    def __init__(self, *args: Any, user: Any, is_update: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        addresses = grid_addresses(user).select_related(None).prefetch_related(None)[:500]
        address_field = self.fields["address"]
        assert isinstance(address_field, forms.ChoiceField)
        address_field.choices = [("", "—")] + [(str(a.pk), a.full_text) for a in addresses]
        if is_update:
            del self.fields["uscc"]
            for name in ("entity_name", "entity_kind", "entity_status"):
                self.fields[name].required = False

    def clean_address(self) -> Any:
        value = self.cleaned_data.get("address")
        if not value:
            return None
        address = grid_address(self.user, int(value))
        if address is None:
            raise forms.ValidationError(_("Choose an address of your grid."))
        return address


class RejectForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=lazy("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=lazy("The grid worker reads it."),
    )


class VersionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


# ---------------------------------------------------------------- helpers


def _grid_or_403(user: Any) -> Any:
    grid = collecting_grid_of(user)
    if grid is None:
        raise PermissionDenied
    return grid


def _submit(
    request: HttpRequest, form: forms.Form, *, kind: str, **targets: Any
) -> ChangeRequest | None:
    """Call the submit service; on bad input put the message on the form (``None``)."""
    data = dict(form.cleaned_data)
    try:
        change_request = services.change_request_submit(
            actor=request.user, kind=kind, data=data, **targets
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:  # ConflictError too: already waiting, shown on the form
        add_domain_error(form, error)
        return None
    messages.success(
        request,
        _("Sent to the community for confirmation: %(kind)s.")
        % {"kind": change_request.get_kind_display()},
    )
    return change_request


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    intro: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "intro": intro,
        "grid": collecting_grid_of(request.user),
        **extra,
    }
    return render(request, "web/registry/collect_form.html", context, status=status)


def _at(value: Any) -> dt.datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return (
        timezone.localtime(parsed) if parsed is not None and timezone.is_aware(parsed) else parsed
    )


@dataclass(frozen=True)
class Row:
    """One line of a change request or record on the detail page."""

    label: Any
    value: Any
    source: str = ""
    at: dt.datetime | None = None


def _choice_label(choices: Any, value: Any) -> Any:
    return dict(choices.choices).get(value, value or "")


def payload_rows(change_request: ChangeRequest) -> list[Row]:
    """What the grid worker submitted, masked (names, phones; ID numbers are stored masked)."""
    payload = change_request.payload or {}
    labels = services.FIELD_LABELS
    rows: list[Row] = []
    person = payload.get("person") or {}
    if person.get("id_masked"):
        rows.append(Row(labels["id_number"], person["id_masked"]))
    if payload.get("person_masked"):
        rows.append(Row(labels["id_number"], payload["person_masked"]))
    if person.get("name"):
        rows.append(Row(labels["name"], mask_name(person["name"])))
    if person.get("phone"):
        rows.append(Row(labels["phone"], mask_phone(person["phone"])))
    if person.get("residence_status"):
        rows.append(
            Row(
                labels["residence_status"],
                _choice_label(ResidenceStatus, person["residence_status"]),
            )
        )
    if person.get("employer"):
        rows.append(Row(labels["employer"], person["employer"]))
    if payload.get("uscc"):
        rows.append(Row(labels["uscc"], payload["uscc"]))
    if payload.get("name") and "person" not in payload:
        rows.append(Row(labels["entity_name"], payload["name"]))
    if payload.get("kind"):
        rows.append(Row(labels["entity_kind"], _choice_label(EntityKindOfLaw, payload["kind"])))
    if payload.get("legal_representative"):
        rows.append(Row(labels["legal_representative"], mask_name(payload["legal_representative"])))
    if payload.get("status"):
        rows.append(Row(labels["entity_status"], _choice_label(EntityStatus, payload["status"])))
    if payload.get("established_on"):
        rows.append(Row(labels["established_on"], payload["established_on"]))
    address_text = (
        payload.get("address_text")
        or payload.get("actual_address_text")
        or payload.get("full_text")
    )
    if address_text:
        rows.append(Row(labels["address"], address_text))
    if payload.get("lon") is not None and payload.get("lat") is not None:
        rows.append(Row(labels["location"], f"{payload['lon']}, {payload['lat']}"))
    if payload.get("residence_kind"):
        rows.append(
            Row(labels["residence_kind"], _choice_label(ResidenceKind, payload["residence_kind"]))
        )
    if payload.get("moved_in"):
        rows.append(Row(labels["moved_in"], payload["moved_in"]))
    if payload.get("moved_out"):
        rows.append(Row(labels["moved_out"], payload["moved_out"]))
    return rows


class _SourceNames:
    def __init__(self) -> None:
        self.names = dict(Source.objects.values_list("code", "name"))

    def row(self, label: Any, value: Any, record: Any, field: str) -> Row:
        entry = (record.field_sources or {}).get(field) or {}
        code = str(entry.get("source") or "")
        return Row(label, value, self.names.get(code, code), _at(entry.get("at")))


def person_result_rows(person: Person, names: _SourceNames) -> list[Row]:
    """The person as the registry holds them now, masked, with each field's source and time."""
    labels = services.FIELD_LABELS
    grid = person.admin_unit
    grid_text = f"{grid.name} ({grid.code})" if grid is not None else person.admin_unit_code
    address = person.current_address.full_text if person.current_address else "—"
    rows = [
        names.row(labels["id_number"], person.id_masked, person, "id_number"),
        names.row(labels["name"], mask_name(person.name), person, "name"),
        names.row(_("Sex"), person.get_sex_display(), person, "sex"),
        names.row(labels["phone"], mask_phone(person.phone) or "—", person, "phone"),
        names.row(
            labels["residence_status"],
            person.get_residence_status_display(),
            person,
            "residence_status",
        ),
        names.row(_("Current address"), address, person, "current_address"),
        names.row(_("Grid"), grid_text, person, "admin_unit_code"),
    ]
    if person.employer:
        rows.append(names.row(labels["employer"], person.employer, person, "employer"))
    return rows


def entity_result_rows(entity: LegalEntity, names: _SourceNames) -> list[Row]:
    labels = services.FIELD_LABELS
    address = entity.actual_address.full_text if entity.actual_address else "—"
    return [
        names.row(labels["uscc"], entity.uscc, entity, "uscc"),
        names.row(labels["entity_name"], entity.name, entity, "name"),
        names.row(labels["entity_kind"], entity.get_kind_display(), entity, "kind"),
        names.row(
            labels["legal_representative"],
            mask_name(entity.legal_representative) or "—",
            entity,
            "legal_representative",
        ),
        names.row(_("Actual address"), address, entity, "actual_address"),
        names.row(labels["entity_status"], entity.get_status_display(), entity, "status"),
        names.row(_("Grid"), entity.admin_unit_code, entity, "admin_unit_code"),
    ]


def _result(change_request: ChangeRequest) -> dict[str, Any] | None:
    """The applied record of a confirmed request (re-read from the registry)."""
    if change_request.status != ChangeStatus.CONFIRMED:
        return None
    names = _SourceNames()
    if change_request.person_id is not None:
        person = (
            Person.objects.select_related("admin_unit", "current_address")
            .filter(pk=change_request.person_id)
            .first()
        )
        if person is None:
            return None
        conflicts = FieldConflict.objects.filter(
            person=person, proposed_source__code=services.GRID_SOURCE, status=ReviewStatus.OPEN
        ).values_list("field_name", flat=True)
        return {
            "title": _("The person in the registry now"),
            "rows": person_result_rows(person, names),
            "conflicts": sorted(set(conflicts)),
        }
    if change_request.entity_id is not None:
        entity = (
            LegalEntity.objects.select_related("actual_address")
            .filter(pk=change_request.entity_id)
            .first()
        )
        if entity is None:
            return None
        conflicts = FieldConflict.objects.filter(
            entity=entity, proposed_source__code=services.GRID_SOURCE, status=ReviewStatus.OPEN
        ).values_list("field_name", flat=True)
        return {
            "title": _("The entity in the registry now"),
            "rows": entity_result_rows(entity, names),
            "conflicts": sorted(set(conflicts)),
        }
    if change_request.address is not None:
        address = change_request.address
        return {
            "title": _("The address in the registry now"),
            "rows": [
                names.row(
                    services.FIELD_LABELS["address"], address.full_text, address, "full_text"
                ),
                Row(_("Grid"), address.admin_unit_code),
            ],
            "conflicts": [],
        }
    return None


# ---------------------------------------------------------------- grid worker pages


@staff_required
def collect_grid(request: HttpRequest) -> HttpResponse:
    """我的网格: addresses with their current residents (masked) and entities of the grid."""
    grid = _grid_or_403(request.user)
    query = request.GET.get("q", "").strip()[:60]
    page = Paginator(grid_addresses(request.user, search=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    addresses = [
        {
            "address": address,
            "residents": [
                {
                    "residence": residence,
                    "name": mask_name(residence.person.name),
                    "id_masked": residence.person.id_masked,
                    "phone": mask_phone(residence.person.phone),
                }
                for residence in address.current_residences  # type: ignore[attr-defined]
            ],
        }
        for address in page
    ]
    entities = list(grid_entities(request.user)[:PAGE_SIZE])
    waiting = (
        change_requests_submitted_by(request.user).filter(status=ChangeStatus.SUBMITTED).count()
    )
    context = {
        "grid": grid,
        "page": page,
        "addresses": addresses,
        "entities": entities,
        "query": query,
        "waiting": waiting,
    }
    return render(request, "web/registry/collect_grid.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def collect_tenant(request: HttpRequest, pk: int) -> HttpResponse:
    """新增住户: the tenant form for one address of the grid."""
    _grid_or_403(request.user)
    address = grid_address(request.user, pk)
    if address is None:
        raise Http404
    title = _("Add a resident")
    form = TenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(request, form, kind=ChangeKind.RESIDENCE_ADD, address=address)
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(
        request, form, title=title, intro=address.full_text, status=status, test_id="tenant-form"
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collect_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    """迁出: a current resident of the grid moved out."""
    _grid_or_403(request.user)
    residence = grid_residence(request.user, pk)
    if residence is None:
        raise Http404
    form = MoveOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(request, form, kind=ChangeKind.RESIDENCE_END, residence=residence)
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    intro = f"{mask_name(residence.person.name)} · {residence.address.full_text}"
    return _form_page(
        request,
        form,
        title=_("Record a move-out"),
        intro=intro,
        status=400 if request.method == "POST" else 200,
        test_id="move-out-form",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collect_person_update(request: HttpRequest, pk: int) -> HttpResponse:
    """更新人员: new phone, name, status or employer of a current resident of the grid."""
    _grid_or_403(request.user)
    residence = grid_residence(request.user, pk)
    if residence is None:
        raise Http404
    form = PersonUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(
            request, form, kind=ChangeKind.PERSON_UPDATE, person=residence.person
        )
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    intro = f"{mask_name(residence.person.name)} · {residence.person.id_masked}"
    return _form_page(
        request,
        form,
        title=_("Update a resident"),
        intro=intro,
        status=400 if request.method == "POST" else 200,
        hint=_("Fill in only what changed."),
        test_id="person-update-form",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collect_address(request: HttpRequest) -> HttpResponse:
    """新增地址: a dwelling in the grid (district, street and community are the grid's)."""
    grid = _grid_or_403(request.user)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(request, form, kind=ChangeKind.ADDRESS_ADD)
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    return _form_page(
        request,
        form,
        title=_("Add an address"),
        intro=grid.name,
        status=400 if request.method == "POST" else 200,
        with_map=True,
        test_id="address-form",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collect_entity(request: HttpRequest) -> HttpResponse:
    """新增法人: a legal entity found in the grid."""
    _grid_or_403(request.user)
    form = EntityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(request, form, kind=ChangeKind.ENTITY_ADD)
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    return _form_page(
        request,
        form,
        title=_("Add a legal entity"),
        status=400 if request.method == "POST" else 200,
        test_id="entity-form",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def collect_entity_update(request: HttpRequest, pk: int) -> HttpResponse:
    """更新法人: what changed about an entity of the grid."""
    _grid_or_403(request.user)
    entity = grid_entity(request.user, pk)
    if entity is None:
        raise Http404
    initial = {
        "entity_name": entity.name,
        "entity_kind": entity.kind,
        "legal_representative": entity.legal_representative,
        "address": str(entity.actual_address_id or ""),
        "entity_status": entity.status,
        "established_on": entity.established_on,
    }
    form = EntityForm(request.POST or None, user=request.user, is_update=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        change_request = _submit(request, form, kind=ChangeKind.ENTITY_UPDATE, entity=entity)
        if change_request is not None:
            return redirect("web:registry_collect_request", pk=change_request.pk)
    return _form_page(
        request,
        form,
        title=_("Update a legal entity"),
        intro=f"{entity.name} ({entity.uscc})",
        status=400 if request.method == "POST" else 200,
        test_id="entity-form",
    )


@staff_required
def collect_mine(request: HttpRequest) -> HttpResponse:
    """我的采集: the worker's submissions with their status, newest first."""
    _grid_or_403(request.user)
    page = Paginator(change_requests_submitted_by(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/registry/collect_list.html",
        {"page": page, "title": _("My submissions"), "mine": True},
    )


# ---------------------------------------------------------------- the community


@staff_required
def collect_queue(request: HttpRequest) -> HttpResponse:
    """采集确认: requests waiting for the community of the user's scope, oldest first."""
    user: Any = request.user
    if not (user.is_superuser or user.role in DECIDER_ROLES):
        raise PermissionDenied
    page = Paginator(change_requests_to_decide(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "title": _("Collected data to confirm"),
        "mine": False,
        # Department staff outside a community (a city bureau) have the menu entry but no queue.
        "may_decide": may_decide_change_requests(user),
    }
    return render(request, "web/registry/collect_list.html", context)


def person_page_url(user: Any, change_request: ChangeRequest) -> str:
    """The registry page of the request's person once confirmed, if the user may open it."""
    if change_request.status != ChangeStatus.CONFIRMED or change_request.person_id is None:
        return ""
    try:
        url = reverse("web:registry_person_detail", kwargs={"pk": change_request.person_id})
    except NoReverseMatch:  # the registry's person pages are not installed
        return ""
    return url if person_visible(user, change_request.person_id) is not None else ""


def _detail_context(user: Any, change_request: ChangeRequest) -> dict[str, Any]:
    is_open = change_request.status == ChangeStatus.SUBMITTED
    may_decide_it = is_open and may_decide(user, change_request)
    initial = {"expected_version": change_request.version}
    return {
        "change_request": change_request,
        "rows": payload_rows(change_request),
        "events": [
            {
                "at": event.at,
                "actor": event.actor,
                "to_label": _choice_label(ChangeStatus, event.to_status),
                "note": event.note,
            }
            for event in change_request.events.select_related("actor")
        ],
        "result": _result(change_request),
        "person_url": person_page_url(user, change_request),
        "confirm_form": VersionForm(initial=initial) if may_decide_it else None,
        "reject_form": RejectForm(initial=initial) if may_decide_it else None,
        "withdraw_form": (
            VersionForm(initial=initial)
            if is_open and change_request.submitted_by_id == user.pk
            else None
        ),
    }


def _request_or_404(user: Any, pk: int) -> ChangeRequest:
    change_request = change_request_for(user, pk)
    if change_request is None:
        raise Http404
    return change_request


@staff_required
def collect_request(request: HttpRequest, pk: int) -> HttpResponse:
    """One change request: what was submitted, its timeline, the decision forms and, once
    confirmed, the record as the registry holds it now."""
    change_request = _request_or_404(request.user, pk)
    context = _detail_context(request.user, change_request)
    return render(request, "web/registry/collect_detail.html", context)


STEP_FORMS: dict[str, type[forms.Form]] = {
    "confirm": VersionForm,
    "reject": RejectForm,
    "withdraw": VersionForm,
}
STEP_DONE: dict[str, Any] = {
    "confirm": lazy("Confirmed: the change is in the registry."),
    "reject": lazy("Rejected; the grid worker sees the reason."),
    "withdraw": lazy("Withdrawn."),
}


@staff_required
@require_POST
def collect_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Confirm, reject or withdraw (post/redirect/get); a stale version answers 409."""
    user: Any = request.user
    change_request = _request_or_404(user, pk)
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    status, conflict = 400, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "confirm":
                services.change_request_confirm(
                    actor=user,
                    change_request=change_request,
                    expected_version=data["expected_version"],
                )
            elif step == "reject":
                services.change_request_reject(
                    actor=user,
                    change_request=change_request,
                    expected_version=data["expected_version"],
                    reason=data["reason"],
                )
            else:
                services.change_request_withdraw(
                    actor=user,
                    change_request=change_request,
                    expected_version=data["expected_version"],
                )
        except PermissionDeniedError as error:
            raise PermissionDenied(str(error.message)) from error
        except ConflictError as error:
            conflict, status = str(error.message), 409
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, str(STEP_DONE[step]))
            return redirect("web:registry_collect_request", pk=pk)
    change_request.refresh_from_db()
    context = _detail_context(user, change_request)
    context["conflict"] = conflict
    if step == "reject" and context["reject_form"] is not None and not conflict:
        context["reject_form"] = form
    return render(request, "web/registry/collect_detail.html", context, status=status)


# ---------------------------------------------------------------- URLs and menu

urlpatterns: list[URLPattern] = [
    path("registry/collect/", collect_grid, name="registry_collect_grid"),
    path("registry/collect/mine/", collect_mine, name="registry_collect_mine"),
    path("registry/collect/queue/", collect_queue, name="registry_collect_queue"),
    path("registry/collect/addresses/new/", collect_address, name="registry_collect_address"),
    path(
        "registry/collect/addresses/<int:pk>/tenant/",
        collect_tenant,
        name="registry_collect_tenant",
    ),
    path(
        "registry/collect/residences/<int:pk>/move-out/",
        collect_move_out,
        name="registry_collect_move_out",
    ),
    path(
        "registry/collect/residences/<int:pk>/update/",
        collect_person_update,
        name="registry_collect_person_update",
    ),
    path("registry/collect/entities/new/", collect_entity, name="registry_collect_entity"),
    path(
        "registry/collect/entities/<int:pk>/",
        collect_entity_update,
        name="registry_collect_entity_update",
    ),
    path("registry/collect/requests/<int:pk>/", collect_request, name="registry_collect_request"),
    path(
        "registry/collect/requests/<int:pk>/<slug:step>/",
        collect_step,
        name="registry_collect_step",
    ),
]


def register_navigation() -> None:
    """菜单: the grid worker's "My grid" and the community's confirmation queue."""
    register_nav_item(
        NavItem(
            "registry_collect",
            lazy("My grid"),
            "web:registry_collect_grid",
            roles=frozenset({Role.GRID_WORKER}),
            order=60,
            description=lazy(
                "Addresses, residents and entities of your grid; report a new tenant, a move "
                "or a change for the community to confirm."
            ),
        )
    )
    register_nav_item(
        NavItem(
            "registry_collect_queue",
            lazy("Collected data to confirm"),
            "web:registry_collect_queue",
            roles=DECIDER_ROLES,
            order=67,
            description=lazy(
                "Confirm or reject what grid workers collected; a confirmed change goes into "
                "the registry with its source."
            ),
        )
    )
