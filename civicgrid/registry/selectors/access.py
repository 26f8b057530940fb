"""The registry's gatekeeper: whom a user may see, and which fields, how (共享权限).

Two questions decide every page, API answer and export of registry data:

* **Whom** — the records inside the user's data scope (:func:`civicgrid.accounts.selectors.
  scope_of`: the admin-unit subtree by code prefix, or the whole city), and only when the user
  may see at least one field of that kind of record.
* **Which fields, how** — per field one of :class:`~civicgrid.registry.models.FieldAccess`:
  ``hidden`` (not shown), ``masked`` (shown masked only) or ``full``. For the personal fields in
  :data:`REVEALABLE_FIELDS` (ID number, phone, permit number, addresses) ``full`` still shows
  them masked; the full value is shown only after the user states a purpose, and the reveal is
  written to the audit trail (:mod:`civicgrid.registry.services.access`). Other fields at
  ``full`` are shown as they are.

Field access is resolved in this order, later steps overriding earlier ones:

1. the built-in defaults of :data:`DEFAULT_PERSON_ACCESS` / :data:`DEFAULT_ENTITY_ACCESS` (per
   role; superusers count as administrators);
2. department staff additionally see in full the fields their department's sources are
   authoritative for (:class:`~civicgrid.registry.models.FieldAuthority`, 一数一源: staff of 人社
   see the employer), and special-group tags when they work at community level or below;
3. :class:`~civicgrid.registry.models.FieldPolicy` rows for the role (any department);
4. :class:`~civicgrid.registry.models.FieldPolicy` rows for the role and the user's department.

Leaders see figures only; citizens, anonymous and inactive users see nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.accounts.models import STAFF_ROLES, Role
from civicgrid.accounts.selectors import Scope, scope_of
from civicgrid.core.masking import MASK, mask_id_number, mask_middle, mask_name, mask_phone

from ..models import (
    EntityKind,
    FieldAccess,
    FieldAuthority,
    FieldConflict,
    FieldPolicy,
    LegalEntity,
    Person,
)

HIDDEN = FieldAccess.HIDDEN.value
MASKED = FieldAccess.MASKED.value
FULL = FieldAccess.FULL.value

# The fields of a person the policies speak about (``special_tags`` stands for the
# special-group tags, which are rows of their own).
PERSON_FIELDS: tuple[str, ...] = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "registered_address",
    "registered_division_code",
    "residence_status",
    "permit_number",
    "permit_valid_until",
    "current_address",
    "employer",
    "special_tags",
)
ENTITY_FIELDS: tuple[str, ...] = (
    "uscc",
    "name",
    "kind",
    "legal_representative",
    "registered_address",
    "actual_address",
    "status",
    "established_on",
)
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    EntityKind.PERSON.value: PERSON_FIELDS,
    EntityKind.ENTITY.value: ENTITY_FIELDS,
}
# Personal fields shown masked even at ``full``: the plain value needs a purpose (audited).
REVEALABLE_FIELDS = frozenset(
    {"id_number", "phone", "permit_number", "registered_address", "current_address"}
)

PERSON_FIELD_LABELS: dict[str, Any] = {
    "id_number": _("ID number"),
    "name": pgettext_lazy("person", "Name"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "phone": _("Phone"),
    "registered_address": _("Registered (hukou) address"),
    "registered_division_code": _("Registered division code"),
    "residence_status": _("Residence status"),
    "permit_number": _("Residence permit number"),
    "permit_valid_until": _("Residence permit valid until"),
    "current_address": _("Current address"),
    "employer": _("Employer"),
    "special_tags": _("Special groups"),
}
ENTITY_FIELD_LABELS: dict[str, Any] = {
    "uscc": _("Unified social credit code"),
    "name": _("Name"),
    "kind": _("Kind"),
    "legal_representative": _("Legal representative"),
    "registered_address": _("Registered address"),
    "actual_address": _("Actual address"),
    "status": _("Status"),
    "established_on": _("Established on"),
}


def _all(access: str, fields: tuple[str, ...], **exceptions: str) -> dict[str, str]:
    return {name: exceptions.get(name, access) for name in fields}


# Built-in defaults per role (an administrator overrides them with FieldPolicy rows).
DEFAULT_PERSON_ACCESS: dict[str, dict[str, str]] = {
    # 系统管理员: everything, personal fields with a purpose; special groups only by policy.
    Role.ADMINISTRATOR: _all(FULL, PERSON_FIELDS, special_tags=HIDDEN),
    # 社工委: everything including special groups.
    Role.PROGRAMME_OFFICE: _all(FULL, PERSON_FIELDS),
    # 网格员: the persons of their grid (the scope), personal fields with a purpose.
    Role.GRID_WORKER: _all(FULL, PERSON_FIELDS),
    # 部门: who the person is (ID masked); their sources' fields are added below.
    Role.DEPARTMENT_STAFF: _all(HIDDEN, PERSON_FIELDS, name=FULL, id_number=MASKED),
    # 领导: figures only. 派单/督办/话务: no registry work. 市民: nothing.
    Role.LEADER: _all(HIDDEN, PERSON_FIELDS),
    Role.DISPATCHER: _all(HIDDEN, PERSON_FIELDS),
    Role.SUPERVISOR: _all(HIDDEN, PERSON_FIELDS),
    Role.HOTLINE_OPERATOR: _all(HIDDEN, PERSON_FIELDS),
    Role.CITIZEN: _all(HIDDEN, PERSON_FIELDS),
}
DEFAULT_ENTITY_ACCESS: dict[str, dict[str, str]] = {
    Role.ADMINISTRATOR: _all(FULL, ENTITY_FIELDS),
    Role.PROGRAMME_OFFICE: _all(FULL, ENTITY_FIELDS),
    Role.GRID_WORKER: _all(FULL, ENTITY_FIELDS),
    Role.DEPARTMENT_STAFF: _all(FULL, ENTITY_FIELDS),
    Role.LEADER: _all(HIDDEN, ENTITY_FIELDS),
    Role.DISPATCHER: _all(HIDDEN, ENTITY_FIELDS),
    Role.SUPERVISOR: _all(HIDDEN, ENTITY_FIELDS),
    Role.HOTLINE_OPERATOR: _all(HIDDEN, ENTITY_FIELDS),
    Role.CITIZEN: _all(HIDDEN, ENTITY_FIELDS),
}
# Scope codes this long or longer are community level or below (社区/网格).
COMMUNITY_CODE_LENGTH = 12
# Roles that may decide source conflicts (with full access to the field, inside their scope).
CONFLICT_REVIEW_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_OFFICE, Role.DEPARTMENT_STAFF}
)
_CACHE_ATTRIBUTE = "_registry_access_cache"


@dataclass(frozen=True)
class RegistryAccess:
    """What one user may see of the registry (resolve it with :func:`registry_access`)."""

    scope: Scope
    role: str
    is_staff: bool
    person_fields: Mapping[str, str] = field(default_factory=dict)
    entity_fields: Mapping[str, str] = field(default_factory=dict)

    # --- whom -------------------------------------------------------------------------------

    @property
    def may_list_persons(self) -> bool:
        return self._sees_any(self.person_fields)

    @property
    def may_list_entities(self) -> bool:
        return self._sees_any(self.entity_fields)

    @property
    def may_see_figures(self) -> bool:
        """Counts by admin unit (no person data): every staff user inside their scope."""
        return self.is_staff and not self.scope.is_nothing

    def covers(self, code: str) -> bool:
        return self.scope.covers_code(code or "")

    def _sees_any(self, fields: Mapping[str, str]) -> bool:
        return (
            self.is_staff
            and not self.scope.is_nothing
            and any(value != HIDDEN for value in fields.values())
        )

    # --- which fields -----------------------------------------------------------------------

    def person_access(self, name: str) -> str:
        return self.person_fields.get(name, HIDDEN) if self.may_list_persons else HIDDEN

    def entity_access(self, name: str) -> str:
        return self.entity_fields.get(name, HIDDEN) if self.may_list_entities else HIDDEN

    def access(self, entity_kind: str, name: str) -> str:
        if entity_kind == EntityKind.ENTITY:
            return self.entity_access(name)
        return self.person_access(name)

    def sees_person_field(self, name: str) -> bool:
        return self.person_access(name) != HIDDEN

    def may_reveal(self, name: str) -> bool:
        """Whether the plain value of a personal field may be shown (with a stated purpose)."""
        return name in REVEALABLE_FIELDS and self.person_access(name) == FULL

    @property
    def revealable_fields(self) -> list[str]:
        return [name for name in PERSON_FIELDS if self.may_reveal(name)]

    @property
    def may_see_tags(self) -> bool:
        return self.person_access("special_tags") != HIDDEN

    @property
    def may_search_by_name(self) -> bool:
        return self.person_access("name") == FULL

    @property
    def may_search_by_address(self) -> bool:
        return self.person_access("current_address") == FULL

    def may_review(self, entity_kind: str, field_name: str, admin_unit_code: str) -> bool:
        """Whether the user may decide a conflict on this field of a record in this unit."""
        return (
            self.role in CONFLICT_REVIEW_ROLES
            and self.covers(admin_unit_code)
            and self.access(entity_kind, field_name) == FULL
        )

    @property
    def may_review_conflicts(self) -> bool:
        return self.role in CONFLICT_REVIEW_ROLES and any(
            self.access(kind, name) == FULL
            for kind, fields in FIELDS_BY_KIND.items()
            for name in fields
        )


NO_ACCESS = RegistryAccess(scope=Scope(), role="", is_staff=False)


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def effective_role(user: Any) -> str:
    """The role whose defaults apply: superusers count as administrators."""
    if user.is_superuser:
        return Role.ADMINISTRATOR.value
    return str(user.role)


def _resolve(user: Any) -> RegistryAccess:
    if not _is_active_user(user):
        return NO_ACCESS
    role = effective_role(user)
    is_staff = role in STAFF_ROLES
    scope = scope_of(user)
    person = dict(DEFAULT_PERSON_ACCESS.get(role, _all(HIDDEN, PERSON_FIELDS)))
    entity = dict(DEFAULT_ENTITY_ACCESS.get(role, _all(HIDDEN, ENTITY_FIELDS)))
    by_kind = {EntityKind.PERSON.value: person, EntityKind.ENTITY.value: entity}
    department_id = user.department_id
    if role == Role.DEPARTMENT_STAFF:
        if scope.code is not None and len(scope.code) >= COMMUNITY_CODE_LENGTH:
            # 社区居委会: the community keeps its residents' records (and confirms what grid
            # workers collect), so it sees what a grid worker sees, in its own community.
            person.update(DEFAULT_PERSON_ACCESS[Role.GRID_WORKER])
            entity.update(DEFAULT_ENTITY_ACCESS[Role.GRID_WORKER])
        if department_id:
            authorities = FieldAuthority.objects.filter(
                source__department_id=department_id, source__is_active=True
            ).values_list("entity_kind", "field_name")
            for entity_kind, field_name in authorities:
                fields = by_kind.get(entity_kind)
                if fields is not None and field_name in fields:
                    fields[field_name] = FULL
    policies = FieldPolicy.objects.filter(role=role).filter(
        Q(department__isnull=True) | Q(department_id=department_id)
    )
    # Role-wide rows first, then the department's own rows override them.
    rows = sorted(
        policies.values_list("department_id", "entity_kind", "field_name", "access"),
        key=lambda row: row[0] is not None,
    )
    for _department, entity_kind, field_name, access in rows:
        fields = by_kind.get(entity_kind)
        if fields is not None and field_name in fields and access in FieldAccess.values:
            fields[field_name] = access
    return RegistryAccess(
        scope=scope,
        role=role,
        is_staff=is_staff,
        person_fields=MappingProxyType(person),
        entity_fields=MappingProxyType(entity),
    )


def registry_access(user: Any) -> RegistryAccess:
    """Resolve what ``user`` may see of the registry (kept on the user object for the request:
    one or two queries the first time, none after)."""
    if not _is_active_user(user):
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if isinstance(cached, RegistryAccess):
        return cached
    access = _resolve(user)
    with contextlib.suppress(AttributeError):  # a user object that takes no attributes
        setattr(user, _CACHE_ATTRIBUTE, access)
    return access


def forget_registry_access(user: Any) -> None:
    """Drop the cached access of ``user`` (after its role, scope or the policies change)."""
    if user is not None and hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


# --- whom -----------------------------------------------------------------------------------


def _next_code(prefix: str) -> str | None:
    """The smallest digit string above every string that starts with ``prefix`` (``4404`` →
    ``4405``, ``4409`` → ``4410``); ``None`` for ``99…`` (no upper bound)."""
    digits = list(prefix)
    for index in range(len(digits) - 1, -1, -1):
        if digits[index] < "9":
            digits[index] = chr(ord(digits[index]) + 1)
            return "".join(digits[: index + 1])
    return None


def code_prefix_q(prefix: str, field: str = "admin_unit_code") -> Q:
    """Rows whose admin-unit code starts with ``prefix``, written so that PostgreSQL can read
    them with a range scan of the column's ordinary index (whatever the collation) and keep the
    index order for sorting: ``code >= prefix AND code < next AND code LIKE 'prefix%'``.

    Codes are digit strings, which sort the same in every collation. A bare ``LIKE`` uses the
    pattern index, which cannot give the order, and for "first page of a grid's residents by
    unit and name" the planner then walks the whole ordered index (seconds at city scale)."""
    condition = Q(**{f"{field}__startswith": prefix, f"{field}__gte": prefix})
    upper = _next_code(prefix) if prefix.isdigit() else None
    if upper is not None:
        condition &= Q(**{f"{field}__lt": upper})
    return condition


def _in_scope(queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
    if scope.is_everything:
        return queryset
    if scope.code is None:
        return queryset.none()
    return queryset.filter(code_prefix_q(scope.code))


def persons_visible_to(user: Any) -> QuerySet[Person]:
    """Persons ``user`` may see (pages, API, exports and reveals all start here)."""
    access = registry_access(user)
    if not access.may_list_persons:
        return Person.objects.none()
    return _in_scope(Person.objects.all(), access.scope)


def entities_visible_to(user: Any) -> QuerySet[LegalEntity]:
    """Legal entities ``user`` may see."""
    access = registry_access(user)
    if not access.may_list_entities:
        return LegalEntity.objects.none()
    return _in_scope(LegalEntity.objects.all(), access.scope)


def conflicts_visible_to(user: Any) -> QuerySet[FieldConflict]:
    """Source conflicts ``user`` may review: in scope, on fields the user sees in full."""
    access = registry_access(user)
    if not access.may_review_conflicts:
        return FieldConflict.objects.none()
    person_fields = [name for name in PERSON_FIELDS if access.person_access(name) == FULL]
    entity_fields = [name for name in ENTITY_FIELDS if access.entity_access(name) == FULL]
    conflicts = FieldConflict.objects.filter(
        Q(entity_kind=EntityKind.PERSON, field_name__in=person_fields)
        | Q(entity_kind=EntityKind.ENTITY, field_name__in=entity_fields)
    )
    return _in_scope(conflicts, access.scope)


# --- masking --------------------------------------------------------------------------------


def mask_address(value: Any) -> str:
    """``广东省珠海市香洲区紫荆路100号3栋2单元501`` keeps the first half, at most 9 characters
    (the district or street), and masks the rest."""
    text = "" if value is None else str(value).strip()
    return mask_middle(text, min(9, len(text) // 2), 0)


def mask_date(value: dt.date | None) -> str:
    """A date shows its year only: ``1990-**-**``."""
    return f"{value.year:04d}-**-**" if value else ""


def masked_value(name: str, value: Any, *, person: Person | None = None) -> str:
    """The masked display of a field value (never more than the masking rules keep)."""
    if value in (None, ""):
        return ""
    if name == "id_number":
        return person.id_masked if person is not None else mask_id_number(value)
    if name == "phone":
        return mask_phone(value)
    if name in {"name", "legal_representative"}:
        return mask_name(value)
    if name in {"registered_address", "current_address", "actual_address"}:
        return mask_address(value)
    if name in {"birth_date", "permit_valid_until", "established_on"}:
        return mask_date(value) if isinstance(value, dt.date) else MASK * 3
    if name == "permit_number":
        return mask_middle(value, 2, 2)
    if name == "registered_division_code":
        return mask_middle(value, 6, 0)
    if name == "uscc":
        return mask_middle(value, 8, 2)
    return MASK * 3
