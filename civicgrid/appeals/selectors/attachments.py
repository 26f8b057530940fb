"""Reads of appeal attachments (附件). Staff see the files of the appeals
:func:`~civicgrid.appeals.selectors.appeals_visible_to` gives them; a citizen without an account
sees only the files they sent themselves, of an appeal they proved with number and query code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from ..models import Appeal, Attachment, AttachmentKind
from . import appeals_visible_to


def attachments_of(appeal: Appeal, *, citizen_view: bool = False) -> list[Attachment]:
    """The files of an appeal the caller already may see (in upload order); the citizen's
    view holds only the citizen's own files."""
    rows = Attachment.objects.filter(appeal_id=appeal.pk).order_by("created_at", "id")
    if citizen_view:
        rows = rows.filter(is_from_citizen=True)
    return list(rows)


def attachment_visible_to(user: Any, pk: int) -> Attachment | None:
    """One attachment of an appeal ``user`` may see, else ``None``."""
    return (
        Attachment.objects.filter(pk=pk, appeal__in=appeals_visible_to(user).values("pk"))
        .select_related(None)
        .first()
    )


def attachment_for_tracked(appeal_ids: Iterable[int], pk: int) -> Attachment | None:
    """A citizen's own attachment of one of the appeals they tracked (number + query code)."""
    ids = [int(appeal_id) for appeal_id in appeal_ids]
    if not ids:
        return None
    return Attachment.objects.filter(pk=pk, appeal_id__in=ids, is_from_citizen=True).first()


def first_public_photo(appeal_ids: Iterable[int]) -> dict[int, Attachment]:
    """The first photo of each appeal (for Open311 ``media_url``), one query."""
    first: dict[int, Attachment] = {}
    rows: QuerySet[Attachment] = Attachment.objects.filter(
        appeal_id__in=list(appeal_ids), kind=AttachmentKind.PHOTO
    ).order_by("appeal_id", "created_at", "id")
    for row in rows:
        first.setdefault(row.appeal_id, row)
    return first
