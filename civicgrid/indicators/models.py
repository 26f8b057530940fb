"""Indicators (指标), reporting (数据填报), targets (目标值), assessment (考核) and the
precomputed aggregates the dashboards read.

Shape (DHIS2-like):

* :class:`DataElement` — one raw figure, either **computed** from CivicGrid's own data (the
  registry, appeals, plans selectors; ``computed_source`` names which figure) or **reported**
  through a :class:`DataSet`.
* :class:`Indicator` — numerator / denominator expressions over data-element codes
  (``#{RESIDENTS}`` style is not needed: plain codes, see the compute package), a kind that
  fixes the factor (percentage ×100, per 1,000, per 10,000, count, amount, index), a direction
  and the policy passage it comes from.
* :class:`DataValue` — the value of one element for one admin unit and one period (DHIS2
  period codes: ``2015``, ``2015Q1``, ``201503``). Reported values belong to a
  :class:`DataSubmission` (data set × unit × period) that moves bottom-up through approval
  community → street → district → city; an approved submission locks its values.
* :class:`IndicatorAggregate` — indicator × unit × period with numerator, denominator and value,
  rolled up the unit tree (ratios recomputed from summed numerator and denominator), refreshed
  by :func:`civicgrid.indicators.services.aggregates.aggregates_refresh` after approval, import
  or recompute (never by signals).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import BaseModel
from civicgrid.territory.models import AdminLevel, AdminUnit, Department

# ---------------------------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------------------------


class PeriodType(models.TextChoices):
    # the strings of civicgrid.indicators.compute.periods.PeriodType
    YEARLY = "yearly", _("yearly")  # 年度, period code 2015
    QUARTERLY = "quarterly", _("quarterly")  # 季度, period code 2015Q1
    MONTHLY = "monthly", _("monthly")  # 月度, period code 201503


class ElementSource(models.TextChoices):
    COMPUTED = "computed", _("computed")  # 系统计算: from CivicGrid's own data
    REPORTED = "reported", _("reported")  # 填报: entered or imported through a data set


class AggregationType(models.TextChoices):
    SUM = "sum", _("sum")  # 求和: counts and flows add up over units and sub-periods
    LAST = "last", _("last value")  # 期末值: stocks (residents, beds) take the last sub-period
    AVERAGE = "average", _("average")  # 平均: over sub-periods (summed over units)


class DataElement(BaseModel):
    """数据元: one raw figure per admin unit and period (computed or reported)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=ElementSource.choices, default=ElementSource.REPORTED
    )
    computed_source = models.CharField(
        _("computed from"),
        max_length=60,
        blank=True,
        help_text=_("For computed elements: which CivicGrid figure, e.g. registry.residents."),
    )
    aggregation = models.CharField(
        _("aggregation"),
        max_length=12,
        choices=AggregationType.choices,
        default=AggregationType.SUM,
    )
    unit_label = models.CharField(_("unit of measure"), max_length=20, blank=True)
    is_integer = models.BooleanField(_("whole numbers only"), default=False)
    min_value = models.DecimalField(
        _("lowest allowed value"), max_digits=20, decimal_places=4, null=True, blank=True, default=0
    )
    max_value = models.DecimalField(
        _("highest allowed value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source="computed") | ~models.Q(computed_source=""),
                name="indicators_element_computed_has_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class IndicatorKind(models.TextChoices):
    PERCENTAGE = "percentage", _("percentage")  # 百分比: numerator / denominator × 100
    PER_THOUSAND = "per_thousand", _("per 1,000")  # 每千人: × 1,000
    PER_TEN_THOUSAND = "per_ten_thousand", _("per 10,000")  # 每万人: × 10,000
    COUNT = "count", _("count")  # 数量: numerator only
    AMOUNT = "amount", _("amount")  # 金额/数额: numerator only
    INDEX = "index", _("index")  # 指数: numerator / denominator (factor 1)


KIND_FACTOR = {
    IndicatorKind.PERCENTAGE: 100,
    IndicatorKind.PER_THOUSAND: 1000,
    IndicatorKind.PER_TEN_THOUSAND: 10000,
    IndicatorKind.COUNT: 1,
    IndicatorKind.AMOUNT: 1,
    IndicatorKind.INDEX: 1,
}
RATIO_KINDS = frozenset(
    {
        IndicatorKind.PERCENTAGE,
        IndicatorKind.PER_THOUSAND,
        IndicatorKind.PER_TEN_THOUSAND,
        IndicatorKind.INDEX,
    }
)


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("higher is better")  # 越高越好
    LOWER_IS_BETTER = "lower", _("lower is better")  # 越低越好


class Indicator(BaseModel):
    """指标: numerator / denominator over data elements, with kind, direction and source policy."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    theme = models.CharField(
        _("theme"), max_length=60, blank=True, db_index=True, help_text=_("e.g. 养老, 社工, 诉求")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    unit_label = models.CharField(_("unit of measure"), max_length=20, blank=True)
    numerator = models.CharField(_("numerator"), max_length=500)
    denominator = models.CharField(
        _("denominator"),
        max_length=500,
        blank=True,
        help_text=_("Leave empty for counts and amounts."),
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=2)
    description = models.TextField(_("description"), blank=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_passage = models.TextField(_("source passage"), blank=True)
    plans_target_id = models.PositiveBigIntegerField(
        _("plans target id"),
        null=True,
        blank=True,
        help_text=_("The target extracted from a policy document in the plans module."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def factor(self) -> int:
        return KIND_FACTOR[IndicatorKind(self.kind)]

    @property
    def is_ratio(self) -> bool:
        return self.kind in RATIO_KINDS


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


class DataSet(BaseModel):
    """数据集 / 报表: the elements a unit or department reports each period."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    elements = models.ManyToManyField(
        DataElement, verbose_name=_("data elements"), related_name="data_sets", blank=True
    )
    units = models.ManyToManyField(
        AdminUnit,
        verbose_name=_("reporting admin units"),
        related_name="+",
        blank=True,
        help_text=_("Units that report this data set for themselves."),
    )
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("reporting departments"),
        related_name="+",
        blank=True,
        help_text=_("Departments that report for the units of their area at the level below."),
    )
    department_report_level = models.CharField(
        _("level departments report at"),
        max_length=12,
        choices=AdminLevel.choices,
        default=AdminLevel.DISTRICT,
    )
    first_period = models.CharField(_("first period"), max_length=8, blank=True)
    last_period = models.CharField(_("last period"), max_length=8, blank=True)
    due_days = models.PositiveSmallIntegerField(_("due (days after the period ends)"), default=15)
    reminder_days = models.PositiveSmallIntegerField(
        _("remind (days before the due date)"), default=3
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SubmissionStatus(models.TextChoices):
    OPEN = "open", _("open")  # 填报中: the reporting unit enters or changes values
    SUBMITTED = "submitted", _("submitted")  # 已上报: locked for the reporter, awaiting approval
    APPROVED_STREET = "approved_street", _("approved by street")  # 街道已审核
    APPROVED_DISTRICT = "approved_district", _("approved by district")  # 区已审核
    APPROVED_CITY = "approved_city", _("approved by city")  # 市已审核 (final)
    RETURNED = "returned", _("returned")  # 已退回: sent back with a reason; correct and resubmit


APPROVED_STATUSES = frozenset(
    {
        SubmissionStatus.APPROVED_STREET,
        SubmissionStatus.APPROVED_DISTRICT,
        SubmissionStatus.APPROVED_CITY,
    }
)
EDITABLE_STATUSES = frozenset({SubmissionStatus.OPEN, SubmissionStatus.RETURNED})
# The approval status reached when an approver at this level approves.
APPROVAL_STATUS_BY_LEVEL = {
    AdminLevel.STREET: SubmissionStatus.APPROVED_STREET,
    AdminLevel.DISTRICT: SubmissionStatus.APPROVED_DISTRICT,
    AdminLevel.CITY: SubmissionStatus.APPROVED_CITY,
}


class DataSubmission(BaseModel):
    """数据上报: one data set for one unit and one period, moving up the approval chain."""

    data_set = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="submissions"
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    period = models.CharField(_("period"), max_length=8)
    department = models.ForeignKey(
        Department,
        verbose_name=_("reporting department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.OPEN
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("data submission")
        verbose_name_plural = _("data submissions")
        ordering = ["data_set__code", "period", "unit_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "unit", "period"], name="indicators_submission_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "period"], name="indicators_sub_status")]

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.unit_code} {self.period}"

    @property
    def admin_unit_code(self) -> str:
        return self.unit_code

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_approved(self) -> bool:
        return self.status in APPROVED_STATUSES


class SubmissionEventKind(models.TextChoices):
    OPEN = "open", _("opened")  # 开始填报
    EDIT = "edit", _("values saved")  # 保存数据
    IMPORT = "import", _("imported")  # Excel 导入
    SUBMIT = "submit", _("submitted")  # 上报
    APPROVE = "approve", _("approved")  # 审核通过
    RETURN = "return", _("returned")  # 退回
    COMMENT = "comment", _("comment")  # 批注
    REMINDER = "reminder", _("reminder")  # 催报


class SubmissionEvent(models.Model):
    """上报过程: one row per transition, save, import, comment and reminder of a submission."""

    submission = models.ForeignKey(
        DataSubmission,
        verbose_name=_("data submission"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SubmissionEventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind} {self.from_status}→{self.to_status}"


class ValueOrigin(models.TextChoices):
    COMPUTED = "computed", _("computed")  # 系统计算 (recompute service)
    ENTERED = "entered", _("entered")  # 在线填报
    IMPORTED = "imported", _("imported")  # Excel / CSV / JSON 导入


class DataValue(BaseModel):
    """数据值: one element for one admin unit and one period."""

    element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    period = models.CharField(_("period"), max_length=8)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    comment = models.TextField(_("comment"), blank=True)
    submission = models.ForeignKey(
        DataSubmission,
        verbose_name=_("data submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="values",
    )
    origin = models.CharField(_("origin"), max_length=12, choices=ValueOrigin.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["element__code", "period", "unit_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["element", "unit", "period"], name="indicators_value_unique"
            )
        ]
        indexes = [
            models.Index(fields=["element", "period"], name="indicators_value_el_period"),
            # A period's values of a subtree (unit_code LIKE '440402001%'): the export and
            # the reporting screens; pattern operators so the prefix match uses the index.
            models.Index(
                fields=["period", "unit_code"],
                name="indicators_value_period_unit",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element_id} {self.unit_code} {self.period} = {self.value}"

    @property
    def admin_unit_code(self) -> str:
        return self.unit_code


class RuleKind(models.TextChoices):
    COMPARISON = "comparison", _("comparison")  # 比较: left expression <op> right expression
    JUMP = "jump", _("sudden jump")  # 突变: change against the previous period above a percent


class RuleOperator(models.TextChoices):
    LESS_EQUAL = "<=", "≤"
    GREATER_EQUAL = ">=", "≥"
    LESS = "<", "<"
    GREATER = ">", ">"
    EQUAL = "==", "="


class RuleSeverity(models.TextChoices):
    ERROR = "error", _("error")  # 错误: blocks submission
    WARNING = "warning", _("warning")  # 提示: flagged for the approver, does not block


class ValidationRule(BaseModel):
    """校验规则: e.g. beds ≤ capacity, rate ≤ 100%, a jump of more than 50% flagged.

    Bounds of a single element are its ``min_value`` / ``max_value``; rules compare expressions
    over element codes (``left`` ``operator`` ``right``) or watch one element's change against the
    previous period (``kind=jump``, ``left`` is the element code)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    data_set = models.ForeignKey(
        DataSet,
        verbose_name=_("data set"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validation_rules",
        help_text=_("Empty: every data set with the rule's elements."),
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=RuleKind.choices, default=RuleKind.COMPARISON
    )
    left = models.CharField(_("left side"), max_length=500)
    operator = models.CharField(
        _("operator"), max_length=2, choices=RuleOperator.choices, default=RuleOperator.LESS_EQUAL
    )
    right = models.CharField(_("right side"), max_length=500, blank=True)
    jump_percent = models.DecimalField(
        _("largest change (percent)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=RuleSeverity.choices, default=RuleSeverity.ERROR
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ValidationFinding(models.Model):
    """校验结果: a rule a submission broke when it was last checked (errors and warnings)."""

    submission = models.ForeignKey(
        DataSubmission,
        verbose_name=_("data submission"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    rule = models.ForeignKey(
        ValidationRule,
        verbose_name=_("validation rule"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=8, choices=RuleSeverity.choices)
    message = models.CharField(_("message"), max_length=400)
    left_value = models.FloatField(_("left value"), null=True, blank=True)
    right_value = models.FloatField(_("right value"), null=True, blank=True)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("validation finding")
        verbose_name_plural = _("validation findings")
        ordering = ["submission_id", "severity", "id"]

    def __str__(self) -> str:
        return self.message


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("due soon")  # 即将到期
    OVERDUE = "overdue", _("overdue")  # 已逾期


class Reminder(models.Model):
    """催报: one reminder per submission and kind (the daily job is safe to re-run)."""

    submission = models.ForeignKey(
        DataSubmission,
        verbose_name=_("data submission"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    due_on = models.DateField(_("due date"))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+", blank=True
    )
    is_read = models.BooleanField(_("read"), default=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind"], name="indicators_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.kind}"


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


class Comparator(models.TextChoices):
    # the strings of civicgrid.indicators.compute.targets (and plans' ExtractedTarget)
    AT_LEAST = "ge", _("at least")  # 不少于 / 以上 / 达到
    AT_MOST = "le", _("at most")  # 不超过 / 以下 / 控制在
    EQUAL = "eq", _("equal to")  # 等于
    ABOUT = "about", _("about")  # 左右 / 约 (within the tolerance)
    RANGE = "range", _("between")  # 区间: value … value_high


class TargetScope(models.TextChoices):
    CITY = "city", _("city")  # 全市: the city value must meet it
    EACH_DISTRICT = "each_district", _("each district")  # 各区: every district must meet it
    UNIT = "unit", _("one unit")  # 指定单位: one named unit


class Target(BaseModel):
    """目标值: an indicator must reach ``value`` (by ``comparator``) by ``deadline``."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=300, blank=True)
    comparator = models.CharField(
        _("comparator"), max_length=8, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4)
    value_high = models.DecimalField(
        _("upper value (ranges)"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    deadline = models.DateField(_("deadline"))
    deadline_period = models.CharField(
        _("deadline period"), max_length=8, help_text=_("The period whose value is judged.")
    )
    scope = models.CharField(
        _("scope"), max_length=16, choices=TargetScope.choices, default=TargetScope.CITY
    )
    scope_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("scope unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The city for city targets, the unit for one-unit targets."),
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_period = models.CharField(_("baseline period"), max_length=8, blank=True)
    plans_target_id = models.PositiveBigIntegerField(
        _("plans target id"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The target extracted from a policy document in the plans module."),
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_passage = models.TextField(_("source passage"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator__sort_order", "indicator__code", "deadline", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.indicator.code} {self.comparator} {self.value}"


# ---------------------------------------------------------------------------------------------
# Equalisation groups (docs/adr/0008-indicator-groups.md)
# ---------------------------------------------------------------------------------------------


class UnitGroupKind(models.TextChoices):
    # Groups of one kind are compared with each other (their gap, the Theil decomposition); a
    # kind with a single group is compared with the rest of the city.
    URBAN_RURAL = "urban_rural", _("urban / rural")  # 城乡: 城市地区 vs 农村地区
    REGION = "region", _("region")  # 片区: e.g. 西部地区 (斗门区、金湾区)
    FUNCTIONAL_ZONE = "functional_zone", _("functional zone")  # 功能区: e.g. 横琴新区


class UnitGroup(BaseModel):
    """单元分组: a named set of admin units (the union of their subtrees) that indicators are
    also computed for — numerators and denominators summed over the units, then divided."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitGroupKind.choices)
    units = models.ManyToManyField(
        AdminUnit, verbose_name=_("admin units"), related_name="indicator_groups"
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class PopulationComparison(BaseModel):
    """户籍人口与流动人口对比: the same indicator computed for registered residents and for the
    floating population (two indicators over data elements reported per population group), so
    that the gap between them can be followed per year and unit."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator (all residents)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="population_comparisons",
    )
    registered = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator for registered residents"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    floating = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator for the floating population"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    source_passage = models.TextField(_("source passage"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("population comparison")
        verbose_name_plural = _("population comparisons")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Assessment
# ---------------------------------------------------------------------------------------------


class AssessmentSubject(models.TextChoices):
    DISTRICT = "district", _("districts")  # 各区
    DEPARTMENT = "department", _("departments")  # 各部门


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")  # 草稿: items may change, scores are provisional
    PUBLISHED = "published", _("published")  # 已发布: items and scores frozen


class AssessmentScheme(BaseModel):
    """考核方案: an annual scheme of weighted items scoring districts or departments."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    subject = models.CharField(
        _("assessed"),
        max_length=12,
        choices=AssessmentSubject.choices,
        default=AssessmentSubject.DISTRICT,
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", _("indicator")  # 指标项: an indicator's value against a target
    PLAN_TASKS = "plan_tasks", _("plan-task completion")  # 任务完成率: from the plans module


class ScoringRule(models.TextChoices):
    LINEAR = "linear", _("linear to target")  # 线性: share of the way from floor to target
    THRESHOLDS = "thresholds", _("thresholds")  # 分档: score by the band the value falls in
    MET_OR_NOT = "met", _("met or not")  # 达标得分: full score if met, else zero


class AssessmentItem(BaseModel):
    """考核项: one weighted item of a scheme (an indicator or plan-task completion)."""

    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("assessment scheme"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.ForeignKey(
        Target,
        verbose_name=_("target"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.DecimalField(_("weight (points)"), max_digits=8, decimal_places=2)
    rule = models.CharField(
        _("scoring rule"), max_length=12, choices=ScoringRule.choices, default=ScoringRule.LINEAR
    )
    params = models.JSONField(
        _("rule parameters"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"floor": 0, "target": 30, "cap": 1.0} or thresholds.'),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["scheme_id", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="indicator") | models.Q(indicator__isnull=False),
                name="indicators_item_indicator_required",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AssessmentScore(models.Model):
    """考核得分: the total of one district or department under a scheme, with its rank."""

    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("assessment scheme"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    total = models.DecimalField(_("total score"), max_digits=10, decimal_places=2)
    max_total = models.DecimalField(_("highest possible"), max_digits=10, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        ordering = ["scheme_id", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(department__isnull=False),
                name="indicators_score_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} #{self.rank} {self.total}"


class AssessmentItemScore(models.Model):
    """考核明细: one item's score for one subject, with the values behind it (``trace``)."""

    score = models.ForeignKey(
        AssessmentScore,
        verbose_name=_("assessment score"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    item = models.ForeignKey(
        AssessmentItem,
        verbose_name=_("assessment item"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.FloatField(_("value"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2)
    trace = models.JSONField(_("trace"), default=dict, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["score_id", "item__sort_order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["score", "item"], name="indicators_item_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


# ---------------------------------------------------------------------------------------------
# Precomputed aggregates
# ---------------------------------------------------------------------------------------------


class IndicatorAggregate(models.Model):
    """指标汇总值: an indicator for one unit and one period, rolled up the unit tree.

    ``numerator`` and ``denominator`` are the summed element values below the unit (never an
    average of child ratios); ``value`` = numerator / denominator × factor (or the numerator for
    counts and amounts), ``None`` when the denominator is zero or data are missing."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="aggregates"
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("admin unit"), on_delete=models.CASCADE, related_name="+"
    )
    unit_code = models.CharField(_("admin unit code"), max_length=20)
    level = models.CharField(_("level"), max_length=12, choices=AdminLevel.choices)
    period = models.CharField(_("period"), max_length=8)
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    period_start = models.DateField(_("period start"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator aggregate")
        verbose_name_plural = _("indicator aggregates")
        ordering = ["indicator_id", "period_start", "unit_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"], name="indicators_aggregate_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["indicator", "period_type", "level", "period"],
                name="indicators_agg_level",
            ),
            models.Index(fields=["unit_code", "period"], name="indicators_agg_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_code} {self.period} = {self.value}"


class AggregateRefresh(models.Model):
    """When aggregates were last refreshed and why (one row per refresh, for the cockpit)."""

    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=40)
    indicators = models.PositiveIntegerField(_("indicators"), default=0)
    periods = models.JSONField(_("periods"), default=list, blank=True)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("aggregate refresh")
        verbose_name_plural = _("aggregate refreshes")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason}"
