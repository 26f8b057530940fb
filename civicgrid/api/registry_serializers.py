"""Serializers of the registry API (requests, responses and their OpenAPI components).

Responses are built from the registry selectors' masked views, never from model fields: a
value here is what the reader may see (masked, or ``null`` when the field is hidden from them).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.core.idnumbers import parse_id_number
from civicgrid.registry.models import EntityKindOfLaw, ResidenceStatus
from civicgrid.registry.selectors.access import REVEALABLE_FIELDS
from civicgrid.registry.selectors.people import (
    ENTITY_LIST_FIELDS,
    EntityRow,
    FieldView,
    PersonRow,
)
from civicgrid.territory.models import AdminLevel

_CODE = r"^[0-9]{4,20}$"


def _value(field: FieldView | None) -> str | None:
    return None if field is None else field.value


# --- queries and requests -------------------------------------------------------------------


class PersonListQuerySerializer(serializers.Serializer):
    grid = serializers.RegexField(
        _CODE, required=False, help_text="Admin unit code: the persons placed in it or below."
    )
    q = serializers.CharField(
        required=False,
        max_length=60,
        help_text="Part of a name. ID numbers are looked up with POST /persons/lookup/ only.",
    )
    status = serializers.ChoiceField(choices=ResidenceStatus.choices, required=False)

    def validate_q(self, value: str) -> str:
        from civicgrid.registry.selectors.people import id_number_hash

        if id_number_hash(value) is not None:
            raise serializers.ValidationError(
                _("Look up an ID number with POST /api/registry/persons/lookup/, not in a URL.")
            )
        return value


class PersonLookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=40, help_text="18-character ID number.")

    def validate_id_number(self, value: str) -> str:
        from django.core.exceptions import ValidationError

        try:
            return parse_id_number(value, _("ID number")).number
        except ValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error


class PersonRevealSerializer(serializers.Serializer):
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.ChoiceField(choices=sorted(REVEALABLE_FIELDS)),
        min_length=1,
        max_length=len(REVEALABLE_FIELDS),
        help_text="Which fields to show in full.",
    )
    purpose = serializers.CharField(
        min_length=2, max_length=300, help_text="Why you need the full values (audited)."
    )


class RevealedValuesSerializer(serializers.Serializer):
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="Field name → plain value."
    )


class EntityListQuerySerializer(serializers.Serializer):
    grid = serializers.RegexField(_CODE, required=False)
    q = serializers.CharField(
        required=False, max_length=100, help_text="A credit code (exact) or part of the name."
    )
    kind = serializers.ChoiceField(choices=EntityKindOfLaw.choices, required=False)


class FiguresQuerySerializer(serializers.Serializer):
    unit = serializers.RegexField(
        _CODE, required=False, help_text="Parent unit (default: your top unit)."
    )
    period = serializers.CharField(
        required=False, max_length=10, help_text="2025, 2025-Q3 or 2025-07 (default: today)."
    )


class ResidentsByUnitQuerySerializer(serializers.Serializer):
    unit = serializers.RegexField(_CODE, required=False)
    level = serializers.ChoiceField(
        choices=[level for level in AdminLevel.choices if level[0] != AdminLevel.CITY],
        required=False,
        default=AdminLevel.GRID,
    )


# --- responses ------------------------------------------------------------------------------


class PersonListItemSerializer(serializers.Serializer):
    """A person as the reader may see them: hidden fields are ``null``, ``masked`` lists the
    fields shown masked and ``revealable`` those the reader may show in full with a purpose."""

    id = serializers.IntegerField(source="pk")
    version = serializers.IntegerField()
    admin_unit_code = serializers.CharField()
    admin_unit_name = serializers.CharField(source="unit_name")
    name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    sex = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    residence_status = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    current_address = serializers.SerializerMethodField()
    masked = serializers.SerializerMethodField()
    revealable = serializers.SerializerMethodField()

    def _field(self, row: PersonRow, name: str) -> str | None:
        return _value(row.fields.get(name))

    def get_name(self, row: PersonRow) -> str | None:
        return self._field(row, "name")

    def get_id_number(self, row: PersonRow) -> str | None:
        return self._field(row, "id_number")

    def get_sex(self, row: PersonRow) -> str | None:
        return self._field(row, "sex")

    def get_birth_date(self, row: PersonRow) -> str | None:
        return self._field(row, "birth_date")

    def get_residence_status(self, row: PersonRow) -> str | None:
        return self._field(row, "residence_status")

    def get_phone(self, row: PersonRow) -> str | None:
        return self._field(row, "phone")

    def get_current_address(self, row: PersonRow) -> str | None:
        return self._field(row, "current_address")

    def get_masked(self, row: PersonRow) -> list[str]:
        return [view.name for view in row.cells if view.is_masked]

    def get_revealable(self, row: PersonRow) -> list[str]:
        return [view.name for view in row.cells if view.may_reveal]


class FieldViewSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(allow_blank=True)
    access = serializers.CharField(help_text="masked or full (hidden fields are left out).")
    masked = serializers.BooleanField(source="is_masked")
    revealable = serializers.BooleanField(source="may_reveal")
    source = serializers.CharField(source="source_code", allow_blank=True)  # type: ignore[assignment]
    source_name = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField(allow_null=True)


class SpecialGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    label = serializers.CharField(source="get_group_display")  # type: ignore[assignment]
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", allow_null=True)
    name = serializers.CharField()
    id_number = serializers.CharField()
    relation = serializers.CharField()


class HouseholdSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    relation = serializers.CharField()
    address = serializers.CharField()
    members = MemberSerializer(many=True)
    members_outside_scope = serializers.IntegerField()


class PersonDetailSerializer(serializers.Serializer):
    id = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    admin_unit_code = serializers.SerializerMethodField()
    admin_unit_name = serializers.CharField(source="unit_name")
    is_deceased = serializers.SerializerMethodField()
    fields = FieldViewSerializer(many=True)  # type: ignore[assignment]
    special_groups = serializers.SerializerMethodField()
    households = HouseholdSerializer(many=True)
    open_conflicts = serializers.SerializerMethodField()
    source_records = serializers.IntegerField(source="source_record_count")

    def get_id(self, detail: Any) -> int:
        return int(detail.person.pk)

    def get_version(self, detail: Any) -> int:
        return int(detail.person.version)

    def get_admin_unit_code(self, detail: Any) -> str:
        return str(detail.person.admin_unit_code)

    def get_is_deceased(self, detail: Any) -> bool:
        return bool(detail.person.is_deceased)

    def get_special_groups(self, detail: Any) -> list[dict[str, Any]] | None:
        if detail.tags is None:
            return None
        return list(SpecialGroupSerializer(detail.tags, many=True).data)

    def get_open_conflicts(self, detail: Any) -> int:
        return len(detail.conflicts)


class EntityListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    admin_unit_code = serializers.CharField()
    admin_unit_name = serializers.CharField(source="unit_name")
    values = serializers.SerializerMethodField(
        help_text="Visible list fields: " + ", ".join(ENTITY_LIST_FIELDS)
    )

    def get_values(self, row: EntityRow) -> dict[str, str]:
        return {name: view.value for name, view in row.fields.items()}


class EntityDetailSerializer(serializers.Serializer):
    id = serializers.SerializerMethodField()
    admin_unit_code = serializers.SerializerMethodField()
    admin_unit_name = serializers.CharField(source="unit_name")
    fields = FieldViewSerializer(many=True)  # type: ignore[assignment]
    source_records = serializers.IntegerField(source="source_record_count")

    def get_id(self, detail: Any) -> int:
        return int(detail.entity.pk)

    def get_admin_unit_code(self, detail: Any) -> str:
        return str(detail.entity.admin_unit_code)


class UnitFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    residents = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    age_bands = serializers.DictField(child=serializers.IntegerField())
    elderly_60 = serializers.IntegerField()
    elderly_65 = serializers.IntegerField()
    households = serializers.IntegerField()
    entities = serializers.IntegerField()
    entities_by_kind = serializers.DictField(child=serializers.IntegerField())


class FiguresSerializer(serializers.Serializer):
    parent_code = serializers.CharField()
    parent_name = serializers.CharField()
    on = serializers.DateField()
    rows = UnitFiguresSerializer(many=True)
    rest = UnitFiguresSerializer(help_text="Placed in the parent itself, not in a child unit.")
    total = UnitFiguresSerializer()
