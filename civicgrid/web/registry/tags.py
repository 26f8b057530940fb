"""特殊人群 on the person page: tag a person as one of the special groups, end a tag.

Only entitled users see the form (community staff and the programme office, for persons in
their scope); the services check again and write the audit trail with the stated reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_POST

from civicgrid.core.errors import DomainError, NotFoundError, PermissionDeniedError
from civicgrid.registry import services
from civicgrid.registry.models import SpecialGroup
from civicgrid.registry.selectors import people as selectors

from ..views import staff_required

_REASON_ERRORS = {
    "required": lazy("Please state the reason (it is recorded in the audit trail)."),
    "min_length": lazy("Please describe the reason in at least 2 characters."),
    "max_length": lazy("The reason may be at most 300 characters long."),
}


class TagAddForm(forms.Form):
    group = forms.ChoiceField(label=lazy("Group"), choices=SpecialGroup.choices)
    since = forms.DateField(
        label=lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=lazy("Note"), max_length=300, required=False)
    reason = forms.CharField(
        label=lazy("Reason (recorded in the audit trail)"),
        min_length=2,
        max_length=300,
        error_messages=_REASON_ERRORS,
    )


class TagEndForm(forms.Form):
    until = forms.DateField(label=lazy("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=lazy("Reason (recorded in the audit trail)"),
        min_length=2,
        max_length=300,
        error_messages=_REASON_ERRORS,
    )


def tag_context(user: Any, person: Any) -> dict[str, Any]:
    """What the person page needs to show the tag forms (nothing for other users)."""
    if not services.may_write_tags(user, person):
        return {"may_write_tags": False}
    return {
        "may_write_tags": True,
        "tag_form": TagAddForm(),
        "tag_end_form": TagEndForm(initial={"until": timezone.localdate()}),
    }


def _field_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    if error.field == "purpose":
        field = "reason"
    form.add_error(field, str(error.message))


def _person(request: HttpRequest, pk: int) -> Any:
    person = selectors.person_visible(request.user, pk)
    if person is None:
        raise Http404
    return person


def _again(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    from .people import _detail_context

    context = _detail_context(request.user, pk)
    context.update(extra)
    return render(request, "web/registry/person_detail.html", context, status=400)


def _apply(
    request: HttpRequest, pk: int, form: forms.Form, write: Callable[[], Any], done: str
) -> HttpResponse | None:
    """Run the service ``write`` for a valid ``form``: back to the person page when it worked,
    ``None`` (the form carries the message) when the service refused the input."""
    if not form.is_valid():
        return None
    try:
        write()
    except PermissionDeniedError as error:
        raise PermissionDenied(str(error.message)) from error
    except NotFoundError as error:
        raise Http404 from error
    except DomainError as error:
        _field_error(form, error)
        return None
    messages.success(request, done)
    return redirect("web:registry_person_detail", pk=pk)


@staff_required
@require_POST
def person_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = TagAddForm(request.POST)

    def write() -> Any:
        data = form.cleaned_data
        return services.special_tag_add(
            actor=request.user,
            person=person,
            group=data["group"],
            since=data["since"],
            note=data["note"],
            reason=data["reason"],
        )

    done = _apply(request, pk, form, write, _("The special group was added."))
    return done or _again(request, pk, tag_form=form)


@staff_required
@require_POST
def person_tag_end(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    person = _person(request, pk)
    tag = person.special_tags.filter(pk=tag_pk).first()
    if tag is None:
        raise Http404
    form = TagEndForm(request.POST)

    def write() -> Any:
        data = form.cleaned_data
        return services.special_tag_end(
            actor=request.user, tag=tag, until=data["until"], reason=data["reason"]
        )

    done = _apply(request, pk, form, write, _("The special group was ended."))
    return done or _again(request, pk, tag_end_form=form, tag_end_pk=tag_pk)


urlpatterns: list[URLPattern] = [
    path("registry/people/<int:pk>/tags/", person_tag_add, name="registry_person_tag_add"),
    path(
        "registry/people/<int:pk>/tags/<int:tag_pk>/end/",
        person_tag_end,
        name="registry_person_tag_end",
    ),
]
