"""Merging duplicates (合并重复诉求): a duplicate is handled together with its primary appeal.

Decisions (see also the module docstring of :mod:`civicgrid.appeals.selectors.duplicates`):

* Who: dispatchers and administrators whose scope covers **both** appeals.
* Duplicate: accepted, dispatched or signed for. A signed appeal may be merged; its open
  assignments are closed and a pending extension request is rejected, so its department stops
  work. Once a reply exists (reviewing and later) the citizen has an answer of their own and
  the appeal is no longer merged.
* Primary: any status except cancelled and merged, and not the duplicate itself. **No merge
  chains**: merging into an appeal that is itself merged is refused, naming the appeal it was
  merged into (the dispatcher chooses; nothing is followed silently). Appeals already merged
  into the duplicate are moved to the new primary, so every merged appeal points at a root.
* The duplicate moves to ``merged`` through :func:`transition` (its ``expected_version``); the
  primary row is locked (both rows in id order, so two opposite merges cannot deadlock) but its
  status and version do not change. Events: ``merge`` on the duplicate, ``merged_in`` on the
  primary (with the duplicate's number).
* Unmerge (:func:`appeal_unmerge`): merged → accepted, back in the dispatcher queue, with
  events on both.
* The citizen of a merged appeal follows the primary's progress and, once the primary's reply
  is visible, may rate it: :func:`appeal_rate_merged_by_citizen` records the rating on their
  own appeal only (``satisfaction`` and a ``citizen_rating`` event, status stays ``merged``);
  the primary is not changed. Reopening from a merged appeal is not offered: the citizen calls
  the hotline, which can unmerge it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.errors import ConflictError, DomainError

from ..models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Assignment,
    ExtensionRequest,
    ExtensionStatus,
    Satisfaction,
)
from ..selectors.duplicates import REPLY_VISIBLE_STATUSES
from .common import DISPATCH_ROLES, clean_reason, require_role, require_scope, transition

MERGEABLE_STATUSES = frozenset(
    {AppealStatus.ACCEPTED, AppealStatus.DISPATCHED, AppealStatus.SIGNED}
)
PRIMARY_REFUSED_STATUSES = frozenset({AppealStatus.CANCELLED, AppealStatus.MERGED})


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_both(first: Appeal, second: Appeal) -> dict[int, Appeal]:
    rows = Appeal.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")
    return {row.pk: row for row in rows}


@transaction.atomic
def appeal_merge(
    *,
    actor: Any,
    duplicate: Appeal,
    primary: Appeal,
    expected_version: int,
    reason: str = "",
) -> Appeal:
    """合并: ``duplicate`` is handled together with ``primary``; returns the duplicate."""
    require_role(actor, DISPATCH_ROLES, _("Only dispatchers may merge appeals."))
    require_scope(actor, duplicate)
    require_scope(actor, primary)
    if duplicate.pk == primary.pk:
        raise DomainError(
            _("An appeal cannot be merged into itself."), code="invalid", field="primary"
        )
    reason = (reason or "").strip()[:500]
    locked = _lock_both(duplicate, primary)
    current_primary = locked[primary.pk]
    if current_primary.status == AppealStatus.MERGED:
        root = Appeal.objects.filter(pk=current_primary.merged_into_id or 0).values_list(
            "number", flat=True
        )
        raise ConflictError(
            _("Appeal %(number)s was itself merged into %(root)s; merge into %(root)s instead.")
            % {"number": current_primary.number, "root": root.first() or "—"},
            code="primary_merged",
        )
    if current_primary.status in PRIMARY_REFUSED_STATUSES:
        raise ConflictError(
            _("Appeals cannot be merged into an appeal that is %(status)s.")
            % {"status": current_primary.get_status_display()},
            code="primary_not_open",
        )
    duplicate = transition(
        actor=actor,
        appeal=duplicate,
        expected_version=expected_version,
        allowed_from=MERGEABLE_STATUSES,
        to_status=AppealStatus.MERGED,
        kind="merge",
        changes={"merged_into": current_primary},
        note=reason,
        details={"primary": current_primary.number},
    )
    closing = _("Merged into %(number)s") % {"number": current_primary.number}
    Assignment.objects.filter(appeal=duplicate, is_open=True).update(
        is_open=False, closed_reason=closing[:200]
    )
    ExtensionRequest.objects.filter(appeal=duplicate, status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REJECTED,
        decided_by=_actor_or_none(actor),
        decided_at=timezone.now(),
        decision_comment=closing,
        updated_at=timezone.now(),
    )
    moved = list(
        Appeal.objects.filter(merged_into=duplicate).values_list("number", flat=True).order_by("pk")
    )
    if moved:
        Appeal.objects.filter(merged_into=duplicate).update(
            merged_into=current_primary, updated_at=timezone.now()
        )
    AppealEvent.objects.create(
        appeal=current_primary,
        actor=_actor_or_none(actor),
        kind="merged_in",
        from_status=current_primary.status,
        to_status=current_primary.status,
        note=reason,
        details={"duplicate": duplicate.number, "moved": moved},
    )
    return duplicate


@transaction.atomic
def appeal_unmerge(*, actor: Any, appeal: Appeal, expected_version: int, reason: str) -> Appeal:
    """撤销合并: a merged appeal goes back to the dispatcher queue (accepted) on its own."""
    require_role(actor, DISPATCH_ROLES, _("Only dispatchers may merge appeals."))
    require_scope(actor, appeal)
    reason = clean_reason(reason)
    primary = Appeal.objects.filter(pk=appeal.merged_into_id or 0).first()
    appeal = transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.MERGED},
        to_status=AppealStatus.ACCEPTED,
        kind="unmerge",
        changes={
            "merged_into": None,
            "lead_department": None,
            "sign_for_deadline": None,
            "signed_at": None,
        },
        note=reason,
        details={"primary": primary.number if primary else ""},
    )
    if primary is not None:
        AppealEvent.objects.create(
            appeal=primary,
            actor=_actor_or_none(actor),
            kind="unmerged",
            from_status=primary.status,
            to_status=primary.status,
            note=reason,
            details={"duplicate": appeal.number},
        )
    return appeal


def primary_reply_is_visible(primary: Appeal) -> bool:
    return primary.status in REPLY_VISIBLE_STATUSES


def appeal_rate_merged_by_citizen(
    *, appeal: Appeal, satisfaction: str, comment: str = "", reopen: bool = False
) -> Appeal:
    """The citizen of a merged appeal rates the outcome of its primary (called by
    ``appeal_rate_by_citizen`` after the number and query code were checked, inside its
    transaction). Recorded on the citizen's own appeal only."""
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Choose how satisfied you are."), code="invalid", field="satisfaction")
    if reopen:
        raise DomainError(
            _(
                "This appeal was handled together with another one; to have it handled again, "
                "call the 12345 hotline."
            ),
            code="invalid",
            field="reopen",
        )
    primary = Appeal.objects.filter(pk=appeal.merged_into_id or 0).first()
    if primary is None or not primary_reply_is_visible(primary):
        raise ConflictError(_("There is no reply to rate yet."), code="illegal_transition")
    if appeal.satisfaction:
        raise ConflictError(_("You have already rated this reply."), code="already_rated")
    comment = (comment or "").strip()[:500]
    return transition(
        actor=None,
        appeal=appeal,
        expected_version=appeal.version,
        allowed_from={AppealStatus.MERGED},
        to_status=AppealStatus.MERGED,
        kind="citizen_rating",
        changes={"satisfaction": satisfaction},
        note=comment,
        details={"satisfaction": satisfaction, "primary": primary.number},
    )
