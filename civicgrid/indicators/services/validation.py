"""Validation of a submission's values against the rules (校验): comparisons between elements
(beds ≤ capacity, a rate's numerator ≤ its denominator) and sudden jumps against the previous
period. Findings replace the submission's previous ones; ``error`` findings block submission."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from ..compute.errors import ComputeError
from ..compute.expressions import parse_expression
from ..compute.periods import parse_period
from ..models import (
    DataSubmission,
    DataValue,
    RuleKind,
    RuleSeverity,
    ValidationFinding,
    ValidationRule,
)

_COMPARE = {
    "<=": lambda a, b: a <= b + 1e-9,
    ">=": lambda a, b: a + 1e-9 >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: abs(a - b) <= 1e-9,
}


def _number(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def run_validation(submission: DataSubmission) -> list[ValidationFinding]:
    """Check ``submission``'s values, store and return the findings (errors first)."""
    element_codes = set(submission.data_set.elements.values_list("code", flat=True))
    values = {
        code: float(value)
        for code, value in DataValue.objects.filter(
            unit=submission.unit, period=submission.period
        ).values_list("element__code", "value")
    }
    elements = dict(submission.data_set.elements.values_list("code", "pk"))
    rules = ValidationRule.objects.filter(
        Q(data_set__isnull=True) | Q(data_set=submission.data_set), is_active=True
    ).order_by("code")
    findings: list[ValidationFinding] = []
    for rule in rules:
        if rule.kind == RuleKind.JUMP:
            finding = _jump(rule, submission, values, elements)
        else:
            finding = _comparison(rule, submission, values, element_codes)
        if finding is not None:
            findings.append(finding)
    ValidationFinding.objects.filter(submission=submission).delete()
    findings.sort(key=lambda f: (f.severity != RuleSeverity.ERROR, f.message))
    ValidationFinding.objects.bulk_create(findings)
    return findings


def _comparison(
    rule: ValidationRule,
    submission: DataSubmission,
    values: dict[str, float],
    element_codes: set[str],
) -> ValidationFinding | None:
    try:
        left = parse_expression(rule.left)
        right = parse_expression(rule.right)
    except ComputeError:
        return None
    if not (set(left.codes) | set(right.codes)) & element_codes:
        return None
    left_value = left.evaluate(values).value
    right_value = right.evaluate(values).value
    if left_value is None or right_value is None:
        return None
    if _COMPARE[rule.operator](left_value, right_value):
        return None
    return ValidationFinding(
        submission=submission,
        rule=rule,
        severity=rule.severity,
        message=(
            _("%(rule)s: %(left)s %(operator)s %(right)s does not hold.")
            % {
                "rule": rule.name,
                "left": _number(left_value),
                "operator": rule.get_operator_display(),
                "right": _number(right_value),
            }
        )[:400],
        left_value=left_value,
        right_value=right_value,
    )


def _jump(
    rule: ValidationRule,
    submission: DataSubmission,
    values: dict[str, float],
    elements: dict[str, int],
) -> ValidationFinding | None:
    code = rule.left
    if code not in elements or code not in values or rule.jump_percent is None:
        return None
    previous = parse_period(submission.period).previous().code
    before = (
        DataValue.objects.filter(element_id=elements[code], unit=submission.unit, period=previous)
        .values_list("value", flat=True)
        .first()
    )
    if before is None or before == 0:
        return None
    now = values[code]
    change = (now - float(before)) / float(before) * 100
    if abs(change) <= float(rule.jump_percent):
        return None
    return ValidationFinding(
        submission=submission,
        rule=rule,
        element_id=elements[code],
        severity=rule.severity,
        message=(
            _("%(rule)s: %(now)s against %(before)s in %(previous)s (%(change)s%%).")
            % {
                "rule": rule.name,
                "now": _number(now),
                "before": _number(float(before)),
                "previous": previous,
                "change": f"{change:+.1f}",
            }
        )[:400],
        left_value=now,
        right_value=float(before),
    )
