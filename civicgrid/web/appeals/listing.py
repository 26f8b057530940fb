"""The one list mechanism of the appeal workbenches (工作台列表): filters, whitelisted sort
columns with clickable headers that keep the filters, pagination and deadline lights worked
out for the whole page at once. The Excel export (:mod:`.exports`) reads the same form, so a
file holds what the page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.selectors import departments_visible_to, units_visible_to
from civicgrid.appeals.models import Appeal, AppealStatus, AppealType, Category, Channel
from civicgrid.appeals.selectors.listing import AppealFilters, appeal_list, parse_sort
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

from . import common

PAGE_SIZE = 30
ANY = ("", _("any"))

# (sort key, column title) of the sortable columns, in table order
SORT_COLUMNS: list[tuple[str, Any]] = [
    ("number", _("Number")),
    ("urgency", _("Urgency")),
    ("status", _("Status")),
    ("category", _("Category")),
    ("department", _("Lead department")),
    ("accepted_on", _("Accepted on")),
    ("deadline", _("Deadline")),
]
CITIZEN_FIELDS = ("status", "accepted_from", "accepted_to", "q", "sort")
# Citizens filter by the statuses they are shown (a reply under review reads "signed for").
CITIZEN_STATUS_CHOICES = [
    choice for choice in AppealStatus.choices if choice[0] != AppealStatus.REVIEWING
]


class AppealListForm(forms.Form):
    """Filters of every appeal list (all optional); ``sort`` rides along as a hidden field."""

    q = forms.CharField(label=_("Number or title"), required=False, max_length=100, strip=True)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *AppealStatus.choices]
    )
    appeal_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[ANY, *AppealType.choices]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[ANY, *Channel.choices])
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("any")
    )
    area: forms.ModelChoiceField[AdminUnit] = forms.ModelChoiceField(
        label=_("District or street"),
        required=False,
        queryset=AdminUnit.objects.none(),
        to_field_name="code",
        empty_label=_("any"),
    )
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("Lead department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("any"),
    )
    light = forms.ChoiceField(
        label=_("Deadline light"),
        required=False,
        choices=(
            ANY,
            ("red", _("red: overdue")),
            ("yellow", _("yellow: due soon")),
            ("green", _("green: in time")),
        ),
    )
    accepted_from = forms.DateField(
        label=_("Accepted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    accepted_to = forms.DateField(
        label=_("Accepted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, citizen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if citizen:
            for name in list(self.fields):
                if name not in CITIZEN_FIELDS:
                    del self.fields[name]
            status: Any = self.fields["status"]
            status.choices = [ANY, *CITIZEN_STATUS_CHOICES]
            return
        self._set_queryset("category", Category.objects.filter(is_active=True).order_by("code"))
        self._set_queryset(
            "area",
            units_visible_to(user)
            .filter(level__in=[AdminLevel.DISTRICT, AdminLevel.STREET])
            .order_by("code"),
        )
        self._set_queryset(
            "department", departments_visible_to(user).filter(is_active=True).order_by("code")
        )

    def _set_queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("accepted_from"), data.get("accepted_to")
        if start and end and start > end:
            self.add_error("accepted_to", _("The end date must not be before the start date."))
        if data.get("sort") and parse_sort(data["sort"]) is None:
            data["sort"] = ""
        return data

    def filters(self) -> AppealFilters:
        """The valid filters (invalid fields are left out: a bad value never widens a list
        beyond the workbench, and never crashes it)."""
        data = getattr(self, "cleaned_data", {})
        category = data.get("category")
        area = data.get("area")
        department = data.get("department")
        return AppealFilters(
            status=data.get("status") or "",
            appeal_type=data.get("appeal_type") or "",
            channel=data.get("channel") or "",
            category_id=category.pk if category else None,
            admin_unit_code=area.code if area else "",
            department_id=department.pk if department else None,
            light=data.get("light") or "",
            accepted_from=data.get("accepted_from"),
            accepted_to=data.get("accepted_to"),
            search=data.get("q") or "",
        )

    def query_items(self) -> list[tuple[str, str]]:
        """The valid filter values as URL parameters (without ``sort``)."""
        items = []
        for name, value in getattr(self, "cleaned_data", {}).items():
            if name == "sort" or value in (None, ""):
                continue
            if isinstance(value, AdminUnit):
                value = value.code
            elif hasattr(value, "pk"):
                value = value.pk
            elif isinstance(value, dt.date):
                value = value.isoformat()
            items.append((name, str(value)))
        return items


@dataclass
class AppealListing:
    """A workbench list as read from a request: the bound form and the appeals it selects."""

    form: AppealListForm
    filters: AppealFilters
    sort: str
    appeals: QuerySet[Appeal]
    lights: common.Lights

    @property
    def filter_query(self) -> str:
        return urlencode(self.form.query_items())

    @property
    def query(self) -> str:
        """Filters and sort: what pagination links and the export carry."""
        items = self.form.query_items()
        if self.sort:
            items.append(("sort", self.sort))
        return urlencode(items)


def read_listing(
    request_or_data: HttpRequest | QueryDict,
    appeals: QuerySet[Appeal],
    *,
    user: Any,
    default_order: tuple[str, ...],
    citizen: bool = False,
) -> AppealListing:
    data = request_or_data.GET if isinstance(request_or_data, HttpRequest) else request_or_data
    form = AppealListForm(data, user=user, citizen=citizen)
    form.is_valid()
    filters = form.filters()
    if citizen and filters.status == AppealStatus.SIGNED:
        # citizens are shown "signed for" while a reply waits for review
        appeals = appeals.filter(status__in=[AppealStatus.SIGNED, AppealStatus.REVIEWING])
        filters = replace(filters, status="")
    sort = form.cleaned_data.get("sort", "") if hasattr(form, "cleaned_data") else ""
    lights = common.Lights()
    thresholds = lights.thresholds if filters.light else None
    selected = appeal_list(
        appeals, filters, sort=sort, default_order=default_order, thresholds=thresholds
    )
    return AppealListing(form, filters, sort, selected, lights)


def sort_headers(listing: AppealListing) -> dict[str, dict[str, Any]]:
    """Per sortable column: the link that sorts by it (ascending first, then descending) with
    the filters kept, and whether the list is sorted by it now."""
    base = listing.form.query_items()
    current = parse_sort(listing.sort)
    headers = {}
    for key, label in SORT_COLUMNS:
        is_current = current is not None and current[0] == key
        descending = bool(current and current[1]) if is_current else False
        next_sort = f"-{key}" if is_current and not descending else key
        headers[key] = {
            "label": label,
            "url": "?" + urlencode([*base, ("sort", next_sort)]),
            "active": is_current,
            "descending": descending,
            "aria_sort": ("descending" if descending else "ascending") if is_current else "none",
        }
    return headers


def plain_headers() -> dict[str, dict[str, Any]]:
    """Column titles without sort links (a list in a fixed order)."""
    return {key: {"label": label, "url": "", "aria_sort": ""} for key, label in SORT_COLUMNS}


def list_context(
    request: HttpRequest,
    listing: AppealListing,
    *,
    export_workbench: str | None = None,
) -> dict[str, Any]:
    """Template context of one page of a workbench list (lights for the page in one go)."""
    page = Paginator(listing.appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"appeal": appeal, **common.light_of(appeal, listing.lights)} for appeal in page.object_list
    ]
    export_url = ""
    if export_workbench:
        export_url = reverse("web:appeal_export", kwargs={"workbench": export_workbench})
        if listing.query:
            export_url += "?" + listing.query
    return {
        "page": page,
        "rows": rows,
        "filter_form": listing.form,
        "filter_query": listing.query,
        "sort_headers": sort_headers(listing),
        "export_url": export_url,
    }
