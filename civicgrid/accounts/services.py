"""Writes on accounts (账号): creating users, revealing personal data, sign-in records.

Every function takes the acting user, runs in one transaction and writes one audit row.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.phones import validate_phone
from civicgrid.territory.models import AdminUnit, Department

from .models import STAFF_ROLES, Role, User
from .selectors import CITY_WIDE_ROLES, may_reveal_personal_data, scope_of


def _clean_phone(phone: str) -> str:
    """The normalised phone number, or a DomainError naming the field."""
    phone = phone.strip()
    if not phone:
        return ""
    try:
        return validate_phone(phone, _("phone"))
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="invalid_phone", field="phone") from error


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    scope_unit: AdminUnit | None = None,
    department: Department | None = None,
) -> User:
    """Create an account (创建账号). ``actor`` is ``None`` for the command line.

    Staff roles other than the city-wide ones (administrator, leader, programme office) need a
    scope: a scope unit or a department. An actor with a limited scope may only create accounts
    inside it.
    """
    username = username.strip()
    if not username:
        raise DomainError(_("Enter a username."), code="invalid", field="username")
    if role not in Role.values:
        raise DomainError(
            _("Unknown role %(role)s.") % {"role": role}, code="invalid", field="role"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("The username %(username)s is taken.") % {"username": username},
            code="duplicate",
            field="username",
        )
    if role in STAFF_ROLES and role not in CITY_WIDE_ROLES and not (scope_unit or department):
        raise DomainError(
            _("A %(role)s needs a scope: choose an admin unit or a department.")
            % {"role": Role(role).label},
            code="scope_required",
            field="scope_unit",
        )
    if actor is not None:
        actor_scope = scope_of(actor)
        if not (actor.is_superuser or actor.role == Role.ADMINISTRATOR):
            raise PermissionDeniedError(_("Only administrators may create accounts."))
        unit = scope_unit or (department.admin_unit if department else None)
        if not actor_scope.is_everything and (
            unit is None or not actor_scope.covers_code(unit.code)
        ):
            raise PermissionDeniedError(
                _("You may only create accounts inside your own scope."), field="scope_unit"
            )
    cleaned_phone = _clean_phone(phone)
    user = User(
        username=username,
        role=role,
        full_name=full_name.strip(),
        phone=cleaned_phone,
        scope_unit=scope_unit,
        department=department,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="invalid", field="password") from error
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        target=user,
        details={
            "role": role,
            "scope_unit": scope_unit.code if scope_unit else None,
            "department": department.code if department else None,
        },
    )
    return user


@transaction.atomic
def user_reveal_personal_data(*, actor: Any, subject: User, purpose: str) -> dict[str, str]:
    """Show ``subject``'s phone in full (查看完整个人信息) to an entitled actor, with a purpose.

    Raises :class:`PermissionDeniedError` (and writes nothing) when the actor is not entitled.
    """
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise DomainError(
            _("State the purpose (at least 2 characters)."), code="invalid", field="purpose"
        )
    if not may_reveal_personal_data(actor, subject):
        raise PermissionDeniedError(_("You may not see this person's personal data."))
    audit_record(
        actor=actor,
        action="pii.reveal",
        target=subject,
        purpose=purpose,
        details={"fields": ["phone"]},
    )
    return {"phone": subject.phone}


@transaction.atomic
def session_login_record(*, user: User) -> None:
    """Record a successful sign-in (登录)."""
    audit_record(actor=user, action="auth.login", target=user)


@transaction.atomic
def session_logout_record(*, user: User) -> None:
    """Record a sign-out (退出)."""
    audit_record(actor=user, action="auth.logout", target=user)


@transaction.atomic
def password_change_record(*, user: User) -> None:
    """Record that a user changed their own password (修改密码)."""
    audit_record(actor=user, action="auth.password_change", target=user)


@transaction.atomic
def token_issue_record(*, user: User) -> None:
    """Record that an API token was handed out (签发令牌)."""
    audit_record(actor=user, action="auth.token", target=user)


@transaction.atomic
def user_admin_view_record(*, actor: Any, subject: User) -> None:
    """Record that an administrator opened ``subject``'s account form in the Django admin,
    which shows personal data (phone, e-mail) unmasked."""
    audit_record(
        actor=actor,
        action="pii.view",
        target=subject,
        purpose="admin: account form",
        details={"fields": ["phone", "email"]},
    )


@transaction.atomic
def user_admin_change_record(*, actor: Any, subject: User, changed_fields: list[str]) -> None:
    """Record a change of an account in the Django admin (role, scope, permissions …)."""
    audit_record(
        actor=actor,
        action="user.change",
        target=subject,
        details={"fields": sorted(changed_fields)},
    )


@transaction.atomic
def user_ensure_demo(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str,
    phone: str,
    scope_unit: AdminUnit | None = None,
    department: Department | None = None,
) -> User:
    """Create or reset one demo account (演示账号) to the given role, scope and password.

    Only the demo loader calls this (actor: the system); it is idempotent and audited.
    Administrators of the demo are Django superusers so that /admin/ works.
    """
    is_admin = role == Role.ADMINISTRATOR
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "full_name": full_name,
            "scope_unit": scope_unit,
            "department": department,
            "phone": _clean_phone(phone),
            "is_staff": is_admin,
            "is_superuser": is_admin,
            "is_active": True,
        },
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=None,
        action="user.create" if created else "user.reset",
        target=user,
        details={
            "role": role,
            "scope_unit": scope_unit.code if scope_unit else None,
            "department": department.code if department else None,
            "demo": True,
        },
    )
    return user
