"""Administrators' pages for the appeal configuration: the taxonomy and responsibility
catalogue (分类与权责清单: view, download as Excel, upload with a preview, then confirm) and the
legacy appeal import (历史工单导入: upload, check or import, row-level report).

The uploaded catalogue waits in the session between the preview and the confirmation (it is a
small workbook, at most ``catalogue_io.MAX_FILE_BYTES``); the confirmation imports exactly the
file that was previewed.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_http_methods

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import AppealType
from civicgrid.appeals.selectors.catalogue import catalogue_overview
from civicgrid.appeals.services.catalogue_io import (
    MAX_FILE_BYTES,
    catalogue_export,
    catalogue_import,
)
from civicgrid.appeals.services.legacy_import import legacy_appeals_import
from civicgrid.core.errors import DomainError

from ..views import staff_required

SESSION_KEY = "appeals_catalogue_upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label=lazy("Catalogue workbook (.xlsx)"))


class LegacyImportForm(forms.Form):
    file = forms.FileField(label=lazy("Legacy appeals (CSV in UTF-8 or GBK, or .xlsx)"))
    skip_invalid = forms.BooleanField(
        label=lazy("Import the valid rows and leave out the rows with errors"), required=False
    )
    dry_run = forms.BooleanField(
        label=lazy("Only check the file, import nothing"), required=False, initial=True
    )


def _require_admin(user: Any) -> None:
    if not (user.is_superuser or user.role == Role.ADMINISTRATOR):
        raise PermissionDenied


def _page(request: HttpRequest, **context: Any) -> HttpResponse:
    overview = catalogue_overview()
    types = [(value, label) for value, label in AppealType.choices]
    rows = [
        {
            "category": node.category,
            "indent": range(node.depth),
            "limits": [node.limits.get(value) for value, _label in types],
        }
        for node in overview.categories
    ]
    context.setdefault("form", CatalogueUploadForm())
    return render(
        request,
        "web/appeals/catalogue.html",
        {"overview": overview, "rows": rows, "types": types, **context},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    """分类与权责清单: the tree with time limits, the rules, download and upload."""
    _require_admin(request.user)
    if request.method == "GET" and request.GET.get("download"):
        content = catalogue_export(actor=request.user)
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="catalogue.xlsx"'
        return response
    if request.method == "GET":
        return _page(request)
    if request.POST.get("action") == "confirm":
        return _confirm(request)
    form = CatalogueUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_FILE_BYTES:
        form.add_error("file", _("The file is too large."))
        return _page(request, form=form)
    content = upload.read()
    try:
        report = catalogue_import(
            actor=request.user, content=content, file_name=upload.name, dry_run=True
        )
    except DomainError as error:
        form.add_error("file", str(error.message))
        return _page(request, form=form)
    token = ""
    if not report.errors:
        token = hashlib.sha256(content).hexdigest()
        request.session[SESSION_KEY] = {
            "token": token,
            "name": upload.name[:200],
            "content": base64.b64encode(content).decode("ascii"),
        }
    return _page(request, form=form, report=report, token=token, file_name=upload.name)


def _confirm(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("token") != request.POST.get("token"):
        messages.error(request, _("The previewed file is no longer available; upload it again."))
        return redirect("web:appeal_catalogue")
    content = base64.b64decode(stored["content"])
    report = catalogue_import(actor=request.user, content=content, file_name=stored["name"])
    del request.session[SESSION_KEY]
    if report.errors:  # the catalogue changed between preview and confirmation
        return _page(request, report=report, file_name=stored["name"])
    messages.success(request, report.summary())
    return redirect("web:appeal_catalogue")


@staff_required
@require_http_methods(["GET", "POST"])
def legacy_import(request: HttpRequest) -> HttpResponse:
    """历史工单导入: upload a file, check it or import it, see the row-level report."""
    _require_admin(request.user)
    report = None
    if request.method == "POST":
        form = LegacyImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = legacy_appeals_import(
                    actor=request.user,
                    content=upload.read(),
                    file_name=upload.name,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
    else:
        form = LegacyImportForm()
    return render(request, "web/appeals/legacy_import.html", {"form": form, "report": report})
