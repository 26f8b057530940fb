"""Response and request serializers of the REST API (also the OpenAPI components)."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.accounts.models import Role
from civicgrid.core.masking import mask_phone
from civicgrid.territory.models import AdminLevel


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. outside_city.")
    message = serializers.CharField(help_text="Translated message for people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field at fault.",
    )


class ErrorSerializer(serializers.Serializer):
    """The consistent error body ``{"error": {"code", "message", "fields"}}``."""

    error = ErrorDetailSerializer()


# --- territory -----------------------------------------------------------------------------


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UnitBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AdminLevel.choices)


class UnitListSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AdminLevel.choices)
    parent_code = serializers.CharField(allow_null=True)
    centroid_lon = serializers.FloatField(allow_null=True)
    centroid_lat = serializers.FloatField(allow_null=True)
    is_demo_geometry = serializers.BooleanField()


class UnitDetailSerializer(UnitListSerializer):
    boundary = serializers.JSONField(allow_null=True, help_text="GeoJSON geometry.")
    breadcrumb = UnitBriefSerializer(many=True)
    children = UnitListSerializer(many=True)


class TreeNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AdminLevel.choices)
    children = serializers.ListField(
        child=serializers.DictField(), help_text="Nodes of the same shape, one level down."
    )


class GeoJSONFeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AdminLevel.choices)
    parent_code = serializers.CharField(allow_null=True)
    is_demo_geometry = serializers.BooleanField()


class GeoJSONFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = serializers.JSONField(help_text="GeoJSON geometry (Polygon or MultiPolygon).")
    properties = GeoJSONFeaturePropertiesSerializer()


class GeoJSONFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = GeoJSONFeatureSerializer(many=True)


class GeoJSONQuerySerializer(serializers.Serializer):
    within = serializers.RegexField(
        r"^[0-9]{4,20}$",
        required=False,
        help_text="Code prefix of the area (default: the user's whole visible tree).",
        error_messages={"invalid": _("Enter a division code made of digits.")},
    )
    level = serializers.ChoiceField(
        choices=AdminLevel.choices,
        required=False,
        help_text="Level of the features (default: the level below `within`).",
    )


class LocateQuerySerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS 84).")
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS 84).")

    def _finite(self, value: float) -> float:
        if not math.isfinite(value):
            raise serializers.ValidationError(_("A valid number is required."))
        return value

    def validate_lon(self, value: float) -> float:
        return self._finite(value)

    def validate_lat(self, value: float) -> float:
        return self._finite(value)


class LocateSerializer(serializers.Serializer):
    district = UnitRefSerializer(allow_null=True)
    street = UnitRefSerializer(allow_null=True)
    community = UnitRefSerializer(allow_null=True)
    grid = UnitRefSerializer(allow_null=True)
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class UnitListQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AdminLevel.choices, required=False)
    # A declared field named like a Field attribute is fine: DRF pops declared fields.
    parent = serializers.CharField(  # type: ignore[assignment]
        required=False, max_length=20, help_text="Parent unit code."
    )
    q = serializers.CharField(
        required=False, max_length=100, help_text="Part of the name, or the start of the code."
    )


class TreeQuerySerializer(serializers.Serializer):
    root = serializers.CharField(  # type: ignore[assignment]
        required=False, max_length=20, help_text="Code of the root (default: your scope)."
    )
    depth = serializers.IntegerField(
        required=False, min_value=1, max_value=3, default=1, help_text="Levels below the root."
    )


# --- departments ---------------------------------------------------------------------------


class DepartmentListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Part of the name, short name or an alias."
    )
    unit = serializers.CharField(
        required=False, max_length=20, help_text="Code of the admin unit the department belongs to."
    )


class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = serializers.CharField()
    admin_unit_code = serializers.CharField(source="admin_unit.code")
    admin_unit_name = serializers.CharField(source="admin_unit.name")
    is_active = serializers.BooleanField()


class DepartmentDetailSerializer(DepartmentSerializer):
    aliases = serializers.SerializerMethodField()
    parent_code = serializers.SerializerMethodField()

    def get_aliases(self, department: Any) -> list[str]:
        return [alias.alias for alias in department.aliases.all()]

    def get_parent_code(self, department: Any) -> str | None:
        return department.parent.code if department.parent_id else None


# --- accounts ------------------------------------------------------------------------------


class UserSerializer(serializers.Serializer):
    """A staff account; the phone is always masked here (reveal it with the reveal action)."""

    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(source="get_role_display")
    scope_unit_code = serializers.SerializerMethodField()
    scope_unit_name = serializers.SerializerMethodField()
    department_code = serializers.SerializerMethodField()
    department_name = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    def get_scope_unit_code(self, user: Any) -> str | None:
        return user.scope_unit.code if user.scope_unit_id else None

    def get_scope_unit_name(self, user: Any) -> str | None:
        return user.scope_unit.name if user.scope_unit_id else None

    def get_department_code(self, user: Any) -> str | None:
        return user.department.code if user.department_id else None

    def get_department_name(self, user: Any) -> str | None:
        return user.department.name if user.department_id else None

    def get_phone_masked(self, user: Any) -> str:
        return mask_phone(user.phone) if user.phone else ""


class MeSerializer(UserSerializer):
    phone = serializers.CharField(help_text="Your own phone number, in full.")


class RevealRequestSerializer(serializers.Serializer):
    purpose = serializers.CharField(
        min_length=2, max_length=300, help_text="Why you need the full data (audited)."
    )


class RevealResponseSerializer(serializers.Serializer):
    phone = serializers.CharField()


class UserListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=100, help_text="Part of the username or full name."
    )
    role = serializers.ChoiceField(choices=Role.choices, required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
