"""Writes on appeals: intake and one service per workflow transition.

Every transition checks who may do it, checks the current status and the caller's
``expected_version`` (optimistic concurrency: of two people acting on the same appeal at once,
one succeeds and the other gets a ConflictError saying why), changes the appeal with one
conditional UPDATE, and writes one :class:`AppealEvent` — all in one transaction.

    accepted ─dispatch→ dispatched ─sign_for→ signed ─reply→ replied ─follow_up→ followed_up
       ↑  ↖──────return────────┘        │                  │  │                    │
       └────────────return──────────────┘                  │  └──────close─────────┤→ closed
    accepted/dispatched ─cancel→ cancelled       replied/followed_up/closed ─reopen→ dispatched
    signed ─suspend→ suspended ─resume→ signed (the working days suspended extend the deadline)
    signed ─reply (review required)→ reviewing ─reply_approve→ replied
                                     reviewing ─reply_reject→ signed

When ``AppealSettings.is_reply_review_required`` is on (the default), ``reply`` goes to
``reviewing`` (答复待审核) and a dispatcher, supervisor or administrator approves it (→ replied,
the citizen sees it) or sends it back (→ signed, with a reason); see :mod:`.replies`.

The package is split by concern (``intake``, ``workflow``, ``supervision``; shared checks in
``common``); the names below are the public surface the web, API, CLI and tests call.
"""

from .attachments import (
    MAX_FILES_PER_APPEAL,
    appeal_accept_with_files,
    attachment_add,
    attachment_check,
    attachments_add,
    attachments_check,
)
from .common import (
    DISPATCH_ROLES,
    EXTENSION_DECIDE_ROLES,
    FOLLOW_UP_ROLES,
    INTAKE_ROLES,
    REOPEN_WITHIN_DAYS,
    SUPERVISION_ROLES,
    TEXT_MAX,
    TITLE_MAX,
)
from .duplicates import appeal_merge, appeal_unmerge
from .intake import appeal_accept, query_code_matches
from .replies import REVIEW_ROLES, appeal_reply_approve, appeal_reply_reject
from .supervision import (
    appeal_extension_decide,
    appeal_extension_request,
    appeal_urge,
    supervision_escalate,
)
from .suspension import appeal_resume, appeal_suspend
from .workflow import (
    appeal_cancel,
    appeal_close,
    appeal_dispatch,
    appeal_follow_up,
    appeal_rate_by_citizen,
    appeal_reopen,
    appeal_reply,
    appeal_return,
    appeal_reveal_citizen,
    appeal_sign_for,
    suggest_departments,
)

__all__ = [
    "DISPATCH_ROLES",
    "EXTENSION_DECIDE_ROLES",
    "FOLLOW_UP_ROLES",
    "INTAKE_ROLES",
    "MAX_FILES_PER_APPEAL",
    "REOPEN_WITHIN_DAYS",
    "REVIEW_ROLES",
    "SUPERVISION_ROLES",
    "TEXT_MAX",
    "TITLE_MAX",
    "appeal_accept",
    "appeal_accept_with_files",
    "appeal_cancel",
    "appeal_close",
    "appeal_dispatch",
    "appeal_extension_decide",
    "appeal_extension_request",
    "appeal_follow_up",
    "appeal_merge",
    "appeal_rate_by_citizen",
    "appeal_reopen",
    "appeal_reply",
    "appeal_reply_approve",
    "appeal_reply_reject",
    "appeal_resume",
    "appeal_return",
    "appeal_reveal_citizen",
    "appeal_sign_for",
    "appeal_suspend",
    "appeal_unmerge",
    "appeal_urge",
    "attachment_add",
    "attachment_check",
    "attachments_add",
    "attachments_check",
    "query_code_matches",
    "suggest_departments",
    "supervision_escalate",
]
