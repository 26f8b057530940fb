"""一库: the base registry of people, households, buildings and addresses, legal entities.

Every department feed is kept as :class:`SourceRecord` rows (which source said what, when);
the merged records (:class:`Person`, :class:`LegalEntity`, …) hold one value per field and, in
``field_sources``, which source gave it and when (一数一源: :class:`FieldAuthority` says which
source is authoritative for which field). A disagreement between sources that the authority
table does not settle becomes a :class:`FieldConflict` for review instead of an overwrite.

ID numbers are never stored in plain text: ``Person.id_hash`` (keyed HMAC, the natural key)
serves exact lookup, ``Person.id_sealed`` (Fernet) the entitled, audited full view, and
``Person.id_masked`` the default display (see :mod:`civicgrid.registry.crypto`).

Every large table carries ``admin_unit_code`` (the grid or the finest known unit), the key for
scope filtering and for sharding beyond one machine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core.models import BaseModel
from civicgrid.registry.provenance import FieldSourcesField
from civicgrid.territory.models import AdminUnit, Department


class EntityKind(models.TextChoices):
    """The kinds of registry record a source can feed."""

    PERSON = "person", _("person")  # 人口
    HOUSEHOLD = "household", _("household")  # 户
    ADDRESS = "address", _("address")  # 地址/房屋
    ENTITY = "entity", _("legal entity")  # 法人


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", _("registered resident")  # 户籍人口
    FLOATING = "floating", _("floating population")  # 流动人口
    HMT = "hmt", _("Hong Kong, Macao or Taiwan resident")  # 港澳台居民
    FOREIGN = "foreign", _("foreign national")  # 境外人员


class Source(BaseModel):
    """数据来源: a department feed (公安, 人社, 民政 …), grid collection or self-declaration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_sources",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FieldAuthority(BaseModel):
    """一数一源: ``source`` is authoritative for ``field_name`` of ``entity_kind``.

    Lower ``rank`` wins; a source with no row for a field is not authoritative for it (its
    value is kept as a source record and fills the field only while it is empty)."""

    entity_kind = models.CharField(_("record kind"), max_length=12, choices=EntityKind.choices)
    field_name = models.CharField(_("field"), max_length=40)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="authorities"
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)

    class Meta:
        verbose_name = _("field authority")
        verbose_name_plural = _("field authorities")
        ordering = ["entity_kind", "field_name", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity_kind", "field_name", "source"], name="registry_authority_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_kind}.{self.field_name} ← {self.source_id}"


class Building(BaseModel):
    """楼栋: a standard address down to the building (district / street / community / road and
    number / building), with coordinates and the grid it stands in."""

    key = models.CharField(_("standard address key"), max_length=200)
    district = models.CharField(_("district"), max_length=40, blank=True)
    street = models.CharField(_("street"), max_length=40, blank=True)
    community = models.CharField(_("community"), max_length=60, blank=True)
    road = models.CharField(_("road"), max_length=60, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    building_name = models.CharField(_("building"), max_length=60, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_buildings",
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        # One index each (ADR 0006): the key is looked up whole (no LIKE index), and one
        # pattern index serves ``admin_unit_code = x`` and the subtree ``LIKE 'x%'``.
        constraints = [models.UniqueConstraint(fields=["key"], name="registry_building_key")]
        indexes = [
            models.Index(
                fields=["admin_unit_code"],
                name="registry_building_unit",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.road}{self.house_number}{self.building_name}"


class Address(BaseModel):
    """地址/房屋: one dwelling (building, 单元, room); where people live and entities sit."""

    key = models.CharField(_("standard address key"), max_length=240)
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="addresses"
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    full_text = models.CharField(_("address"), max_length=300)
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20)
    field_sources = FieldSourcesField(_("field sources"), default=dict, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [models.UniqueConstraint(fields=["key"], name="registry_address_key")]
        indexes = [
            models.Index(
                fields=["admin_unit_code"],
                name="registry_address_unit",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.full_text


class Person(BaseModel):
    """人口: one person, keyed by the ID number (held as a keyed hash and ciphertext only)."""

    id_hash = models.CharField(_("ID number hash"), max_length=64)
    id_sealed = models.TextField(_("ID number (encrypted)"))
    id_masked = models.CharField(_("ID number (masked)"), max_length=18)
    name = models.CharField(_("name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    region_code = models.CharField(_("region code of the ID number"), max_length=6)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    registered_address = models.CharField(
        _("registered (hukou) address"), max_length=300, blank=True
    )
    registered_division_code = models.CharField(
        _("registered division code"), max_length=12, blank=True
    )
    residence_status = models.CharField(
        _("residence status"),
        max_length=12,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.REGISTERED,
    )
    permit_number = models.CharField(_("residence permit number"), max_length=40, blank=True)
    permit_valid_until = models.DateField(_("residence permit valid until"), null=True, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    current_address = models.ForeignKey(
        Address,
        verbose_name=_("current address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="current_residents",
    )
    # Admin units are reference data (territory loaders; deletion PROTECTed by the ORM): no
    # database-level key, which would cost every imported person a check, and no index of
    # its own (ADR 0006).
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_persons",
        db_constraint=False,
        db_index=False,  # persons are found by ``admin_unit_code`` (registry_person_unit)
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20)
    is_deceased = models.BooleanField(_("deceased"), default=False)
    field_sources = FieldSourcesField(
        _("field sources"),
        default=dict,
        blank=True,
        help_text=_('Per field: {"source": code, "at": ISO time} of the value shown.'),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # Few indexes on purpose: every one costs each imported row (ADR 0006). The ID hash
        # is unique without a LIKE index; one index serves ``admin_unit_code = x``, the
        # subtree ``LIKE 'x%'``, the status within a unit, and — holding ``is_deceased`` too —
        # counts of living residents per unit and status as an index-only scan. No index on
        # the name (searched with ``contains``, which a B-tree cannot serve) or the birth
        # date (age bands are counted over a unit's persons).
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="registry_person_id_hash")]
        indexes = [
            models.Index(
                fields=["admin_unit_code", "residence_status", "is_deceased"],
                name="registry_person_unit",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "bool_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Household(BaseModel):
    """户: a household (户号) at an address, with its members."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("family household")  # 家庭户
        COLLECTIVE = "collective", _("collective household")  # 集体户

    number = models.CharField(_("household number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FAMILY)
    address = models.ForeignKey(
        Address,
        verbose_name=_("address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    field_sources = FieldSourcesField(_("field sources"), default=dict, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")  # 户主
    SPOUSE = "spouse", _("spouse")  # 配偶
    CHILD = "child", _("child")  # 子女
    PARENT = "parent", _("parent")  # 父母
    GRANDCHILD = "grandchild", _("grandchild")  # 孙子女
    GRANDPARENT = "grandparent", _("grandparent")  # 祖父母
    SIBLING = "sibling", _("sibling")  # 兄弟姐妹
    OTHER = "other", _("other")  # 其他


class HouseholdMember(BaseModel):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="registry_member_unique"),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relation="head"),
                name="registry_one_head",
            ),
        ]


class ResidenceKind(models.TextChoices):
    OWN = "own", _("own home")  # 自有
    RENT = "rent", _("rented")  # 租住
    DORMITORY = "dormitory", _("dormitory")  # 单位宿舍
    OTHER = "other", _("other")  # 其他
    UNKNOWN = "unknown", _("not stated")  # 未说明: a department file that does not say


class Residence(BaseModel):
    """居住: a person living at an address from a date (to a date)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="residences"
    )
    address = models.ForeignKey(
        Address, verbose_name=_("address"), on_delete=models.PROTECT, related_name="residences"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ResidenceKind.choices)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    # Sources are never deleted (PROTECT): no database-level key or index (ADR 0006).
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20)

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        indexes = [
            models.Index(
                fields=["admin_unit_code"],
                name="registry_residence_unit",
                opclasses=["varchar_pattern_ops"],
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "address"],
                condition=models.Q(moved_out__isnull=True),
                name="registry_one_current_residence_per_address",
            )
        ]


class EntityKindOfLaw(models.TextChoices):
    COMPANY = "company", _("company")  # 企业
    INSTITUTION = "institution", _("public institution")  # 事业单位
    SOCIAL_ORGANISATION = "social_org", _("social organisation")  # 社会组织
    OTHER = "other", _("other")  # 其他


class EntityStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("legal entity status", "active")  # 存续
    REVOKED = "revoked", _("licence revoked")  # 吊销
    DEREGISTERED = "deregistered", _("deregistered")  # 注销


class LegalEntity(BaseModel):
    """法人: keyed by the unified social credit code (USCC, GB 32100)."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EntityKindOfLaw.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=60, blank=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    actual_address = models.ForeignKey(
        Address,
        verbose_name=_("actual address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entities",
    )
    status = models.CharField(
        _("status"), max_length=14, choices=EntityStatus.choices, default=EntityStatus.ACTIVE
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_entities",
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    field_sources = FieldSourcesField(_("field sources"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return self.name


class SpecialGroup(models.TextChoices):
    COMMUNITY_CORRECTION = "community_correction", _("under community correction")  # 社区矫正
    RELEASED_PRISONER = "released_prisoner", _("released prisoner")  # 刑满释放
    DRUG_REHABILITATION = "drug_rehabilitation", _("drug rehabilitation")  # 社区戒毒康复
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder", _("severe mental disorder")  # 严重精神障碍
    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")  # 独居老人
    LEFT_BEHIND_CHILD = "left_behind_child", _("left-behind child")  # 留守儿童
    DISABILITY = "disability", _("person with a disability")  # 残疾人
    SUBSISTENCE = "subsistence", _("subsistence allowance")  # 低保


class SpecialGroupTag(BaseModel):
    """特殊人群: a tag with restricted visibility (see the registry selectors)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="special_tags"
    )
    group = models.CharField(_("group"), max_length=32, choices=SpecialGroup.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)

    class Meta:
        verbose_name = _("special-group tag")
        verbose_name_plural = _("special-group tags")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=models.Q(until__isnull=True),
                name="registry_one_open_tag_per_group",
            )
        ]


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")  # 进行中
    COMPLETED = "completed", _("completed")  # 已完成
    FAILED = "failed", _("failed")  # 失败


class ImportRun(BaseModel):
    """One import of a file from a source (CLI or web), with its counts and row errors.

    Rows are committed in chunks; ``committed_lines`` is the last line whose chunk committed,
    so a killed run can be resumed (or simply repeated: upserts by natural key are idempotent).
    """

    entity_kind = models.CharField(_("record kind"), max_length=12, choices=EntityKind.choices)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="imports"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_path = models.CharField(
        _("stored file"),
        max_length=500,
        blank=True,
        help_text=_("Where the imported file is kept, so that an interrupted import can resume."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    committed_lines = models.PositiveIntegerField(_("lines committed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid_count = models.PositiveIntegerField(_("invalid rows"), default=0)
    conflict_count = models.PositiveIntegerField(_("conflicts"), default=0)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportRowError(models.Model):
    """One invalid row of an import: line, field, reason (values are masked)."""

    run = models.ForeignKey(
        ImportRun, verbose_name=_("import"), on_delete=models.CASCADE, related_name="row_errors"
    )
    line = models.PositiveIntegerField(_("line"))
    field_name = models.CharField(_("field"), max_length=40, blank=True)
    value = models.CharField(_("value"), max_length=100, blank=True)
    message = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")
        ordering = ["run", "line"]

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


class SourceRecord(models.Model):
    """What one source said about one record at one time (plain ID numbers are not kept: the
    natural key is the keyed hash for persons, the USCC for entities, the address key)."""

    # Every imported row writes one source record, an append-only log of what a source said:
    # the table keeps few indexes and no database-level foreign keys (each costs every
    # imported row a deferred check at commit). The importer sets the links in the same
    # transaction as the records they point to; deleting a source is PROTECTed and deleting a
    # run, person or entity sets the link to NULL through the ORM (ADR 0006).
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="records",
        db_constraint=False,
        db_index=False,  # the unique constraint starts with it
    )
    entity_kind = models.CharField(_("record kind"), max_length=12, choices=EntityKind.choices)
    natural_key = models.CharField(_("natural key"), max_length=240, blank=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    fields = models.JSONField(_("fields"), default=dict)
    received_at = models.DateTimeField(_("received at"))
    run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        db_constraint=False,
    )
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_records",
        db_constraint=False,
        db_index=False,  # partial indexes below
    )
    entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("legal entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_records",
        db_constraint=False,
        db_index=False,
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            # The fingerprint hashes the natural key with the fields: unique on its own (half
            # the index of the key and the fingerprint together).
            models.UniqueConstraint(
                fields=["source", "entity_kind", "fingerprint"],
                name="registry_source_record_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["person"],
                name="registry_sr_person",
                condition=models.Q(person__isnull=False),
            ),
            models.Index(
                fields=["entity"],
                name="registry_sr_entity",
                condition=models.Q(entity__isnull=False),
            ),
            # What linkage works on: person rows without a person.
            models.Index(
                fields=["source"],
                name="registry_sr_unlinked",
                condition=models.Q(entity_kind="person", person__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.entity_kind}/{self.pk}"


class ReviewStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review status", "open")  # 待处理
    ACCEPTED = "accepted", pgettext_lazy("review status", "accepted")  # 已采纳
    REJECTED = "rejected", pgettext_lazy("review status", "rejected")  # 已驳回


class FieldConflict(BaseModel):
    """Two sources disagree on a field and the authority table does not settle it."""

    entity_kind = models.CharField(_("record kind"), max_length=12, choices=EntityKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("legal entity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    field_name = models.CharField(_("field"), max_length=40)
    current_value = models.CharField(_("current value"), max_length=300, blank=True)
    current_source = models.CharField(_("current source"), max_length=40, blank=True)
    proposed_value = models.CharField(_("proposed value"), max_length=300, blank=True)
    proposed_source = models.ForeignKey(
        Source, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    source_record = models.ForeignKey(
        SourceRecord,
        verbose_name=_("source record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
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
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)

    class Meta:
        verbose_name = _("field conflict")
        verbose_name_plural = _("field conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "field_name", "proposed_source", "proposed_value"],
                condition=models.Q(status="open"),
                name="registry_one_open_conflict",
            )
        ]


class LinkCandidate(BaseModel):
    """An uncertain match between a source row without a trustworthy ID and a person."""

    source_record = models.ForeignKey(
        SourceRecord,
        verbose_name=_("source record"),
        on_delete=models.CASCADE,
        related_name="link_candidates",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    match_probability = models.FloatField(_("match probability"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
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
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)

    class Meta:
        verbose_name = _("link candidate")
        verbose_name_plural = _("link candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["source_record", "person"], name="registry_link_candidate_once"
            )
        ]


class ChangeKind(models.TextChoices):
    PERSON_ADD = "person_add", _("add a person")  # 新增人员
    PERSON_UPDATE = "person_update", _("update a person")  # 更新人员
    RESIDENCE_ADD = "residence_add", _("add a resident to an address")  # 新增住户
    RESIDENCE_END = "residence_end", _("a resident moved out")  # 迁出
    ADDRESS_ADD = "address_add", _("add an address")  # 新增地址
    ENTITY_ADD = "entity_add", _("add a legal entity")  # 新增法人
    ENTITY_UPDATE = "entity_update", _("update a legal entity")  # 更新法人


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")  # 已提交: waits for the community
    CONFIRMED = "confirmed", _("confirmed")  # 已确认: applied to the registry
    REJECTED = "rejected", _("rejected")  # 已退回: with a reason
    WITHDRAWN = "withdrawn", _("withdrawn")  # 已撤回 by the grid worker


class ChangeRequest(BaseModel):
    """A grid worker's collected change (动态采集), applied only when the community confirms.

    ``payload`` holds the submitted fields (an ID number in it is sealed, see the services)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED
    )
    payload = models.JSONField(_("submitted fields"), default=dict)
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    admin_unit_code = models.CharField(_("admin unit code"), max_length=20, db_index=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.ForeignKey(
        Address, verbose_name=_("address"), null=True, blank=True, on_delete=models.SET_NULL
    )
    entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("legal entity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
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
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class ChangeRequestEvent(models.Model):
    """One transition of a change request (its timeline)."""

    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("change request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change request event")
        verbose_name_plural = _("change request events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class FieldAccess(models.TextChoices):
    HIDDEN = "hidden", _("hidden")  # 不可见
    MASKED = "masked", _("masked")  # 脱敏
    FULL = "full", _("full, with a stated purpose")  # 可申明用途后查看明文


class FieldPolicy(BaseModel):
    """Who may see which field of whom: an administrator's override of the built-in defaults
    (see the registry selectors) for a role, optionally only for one department."""

    role = models.CharField(_("role"), max_length=32)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    entity_kind = models.CharField(_("record kind"), max_length=12, choices=EntityKind.choices)
    field_name = models.CharField(_("field"), max_length=40)
    access = models.CharField(_("access"), max_length=8, choices=FieldAccess.choices)

    class Meta:
        verbose_name = _("field policy")
        verbose_name_plural = _("field policies")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "department", "entity_kind", "field_name"],
                name="registry_field_policy_unique",
            )
        ]
