"""附件: photos and documents on an appeal, checked before anything is written and stored in
file storage (``MEDIA_ROOT`` or S3), never in the database.

Limits (the city's policy for uploads; change them here):

* photos: JPEG, PNG or WebP, at most :data:`PHOTO_MAX_BYTES` (10 MB) each;
* documents: PDF, DOCX or XLSX, at most :data:`DOCUMENT_MAX_BYTES` (20 MB) each;
* at most :data:`MAX_FILES_PER_APPEAL` (9) files per appeal, from everybody together.

The type comes from the bytes (:mod:`civicgrid.appeals.filetypes`), never from the name or the
browser. The stored file gets a random name with the real type's extension; the name the person
gave is kept (cleaned) in the row and must be escaped wherever it is shown. GPS data is removed
from photos before they are stored.

Nothing is half-written: :func:`attachments_check` reads and checks every file before the
appeal or any row exists (so a form can refuse the whole submission), and the storing functions
delete the files they stored when the database write fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.errors import DomainError, PermissionDeniedError

from .. import filetypes
from ..models import Appeal, AppealEvent, AppealStatus, Attachment
from ..selectors import appeals_visible_to
from .intake import appeal_accept

PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_APPEAL = 9
NAME_MAX = 200
FIELD = "attachments"

# No more files once an appeal is finished or folded into another one.
CLOSED_FOR_FILES = frozenset({AppealStatus.CLOSED, AppealStatus.CANCELLED, AppealStatus.MERGED})


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, read into memory, ready to be stored."""

    original_name: str
    file_type: filetypes.FileType
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def clean_file_name(name: str) -> str:
    """The name a person gave, safe to keep: no path, no control characters, NFC, at most
    :data:`NAME_MAX` characters (the extension kept). It is still shown escaped."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        name = _("unnamed file")
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX]
    return name


def _invalid(message: str) -> DomainError:
    return DomainError(message, code="invalid_file", field=FIELD)


def attachment_check(upload: Any) -> CheckedFile:
    """Read and check one upload (a Django ``UploadedFile`` or anything with ``name``,
    ``size`` and ``chunks()``/``read()``). Raises DomainError naming the file."""
    name = clean_file_name(getattr(upload, "name", "") or "")
    declared = getattr(upload, "size", None)
    if declared is not None and declared > DOCUMENT_MAX_BYTES:
        raise _invalid(
            _("“%(name)s” is too large (%(size)s); files may be at most %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(declared),
                "max": filesizeformat(DOCUMENT_MAX_BYTES),
            }
        )
    content = _read_at_most(upload, DOCUMENT_MAX_BYTES + 1)
    if not content:
        raise _invalid(_("“%(name)s” is empty.") % {"name": name})
    try:
        file_type = filetypes.sniff(content)
    except filetypes.UnknownFileType as error:
        raise _invalid(
            _(
                "“%(name)s” is not a complete JPEG, PNG or WebP photo or a PDF, DOCX or XLSX "
                "document (the content was checked, not the name)."
            )
            % {"name": name}
        ) from error
    limit = PHOTO_MAX_BYTES if file_type.kind == filetypes.PHOTO else DOCUMENT_MAX_BYTES
    if len(content) > limit:
        raise _invalid(
            _("“%(name)s” is too large (%(size)s); a %(type)s file may be at most %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(len(content)),
                "type": file_type.label,
                "max": filesizeformat(limit),
            }
        )
    content = filetypes.without_location(content, file_type)
    return CheckedFile(
        original_name=name,
        file_type=file_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _read_at_most(upload: Any, limit: int) -> bytes:
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    if hasattr(upload, "chunks"):
        parts: list[bytes] = []
        total = 0
        for chunk in upload.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total >= limit:
                break
        return b"".join(parts)[:limit]
    return bytes(upload.read(limit))


def attachments_check(uploads: Iterable[Any], *, already: int = 0) -> list[CheckedFile]:
    """Check every upload of one submission (before the appeal exists): the count limit
    (``already`` files on the appeal plus these) and each file. The first bad one refuses
    the lot."""
    uploads = [upload for upload in uploads if upload is not None]
    if already + len(uploads) > MAX_FILES_PER_APPEAL:
        raise _invalid(
            _("An appeal may have at most %(max)s files; this would make %(count)s.")
            % {"max": MAX_FILES_PER_APPEAL, "count": already + len(uploads)}
        )
    return [attachment_check(upload) for upload in uploads]


# --- storing ---------------------------------------------------------------------------------


def _may_add(actor: Any, appeal: Appeal, is_from_citizen: bool) -> None:
    """Citizens' own files come with their submission or tracked appeal (``actor`` None or
    the citizen's account); staff add files to appeals they may see."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if not authenticated:
        if not is_from_citizen:
            raise PermissionDeniedError(_("You may not add files to this appeal."))
        return
    if not actor.is_active:
        raise PermissionDeniedError(_("You may not add files to this appeal."))
    if actor.role == Role.CITIZEN and not actor.is_superuser:
        if appeal.citizen_id != actor.pk or not is_from_citizen:
            raise PermissionDeniedError(_("You may not add files to this appeal."))
        return
    if not appeals_visible_to(actor).filter(pk=appeal.pk).exists():
        raise PermissionDeniedError(_("You may not add files to this appeal."))


def _store(
    *,
    actor: Any,
    appeal: Appeal,
    files: Sequence[CheckedFile],
    is_from_citizen: bool,
    created: list[Attachment],
) -> list[Attachment]:
    """Write the files and rows, and one timeline event; must run inside a transaction
    whose failure the caller answers with :func:`_delete_stored` on ``created`` (filled as
    each file is stored)."""
    staff = actor if getattr(actor, "is_authenticated", False) else None
    locked = Appeal.objects.select_for_update().only("pk", "status").get(pk=appeal.pk)
    if locked.status in CLOSED_FOR_FILES:
        raise DomainError(
            _("No files can be added while the appeal is %(status)s.")
            % {"status": locked.get_status_display()},
            code="illegal_transition",
            field=FIELD,
        )
    already = Attachment.objects.filter(appeal_id=appeal.pk).count()
    if already + len(files) > MAX_FILES_PER_APPEAL:
        raise _invalid(
            _("An appeal may have at most %(max)s files; this would make %(count)s.")
            % {"max": MAX_FILES_PER_APPEAL, "count": already + len(files)}
        )
    for checked in files:
        attachment = Attachment(
            appeal=appeal,
            original_name=checked.original_name,
            content_type=checked.file_type.content_type,
            size=checked.size,
            sha256=checked.sha256,
            kind=checked.file_type.kind,
            uploaded_by=staff,
            is_from_citizen=is_from_citizen,
        )
        created.append(attachment)
        # Random name on disk with the real type's extension; saving the field stores it.
        attachment.file.save(
            uuid.uuid4().hex + checked.file_type.extension,
            ContentFile(checked.content),
            save=False,
        )
        attachment.save()
    AppealEvent.objects.create(
        appeal=appeal,
        actor=staff,
        kind="attachment",
        from_status=locked.status,
        to_status=locked.status,
        details={
            "attachments": [attachment.pk for attachment in created],
            "names": [attachment.original_name for attachment in created],
            "is_from_citizen": is_from_citizen,
        },
    )
    return created


def _delete_stored(attachments: Iterable[Attachment]) -> None:
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


def attachments_add(
    *,
    actor: Any,
    appeal: Appeal,
    files: Sequence[CheckedFile],
    is_from_citizen: bool = False,
) -> list[Attachment]:
    """Store already checked files on ``appeal`` (one transaction, one timeline event)."""
    if not files:
        return []
    _may_add(actor, appeal, is_from_citizen)
    created: list[Attachment] = []
    try:
        with transaction.atomic():
            _store(
                actor=actor,
                appeal=appeal,
                files=files,
                is_from_citizen=is_from_citizen,
                created=created,
            )
    except BaseException:
        _delete_stored(created)
        raise
    return created


def attachment_add(
    *, actor: Any, appeal: Appeal, upload: Any, is_from_citizen: bool = False
) -> Attachment:
    """Check one upload and store it on ``appeal``; a bad file writes nothing."""
    checked = attachment_check(upload)
    return attachments_add(
        actor=actor, appeal=appeal, files=[checked], is_from_citizen=is_from_citizen
    )[0]


def appeal_accept_with_files(
    *, files: Sequence[CheckedFile], is_from_citizen: bool, **accept: Any
) -> tuple[Appeal, str | None]:
    """受理 with the files of the same submission, all or nothing: check the files first
    (:func:`attachments_check`), then call this. A repeated idempotency key returns the
    earlier appeal and stores nothing again."""
    created: list[Attachment] = []
    try:
        with transaction.atomic():
            appeal, query_code = appeal_accept(**accept)
            if query_code is not None and files:
                _may_add(accept.get("actor"), appeal, is_from_citizen)
                _store(
                    actor=accept.get("actor"),
                    appeal=appeal,
                    files=files,
                    is_from_citizen=is_from_citizen,
                    created=created,
                )
    except BaseException:
        _delete_stored(created)
        raise
    return appeal, query_code
