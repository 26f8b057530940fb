"""Models of civicgrid.plans: policy documents (政策文件) → plans of items that staff review →
tasks (工作任务) with lead and cooperating units (牵头/配合单位), progress reports (进度报告),
supervision (催办/督办) and the yearly assessment (考核).

Shape::

    PolicyDocument ─< DocumentVersion ─1 Plan ─< PlanItem ─< PlanItemUnit
                                             └─< PlanTarget
    Plan ─< Task ─< TaskUnit / TaskMilestone / ProgressReport ─< ProgressAttachment
                └─< TaskEvent                     PlanEvent (per plan)
    AssessmentScheme (per year) ─< AssessmentResult;  QualityScore (per task × department)

Every state change goes through :mod:`civicgrid.plans.services` and writes a PlanEvent or a
TaskEvent row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core.models import BaseModel
from civicgrid.territory.models import AdminUnit, Department


class PlanSettings(BaseModel):
    """督办设置: one row (pk 1) the programme office edits in the admin."""

    yellow_light_working_days = models.PositiveSmallIntegerField(
        _("yellow light: working days before the deadline"),
        default=10,
        help_text=_("A task turns yellow when at most this many working days are left."),
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        _("reminders: working days before the deadline"),
        default=10,
        help_text=_("Reminders are recorded daily for tasks this close to their deadline."),
    )

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return str(_("plan settings"))


# ---------------------------------------------------------------------------------------------
# Documents and their versions


class PolicyDocument(BaseModel):
    """政策文件: a document as issued (title, document number, issuer, date)."""

    title = models.CharField(_("title"), max_length=300, db_index=True)
    doc_number = models.CharField(
        _("document number"), max_length=100, blank=True, db_index=True, help_text="珠改组〔2014〕4"
    )
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whose programme the document belongs to (the city or a district)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.doc_number}".strip()


class DocumentKind(models.TextChoices):
    TEXT = "text", _("plain text")  # .txt (UTF-8 / GBK / GB18030)
    DOCX = "docx", _("Word document")  # .docx
    PDF = "pdf", _("PDF")  # PDF with a text layer
    XLSX = "xlsx", _("Excel task table")  # .xlsx 分工表


class DocumentVersion(BaseModel):
    """版本: one import of a document's file. Re-importing the same document adds a version;
    earlier versions, their plans and everything reviewed on them are kept."""

    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("policy document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("original file"), upload_to="plans/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind.choices)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    text = models.TextField(_("cleaned text"))
    # ExtractedDocument as stored (see services.documents.extraction_to_json).
    extraction = models.JSONField(_("extraction"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # Against the previous version: {"previous_version", "added", "removed", "changed", …}.
    diff = models.JSONField(_("changes against the previous version"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="plans_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


# ---------------------------------------------------------------------------------------------
# Plans (the reviewable extraction)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")  # 草稿: extracted, staff correct it
    IN_REVIEW = "in_review", _("in review")  # 待发布: confirmed by staff, waiting to be published
    PUBLISHED = "published", _("published")  # 已发布: tasks created and supervised
    CLOSED = "closed", pgettext_lazy("plan", "closed")  # 已结束: supervision over, no more reports
    # 已被新版本取代: a newer version of the document was imported (draft) or published.
    SUPERSEDED = "superseded", _("superseded")


class Plan(BaseModel):
    """工作方案: the plan proposed from one document version; staff review it, then publish."""

    version = models.OneToOneField(
        DocumentVersion,
        verbose_name=_("document version"),
        on_delete=models.CASCADE,
        related_name="plan",
    )
    document = models.ForeignKey(
        PolicyDocument,
        verbose_name=_("policy document"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFT,
        db_index=True,
    )
    owner = models.ForeignKey(
        Department,
        verbose_name=_("programme office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The office that supervises the plan (社工委 / 社管部)."),
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version's plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    row_version = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.IN_REVIEW)


class DeadlineKind(models.TextChoices):
    DATE = "date", _("date")  # 2014年底 → 2014-12-31
    RECURRING = "recurring", _("recurring")  # 常态化 / 长期坚持
    UNSPECIFIED = "unspecified", _("unspecified")  # 根据市相关工作部署
    FLAGGED = "flagged", _("unreadable, to review")  # "201412"
    NONE = "", _("none")


class ItemOrigin(models.TextChoices):
    EXTRACTED = "extracted", _("extracted")  # proposed by the extractor
    ADDED = "added", _("added by staff")
    SPLIT = "split", _("split off by staff")  # the second part of a split item


class PlanItem(BaseModel):
    """条目: a numbered item of the body or a row of a task table, as extracted and corrected.

    ``extracted`` keeps what the extractor proposed (never edited); ``edited_fields`` names the
    fields a person changed, so a re-import can carry the corrections over.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    key = models.CharField(_("key"), max_length=200)
    number = models.CharField(_("number"), max_length=40, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    title = models.CharField(_("title"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True)
    span_start = models.PositiveIntegerField(_("start offset"), null=True, blank=True)
    span_end = models.PositiveIntegerField(_("end offset"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=8,
        default="body",
        choices=[("body", _("body text")), ("table", _("task table"))],
    )
    is_task = models.BooleanField(_("is a task"), default=False)
    deadline_date = models.DateField(_("deadline"), null=True, blank=True)
    deadline_text = models.CharField(_("deadline as written"), max_length=200, blank=True)
    deadline_kind = models.CharField(
        _("deadline kind"), max_length=12, choices=DeadlineKind.choices, blank=True
    )
    deadline_note = models.CharField(_("deadline note"), max_length=300, blank=True)
    deadline_span_start = models.PositiveIntegerField(null=True, blank=True)
    deadline_span_end = models.PositiveIntegerField(null=True, blank=True)
    basis = models.JSONField(_("basis"), default=list, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    parent_key = models.CharField(_("parent key"), max_length=200, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=ItemOrigin.choices, default=ItemOrigin.EXTRACTED
    )
    extracted = models.JSONField(_("as extracted"), default=dict, blank=True)
    edited_fields = models.JSONField(_("fields edited by staff"), default=list, blank=True)
    # Keys of items merged into this one, with their extracted text digests.
    absorbed = models.JSONField(_("merged items"), default=list, blank=True)
    # Corrections of the previous version that could not be applied (the text changed).
    previous_review = models.JSONField(
        _("previous version's corrections"), default=dict, blank=True
    )
    is_confirmed = models.BooleanField(_("confirmed"), default=False)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="plans_item_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip() or self.key


class UnitRole(models.TextChoices):
    LEAD = "lead", _("lead unit")  # 牵头单位
    COOPERATING = "cooperating", _("cooperating unit")  # 配合单位


class Resolution(models.TextChoices):
    EXACT = "exact", pgettext_lazy("unit resolution", "exact")  # the full or short name
    ALIAS = "alias", pgettext_lazy("unit resolution", "alias")  # a known alias
    FUZZY = "fuzzy", pgettext_lazy("unit resolution", "fuzzy")  # a guess, to check
    COLLECTIVE = "collective", pgettext_lazy("unit resolution", "collective")  # 各区 → expanded
    UNKNOWN = "unknown", pgettext_lazy("unit resolution", "unknown")  # not a known department
    CONFIRMED = "confirmed", pgettext_lazy("unit resolution", "confirmed")  # set by staff
    # Staff decided the name stands for no department (相关单位); kept as written, no task.
    NOT_A_DEPARTMENT = "not_department", pgettext_lazy("unit resolution", "not a department")


RESOLVED = frozenset(
    {
        Resolution.EXACT,
        Resolution.ALIAS,
        Resolution.FUZZY,
        Resolution.COLLECTIVE,
        Resolution.CONFIRMED,
    }
)


class PlanItemUnit(models.Model):
    """A responsible unit of an item as written, and the department it was resolved to.

    A collective name (各区) gives one row per department it covers, all with the same
    ``name`` and ``group``; a name nobody could resolve keeps ``department`` empty.
    """

    item = models.ForeignKey(
        PlanItem, verbose_name=_("plan item"), on_delete=models.CASCADE, related_name="units"
    )
    role = models.CharField(_("role"), max_length=12, choices=UnitRole.choices)
    name = models.CharField(_("name as written"), max_length=200)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices)
    is_main_lead = models.BooleanField(_("main lead"), default=False)
    is_collective = models.BooleanField(_("collective name"), default=False)
    group = models.PositiveSmallIntegerField(_("group"), default=0)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("responsible unit of an item")
        verbose_name_plural = _("responsible units of items")
        ordering = ["item_id", "role", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.department or '?'}"

    @property
    def is_resolved(self) -> bool:
        return self.department_id is not None or self.resolution == Resolution.NOT_A_DEPARTMENT


class UnitAlias(BaseModel):
    """单位别名(方案): a name as written that staff resolved to a department; later imports
    resolve the same name to it (kept in plans: territory offers no alias service)."""

    name = models.CharField(_("name as written"), max_length=200, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unit alias (plans)")
        verbose_name_plural = _("unit aliases (plans)")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} → {self.department}"


class Comparator(models.TextChoices):
    GE = "ge", "≥"  # 不少于 / 以上 / 达到
    LE = "le", "≤"  # 不超过 / 以下
    EQ = "eq", "="
    ABOUT = "about", pgettext_lazy("comparator", "about")  # 左右 / 约
    RANGE = "range", pgettext_lazy("comparator", "range")  # a–b


class PlanTarget(BaseModel):
    """目标值: a quantitative target of the plan (每万人中不少于10名社工, by 2017)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    subject = models.CharField(_("subject"), max_length=300)
    value = models.FloatField(_("value"), null=True, blank=True)
    low = models.FloatField(_("low"), null=True, blank=True)
    high = models.FloatField(_("high"), null=True, blank=True)
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=40, blank=True)
    comparator = models.CharField(_("comparator"), max_length=8, choices=Comparator.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    indicator_code = models.CharField(
        _("indicator code"), max_length=60, blank=True, help_text=_("Link to an indicator.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    extracted = models.JSONField(_("as extracted"), default=dict, blank=True)
    edited_fields = models.JSONField(_("fields edited by staff"), default=list, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_comparator_display()} {self.value or ''}{self.unit}"


class PlanEvent(models.Model):
    """方案记录: one row per transition and review action on a plan."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="events"
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
    kind = models.CharField(_("kind"), max_length=24)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    item_key = models.CharField(_("item"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind}"


# ---------------------------------------------------------------------------------------------
# Tasks and supervision


class TaskStatus(models.TextChoices):
    NOT_STARTED = (
        "not_started",
        pgettext_lazy("task", "not started"),
    )  # 未启动: published, nothing reported yet
    IN_PROGRESS = (
        "in_progress",
        pgettext_lazy("task", "in progress"),
    )  # 推进中: a report was accepted, not done
    DONE = (
        "done",
        pgettext_lazy("task", "done"),
    )  # 已完成: accepted at 100 % (or marked done by the office)
    # 已撤销: the item disappeared from a newer published version of the document.
    CANCELLED = "cancelled", pgettext_lazy("task", "cancelled")


OPEN_TASK_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)


class Task(BaseModel):
    """工作任务: a published item assigned to lead and cooperating departments. Overdue is not
    a status: red and yellow lights are computed from the deadline (selectors.lights)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="tasks"
    )
    item = models.ForeignKey(
        PlanItem,
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    item_key = models.CharField(_("item key"), max_length=200)
    number = models.CharField(_("number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_text = models.CharField(_("deadline as written"), max_length=200, blank=True)
    deadline_kind = models.CharField(
        _("deadline kind"), max_length=12, choices=DeadlineKind.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.NOT_STARTED,
        db_index=True,
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("main lead department"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Consolidates the reports and answers to the programme office."),
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    percent_done = models.PositiveSmallIntegerField(_("percent done"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    is_escalated = models.BooleanField(_("escalated"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    row_version = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item_key"], name="plans_task_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


class TaskUnit(models.Model):
    """A department responsible for a task: lead (牵头) or cooperating (配合)."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="units"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=UnitRole.choices)
    is_main_lead = models.BooleanField(_("main lead"), default=False)
    name_as_written = models.CharField(_("name as written"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("task unit")
        verbose_name_plural = _("task units")
        ordering = ["task_id", "role", "-is_main_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="plans_task_unit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.department} ({self.role})"


class TaskMilestone(BaseModel):
    """节点: an intermediate step of a task with its own date."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task_id", "due_on", "order", "id"]

    def __str__(self) -> str:
        return f"{self.due_on} {self.title}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report", "draft")  # 草稿: the department is writing it
    # 已报送: a cooperating unit's report waits for the lead; the lead's for the programme office.
    SUBMITTED = "submitted", pgettext_lazy("report", "submitted")
    CONSOLIDATED = "consolidated", pgettext_lazy("report", "consolidated")  # 已汇总 into the lead's
    ACCEPTED = "accepted", pgettext_lazy("report", "accepted")  # 已审核: the office accepted it
    # 已退回: sent back with a reason (by the lead or the office); edited and submitted again.
    RETURNED = "returned", pgettext_lazy("report", "returned")


class ProgressReport(BaseModel):
    """进度报告: one department's report on one task for one period (month, "2026-11")."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7, help_text="2026-11")
    is_lead_report = models.BooleanField(_("lead's report"), default=False)
    text = models.TextField(_("progress"), blank=True)
    percent_done = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    problems = models.TextField(_("problems"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
        db_index=True,
    )
    consolidated_into = models.ForeignKey(
        "self",
        verbose_name=_("consolidated into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consolidated_reports",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    row_version = models.PositiveIntegerField(_("row version"), default=1)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task_id", "-period", "-is_lead_report", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "period"], name="plans_report_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent_done__lte=100), name="plans_report_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.department} {self.period}"


class ProgressAttachment(BaseModel):
    """附件 of a progress report; the bytes live in file storage, never in the database."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="plans/reports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TaskEventKind(models.TextChoices):
    PUBLISHED = "published", _("published")  # 发布
    UPDATED = "updated", _("updated from a new version")  # 新版本更新
    CANCELLED = "cancelled", pgettext_lazy("task event", "cancelled")  # 撤销
    REPORT_SUBMITTED = "report_submitted", _("report submitted")  # 报送
    REPORT_CONSOLIDATED = "report_consolidated", _("report consolidated")  # 汇总
    REPORT_ACCEPTED = "report_accepted", _("report accepted")  # 审核通过
    REPORT_RETURNED = "report_returned", _("report returned")  # 退回
    STATUS_CHANGED = "status_changed", _("status changed")
    URGED = "urged", _("urged")  # 催办
    ESCALATED = "escalated", _("escalated")  # 督办
    REMINDER = "reminder", _("deadline reminder")  # 到期提醒
    MILESTONE = "milestone", _("milestone")  # 节点
    DEADLINE_CHANGED = "deadline_changed", _("deadline changed")
    QUALITY_SCORED = "quality_scored", _("quality scored")  # 质量评分


class TaskEvent(models.Model):
    """任务记录: one row per transition, report step, urge, escalation and reminder."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="events"
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
    kind = models.CharField(_("kind"), max_length=24, choices=TaskEventKind.choices)
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # The local day a reminder is for: at most one reminder per task and day.
    day = models.DateField(_("day"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "day"],
                condition=Q(day__isnull=False),
                name="plans_task_event_once_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


# ---------------------------------------------------------------------------------------------
# Assessment


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("assessment", "draft")  # 草稿: weights being set
    COMPUTED = "computed", pgettext_lazy("assessment", "computed")  # 已计算: results to check
    PUBLISHED = "published", pgettext_lazy("assessment", "published")  # 已公布: ranking public


class AssessmentScheme(BaseModel):
    """考核方案 of a year: the weights (percent, sum 100) of on-time rate, completion and
    the reviewers' quality score."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    weight_on_time = models.PositiveSmallIntegerField(_("weight of the on-time rate"), default=40)
    weight_completion = models.PositiveSmallIntegerField(_("weight of completion"), default=40)
    weight_quality = models.PositiveSmallIntegerField(_("weight of the quality score"), default=20)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_on_time__lte=100)
                & Q(weight_completion__lte=100)
                & Q(weight_quality__lte=100),
                name="plans_scheme_weights_max_100",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class QualityScore(BaseModel):
    """质量评分: a reviewer's score (0-100) of a department's work on a task."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="quality_scores"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")
        ordering = ["task_id", "department_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department"], name="plans_quality_score_unique"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="plans_quality_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.department} {self.score}"


class AssessmentSubject(models.TextChoices):
    DEPARTMENT = "department", _("department")
    DISTRICT = "district", _("district")


class AssessmentResult(BaseModel):
    """考核结果 of one department or district in a year, with the inputs behind the score."""

    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("assessment scheme"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    subject = models.CharField(_("subject"), max_length=12, choices=AssessmentSubject.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    task_count = models.PositiveIntegerField(_("tasks"), default=0)
    done_count = models.PositiveIntegerField(_("done"), default=0)
    on_time_count = models.PositiveIntegerField(_("done on time"), default=0)
    due_count = models.PositiveIntegerField(_("due in the year"), default=0)
    on_time_rate = models.FloatField(_("on-time rate"), null=True, blank=True)
    completion_rate = models.FloatField(_("completion rate"), null=True, blank=True)
    quality_score = models.FloatField(_("quality score"), null=True, blank=True)
    total_score = models.FloatField(_("total score"), default=0)
    rank = models.PositiveIntegerField(pgettext_lazy("assessment", "rank"), default=0)
    # Weights used and one row per task behind the figures (see services.assessment).
    inputs = models.JSONField(_("records behind the score"), default=dict, blank=True)

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["scheme_id", "subject", "rank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "department"],
                condition=Q(department__isnull=False),
                name="plans_result_department_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "admin_unit"],
                condition=Q(admin_unit__isnull=False),
                name="plans_result_district_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.name} {self.total_score:.1f}"
