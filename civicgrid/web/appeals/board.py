"""答复公开栏: the public board of replied appeals whose citizens agreed to publication, with
personal data stripped and the place shown only as district and street. No account needed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civicgrid.appeals.models import Category
from civicgrid.appeals.selectors.replies import (
    board_appeals,
    board_categories,
    board_districts,
    board_entries,
)

BOARD_PAGE_SIZE = 20


class BoardFilterForm(forms.Form):
    """Filters of the board: district and first-level category (both optional)."""

    district = forms.ChoiceField(label=_("District"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {str(category.pk): category for category in board_categories()}
        district_field = self.fields["district"]
        category_field = self.fields["category"]
        assert isinstance(district_field, forms.ChoiceField)
        assert isinstance(category_field, forms.ChoiceField)
        district_field.choices = [("", _("all districts"))] + [
            (unit.code, unit.name) for unit in board_districts()
        ]
        category_field.choices = [("", _("all categories"))] + [
            (pk, category.name) for pk, category in self.categories.items()
        ]

    def category_object(self) -> Category | None:
        return self.categories.get(self.cleaned_data.get("category") or "")


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The board, newest reply first, 20 a page; unknown filter values are ignored."""
    form = BoardFilterForm(request.GET or None)
    district = ""
    category = None
    query = ""
    if form.is_bound and form.is_valid():
        district = form.cleaned_data["district"]
        category = form.category_object()
        query = urlencode({key: value for key, value in form.cleaned_data.items() if value})
    page = Paginator(board_appeals(district=district, category=category), BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "entries": board_entries(list(page.object_list)),
        "filter_query": query,
    }
    return render(request, "web/public/appeal_board.html", context)
