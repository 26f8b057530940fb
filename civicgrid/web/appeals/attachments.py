"""附件 on the web: the multi-file upload field of the appeal forms, the protected view that
streams a file, and the short-lived memory of which appeals a citizen without an account has
proved (number + query code) in this browser session.

Files are never served from ``MEDIA_ROOT`` directly; every download goes through
:func:`attachment_file`, which checks who may see the appeal.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civicgrid.appeals.models import Appeal, AttachmentKind
from civicgrid.appeals.selectors.attachments import (
    attachment_for_tracked,
    attachment_visible_to,
)
from civicgrid.appeals.services.attachments import MAX_FILES_PER_APPEAL

TRACKED_SESSION_KEY = "civicgrid_tracked_appeals"
TRACKED_SECONDS = 30 * 60  # how long a successful lookup opens the citizen's own files

# What the file picker offers (the server checks the bytes anyway).
ACCEPT_ALL = "image/jpeg,image/png,image/webp,application/pdf,.pdf,.docx,.xlsx"
ACCEPT_PHOTOS = "image/*"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one ``<input type="file" multiple>``; cleaned to a list."""

    def __init__(self, *, accept: str = ACCEPT_ALL, capture: str = "", **kwargs: Any) -> None:
        attrs = {"accept": accept, "multiple": True}
        if capture:
            attrs["capture"] = capture
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos and documents"))
        kwargs.setdefault(
            "help_text",
            _(
                "Up to %(count)s files: photos (JPEG, PNG, WebP) up to 10 MB, documents (PDF, "
                "DOCX, XLSX) up to 20 MB."
            )
            % {"count": MAX_FILES_PER_APPEAL},
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(AttachmentsField, self).clean(item, initial) for item in items if item]


# --- the citizen's session -------------------------------------------------------------------


def remember_tracked(request: HttpRequest, appeal: Appeal) -> None:
    """After a successful lookup (or submission), let this session open the citizen's own
    files of ``appeal`` for :data:`TRACKED_SECONDS`. The query code itself is not kept."""
    now = time.time()
    tracked = {
        key: expires
        for key, expires in dict(request.session.get(TRACKED_SESSION_KEY, {})).items()
        if float(expires) > now
    }
    tracked[str(appeal.pk)] = now + TRACKED_SECONDS
    request.session[TRACKED_SESSION_KEY] = tracked


def tracked_appeal_ids(request: HttpRequest) -> list[int]:
    now = time.time()
    tracked = request.session.get(TRACKED_SESSION_KEY, {}) if hasattr(request, "session") else {}
    ids = []
    for key, expires in dict(tracked).items():
        try:
            if float(expires) > now:
                ids.append(int(key))
        except (TypeError, ValueError):
            continue
    return ids


# --- serving ---------------------------------------------------------------------------------


@require_GET
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Stream one attachment to someone who may see it; everybody else gets 404 (the same
    answer for "no such file" and "not yours"). Photos open in the browser, documents are
    downloaded; the browser may not guess another type."""
    attachment = None
    if request.user.is_authenticated:
        attachment = attachment_visible_to(request.user, pk)
    if attachment is None:
        attachment = attachment_for_tracked(tracked_appeal_ids(request), pk)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response
