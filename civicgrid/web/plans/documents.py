"""政策文件: the documents list with the upload (import a document, or a new version of one),
a document's versions with what changed from one version to the next, and the original file.

Importing runs the extractor in the request (a document is read in about a second) through
:func:`civicgrid.plans.services.document_import`; a file that cannot be read comes back as the
form's error with the service's message (Chinese first), and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.plans import selectors, services

from ..views import staff_required
from .common import OFFICE_ROLES, OVERVIEW_ROLES, has_role, require_roles
from .forms import DocumentUploadForm


def _document(request: HttpRequest, pk: int) -> Any:
    document = selectors.documents_visible_to(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


@staff_required
@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest) -> HttpResponse:
    """政策文件: the documents with their latest plan, and the upload form."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    documents = list(selectors.documents_visible_to(user).prefetch_related("versions", "plans"))
    may_import = has_role(user, OFFICE_ROLES)
    form = DocumentUploadForm(documents=documents)
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        form = DocumentUploadForm(request.POST, request.FILES, documents=documents)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            document = next((d for d in documents if d.pk == form.cleaned_data["document"]), None)
            try:
                result = services.document_import(
                    actor=user,
                    content=upload.read(),
                    filename=Path(upload.name).name,
                    document=document,
                    title=form.cleaned_data["title"],
                    doc_number=form.cleaned_data["doc_number"],
                )
            except PermissionDeniedError as error:
                raise PermissionDenied(str(error.message)) from error
            except DomainError as error:
                form.add_error("file" if error.field == "file" else None, str(error.message))
            else:
                if result.is_new_document:
                    messages.success(
                        request,
                        _("%(title)s was read: review the proposed plan.")
                        % {"title": result.document.title},
                    )
                else:
                    messages.success(
                        request,
                        _("Version %(number)s of %(title)s was read; the changes are marked.")
                        % {"number": result.version.number, "title": result.document.title},
                    )
                return redirect("web:plans_review", pk=result.plan.pk)
    rows = []
    for document in documents:
        versions = sorted(document.versions.all(), key=lambda version: version.number)
        plans = sorted(document.plans.all(), key=lambda plan: plan.pk)
        rows.append(
            {
                "document": document,
                "latest": versions[-1] if versions else None,
                "plan": plans[-1] if plans else None,
                "version_count": len(versions),
            }
        )
    return render(
        request,
        "web/plans/document_list.html",
        {"rows": rows, "form": form, "may_import": may_import},
    )


@staff_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A document's versions, newest first, each with its changes against the one before."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    document = _document(request, pk)
    plans = {plan.version_id: plan for plan in document.plans.all()}
    versions = []
    for version in sorted(document.versions.all(), key=lambda v: -v.number):
        diff = version.diff or {}
        versions.append(
            {
                "version": version,
                "plan": plans.get(version.pk),
                "diff": diff,
                "has_diff": bool(diff),
            }
        )
    return render(
        request,
        "web/plans/document_detail.html",
        {"document": document, "versions": versions, "may_import": has_role(user, OFFICE_ROLES)},
    )


@staff_required
@require_GET
def version_file(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """原件: the file as it was imported (kept with every version)."""
    user: Any = request.user
    require_roles(user, OVERVIEW_ROLES)
    document = _document(request, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None or not version.file:
        raise Http404
    audit_record(
        actor=user,
        action="plans.document_download",
        target=version,
        details={"file": version.original_name},
    )
    with version.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=version.original_name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("plans/documents/", document_list, name="plans_documents"),
    path("plans/documents/<int:pk>/", document_detail, name="plans_document"),
    path(
        "plans/documents/<int:pk>/versions/<int:number>/file/",
        version_file,
        name="plans_version_file",
    ),
]
