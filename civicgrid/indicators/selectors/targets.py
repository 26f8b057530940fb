"""Targets and their status per unit (met / on track / at risk / missed / no data) from the
aggregates' series, judged by :func:`compute.targets.assess_target`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civicgrid.territory.models import AdminLevel, AdminUnit

from ..compute.periods import parse_period
from ..compute.targets import TargetAssessment, TargetSpec, assess_target
from ..models import Indicator, Target, TargetScope
from .access import may_view, view_scope
from .values import aggregates_visible_to


@dataclass(frozen=True)
class TargetStatusRow:
    target: Target
    unit_code: str
    unit_name: str
    status: str  # compute.targets.TargetStatus value
    reason: str
    latest_value: float | None
    latest_period: str | None
    judged_value: float | None
    progress: float | None
    forecast_value: float | None
    assessment: TargetAssessment
    observations: tuple[tuple[str, float | None], ...] = ()  # (period, value) oldest first

    def as_dict(self) -> dict[str, Any]:
        target = self.target
        return {
            "target_id": target.pk,
            "indicator": target.indicator.code,
            "indicator_name": target.indicator.name,
            "name": target.name,
            "comparator": target.comparator,
            "value": float(target.value),
            "value_high": float(target.value_high) if target.value_high is not None else None,
            "deadline": target.deadline.isoformat(),
            "deadline_period": target.deadline_period,
            "scope": target.scope,
            "unit": self.unit_code,
            "unit_name": self.unit_name,
            "status": self.status,
            "reason": self.reason,
            "latest_value": self.latest_value,
            "latest_period": self.latest_period,
            "judged_value": self.judged_value,
            "progress": self.progress,
            "forecast_value": self.forecast_value,
            "source_document": target.source_document,
            "source_passage": target.source_passage,
            "plans_target_id": target.plans_target_id,
            "observations": [list(pair) for pair in self.observations],
        }


def targets_visible_to(user: Any, *, indicator: Indicator | None = None) -> QuerySet[Target]:
    if not may_view(user):
        return Target.objects.none()
    targets = Target.objects.filter(is_active=True, indicator__is_active=True).select_related(
        "indicator", "scope_unit"
    )
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    return targets


def target_spec(target: Target) -> TargetSpec:
    value: float | tuple[float, float] = float(target.value)
    if target.comparator == "range" and target.value_high is not None:
        value = (float(target.value), float(target.value_high))
    baseline = float(target.baseline_value) if target.baseline_value is not None else None
    return TargetSpec(value, target.comparator, target.deadline, baseline=baseline)


def _units_of(target: Target, districts: list[AdminUnit], user: Any) -> list[AdminUnit]:
    scope = view_scope(user)
    if target.scope == TargetScope.EACH_DISTRICT:
        return districts
    unit = target.scope_unit
    if unit is None or not scope.covers_code(unit.code):
        return []
    return [unit]


def target_statuses(
    user: Any,
    *,
    indicator: Indicator | None = None,
    unit_code: str | None = None,
    today: dt.date | None = None,
) -> list[TargetStatusRow]:
    """One row per target and unit it applies to inside the user's scope (a city target at the
    city, an each-district target at every visible district); ``unit_code`` keeps one unit."""
    today = today or timezone.localdate()
    targets = list(targets_visible_to(user, indicator=indicator))
    if not targets:
        return []
    scope = view_scope(user)
    districts = [
        unit
        for unit in AdminUnit.objects.filter(level=AdminLevel.DISTRICT).order_by("code")
        if scope.covers_code(unit.code)
    ]
    wanted: list[tuple[Target, AdminUnit, str]] = []
    for target in targets:
        period_type = parse_period(target.deadline_period).period_type.value
        for unit in _units_of(target, districts, user):
            if unit_code is None or unit.code == unit_code:
                wanted.append((target, unit, period_type))
    keys = {(t.indicator_id, p) for t, _u, p in wanted}
    units = {u.code for _t, u, _p in wanted}
    series: dict[tuple[int, str, str], list[tuple[str, float | None]]] = defaultdict(list)
    by_type: dict[str, set[int]] = defaultdict(set)
    for indicator_id, period_type in keys:
        by_type[period_type].add(indicator_id)
    for period_type, indicator_ids in by_type.items():  # one query per period type
        rows = (
            aggregates_visible_to(user)
            .filter(
                indicator_id__in=sorted(indicator_ids),
                period_type=period_type,
                unit_code__in=units,
            )
            .order_by("period_start")
            .values_list("indicator_id", "unit_code", "period", "value")
        )
        for indicator_id, code, period, value in rows:
            series[(indicator_id, period_type, code)].append((period, value))
    result = []
    for target, unit, period_type in wanted:
        observations = series.get((target.indicator_id, period_type, unit.code), [])
        assessment = assess_target(target_spec(target), observations, today=today)
        latest_period = None
        known = [(period, value) for period, value in observations if value is not None]
        if known:
            latest_period = known[-1][0]
        result.append(
            TargetStatusRow(
                target=target,
                unit_code=unit.code,
                unit_name=unit.name,
                status=assessment.status.value,
                reason=assessment.reason,
                latest_value=assessment.latest_value,
                latest_period=latest_period,
                judged_value=assessment.judged_value,
                progress=assessment.progress,
                forecast_value=assessment.forecast.value if assessment.forecast else None,
                assessment=assessment,
                observations=tuple(observations),
            )
        )
    return result
