"""Definitions: data elements, indicators, data sets, validation rules and targets.

Changed by the programme office or an administrator of the whole city (``actor=None`` for the
demo loader and console commands); every change is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

from ..compute.expressions import validate_expression
from ..compute.periods import PeriodType
from ..models import (
    AggregationType,
    Comparator,
    DataElement,
    DataSet,
    Direction,
    ElementSource,
    Indicator,
    IndicatorKind,
    RuleKind,
    RuleOperator,
    RuleSeverity,
    Target,
    TargetScope,
    ValidationRule,
)
from .common import parse_any_period, require_definer
from .errors import InvalidInput

_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


def _check_code(code: str, model: Any, *, instance_pk: int | None = None) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise InvalidInput(
            _("A code has 1 to 40 letters, digits, “_”, “.” or “-” (got “%(code)s”).")
            % {"code": code[:50]},
            field="code",
        )
    others = model.objects.filter(code=code)
    if instance_pk is not None:
        others = others.exclude(pk=instance_pk)
    if others.exists():
        raise InvalidInput(_("The code “%(code)s” is taken.") % {"code": code}, field="code")
    return code


def _check_choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            field=field,
        )
    return value


def _check_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give a name."), field=field)
    return name


def _check_expression(text: str, field: str, *, required: bool) -> str:
    text = (text or "").strip()
    if not text:
        if required:
            raise InvalidInput(_("Give an expression, e.g. #{RESIDENTS}."), field=field)
        return ""
    known = list(DataElement.objects.values_list("code", flat=True))
    problems = validate_expression(text, known_codes=known)
    if problems:
        raise InvalidInput("; ".join(problems), field=field)
    return text


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value).strip())
    except ArithmeticError:
        raise InvalidInput(
            _("“%(value)s” is not a number.") % {"value": value}, field=field
        ) from None
    if not result.is_finite():
        raise InvalidInput(_("“%(value)s” is not a number.") % {"value": value}, field=field)
    return result


@transaction.atomic
def element_create(
    *,
    actor: Any,
    code: str,
    name: str,
    source: str = ElementSource.REPORTED,
    computed_source: str = "",
    aggregation: str = AggregationType.SUM,
    unit_label: str = "",
    is_integer: bool = False,
    min_value: Any = 0,
    max_value: Any = None,
    description: str = "",
) -> DataElement:
    """数据元: a new computed or reported data element."""
    from .computed import COMPUTED_SOURCES

    require_definer(actor)
    code = _check_code(code, DataElement)
    _check_choice(source, ElementSource, "source")
    _check_choice(aggregation, AggregationType, "aggregation")
    computed_source = (computed_source or "").strip()
    if source == ElementSource.COMPUTED:
        if computed_source not in COMPUTED_SOURCES:
            raise InvalidInput(
                _("Unknown computed figure “%(source)s”; choose one of: %(choices)s.")
                % {"source": computed_source, "choices": ", ".join(sorted(COMPUTED_SOURCES))},
                field="computed_source",
            )
    elif computed_source:
        raise InvalidInput(
            _("Only computed elements name a computed figure."), field="computed_source"
        )
    low, high = _decimal(min_value, "min_value"), _decimal(max_value, "max_value")
    if low is not None and high is not None and low > high:
        raise InvalidInput(_("The lowest value is above the highest."), field="max_value")
    element = DataElement.objects.create(
        code=code,
        name=_check_name(name),
        source=source,
        computed_source=computed_source,
        aggregation=aggregation,
        unit_label=unit_label.strip(),
        is_integer=is_integer,
        min_value=low,
        max_value=high,
        description=description.strip(),
    )
    audit_record(actor=actor, action="indicators.element_create", target=element)
    return element


@transaction.atomic
def indicator_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    numerator: str,
    denominator: str = "",
    direction: str = Direction.HIGHER_IS_BETTER,
    unit_label: str = "",
    theme: str = "",
    short_name: str = "",
    description: str = "",
    source_document: str = "",
    source_passage: str = "",
    plans_target_id: int | None = None,
    decimals: int = 2,
    sort_order: int = 0,
) -> Indicator:
    """指标: a new indicator; its expressions may use only existing data-element codes."""
    require_definer(actor)
    indicator = Indicator(
        code=_check_code(code, Indicator),
        name=_check_name(name),
        kind=_check_choice(kind, IndicatorKind, "kind"),
        direction=_check_choice(direction, Direction, "direction"),
        unit_label=unit_label.strip(),
        theme=theme.strip(),
        short_name=short_name.strip(),
        description=description.strip(),
        source_document=source_document.strip(),
        source_passage=source_passage.strip(),
        plans_target_id=plans_target_id,
        decimals=decimals,
        sort_order=sort_order,
    )
    _set_expressions(indicator, numerator, denominator)
    indicator.save()
    audit_record(actor=actor, action="indicators.indicator_create", target=indicator)
    return indicator


def _set_expressions(indicator: Indicator, numerator: str, denominator: str) -> None:
    indicator.numerator = _check_expression(numerator, "numerator", required=True)
    indicator.denominator = _check_expression(
        denominator, "denominator", required=indicator.is_ratio
    )
    if not indicator.is_ratio and indicator.denominator:
        raise InvalidInput(_("Counts and amounts have no denominator."), field="denominator")


_INDICATOR_FIELDS = frozenset(
    {
        "name",
        "short_name",
        "theme",
        "kind",
        "unit_label",
        "numerator",
        "denominator",
        "direction",
        "decimals",
        "description",
        "source_document",
        "source_passage",
        "plans_target_id",
        "sort_order",
        "is_active",
    }
)


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, **changes: Any) -> Indicator:
    """Change an indicator's fields; new expressions refresh its aggregates."""
    from .aggregates import aggregates_refresh

    require_definer(actor)
    unknown = set(changes) - _INDICATOR_FIELDS
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = {name: getattr(indicator, name) for name in changes}
    for name, value in changes.items():
        if name in {"kind"}:
            _check_choice(value, IndicatorKind, name)
        if name == "direction":
            _check_choice(value, Direction, name)
        if name == "name":
            value = _check_name(value)
        if name not in {"numerator", "denominator"}:
            setattr(indicator, name, value)
    formula_changed = {"numerator", "denominator", "kind"} & set(changes)
    if formula_changed:
        _set_expressions(
            indicator,
            changes.get("numerator", indicator.numerator),
            changes.get("denominator", indicator.denominator),
        )
    indicator.save()
    audit_record(
        actor=actor,
        action="indicators.indicator_update",
        target=indicator,
        details={"before": {k: str(v) for k, v in before.items()}},
    )
    if formula_changed:
        aggregates_refresh(reason="indicator_update", indicator_ids=[indicator.pk])
    return indicator


@transaction.atomic
def data_set_create(
    *,
    actor: Any,
    code: str,
    name: str,
    period_type: str,
    element_codes: Iterable[str],
    unit_codes: Iterable[str] = (),
    unit_level: str = "",
    unit_parent_code: str = "",
    department_codes: Iterable[str] = (),
    department_report_level: str = AdminLevel.DISTRICT,
    due_days: int = 15,
    reminder_days: int = 3,
    first_period: str = "",
    last_period: str = "",
) -> DataSet:
    """数据集: the elements some units or departments report each period.

    Units are named by code (``unit_codes``) and/or all units of ``unit_level`` (under
    ``unit_parent_code`` if given) are assigned."""
    require_definer(actor)
    code = _check_code(code, DataSet)
    if period_type not in {p.value for p in PeriodType}:
        raise InvalidInput(
            _("The period type is yearly, quarterly or monthly."), field="period_type"
        )
    codes = [c.strip() for c in element_codes if c and c.strip()]
    elements = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in elements]
    if missing:
        raise InvalidInput(
            _("Unknown data elements: %(codes)s.") % {"codes": ", ".join(missing)},
            field="element_codes",
        )
    computed = [c for c in codes if elements[c].source == ElementSource.COMPUTED]
    if computed:
        raise InvalidInput(
            _("Computed data elements are not reported: %(codes)s.")
            % {"codes": ", ".join(computed)},
            field="element_codes",
        )
    if not codes:
        raise InvalidInput(_("A data set needs at least one data element."), field="element_codes")
    wanted_units = [c.strip() for c in unit_codes if c and c.strip()]
    units = {u.code: u for u in AdminUnit.objects.filter(code__in=wanted_units)}
    missing = [c for c in wanted_units if c not in units]
    if missing:
        raise InvalidInput(
            _("Unknown admin units: %(codes)s.") % {"codes": ", ".join(missing)},
            field="unit_codes",
        )
    if unit_level:
        _check_choice(unit_level, AdminLevel, "unit_level")
        level_units = AdminUnit.objects.filter(level=unit_level)
        if unit_parent_code:
            level_units = level_units.filter(code__startswith=unit_parent_code)
        units.update({u.code: u for u in level_units})
    wanted_departments = [c.strip() for c in department_codes if c and c.strip()]
    departments = list(Department.objects.filter(code__in=wanted_departments))
    if len(departments) != len(set(wanted_departments)):
        found = {d.code for d in departments}
        raise InvalidInput(
            _("Unknown departments: %(codes)s.")
            % {"codes": ", ".join(c for c in wanted_departments if c not in found)},
            field="department_codes",
        )
    _check_choice(department_report_level, AdminLevel, "department_report_level")
    for field, value in (("first_period", first_period), ("last_period", last_period)):
        if value:
            period = parse_any_period(value, field=field)
            if period.period_type != PeriodType(period_type):
                raise InvalidInput(
                    _("Period %(period)s is not of the data set's period type.")
                    % {"period": value},
                    field=field,
                )
    data_set = DataSet.objects.create(
        code=code,
        name=_check_name(name),
        period_type=period_type,
        department_report_level=department_report_level,
        due_days=due_days,
        reminder_days=reminder_days,
        first_period=first_period,
        last_period=last_period,
    )
    data_set.elements.set(elements.values())
    data_set.units.set(units.values())
    data_set.departments.set(departments)
    audit_record(
        actor=actor,
        action="indicators.data_set_create",
        target=data_set,
        details={"elements": codes, "units": len(units), "departments": len(departments)},
    )
    return data_set


@transaction.atomic
def validation_rule_create(
    *,
    actor: Any,
    code: str,
    name: str,
    left: str,
    operator: str = RuleOperator.LESS_EQUAL,
    right: str = "",
    kind: str = RuleKind.COMPARISON,
    jump_percent: Any = None,
    severity: str = RuleSeverity.ERROR,
    data_set: DataSet | None = None,
) -> ValidationRule:
    """校验规则: ``left operator right`` over element codes, or a jump rule on one element."""
    require_definer(actor)
    code = _check_code(code, ValidationRule)
    _check_choice(kind, RuleKind, "kind")
    _check_choice(severity, RuleSeverity, "severity")
    if kind == RuleKind.JUMP:
        left = (left or "").strip()
        if not DataElement.objects.filter(code=left).exists():
            raise InvalidInput(_("Unknown data element “%(code)s”.") % {"code": left}, field="left")
        percent = _decimal(jump_percent, "jump_percent")
        if percent is None or percent <= 0:
            raise InvalidInput(
                _("Give the largest allowed change in percent (above 0)."), field="jump_percent"
            )
        right = ""
    else:
        _check_choice(operator, RuleOperator, "operator")
        left = _check_expression(left, "left", required=True)
        right = _check_expression(right, "right", required=True)
        percent = None
    rule = ValidationRule.objects.create(
        code=code,
        name=_check_name(name),
        data_set=data_set,
        kind=kind,
        left=left,
        operator=operator,
        right=right,
        jump_percent=percent,
        severity=severity,
    )
    audit_record(actor=actor, action="indicators.rule_create", target=rule)
    return rule


@transaction.atomic
def target_create(
    *,
    actor: Any,
    indicator: Indicator,
    value: Any,
    deadline_period: str,
    comparator: str = Comparator.AT_LEAST,
    scope: str = TargetScope.CITY,
    scope_unit: AdminUnit | None = None,
    value_high: Any = None,
    baseline_value: Any = None,
    baseline_period: str = "",
    plans_target_id: int | None = None,
    name: str = "",
    source_document: str = "",
    source_passage: str = "",
    deadline: dt.date | None = None,
) -> Target:
    """目标值: ``indicator`` ``comparator`` ``value`` by ``deadline_period`` (its last day unless
    ``deadline`` is given), for the city, each district or one unit."""
    require_definer(actor)
    _check_choice(comparator, Comparator, "comparator")
    _check_choice(scope, TargetScope, "scope")
    number = _decimal(value, "value")
    if number is None:
        raise InvalidInput(_("Give the target value."), field="value")
    high = _decimal(value_high, "value_high")
    if comparator == Comparator.RANGE and (high is None or high < number):
        raise InvalidInput(
            _("A range needs an upper value at or above the lower one."), field="value_high"
        )
    period = parse_any_period(deadline_period, field="deadline_period")
    if baseline_period:
        parse_any_period(baseline_period, field="baseline_period")
    if scope == TargetScope.CITY and scope_unit is None:
        scope_unit = AdminUnit.objects.filter(parent__isnull=True).order_by("code").first()
    if scope == TargetScope.UNIT and scope_unit is None:
        raise InvalidInput(_("Choose the unit the target is for."), field="scope_unit")
    if scope == TargetScope.EACH_DISTRICT:
        scope_unit = None
    target = Target.objects.create(
        indicator=indicator,
        name=(name or "").strip(),
        comparator=comparator,
        value=number,
        value_high=high,
        deadline=deadline or period.end,
        deadline_period=period.code,
        scope=scope,
        scope_unit=scope_unit,
        baseline_value=_decimal(baseline_value, "baseline_value"),
        baseline_period=baseline_period,
        plans_target_id=plans_target_id,
        source_document=source_document.strip(),
        source_passage=source_passage.strip(),
        created_by=actor if actor is not None else None,
    )
    audit_record(actor=actor, action="indicators.target_create", target=target)
    return target
