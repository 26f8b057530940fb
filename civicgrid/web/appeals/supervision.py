"""督办台 (supervisor board): appeals under open supervision in the user's scope with their
items (kind, level, since) and deadline lights, the pending extension requests with approve /
reject, and urge (催办) / escalate (升级督办) actions — each calling the existing service. Also the
two workflow steps the detail page offers for supervision: the lead department's extension
request (延期申请) and a supervisor's urge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET, require_POST

from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, ExtensionRequest, SupervisionItem
from civicgrid.appeals.selectors import appeal_visible_to, appeals_visible_to
from civicgrid.appeals.selectors import workbenches as selectors
from civicgrid.appeals.services.common import MAX_EXTENSION_DAYS
from civicgrid.core.errors import DomainError, PermissionDeniedError

from ..views import staff_required
from .exports import BOARD_ROLES, workbench_listing
from .listing import list_context

NOTE_MAX = 500


class ExtensionRequestForm(forms.Form):
    """延期申请 on the detail page (the lead department)."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=lazy("Working days requested"), min_value=1, max_value=MAX_EXTENSION_DAYS
    )
    reason = forms.CharField(
        label=lazy("Reason"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class UrgeForm(forms.Form):
    """催办 (from the detail page or the board)."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=lazy("Urging note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(forms.Form):
    note = forms.CharField(label=lazy("Why escalate"), max_length=NOTE_MAX)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", lazy("Approve")), ("reject", lazy("Reject"))),
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(label=lazy("Comment"), max_length=NOTE_MAX, required=False)


# --- Steps on the detail page (registered in staff._steps) ------------------------------------


def call_extension_request(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    services.appeal_extension_request(
        actor=user,
        appeal=appeal,
        expected_version=data["expected_version"],
        days=data["days"],
        reason=data["reason"],
    )
    return appeal


def call_urge(user: Any, appeal: Appeal, data: dict[str, Any]) -> Appeal:
    services.appeal_urge(actor=user, appeal=appeal, note=data["note"])
    return appeal


def may_urge(user: Any, appeal: Appeal) -> bool:
    return bool(user.is_superuser or user.role in services.SUPERVISION_ROLES)


# --- The board ---------------------------------------------------------------------------------


def _may_see_board(user: Any) -> bool:
    return bool(user.is_superuser or user.role in BOARD_ROLES)


def _board_url(request: HttpRequest) -> str:
    """Back to the board with the filters the person had (only a local URL is followed)."""
    target = request.POST.get("next", "")
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(reverse("web:appeal_supervision"))
    ):
        return target
    return reverse("web:appeal_supervision")


@staff_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """督办台: supervised appeals (filters, sort, export) and pending extension requests."""
    user: Any = request.user
    if not _may_see_board(user):
        raise PermissionDenied
    listing = workbench_listing(request, "supervision")
    context = list_context(request, listing, export_workbench="supervision")
    extensions = list(selectors.pending_extensions_for(user)[:100])
    context.update(
        {
            "extensions": extensions,
            "may_supervise": user.is_superuser or user.role in services.SUPERVISION_ROLES,
            "may_decide": user.is_superuser or user.role in services.EXTENSION_DECIDE_ROLES,
            "urge_form": UrgeForm(),
            "escalate_form": EscalateForm(),
            "decision_form": ExtensionDecisionForm(),
            "here": request.get_full_path(),
        }
    )
    return render(request, "web/appeals/supervision.html", context)


def _report(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


@staff_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """审批延期: approve or reject one pending request (the service checks role and scope)."""
    user: Any = request.user
    extension = (
        ExtensionRequest.objects.filter(pk=pk, appeal__in=_visible_ids(user))
        .select_related("appeal")
        .first()
    )
    if extension is None:
        raise Http404
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect(_board_url(request))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.appeal_extension_decide(
            actor=user, request=extension, approve=approve, comment=form.cleaned_data["comment"]
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            (
                _("Extension for %(number)s approved.")
                if approve
                else _("Extension for %(number)s rejected.")
            )
            % {"number": extension.appeal.number},
        )
    return redirect(_board_url(request))


def _visible_ids(user: Any) -> Any:
    return appeals_visible_to(user).order_by().values("pk")


@staff_required
@require_POST
def urge(request: HttpRequest, number: str) -> HttpResponse:
    """催办 from the board."""
    user: Any = request.user
    appeal = appeal_visible_to(user, number)
    if appeal is None:
        raise Http404
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note for the department (at least 2 characters)."))
        return redirect(_board_url(request))
    try:
        services.appeal_urge(actor=user, appeal=appeal, note=form.cleaned_data["note"])
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        _report(request, error)
    else:
        messages.success(request, _("Appeal %(number)s urged.") % {"number": number})
    return redirect(_board_url(request))


@staff_required
@require_POST
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    """升级督办: move a district-level item up to the city level."""
    user: Any = request.user
    item = (
        SupervisionItem.objects.filter(pk=pk, appeal__in=_visible_ids(user))
        .select_related("appeal")
        .first()
    )
    if item is None:
        raise Http404
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the supervision is escalated."))
        return redirect(_board_url(request))
    try:
        services.supervision_escalate(actor=user, item=item, note=form.cleaned_data["note"])
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("Supervision of %(number)s escalated to the city.") % {"number": item.appeal.number},
        )
    return redirect(_board_url(request))
