"""Admin of the base registry (一库).

Registry records change only through the services (imports, grid collection, conflict review),
so they are read-only here, and personal data is shown masked in lists and forms alike (the
audited full view is on the registry pages). ID numbers are never shown: the keyed hash and the
ciphertext are left out, and an ID number typed into the search box is looked up by its hash.

Editable by administrators (every change written to the audit trail): the data sources, the
field authority table (一数一源) and the field policies (who may see which field).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Role
from civicgrid.core.admin import _AuditedAdmin
from civicgrid.core.masking import mask_name, mask_phone

from .models import (
    Address,
    Building,
    ChangeRequest,
    EntityKind,
    FieldAuthority,
    FieldConflict,
    FieldPolicy,
    Household,
    HouseholdMember,
    ImportRowError,
    ImportRun,
    LegalEntity,
    LinkCandidate,
    Person,
    Residence,
    Source,
    SourceRecord,
    SpecialGroupTag,
)
from .selectors.access import FIELDS_BY_KIND, mask_address, masked_value
from .selectors.people import id_number_hash


def _is_registry_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active
        and (
            user.is_superuser or (user.is_staff and getattr(user, "role", "") == Role.ADMINISTRATOR)
        )
    )


class _ReadOnlyRegistryAdmin(admin.ModelAdmin):
    """Viewable by administrators; changed only through the services."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_registry_administrator(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_registry_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _AdministratorEditedAdmin(_AuditedAdmin):
    """Configuration administrators edit (every change audited)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_registry_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_registry_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_registry_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_registry_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_registry_administrator(request)


class _Labelled:
    """An object shown under another label (a person's page titles show the masked name)."""

    def __init__(self, obj: Any, label: str) -> None:
        self._obj = obj
        self._label = label

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return self._label


def _person_label(person: Person | None) -> str:
    if person is None:
        return "—"
    return f"{mask_name(person.name)} {person.id_masked}"


# --- persons --------------------------------------------------------------------------------


@admin.register(Person)
class PersonAdmin(_ReadOnlyRegistryAdmin):
    list_display = (
        "id_masked",
        "masked_name",
        "sex",
        "birth_year",
        "residence_status",
        "admin_unit_code",
        "is_deceased",
        "updated_at",
    )
    list_filter = ("residence_status", "sex", "is_deceased")
    search_fields = ("admin_unit_code",)
    search_help_text = _("An ID number (exact) or an admin unit code.")
    show_full_result_count = False
    fields = (
        "id_masked",
        "masked_name",
        "sex",
        "birth_year",
        "region_code",
        "masked_phone",
        "masked_registered_address",
        "registered_division_code",
        "residence_status",
        "permit_valid_until",
        "employer",
        "masked_current_address",
        "admin_unit_code",
        "is_deceased",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None:
            label = _person_label(obj)
            context["original"] = _Labelled(obj, label)
            context["subtitle"] = label
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        digest = id_number_hash(search_term)
        if digest is not None:
            return queryset.filter(id_hash=digest), False
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(admin_unit_code__startswith=term), False
        return queryset.none() if term else queryset, False

    @admin.display(description=_("name"))
    def masked_name(self, person: Person) -> str:
        return mask_name(person.name)

    @admin.display(description=_("birth year"))
    def birth_year(self, person: Person) -> int:
        return person.birth_date.year

    @admin.display(description=_("phone"))
    def masked_phone(self, person: Person) -> str:
        return mask_phone(person.phone) if person.phone else ""

    @admin.display(description=_("registered (hukou) address"))
    def masked_registered_address(self, person: Person) -> str:
        return mask_address(person.registered_address)

    @admin.display(description=_("current address"))
    def masked_current_address(self, person: Person) -> str:
        address = person.current_address
        return mask_address(address.full_text) if address is not None else ""


@admin.register(Household)
class HouseholdAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("number", "kind", "admin_unit_code", "updated_at")
    list_filter = ("kind",)
    search_fields = ("number", "admin_unit_code")
    exclude = ("address", "field_sources")


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("household", "member", "relation")
    list_select_related = ("household", "person")
    search_fields = ("household__number",)
    fields = ("household", "member", "relation")
    readonly_fields = fields

    @admin.display(description=_("person"))
    def member(self, membership: HouseholdMember) -> str:
        return _person_label(membership.person)


@admin.register(Building)
class BuildingAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("key", "district", "street", "community", "admin_unit_code")
    search_fields = ("key", "road", "admin_unit_code")


@admin.register(Address)
class AddressAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("full_text", "admin_unit_code")
    search_fields = ("key", "full_text", "admin_unit_code")
    raw_id_fields = ("building",)


@admin.register(Residence)
class ResidenceAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("resident", "kind", "moved_in", "moved_out", "admin_unit_code")
    list_select_related = ("person",)
    list_filter = ("kind",)
    search_fields = ("admin_unit_code",)
    fields = ("resident", "masked_address", "kind", "moved_in", "moved_out", "source")
    readonly_fields = fields

    @admin.display(description=_("person"))
    def resident(self, residence: Residence) -> str:
        return _person_label(residence.person)

    @admin.display(description=_("address"))
    def masked_address(self, residence: Residence) -> str:
        return mask_address(residence.address.full_text)


@admin.register(SpecialGroupTag)
class SpecialGroupTagAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("group", "tagged", "since", "until", "admin_unit_code")
    list_select_related = ("person",)
    list_filter = ("group",)
    search_fields = ("admin_unit_code",)
    fields = ("tagged", "group", "since", "until", "source", "admin_unit_code")
    readonly_fields = fields

    @admin.display(description=_("person"))
    def tagged(self, tag: SpecialGroupTag) -> str:
        return _person_label(tag.person)


@admin.register(LegalEntity)
class LegalEntityAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("uscc", "name", "kind", "status", "admin_unit_code")
    list_filter = ("kind", "status")
    search_fields = ("uscc", "name")
    exclude = ("actual_address", "field_sources")


# --- sources, imports, review ---------------------------------------------------------------


@admin.register(SourceRecord)
class SourceRecordAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("pk", "source", "entity_kind", "received_at", "run", "line")
    list_filter = ("source", "entity_kind")
    list_select_related = ("source", "run")
    show_full_result_count = False
    fields = ("source", "entity_kind", "received_at", "run", "line", "masked_fields")
    readonly_fields = fields

    @admin.display(description=_("fields"))
    def masked_fields(self, record: SourceRecord) -> str:
        values = record.fields if isinstance(record.fields, dict) else {}
        return "; ".join(
            f"{name}: {value if name == 'id_masked' else masked_value(name, value)}"
            for name, value in sorted(values.items())
            if value not in (None, "")
        )


@admin.register(FieldConflict)
class FieldConflictAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("pk", "entity_kind", "field_name", "proposed_source", "status", "created_at")
    list_filter = ("status", "entity_kind", "field_name")
    fields = (
        "entity_kind",
        "field_name",
        "masked_current",
        "current_source",
        "masked_proposed",
        "proposed_source",
        "status",
        "decided_at",
        "admin_unit_code",
    )
    readonly_fields = fields

    @admin.display(description=_("current value"))
    def masked_current(self, conflict: FieldConflict) -> str:
        return masked_value(conflict.field_name, conflict.current_value)

    @admin.display(description=_("proposed value"))
    def masked_proposed(self, conflict: FieldConflict) -> str:
        return masked_value(conflict.field_name, conflict.proposed_value)


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    extra = 0
    can_delete = False
    fields = ("line", "field_name", "value", "message")
    readonly_fields = fields
    max_num = 0


@admin.register(ImportRun)
class ImportRunAdmin(_ReadOnlyRegistryAdmin):
    list_display = (
        "file_name",
        "entity_kind",
        "source",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "invalid_count",
        "conflict_count",
        "created_at",
    )
    list_filter = ("status", "entity_kind", "source")
    search_fields = ("file_name", "file_sha256")
    inlines = [ImportRowErrorInline]


@admin.register(LinkCandidate)
class LinkCandidateAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("pk", "candidate", "match_probability", "status", "admin_unit_code")
    list_filter = ("status",)
    list_select_related = ("person",)
    fields = ("source_record", "candidate", "match_probability", "status", "decided_at")
    readonly_fields = fields

    @admin.display(description=_("person"))
    def candidate(self, link: LinkCandidate) -> str:
        return _person_label(link.person)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(_ReadOnlyRegistryAdmin):
    list_display = ("pk", "kind", "status", "admin_unit_code", "submitted_by", "created_at")
    list_filter = ("status", "kind")
    fields = ("kind", "status", "admin_unit_code", "submitted_by", "decided_by", "reason")
    readonly_fields = fields


# --- configuration (administrators) ---------------------------------------------------------


@admin.register(Source)
class SourceAdmin(_AdministratorEditedAdmin):
    """数据来源: link a source to its department so that the department's staff see the
    fields the source is authoritative for."""

    audit_prefix = "registry.source"
    list_display = ("code", "name", "department", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    raw_id_fields = ("department",)


def _field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (str(EntityKind(kind).label), [(name, name) for name in fields])
        for kind, fields in FIELDS_BY_KIND.items()
    ]


@admin.register(FieldAuthority)
class FieldAuthorityAdmin(_AdministratorEditedAdmin):
    """一数一源: which source is authoritative for which field (lower rank wins)."""

    audit_prefix = "registry.field_authority"
    list_display = ("entity_kind", "field_name", "source", "rank")
    list_filter = ("entity_kind", "source")
    search_fields = ("field_name",)


class FieldPolicyForm(forms.ModelForm):
    """A role (and optionally a department) and a field of a kind of record: the field must
    belong to that kind."""

    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    field_name = forms.ChoiceField(label=_("field"), choices=_field_choices)

    class Meta:
        model = FieldPolicy
        fields = ("role", "department", "entity_kind", "field_name", "access")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, name = data.get("entity_kind"), data.get("field_name")
        if kind and name and name not in FIELDS_BY_KIND.get(kind, ()):
            self.add_error(
                "field_name", _("This field does not belong to the chosen kind of record.")
            )
        return data


@admin.register(FieldPolicy)
class FieldPolicyAdmin(_AdministratorEditedAdmin):
    """字段权限: overrides of the built-in access defaults per role (and department)."""

    audit_prefix = "registry.field_policy"
    form = FieldPolicyForm
    list_display = ("role", "department", "entity_kind", "field_name", "access")
    list_filter = ("role", "entity_kind", "access")
    search_fields = ("field_name", "department__name")
    raw_id_fields = ("department",)
