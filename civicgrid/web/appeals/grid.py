"""网格员上报: the grid worker's phone-first page to report an event found on patrol, with
photos taken on the spot and the place from the phone or the map, and the worker's own recent
reports (我的上报).

Reports are appeals with channel ``grid``; :func:`civicgrid.appeals.services.appeal_accept`
places them in the worker's grid and refuses a place outside it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_http_methods

from civicgrid.accounts.models import Role
from civicgrid.appeals import services
from civicgrid.appeals.models import AppealType, Category, Channel, Urgency
from civicgrid.appeals.selectors.grid import grid_reports_of
from civicgrid.core.errors import DomainError, PermissionDeniedError

from ..views import staff_required
from .attachments import ACCEPT_PHOTOS, AttachmentsField
from .public import add_domain_error

REPORTS_PAGE_SIZE = 10


class GridReportForm(forms.Form):
    appeal_type = forms.ChoiceField(
        label=lazy("Type"), choices=AppealType.choices, initial=AppealType.REPORT
    )
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=lazy("Category"), queryset=Category.objects.none(), required=False
    )
    urgency = forms.ChoiceField(label=lazy("Urgency"), choices=Urgency.choices)
    title = forms.CharField(label=lazy("Title"), max_length=100, strip=True)
    text = forms.CharField(
        label=lazy("What happened"),
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = forms.CharField(label=lazy("Address"), max_length=200, required=False, strip=True)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = AttachmentsField(
        accept=ACCEPT_PHOTOS,
        capture="environment",
        label=lazy("Photos"),
        help_text=lazy("Take or choose up to 9 photos (JPEG, PNG or WebP, up to 10 MB each)."),
    )
    idempotency_key = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ModelChoiceField)
        category_field.queryset = Category.objects.filter(is_active=True).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(lazy("Pick the place on the map again."))
        return data


def _require_grid_worker(user: Any) -> None:
    if user.role != Role.GRID_WORKER:
        raise PermissionDenied


def _page(request: HttpRequest, form: GridReportForm, status: int = 200) -> HttpResponse:
    user: Any = request.user
    reports = Paginator(grid_reports_of(user), REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    grid = user.effective_scope_unit
    context = {"form": form, "reports": reports, "grid": grid}
    return render(request, "web/appeals/grid_report.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def grid_report(request: HttpRequest) -> HttpResponse:
    """网格上报 and 我的上报 (paginated)."""
    user: Any = request.user
    _require_grid_worker(user)
    if request.method != "POST":
        return _page(request, GridReportForm(initial={"idempotency_key": uuid.uuid4().hex}))
    form = GridReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        files = services.attachments_check(data["photos"])
        if any(checked.file_type.kind != "photo" for checked in files):
            raise DomainError(_("Grid reports take photos only."), code="invalid", field="photos")
        appeal, _query_code = services.appeal_accept_with_files(
            files=files,
            is_from_citizen=False,
            actor=user,
            channel=Channel.GRID,
            appeal_type=data["appeal_type"],
            category=data["category"],
            urgency=data["urgency"],
            title=data["title"],
            text=data["text"],
            address=data["address"],
            lon=data["lon"],
            lat=data["lat"],
            idempotency_key=f"grid:{user.pk}:{data['idempotency_key']}",
        )
    except PermissionDeniedError as error:
        form.add_error(None, str(error.message))
        return _page(request, form, status=403)
    except DomainError as error:
        if error.field == "attachments":
            error.field = "photos"
        add_domain_error(form, error)
        return _page(request, form, status=400)
    messages.success(request, _("Report %(number)s registered.") % {"number": appeal.number})
    return redirect("web:appeal_grid_report")
