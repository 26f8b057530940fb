"""Reads of record linkage: the review queue of link candidates, for the user who may decide.

Only administrators and the programme office see the queue (:func:`may_review_links`), and only
candidates whose person lies inside their scope. Values are shown masked (name, phone, address,
birth year only); the queue never shows an ID number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from civicgrid.accounts.selectors import scope_of
from civicgrid.core.masking import mask_middle, mask_name, mask_phone

from ..models import LinkCandidate, Person, ReviewStatus
from .services import LINKAGE_ROLES, row_value


def _is_reviewer(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role in LINKAGE_ROLES)
    )


def link_candidates_visible_to(
    user: Any, *, status: str | None = ReviewStatus.OPEN
) -> QuerySet[LinkCandidate]:
    """Link candidates ``user`` may see and decide (open ones by default), best first."""
    if not _is_reviewer(user):
        return LinkCandidate.objects.none()
    scope = scope_of(user)
    candidates = LinkCandidate.objects.select_related(
        "person__current_address", "source_record__source"
    ).annotate(
        open_for_row=Count(
            "source_record__link_candidates",
            filter=Q(source_record__link_candidates__status=ReviewStatus.OPEN),
        )
    )
    if status:
        candidates = candidates.filter(status=status)
    if scope.code is not None:
        candidates = candidates.filter(admin_unit_code__startswith=scope.code)
    elif not scope.is_everything:
        return LinkCandidate.objects.none()
    return candidates.order_by("-match_probability", "pk")


def link_candidate_visible_to(user: Any, pk: int) -> LinkCandidate | None:
    """One candidate (any status) if ``user`` may see it, else ``None`` (callers answer 404)."""
    return link_candidates_visible_to(user, status=None).filter(pk=pk).first()


def _mask_address(value: str) -> str:
    text = (value or "").strip()
    return mask_middle(text, min(9, len(text) // 2), 0) if text else ""


@dataclass(frozen=True)
class Side:
    """One side of a candidate as the review page shows it (masked)."""

    name: str
    phone: str
    birth_year: str
    address: str


@dataclass(frozen=True)
class CandidateView:
    candidate: LinkCandidate
    row: Side
    person: Side
    source_name: str
    other_open: int  # other open candidates of the same row


def _person_side(person: Person) -> Side:
    current = person.current_address
    address = current.full_text if current is not None else ""
    return Side(
        name=mask_name(person.name),
        phone=mask_phone(person.phone) if person.phone else "",
        birth_year=str(person.birth_date.year) if person.birth_date else "",
        address=_mask_address(address or person.registered_address),
    )


def _row_side(fields: dict[str, Any]) -> Side:
    birth = row_value(fields, "birth_date")
    phone = row_value(fields, "phone")
    return Side(
        name=mask_name(row_value(fields, "name")),
        phone=mask_phone(phone) if phone else "",
        birth_year=birth[:4] if birth[:4].isdigit() else "",
        address=_mask_address(row_value(fields, "address")),
    )


def candidate_view(candidate: LinkCandidate) -> CandidateView:
    """Both sides of a candidate from :func:`link_candidates_visible_to`, masked (no query)."""
    record = candidate.source_record
    fields = record.fields if isinstance(record.fields, dict) else {}
    open_for_row = int(getattr(candidate, "open_for_row", 0) or 0)
    is_open = candidate.status == ReviewStatus.OPEN
    return CandidateView(
        candidate=candidate,
        row=_row_side(fields),
        person=_person_side(candidate.person),
        source_name=str(record.source),
        other_open=max(0, open_for_row - (1 if is_open else 0)),
    )
