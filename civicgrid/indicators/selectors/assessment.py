"""Assessment results: schemes and their ranking with every item's points and trace.

Draft schemes (provisional scores) are visible to definers and leaders; published ones to every
staff user, limited to the subjects in their scope (a district sees its own score)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from civicgrid.accounts.models import Role

from ..models import AssessmentScheme, SchemeStatus
from .access import may_define, may_view, view_scope


@dataclass(frozen=True)
class ItemRow:
    title: str
    kind: str
    weight: float
    value: float | None
    points: float
    trace: dict[str, Any]


@dataclass(frozen=True)
class ScoreRow:
    subject_code: str
    subject_name: str
    total: float
    max_total: float
    rank: int
    items: list[ItemRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject_code,
            "name": self.subject_name,
            "total": self.total,
            "max_total": self.max_total,
            "rank": self.rank,
            "items": [item.__dict__ for item in self.items],
        }


def _sees_drafts(user: Any) -> bool:
    return may_define(user) or (may_view(user) and user.role == Role.LEADER)


def schemes_visible_to(user: Any) -> QuerySet[AssessmentScheme]:
    if not may_view(user):
        return AssessmentScheme.objects.none()
    schemes = AssessmentScheme.objects.all()
    if not _sees_drafts(user):
        schemes = schemes.filter(status=SchemeStatus.PUBLISHED)
    return schemes


def scheme_results(user: Any, scheme: AssessmentScheme) -> list[ScoreRow]:
    """The ranking under ``scheme`` (subjects in the user's scope), best first."""
    if not schemes_visible_to(user).filter(pk=scheme.pk).exists():
        return []
    scope = view_scope(user)
    rows = []
    scores = scheme.scores.select_related("unit", "department__admin_unit").prefetch_related(
        "items__item"
    )
    for score in scores.order_by("rank", "pk"):
        unit = score.unit or (score.department.admin_unit if score.department else None)
        if unit is None or not (scope.is_everything or scope.covers_code(unit.code)):
            continue
        subject = score.department or score.unit
        rows.append(
            ScoreRow(
                subject_code=score.department.code if score.department else unit.code,
                subject_name=str(subject),
                total=float(score.total),
                max_total=float(score.max_total),
                rank=score.rank,
                items=[
                    ItemRow(
                        title=item_score.item.title,
                        kind=item_score.item.kind,
                        weight=float(item_score.item.weight),
                        value=item_score.value,
                        points=float(item_score.points),
                        trace=item_score.trace,
                    )
                    for item_score in sorted(
                        score.items.all(), key=lambda s: (s.item.sort_order, s.item_id)
                    )
                ],
            )
        )
    return rows
