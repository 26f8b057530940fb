"""Reads around replies (答复): what the citizen may see of a reply, the reviewers' work list,
the department's rejected replies, reply templates and the public board (答复公开栏).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format

from civicgrid.accounts.models import Role
from civicgrid.core.redaction import strip_personal_data
from civicgrid.territory.models import AdminLevel, AdminUnit

from .. import clock
from ..models import Appeal, AppealEvent, AppealStatus, Category, ReplyTemplate
from . import appeals_public, appeals_visible_to

# The reply has reached the citizen (approved, or sent without review).
CITIZEN_REPLY_STATUSES = frozenset(
    {AppealStatus.REPLIED, AppealStatus.FOLLOWED_UP, AppealStatus.CLOSED}
)
BOARD_STATUSES = CITIZEN_REPLY_STATUSES
REVIEWER_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Events that decide whether the department's last reply was sent back (审核退回).
_REVIEW_KINDS = ("sign_for", "reply", "reply_approve", "reply_reject")


def reply_for_citizen(appeal: Appeal) -> str:
    """The reply as the citizen may see it: empty while it waits for review, after it was
    sent back (a draft) and while the appeal is handled again after reopening."""
    return appeal.reply if appeal.status in CITIZEN_REPLY_STATUSES else ""


def is_internal_review_step(event: AppealEvent) -> bool:
    """答复审核 happens inside the administration: the citizen's timeline shows the reply when
    it reaches them (approval, or a reply sent without review), not drafts or rejections."""
    if event.kind == "reply_reject":
        return True
    return event.kind == "reply" and event.to_status == AppealStatus.REVIEWING


def replies_to_review(user: Any) -> QuerySet[Appeal]:
    """待审核答复: appeals in the reviewer's scope whose reply waits for review, oldest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    if not (user.is_superuser or user.role in REVIEWER_ROLES):
        return Appeal.objects.none()
    return (
        appeals_visible_to(user).filter(status=AppealStatus.REVIEWING).order_by("replied_at", "id")
    )


def with_review_rejection(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Annotate ``review_rejection``: the reviewer's reason when the department's last reply was
    sent back (审核退回) and the appeal is signed for again, else ``None`` (no extra query)."""
    last = AppealEvent.objects.filter(appeal=OuterRef("pk"), kind__in=_REVIEW_KINDS).order_by(
        "-at", "-id"
    )
    return appeals.annotate(
        last_review_kind=Subquery(last.values("kind")[:1]),
        last_review_note=Subquery(last.values("note")[:1]),
    )


def review_rejection(appeal: Appeal) -> str:
    """The reason of the rejection annotated by :func:`with_review_rejection` (or "")."""
    if appeal.status != AppealStatus.SIGNED:
        return ""
    if getattr(appeal, "last_review_kind", None) != "reply_reject":
        return ""
    return str(getattr(appeal, "last_review_note", "") or "")


def last_review_rejection(appeal: Appeal) -> str:
    """The reason of the current rejection of one appeal (one query), else ""."""
    if appeal.status != AppealStatus.SIGNED:
        return ""
    event = (
        AppealEvent.objects.filter(appeal=appeal, kind__in=_REVIEW_KINDS)
        .order_by("-at", "-id")
        .only("kind", "note")
        .first()
    )
    return event.note if event is not None and event.kind == "reply_reject" else ""


# ---------------------------------------------------------------- templates (答复模板)


def reply_templates_for(appeal: Appeal) -> list[ReplyTemplate]:
    """Active templates for the appeal: of its category or an ancestor (or of no category),
    for its type or any type; the most specific category first, then by name."""
    chain: list[int] = []
    node: Category | None = appeal.category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    depth = {pk: index for index, pk in enumerate(chain)}
    templates = ReplyTemplate.objects.filter(
        Q(category_id__in=chain) | Q(category__isnull=True),
        Q(appeal_type=appeal.appeal_type) | Q(appeal_type=""),
        is_active=True,
    )
    return sorted(
        templates,
        key=lambda template: (
            depth.get(template.category_id, len(chain)) if template.category_id else len(chain),
            template.appeal_type == "",
            template.name,
            template.pk,
        ),
    )


_PLACEHOLDER = re.compile(r"\{(number|category|department|date|title)\}")


def fill_reply_template(body: str, appeal: Appeal, *, today: dt.date | None = None) -> str:
    """The template text with ``{number}``, ``{category}``, ``{department}``, ``{date}`` (today,
    in the active language's date format) and ``{title}`` filled in; other braces are kept."""
    values = {
        "number": appeal.number,
        "category": appeal.category.name if appeal.category else "",
        "department": appeal.lead_department.name if appeal.lead_department else "",
        "date": date_format(today or clock.today()),
        "title": appeal.title,
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], body)


# ---------------------------------------------------------------- public board (答复公开栏)


def board_appeals(*, district: str = "", category: Category | None = None) -> QuerySet[Appeal]:
    """Replied appeals whose citizen agreed to publication (not confidential, not cancelled),
    newest reply first; optionally in one district (6-digit code) and one category (or its
    sub-categories)."""
    appeals = appeals_public().filter(
        is_public_consent=True, status__in=BOARD_STATUSES, merged_into__isnull=True
    )
    if district:
        appeals = appeals.filter(admin_unit_code__startswith=district)
    if category is not None:
        appeals = appeals.filter(Q(category=category) | Q(category__parent=category))
    return appeals.order_by(F("replied_at").desc(nulls_last=True), "-id")


@dataclass(frozen=True)
class BoardEntry:
    """One appeal as the public board shows it: no personal data, no precise place."""

    number: str
    category: str
    district: str
    street: str
    title: str
    text: str
    reply: str
    replied_at: dt.datetime | None
    status_label: str


def board_entries(appeals: list[Appeal]) -> list[BoardEntry]:
    """The board's view of ``appeals`` (one query for the district and street names)."""
    codes = {code for appeal in appeals for code in _place_codes(appeal.admin_unit_code) if code}
    names = dict(AdminUnit.objects.filter(code__in=codes).values_list("code", "name"))
    entries = []
    for appeal in appeals:
        district_code, street_code = _place_codes(appeal.admin_unit_code)
        private = [appeal.citizen_name]
        entries.append(
            BoardEntry(
                number=appeal.number,
                category=appeal.category.name if appeal.category else "",
                district=names.get(district_code, ""),
                street=names.get(street_code, ""),
                title=strip_personal_data(appeal.title, names=private),
                text=strip_personal_data(appeal.text, names=private),
                reply=strip_personal_data(appeal.reply, names=private),
                replied_at=appeal.replied_at,
                status_label=str(appeal.get_status_display()),
            )
        )
    return entries


def _place_codes(code: str) -> tuple[str, str]:
    """(district code, street code) of a division code ("" where the code is shorter)."""
    return (code[:6] if len(code) >= 6 else "", code[:9] if len(code) >= 9 else "")


def board_districts() -> list[AdminUnit]:
    """Districts to filter the board by."""
    return list(AdminUnit.objects.filter(level=AdminLevel.DISTRICT).order_by("code"))


def board_categories() -> list[Category]:
    """First-level categories to filter the board by."""
    return list(Category.objects.filter(parent__isnull=True, is_active=True).order_by("code"))
