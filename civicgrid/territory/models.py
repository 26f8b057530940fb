"""Admin units (行政区划) down to grids, and departments (部门) attached to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import BaseModel


class AdminLevel(models.TextChoices):
    CITY = "city", _("city")  # 市 (4-digit division code, e.g. 4404)
    DISTRICT = "district", _("district")  # 区/县 (6 digits)
    STREET = "street", _("street / town")  # 街道/镇 and functional zones (9 digits)
    COMMUNITY = "community", _("community / village")  # 社区/村 (12 digits)
    GRID = "grid", _("grid")  # 网格: community code + 3 digits (15 digits), CivicGrid's own


LEVEL_ORDER = [
    AdminLevel.CITY,
    AdminLevel.DISTRICT,
    AdminLevel.STREET,
    AdminLevel.COMMUNITY,
    AdminLevel.GRID,
]
CODE_LENGTH = {
    AdminLevel.CITY: 4,
    AdminLevel.DISTRICT: 6,
    AdminLevel.STREET: 9,
    AdminLevel.COMMUNITY: 12,
    AdminLevel.GRID: 15,
}


class AdminUnit(BaseModel):
    """行政区划: one node of city → district → street → community → grid.

    The parent link is the truth. Division codes are hierarchical (a child's code starts with
    its parent's), which imports enforce; subtree queries use the code prefix
    (``code__startswith``), which also serves as the shard key beyond one machine.
    """

    code = models.CharField(_("division code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=AdminLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    is_demo_geometry = models.BooleanField(
        _("demo geometry"),
        default=False,
        help_text=_("The boundary was generated for the demo and is not an official boundary."),
    )
    boundary_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("admin unit")
        verbose_name_plural = _("admin units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(level="city"),
                name="admin_unit_parent_required_below_city",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def admin_unit_code(self) -> str:
        return self.code


class DepartmentKind(models.TextChoices):
    PARTY = "party", _("party body")  # 党委部门, e.g. 市委组织部
    GOVERNMENT = "government", _("government department")  # 政府部门, e.g. 市民政局
    PEOPLES_ORGANISATION = "organisation", _("people's organisation")  # 群团, e.g. 团市委, 市总工会
    DISTRICT = "district", _("district government")  # 区政府 / 管委会
    STREET = "street", _("street office / town government")  # 街道办 / 镇政府
    COMMUNITY = "community", _("community committee")  # 居委会 / 村委会
    OTHER = "other", _("other body")


class Department(BaseModel):
    """部门/单位: a body that handles appeals, leads tasks or owns data, under an admin unit."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("full name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("admin unit"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_departments",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["admin_unit__code", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def admin_unit_code(self) -> str:
        return self.admin_unit.code


class DepartmentAlias(models.Model):
    """别名: another name people write for a department (市人社局 = 市人力资源和社会保障局)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("department alias")
        verbose_name_plural = _("department aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return self.alias
