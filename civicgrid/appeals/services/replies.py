"""Reply review (答复审核): a reviewer approves the department's reply before the citizen sees it,
lightly editing it if needed, or sends it back to the department with a reason.

``appeal_reply`` (in :mod:`.workflow`) moves a signed appeal to ``reviewing`` when
:attr:`AppealSettings.is_reply_review_required` is on. ``replied_at`` is the moment the
department submitted the reply (what "replied in time" measures); approving does not change it.

* :func:`appeal_reply_approve`: reviewing → replied; an edited text replaces the reply and the
  department's original is kept in the event's details (``original_reply``).
* :func:`appeal_reply_reject`: reviewing → signed, with the reason as the event note; the reply
  stays on the appeal as the department's draft (the citizen does not see it) and
  ``replied_at`` is cleared, so the department's handling deadline runs again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.errors import DomainError

from ..models import Appeal, AppealStatus
from .common import REASON_MIN, TEXT_MAX, clean_reason, require_role, require_scope, transition

REVIEW_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})


def clean_reply(reply: str) -> str:
    """The reply text trimmed, or a DomainError on the ``reply`` field."""
    reply = (reply or "").strip()
    if len(reply) < REASON_MIN:
        raise DomainError(_("Write the reply."), code="invalid", field="reply")
    if len(reply) > TEXT_MAX:
        raise DomainError(
            _("The reply may have at most %(max)s characters.") % {"max": TEXT_MAX},
            code="invalid",
            field="reply",
        )
    return reply


def _require_reviewer(actor: Any, appeal: Appeal) -> None:
    require_role(actor, REVIEW_ROLES, _("Only dispatchers and supervisors review replies."))
    require_scope(actor, appeal)


@transaction.atomic
def appeal_reply_approve(
    *, actor: Any, appeal: Appeal, expected_version: int, reply: str | None = None
) -> Appeal:
    """审核通过: the reply reaches the citizen (optionally lightly edited by the reviewer)."""
    _require_reviewer(actor, appeal)
    original = appeal.reply
    changes: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if reply is not None:
        edited = clean_reply(reply)
        if edited != original:
            changes["reply"] = edited
            details = {"edited": True, "original_reply": original}
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REVIEWING},
        to_status=AppealStatus.REPLIED,
        kind="reply_approve",
        changes=changes,
        department=appeal.lead_department,
        details=details,
    )


@transaction.atomic
def appeal_reply_reject(
    *, actor: Any, appeal: Appeal, expected_version: int, reason: str
) -> Appeal:
    """审核退回: the reply goes back to the department with the reason; it stays as a draft."""
    _require_reviewer(actor, appeal)
    reason = clean_reason(reason)
    return transition(
        actor=actor,
        appeal=appeal,
        expected_version=expected_version,
        allowed_from={AppealStatus.REVIEWING},
        to_status=AppealStatus.SIGNED,
        kind="reply_reject",
        changes={"replied_at": None},
        note=reason,
        department=appeal.lead_department,
        details={"rejected_reply": appeal.reply},
    )
