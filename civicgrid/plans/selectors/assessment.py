"""The assessment ranking (考核排名) and the records behind each score."""

from __future__ import annotations

from typing import Any

from civicgrid.accounts.models import Role

from ..models import AssessmentResult, AssessmentScheme, AssessmentStatus

RANKING_BEFORE_PUBLICATION = frozenset({Role.PROGRAMME_OFFICE, Role.ADMINISTRATOR, Role.LEADER})


def assessment_scheme(year: int) -> AssessmentScheme | None:
    return AssessmentScheme.objects.filter(year=year).first()


def assessment_ranking(
    user: Any, *, year: int, subject: str = "department"
) -> list[AssessmentResult]:
    """Results of ``year`` for departments or districts, best first, each with ``inputs``
    (weights and one row per task behind the figures). Before publication only the programme
    office, administrators and leaders see them; after it, every staff member."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active):
        return []
    scheme = assessment_scheme(year)
    if scheme is None or scheme.status == AssessmentStatus.DRAFT:
        return []
    if scheme.status != AssessmentStatus.PUBLISHED and not (
        user.is_superuser or user.role in RANKING_BEFORE_PUBLICATION
    ):
        return []
    if user.role == Role.CITIZEN and not user.is_superuser:
        return []
    return list(
        AssessmentResult.objects.filter(scheme=scheme, subject=subject)
        .select_related("department", "admin_unit")
        .order_by("rank", "name")
    )
