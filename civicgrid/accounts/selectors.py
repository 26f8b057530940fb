"""Data scopes: the one gatekeeper per data type that decides what a user may see.

Every list, detail page and API endpoint that shows admin units, departments or users gets its
queryset from here. Rules (docs/adr/0001):

* anonymous and inactive users, and citizens, see no staff data;
* superusers and the city-wide roles (administrator, leader, programme office) without a scope
  unit see the whole city; with a scope unit they are limited like everybody else;
* every other staff user sees the subtree of their effective scope unit (``scope_unit``, else
  their department's unit) and nothing if they have none;
* departments are visible when attached to a visible unit or to an ancestor of the scope
  (city departments are everybody's partners), never to another district's units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from civicgrid.territory.models import AdminUnit, Department, DepartmentAlias

from .models import STAFF_ROLES, Role, User

CITY_WIDE_ROLES = frozenset({Role.ADMINISTRATOR, Role.LEADER, Role.PROGRAMME_OFFICE})
# Roles that may reveal other staff's personal data (phones) inside their scope, with a purpose.
PERSONAL_DATA_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.DISPATCHER, Role.PROGRAMME_OFFICE}
)


@dataclass(frozen=True)
class Scope:
    """The resolved data scope of a user: everything, nothing, or the subtree under ``code``."""

    is_everything: bool = False
    code: str | None = None

    @property
    def is_nothing(self) -> bool:
        return not self.is_everything and self.code is None

    def covers_code(self, code: str) -> bool:
        if self.is_everything:
            return True
        return self.code is not None and code.startswith(self.code)

    def ancestor_codes(self) -> list[str]:
        """Codes of the scope unit's ancestors (prefixes at the official code lengths)."""
        if self.code is None:
            return []
        return [self.code[:n] for n in (4, 6, 9, 12) if n < len(self.code)]


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def scope_of(user: Any) -> Scope:
    """Resolve the data scope of ``user`` (works for anonymous users too)."""
    if not _is_active_user(user):
        return Scope()
    unit = user.effective_scope_unit
    if unit is not None and (user.role in STAFF_ROLES or user.is_superuser):
        return Scope(code=unit.code)
    if user.is_superuser or user.role in CITY_WIDE_ROLES:
        return Scope(is_everything=True)
    return Scope()


def units_visible_to(user: Any, *, search: str = "") -> QuerySet[AdminUnit]:
    """Admin units ``user`` may see: their scope's subtree; ``search`` keeps those whose name
    contains it or whose code starts with it."""
    scope = scope_of(user)
    units = AdminUnit.objects.all()
    if scope.code is not None:
        units = units.filter(code__startswith=scope.code)
    elif not scope.is_everything:
        return units.none()
    search = search.strip()
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return units


def root_units_visible_to(user: Any) -> QuerySet[AdminUnit]:
    """The top of ``user``'s visible tree: the city for whole-city users, else the scope unit."""
    scope = scope_of(user)
    if scope.is_everything:
        return AdminUnit.objects.filter(parent__isnull=True)
    if scope.code is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(code=scope.code)


def unit_visible_to(user: Any, code: str) -> AdminUnit | None:
    """One unit by code if ``user`` may see it, else ``None`` (callers answer 404)."""
    return units_visible_to(user).filter(code=code).select_related("parent").first()


def unit_breadcrumb(user: Any, unit: AdminUnit) -> list[AdminUnit]:
    """The chain from the city down to ``unit``, for navigation: the visible unit's own
    ancestors are named (never their other children)."""
    if not scope_of(user).covers_code(unit.code):
        return []
    prefixes = [unit.code[:n] for n in (4, 6, 9, 12) if n < len(unit.code)]
    ancestors = {u.code: u for u in AdminUnit.objects.filter(code__in=prefixes)}
    return [ancestors[p] for p in prefixes if p in ancestors] + [unit]


def departments_visible_to(user: Any, *, search: str = "") -> QuerySet[Department]:
    """Departments ``user`` may see; ``search`` matches full name, short name, code or alias."""
    scope = scope_of(user)
    departments = Department.objects.select_related("admin_unit")
    if scope.is_nothing:
        return departments.none()
    if not scope.is_everything:
        departments = departments.filter(
            Q(admin_unit__code__startswith=scope.code)
            | Q(admin_unit__code__in=scope.ancestor_codes())
        )
    search = search.strip()
    if search:
        aliases = DepartmentAlias.objects.filter(department=OuterRef("pk"), alias__icontains=search)
        departments = departments.filter(
            Q(name__icontains=search)
            | Q(short_name__icontains=search)
            | Q(code__icontains=search)
            | Exists(aliases)
        )
    return departments


def users_visible_to(user: Any, *, search: str = "") -> QuerySet[User]:
    """Staff accounts ``user`` may see: those whose effective scope lies inside the user's scope.

    Citizens' accounts are visible to whole-city administrators only. ``search`` matches user
    name, full name or department name (never personal data such as phone numbers).
    """
    scope = scope_of(user)
    users = User.objects.select_related("scope_unit", "department", "department__admin_unit")
    if scope.is_nothing:
        return users.none()
    if scope.is_everything:
        if not (user.is_superuser or user.role == Role.ADMINISTRATOR):
            users = users.exclude(role=Role.CITIZEN)
    else:
        users = users.exclude(role=Role.CITIZEN).filter(
            Q(scope_unit__code__startswith=scope.code)
            | Q(scope_unit__isnull=True, department__admin_unit__code__startswith=scope.code)
        )
    search = search.strip()
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(department__name__icontains=search)
            | Q(department__short_name__icontains=search)
        )
    return users


def role_may_reveal_personal_data(actor: Any) -> bool:
    """Whether ``actor``'s role may reveal personal data of users already visible to them
    (lists use this to avoid a query per row; :func:`may_reveal_personal_data` decides)."""
    return _is_active_user(actor) and bool(actor.is_superuser or actor.role in PERSONAL_DATA_ROLES)


def may_reveal_personal_data(actor: Any, subject: User) -> bool:
    """Whether ``actor`` may see ``subject``'s personal data unmasked (always audited)."""
    if not _is_active_user(actor):
        return False
    if actor.pk == subject.pk:
        return True
    if not role_may_reveal_personal_data(actor):
        return False
    return users_visible_to(actor).filter(pk=subject.pk).exists()
