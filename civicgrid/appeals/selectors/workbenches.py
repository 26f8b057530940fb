"""The appeals behind each workbench (工作台), all starting from the one gatekeeper
:func:`civicgrid.appeals.selectors.appeals_visible_to`; the web pages and their Excel exports
both read them, so a page and its export hold the same appeals."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ..models import (
    Appeal,
    AppealStatus,
    ExtensionRequest,
    ExtensionStatus,
    SupervisionItem,
    SupervisionStatus,
)
from . import appeals_visible_to

INBOX_STATUSES = (AppealStatus.DISPATCHED, AppealStatus.SIGNED)
# What a citizen sees of an appeal's status: the reply (and "replied") only once it reached them.
REPLY_VISIBLE_STATUSES = frozenset(
    {AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED}
)
CITIZEN_STATUS_SHOWN_AS = {AppealStatus.REVIEWING: AppealStatus.SIGNED}


def all_appeals_for(user: Any) -> QuerySet[Appeal]:
    """全部诉求: every appeal ``user`` may see."""
    return appeals_visible_to(user)


def queue_for(user: Any) -> QuerySet[Appeal]:
    """待派单: accepted appeals in the dispatcher's scope."""
    return appeals_visible_to(user).filter(status=AppealStatus.ACCEPTED)


def inbox_for(user: Any, *, all_statuses: bool = False) -> QuerySet[Appeal]:
    """部门待办: appeals the user's department leads; to sign for or to reply to unless
    ``all_statuses`` (a status filter is given)."""
    department_id = getattr(user, "department_id", None)
    if not department_id:
        return appeals_visible_to(user).none()
    appeals = appeals_visible_to(user).filter(lead_department_id=department_id)
    if not all_statuses:
        appeals = appeals.filter(status__in=INBOX_STATUSES)
    return appeals


def supervised_for(user: Any) -> QuerySet[Appeal]:
    """督办台: appeals in ``user``'s scope with at least one open supervision item; the open
    items come prefetched as ``open_supervision`` (opened first first)."""
    open_items = SupervisionItem.objects.filter(status=SupervisionStatus.OPEN)
    return (
        appeals_visible_to(user)
        .filter(Exists(open_items.filter(appeal=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "supervision",
                queryset=open_items.order_by("opened_at", "id"),
                to_attr="open_supervision",
            )
        )
    )


def pending_extensions_for(user: Any) -> QuerySet[ExtensionRequest]:
    """延期审批: pending extension requests on appeals in ``user``'s scope, oldest first."""
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionStatus.PENDING,
            appeal__in=appeals_visible_to(user).order_by().values("pk"),
        )
        .select_related("appeal", "department", "requested_by")
        .order_by("created_at", "id")
    )


def my_appeals(user: Any) -> QuerySet[Appeal]:
    """我的诉求: the appeals a signed-in citizen filed with their account (nothing for staff)."""
    if getattr(user, "role", "") != "citizen" or getattr(user, "is_superuser", False):
        return Appeal.objects.none()
    return appeals_visible_to(user)


def citizen_status(appeal: Appeal) -> str:
    """The status a citizen is shown (a reply under review still reads as being handled)."""
    return str(CITIZEN_STATUS_SHOWN_AS.get(appeal.status, appeal.status))  # type: ignore[call-overload]


def citizen_sees_reply(appeal: Appeal) -> bool:
    return appeal.status in REPLY_VISIBLE_STATUSES
