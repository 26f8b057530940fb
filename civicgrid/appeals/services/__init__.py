"""Writes on appeals: intake and one service per workflow transition.

Every transition checks who may do it, checks the current status and the caller's
``expected_version`` (optimistic concurrency: of two people acting on the same appeal at once,
one succeeds and the other gets a ConflictError saying why), changes the appeal with one
conditional UPDATE, and writes one :class:`AppealEvent` — all in one transaction.

    accepted ─dispatch→ dispatched ─sign_for→ signed ─reply→ replied ─follow_up→ followed_up
       ↑  ↖──────return────────┘        │                  │  │                    │
       └────────────return──────────────┘                  │  └──────close─────────┤→ closed
    accepted/dispatched ─cancel→ cancelled       replied/followed_up/closed ─reopen→ dispatched

The package is split by concern (``intake``, ``workflow``, ``supervision``; shared checks in
``common``); the names below are the public surface the web, API, CLI and tests call.
"""

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
from .intake import appeal_accept, query_code_matches
from .supervision import (
    appeal_extension_decide,
    appeal_extension_request,
    appeal_urge,
    supervision_escalate,
)
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
    "REOPEN_WITHIN_DAYS",
    "SUPERVISION_ROLES",
    "TEXT_MAX",
    "TITLE_MAX",
    "appeal_accept",
    "appeal_cancel",
    "appeal_close",
    "appeal_dispatch",
    "appeal_extension_decide",
    "appeal_extension_request",
    "appeal_follow_up",
    "appeal_rate_by_citizen",
    "appeal_reopen",
    "appeal_reply",
    "appeal_return",
    "appeal_reveal_citizen",
    "appeal_sign_for",
    "appeal_urge",
    "query_code_matches",
    "suggest_departments",
    "supervision_escalate",
]
