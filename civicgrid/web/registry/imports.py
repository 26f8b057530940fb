"""Registry pages: imports (数据导入) — upload a file, follow its progress, download the errors.

The upload is stored under ``VAR_DIR/registry_imports/uploads/`` and imported in the
background (:func:`civicgrid.registry.services.import_execute_later`: a Celery task when a
broker is configured, else a thread of the web process); the detail page polls the run's
``committed_lines`` (htmx, every two seconds while it runs). An import whose process stopped
can be resumed from the stored file. Who may import and see which runs is decided by the
registry services (administrators and the programme office; department staff for their own
department's sources); every start is audited there.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.errors import DomainError
from civicgrid.registry.models import ImportRun, ImportStatus
from civicgrid.registry.selectors.imports import import_is_stalled, imports_visible_to, sources_for
from civicgrid.registry.services import (
    KIND_NAMES,
    column_label,
    error_report_csv,
    import_execute_later,
    import_resume,
    import_start,
)
from civicgrid.registry.services.imports import MAX_FILE_BYTES

from ..views import staff_required

PAGE_SIZE = 25
ERRORS_SHOWN = 200
KIND_LABELS = {
    "persons": lazy("persons"),
    "households": lazy("households"),
    "addresses": lazy("addresses and buildings"),
    "entities": lazy("legal entities"),
}
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_.\-\u4e00-\u9fff]+")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=lazy("Records"), choices=list(KIND_LABELS.items()))
    source = forms.ChoiceField(label=lazy("Data source"))
    file = forms.FileField(label=lazy("File (CSV in UTF-8 or GBK, or .xlsx)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [(s.code, s.name) for s in sources_for(user)]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        suffix = Path(upload.name).suffix.lower()
        if suffix not in {".csv", ".txt", ".xlsx"}:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _runs(request: HttpRequest) -> Any:
    runs = imports_visible_to(request.user)
    if not sources_for(request.user) and not runs.exists():
        raise PermissionDenied
    return runs


def _store(upload: Any) -> Path:
    """Keep the upload under VAR_DIR (named by its content, so the same file is kept once)."""
    folder = Path(settings.VAR_DIR) / "registry_imports" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = folder / f".upload-{id(upload)}.partial"
    with partial.open("wb") as handle:
        for block in upload.chunks():
            digest.update(block)
            handle.write(block)
    name = _SAFE_NAME.sub("_", Path(upload.name).name)[-80:] or "upload"
    target = folder / f"{digest.hexdigest()[:16]}-{name}"
    partial.replace(target)
    return target


@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """数据导入: the upload form and the imports the user may follow."""
    runs = _runs(request)
    form = ImportForm(user=request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            stored = _store(upload)
            try:
                run = import_start(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    source=form.cleaned_data["source"],
                    path=stored,
                    file_name=upload.name,
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                import_execute_later(run)
                messages.success(request, _("The import has started."))
                return redirect("web:registry_import_detail", pk=run.pk)
    page = Paginator(runs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/registry/import_list.html",
        {"form": form, "page": page, "may_upload": bool(sources_for(request.user))},
    )


def _run(request: HttpRequest, pk: int) -> ImportRun:
    run = imports_visible_to(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def _progress(run: ImportRun) -> dict[str, Any]:
    total = max(run.total_rows, 1)
    done = run.created_count + run.updated_count + run.unchanged_count + run.invalid_count
    percent = 100 if run.status == ImportStatus.COMPLETED else min(99, done * 100 // total)
    return {
        "run": run,
        "percent": percent,
        "done": done,
        "is_running": run.status == ImportStatus.RUNNING and not import_is_stalled(run),
        "is_stalled": import_is_stalled(run),
        "may_resume": run.status == ImportStatus.FAILED or import_is_stalled(run),
    }


@staff_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: progress, counts, the first row errors, the error report."""
    run = _run(request, pk)
    errors = list(run.row_errors.order_by("line", "pk")[:ERRORS_SHOWN])
    for error in errors:
        label = column_label(run.entity_kind, error.field_name) if error.field_name else ""
        error.field_label = label  # type: ignore[attr-defined]
    return render(
        request,
        "web/registry/import_detail.html",
        {**_progress(run), "errors": errors, "errors_shown": ERRORS_SHOWN},
    )


@staff_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls."""
    run = _run(request, pk)
    return render(request, "web/registry/import_progress.html", _progress(run))


@staff_required
@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The error report (CSV: line, field, masked value, reason)."""
    run = _run(request, pk)
    response = HttpResponse(error_report_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


@staff_required
@require_POST
def import_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue an interrupted import from its stored file."""
    run = _run(request, pk)
    try:
        resumed = import_resume(actor=request.user, run=run)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("web:registry_import_detail", pk=run.pk)
    import_execute_later(resumed)
    messages.success(
        request, _("The import continues after line %(line)s.") % {"line": run.committed_lines}
    )
    return redirect("web:registry_import_detail", pk=resumed.pk)


def register_navigation() -> None:
    """The imports' menu entry (数据导入) for administrators and the programme office."""
    from civicgrid.core.navigation import NavItem, register_nav_item
    from civicgrid.registry.selectors.imports import IMPORT_ROLES

    register_nav_item(
        NavItem(
            "registry_imports",
            lazy("Data imports"),
            "web:registry_imports",
            IMPORT_ROLES,
            65,
            description=lazy(
                "Import department files of persons, households, addresses and entities, with "
                "a report of every invalid row."
            ),
        )
    )


urlpatterns: list[URLPattern] = [
    path("registry/imports/", import_list, name="registry_imports"),
    path("registry/imports/<int:pk>/", import_detail, name="registry_import_detail"),
    path("registry/imports/<int:pk>/progress/", import_progress, name="registry_import_progress"),
    path("registry/imports/<int:pk>/errors.csv", import_errors, name="registry_import_errors"),
    path("registry/imports/<int:pk>/resume/", import_resume_view, name="registry_import_resume"),
]

assert set(KIND_LABELS) == set(KIND_NAMES)
