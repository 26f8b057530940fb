"""Citizen appeals (诉求/工单): categories with time limits, the responsibility catalogue, the
appeal record with its explicit state machine, department assignments and the timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import BaseModel
from civicgrid.territory.models import AdminUnit, Department


class AppealType(models.TextChoices):
    CONSULTATION = "consultation", _("consultation")  # 咨询
    HELP = "help", _("request for help")  # 求助
    COMPLAINT = "complaint", _("complaint")  # 投诉
    REPORT = "report", _("report")  # 举报
    SUGGESTION = "suggestion", _("suggestion")  # 建议


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12345 hotline")  # 热线电话
    WEB = "web", _("web")  # 网站
    GRID = "grid", _("grid worker")  # 网格员上报
    OPEN311 = "open311", _("Open311")  # 开放接口
    IMPORT = "import", _("legacy import")  # 历史数据导入


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")  # 紧急


class AppealStatus(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")  # 已受理: registered, waiting in the dispatcher queue
    DISPATCHED = "dispatched", _("dispatched")  # 已派单: sent to a lead department, not signed
    SIGNED = "signed", _("signed for")  # 已签收: the lead department is handling it
    SUSPENDED = "suspended", _("suspended")  # 已挂起: the handling clock is stopped
    REVIEWING = "reviewing", _("reply under review")  # 答复待审核: reply waits for review
    REPLIED = "replied", _("replied")  # 已答复: the reply reached the citizen, follow-up pending
    FOLLOWED_UP = "followed_up", _("followed up")  # 已回访: the citizen rated the reply
    CLOSED = "closed", _("closed")  # 已办结: finished
    CANCELLED = "cancelled", _("cancelled as invalid")  # 已作废: invalid, with a reason
    MERGED = "merged", _("merged into another appeal")  # 已合并: handled with its primary appeal


OPEN_STATUSES = frozenset({AppealStatus.ACCEPTED, AppealStatus.DISPATCHED, AppealStatus.SIGNED})


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("unsatisfied")  # 不满意


class Category(BaseModel):
    """诉求分类: a multi-level category of matters (e.g. 城市管理 › 占道经营)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TimeLimit(BaseModel):
    """办理时限: working days to sign for and to handle an appeal of a type (and category).

    A row with a category overrides the type's default row (category empty).
    """

    appeal_type = models.CharField(_("type"), max_length=16, choices=AppealType.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="time_limits",
    )
    sign_for_days = models.PositiveSmallIntegerField(_("working days to sign for"), default=1)
    handling_days = models.PositiveSmallIntegerField(_("working days to handle"))

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal_type", "category"], name="time_limit_unique_type_category"
            ),
            models.UniqueConstraint(
                fields=["appeal_type"],
                condition=models.Q(category__isnull=True),
                name="time_limit_unique_type_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_appeal_type_display()} {self.category or ''}: {self.handling_days}"


class ResponsibilityRule(BaseModel):
    """权责清单: which department leads (and which cooperate) on a category in an area.

    The rule of the most specific area (longest division code) containing the appeal's place
    wins; a rule for a parent category applies to its sub-categories.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="rules"
    )
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    cooperating_departments = models.ManyToManyField(
        Department, verbose_name=_("cooperating departments"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility catalogue")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "admin_unit"], name="responsibility_rule_unique_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.admin_unit.name} → {self.lead_department}"


class AppealNumberSequence(models.Model):
    """The last sequence number given out per city and day (for readable appeal numbers)."""

    city_code = models.CharField(max_length=4)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city_code", "day"], name="appeal_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.city_code} {self.day} {self.last}"


class Appeal(BaseModel):
    """诉求/工单: one citizen's request from any channel, followed to its end.

    ``status`` changes only through the services in :mod:`civicgrid.appeals.services`, each of
    which checks the current state and ``version`` (optimistic concurrency) and writes an
    :class:`AppealEvent`. ``admin_unit_code`` repeats the place's division code: it is the data
    scope key and the shard key.
    """

    number = models.CharField(_("number"), max_length=24, unique=True)
    query_code_hash = models.CharField(_("query code (hashed)"), max_length=64)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    appeal_type = models.CharField(_("type"), max_length=16, choices=AppealType.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    citizen_name = models.CharField(_("citizen name"), max_length=60, blank=True)
    citizen_phone = models.CharField(_("citizen phone"), max_length=20, blank=True)
    is_confidential = models.BooleanField(_("confidential"), default=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppealStatus.choices,
        default=AppealStatus.ACCEPTED,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_appeals",
    )
    accepted_on = models.DateField(_("accepted on"))
    sign_for_deadline = models.DateField(_("sign-for deadline"), null=True, blank=True)
    handling_deadline = models.DateField(_("handling deadline"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    suspended_on = models.DateField(
        _("suspended on"), null=True, blank=True
    )  # 挂起日期: set while the appeal is suspended
    suspended_working_days = models.PositiveSmallIntegerField(
        _("working days suspended"), default=0
    )  # 累计挂起工作日: added to the handling deadline on each resume
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, null=True, blank=True, unique=True
    )
    source_reference = models.CharField(
        _("number in the source system"), max_length=64, null=True, blank=True, unique=True
    )  # 原系统编号: the legacy record's own number (bulk import), so re-imports are safe
    is_public_consent = models.BooleanField(
        _("may be shown on the public board"), default=False
    )  # 同意公开: the citizen allows the reply to be shown (without personal data)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_appeals",
    )  # 合并到: the primary appeal a duplicate was merged into
    routing_suggestions = models.JSONField(
        _("routing suggestions"), default=list, blank=True
    )  # top departments with confidence at intake: [{"department": code, "confidence": 0.93}]
    is_auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["admin_unit_code", "status"]),
            models.Index(fields=["lead_department", "status"]),
            models.Index(fields=["accepted_on"], name="appeal_accepted_on"),  # statistics
            # The live "open and overdue" count of the statistics reads only open appeals.
            models.Index(
                fields=["accepted_on"],
                condition=models.Q(status__in=["accepted", "dispatched", "signed"]),
                name="appeal_open_accepted_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("lead")  # 主办
    COOPERATING = "cooperating", _("cooperating")  # 协办


class Assignment(BaseModel):
    """派单记录: a department given the appeal, as lead or cooperating unit.

    At most one open lead assignment per appeal (conditional unique constraint).
    """

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="assignments"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    is_open = models.BooleanField(_("open"), default=True)
    closed_reason = models.CharField(_("closing reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(role="lead", is_open=True),
                name="assignment_one_open_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} → {self.department} ({self.role})"


class AppealEvent(models.Model):
    """办理过程: one row per transition and per remark on an appeal (the timeline)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="events"
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
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.from_status}→{self.to_status}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("pending")  # 待审批
    APPROVED = "approved", _("approved")  # 已批准
    REJECTED = "rejected", _("rejected")  # 已驳回


class ExtensionRequest(BaseModel):
    """延期申请: the lead department asks for more working days to handle a signed appeal.

    At most one pending request per appeal (conditional unique constraint). ``reason`` is the
    department's; ``decision_comment`` is the dispatcher's or supervisor's answer.
    """

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="extensions"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("working days requested"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    previous_deadline = models.DateField(_("deadline before"), null=True, blank=True)
    new_deadline = models.DateField(_("deadline after"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_appeal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.days} ({self.status})"


class SupervisionKind(models.TextChoices):
    OVERDUE_SIGN_FOR = "overdue_sign_for", _("not signed for in time")  # 超时未签收
    OVERDUE_HANDLING = "overdue_handling", _("not handled in time")  # 超期未办结
    MANUAL = "manual", _("urged by a supervisor")  # 人工催办


class SupervisionLevel(models.IntegerChoices):
    DISTRICT = 1, _("district supervision")  # 区级督办
    CITY = 2, _("city supervision")  # 市级督办


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("open")  # 督办中
    RESOLVED = "resolved", _("resolved")  # 已解除


class SupervisionItem(BaseModel):
    """督办事项: an appeal under supervision, opened by the deadline sweep (overdue) or by a
    supervisor (催办). At most one open item per appeal and kind."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="supervision"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SupervisionKind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SupervisionLevel.choices, default=SupervisionLevel.DISTRICT
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "kind"],
                condition=models.Q(status="open"),
                name="supervision_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} L{self.level} ({self.status})"


class AppealSettings(models.Model):
    """诉求办理参数: the policy knobs administrators edit (one row, pk=1)."""

    auto_dispatch_threshold = models.FloatField(
        _("auto-dispatch confidence threshold"), default=0.9
    )  # appeals the router is at least this sure about are dispatched without a dispatcher
    is_auto_dispatch_enabled = models.BooleanField(_("dispatch automatically"), default=True)
    yellow_light_working_days = models.PositiveSmallIntegerField(
        _("yellow light: working days left"), default=1
    )
    reopen_within_days = models.PositiveSmallIntegerField(
        _("reopen allowed within (days after the reply)"), default=15
    )
    is_reply_review_required = models.BooleanField(
        _("replies are reviewed before the citizen sees them"), default=True
    )
    duplicate_window_days = models.PositiveSmallIntegerField(
        _("look for duplicates in the last (days)"), default=30
    )
    duplicate_radius_m = models.PositiveIntegerField(
        _("look for duplicates within (metres)"), default=500
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appeal settings")
        verbose_name_plural = _("appeal settings")

    def __str__(self) -> str:
        return str(_("appeal settings"))

    @classmethod
    def load(cls) -> AppealSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class TrainedRouter(BaseModel):
    """分派模型: one trained text classifier (the file lives under ``VAR_DIR``, never in the
    database or the repository); at most one is active."""

    file_name = models.CharField(_("file"), max_length=200)
    trained_on = models.DateTimeField(_("trained at"))
    n_train = models.PositiveIntegerField(_("training appeals"))
    labels = models.PositiveIntegerField(_("departments"))
    metrics = models.JSONField(_("held-out figures"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        ordering = ["-trained_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="trained_router_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.n_train})"


class ReplyTemplate(BaseModel):
    """答复模板: a reply text departments start from, for a category (or any) and type."""

    name = models.CharField(_("name"), max_length=60)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
    )
    appeal_type = models.CharField(_("type"), max_length=16, choices=AppealType.choices, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("photo")  # 照片
    DOCUMENT = "document", _("document")  # 文件


class Attachment(BaseModel):
    """附件: a photo or document on an appeal; the bytes live in file storage (MEDIA_ROOT),
    never in the database."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="appeals/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_from_citizen = models.BooleanField(_("from the citizen"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class StatisticsWorkday(models.Model):
    """统计用工作日序号: the working-day ordinal of every date the statistics need.

    ``ordinal`` counts the working days up to and including ``day`` from the start of the table,
    so the working days after ``a`` up to ``b`` are ``ordinal(b) - ordinal(a)`` — the same number
    as :func:`civicgrid.core.workdays.working_days_between`. Rebuilt by the statistics refresh
    (:mod:`civicgrid.appeals.statistics_refresh`); see docs/adr/0004-statistics.md.
    """

    day = models.DateField(_("day"), primary_key=True)
    ordinal = models.PositiveIntegerField(_("working-day ordinal"))
    is_working_day = models.BooleanField(_("working day"))

    class Meta:
        verbose_name = _("statistics working day")
        verbose_name_plural = _("statistics working days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.ordinal}"


class StatisticsFact(models.Model):
    """统计日汇总: figures of the appeals accepted on one day in one street, for one value of
    one grouping (``dimension``: district, street, grid, department, category, subcategory,
    channel, type). Every appeal is counted once per dimension. Written only by
    :mod:`civicgrid.appeals.statistics_refresh`; read by the statistics selectors.
    """

    day = models.DateField(_("accepted on"))
    street_code = models.CharField(_("street code"), max_length=9)
    dimension = models.CharField(_("grouping"), max_length=12)
    key = models.CharField(_("group"), max_length=20, blank=True)
    received = models.PositiveIntegerField(_("received"), default=0)
    cancelled = models.PositiveIntegerField(_("cancelled"), default=0)
    merged = models.PositiveIntegerField(_("merged"), default=0)
    replied = models.PositiveIntegerField(_("replied"), default=0)
    replied_on_time = models.PositiveIntegerField(_("replied on time"), default=0)
    replied_late = models.PositiveIntegerField(_("replied late"), default=0)
    handling_working_days = models.BigIntegerField(_("handling working days (sum)"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    replied_ever = models.PositiveIntegerField(_("replied at least once"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)

    class Meta:
        verbose_name = _("statistics fact")
        verbose_name_plural = _("statistics facts")
        indexes = [
            models.Index(fields=["dimension", "day", "street_code"], name="statfact_dim_day"),
            models.Index(fields=["day"], name="statfact_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.street_code} {self.dimension}={self.key}: {self.received}"


class StatisticsRefresh(models.Model):
    """统计刷新记录: when the rollup was last refreshed (one row, pk=1)."""

    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("last refresh started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return str(self.refreshed_at)
