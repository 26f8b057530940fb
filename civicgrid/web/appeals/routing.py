"""Routing suggestions on the staff pages (分拨建议): the top-3 departments stored at intake,
shown in the dispatch queue and on the appeal detail, with a one-click dispatch to one of them
and a link that fills the dispatch form in with it (``?dispatch_to=<code>``).

The one-click dispatch calls the same :func:`civicgrid.appeals.services.appeal_dispatch` as the
dispatch form, with the version the dispatcher saw; the department must be one the user may see
and active.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_POST

from civicgrid.accounts.selectors import departments_visible_to
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.selectors import appeal_visible_to
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from ..views import staff_required


class SuggestionDispatchForm(forms.Form):
    department = forms.SlugField(label=lazy("Department"), max_length=40)
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


def may_dispatch(user: Any, appeal: Appeal | None = None) -> bool:
    """Whether ``user`` is offered the one-click dispatch (the service decides in the end)."""
    role_ok = bool(user.is_superuser or user.role in services.DISPATCH_ROLES)
    return role_ok and (appeal is None or appeal.status == AppealStatus.ACCEPTED)


def routing_context(user: Any, appeal: Appeal) -> dict[str, Any]:
    """What ``web/appeals/_routing_suggestions.html`` needs on the detail page."""
    return {
        "routing_suggestions": appeal.routing_suggestions or [],
        "may_dispatch_suggestion": may_dispatch(user, appeal),
    }


def prefill_dispatch(context: dict[str, Any], code: str | None) -> None:
    """Fill the (unbound) dispatch form of a detail page in with department ``code``."""
    if not code:
        return
    for action in context.get("actions", []):
        form = action["form"]
        if action["name"] != "dispatch" or form.is_bound:
            continue
        department = form.fields["department"].queryset.filter(code=code).first()
        if department is not None:
            form.initial = {**form.initial, "department": department.pk, "cooperating": []}


def _back(request: HttpRequest, appeal: Appeal, target: str) -> HttpResponse:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:appeal_detail", number=appeal.number)


@staff_required
@require_POST
def appeal_dispatch_suggestion(request: HttpRequest, number: str) -> HttpResponse:
    """一键派单: dispatch the appeal to one suggested department, then back where the user was."""
    user = request.user
    appeal = appeal_visible_to(user, number)
    if appeal is None:
        raise Http404
    form = SuggestionDispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The dispatch request was incomplete. Reload the page."))
        return redirect("web:appeal_detail", number=appeal.number)
    data = form.cleaned_data
    department = (
        departments_visible_to(user).filter(code=data["department"], is_active=True).first()
    )
    if department is None:
        messages.error(request, _("This department cannot receive appeals from you."))
        return _back(request, appeal, data["next"])
    try:
        services.appeal_dispatch(
            actor=user,
            appeal=appeal,
            expected_version=data["expected_version"],
            department=department,
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except (ConflictError, DomainError) as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Appeal %(number)s was dispatched to %(department)s.")
            % {"number": appeal.number, "department": department.name},
        )
    return _back(request, appeal, data["next"])
