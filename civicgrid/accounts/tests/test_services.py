"""Account services: creating users, revealing a phone (audited), sign-in records."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.accounts.services import user_create, user_reveal_personal_data
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.models import AuditRecord

PASSWORD = "Secure-pass-2026"


def test_user_create_by_city_admin_is_audited(city_admin, territory):
    user = user_create(
        actor=city_admin,
        username="dm-dispatcher",
        password=PASSWORD,
        role=Role.DISPATCHER,
        full_name=" 张三 ",
        phone="13812345678",
        scope_unit=territory.doumen,
    )
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.scope_unit) == (
        "张三",
        "13812345678",
        territory.doumen,
    )
    assert user.check_password(PASSWORD)
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.target_id) == (
        "user.create",
        city_admin,
        str(user.pk),
    )
    assert record.details == {"role": "dispatcher", "scope_unit": "440403", "department": None}
    assert record.admin_unit_code == "440403"


def test_user_create_from_the_command_line_has_no_actor(territory):
    user = user_create(actor=None, username="boss", password=PASSWORD, role=Role.ADMINISTRATOR)
    assert user.role == Role.ADMINISTRATOR
    assert AuditRecord.objects.get().actor_username == "system"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"role": Role.GRID_WORKER}, "scope_unit", "scope_required"),
        ({"role": Role.DISPATCHER}, "scope_unit", "scope_required"),
        ({"role": "mayor"}, "role", "invalid"),
        ({"role": Role.CITIZEN, "username": "  "}, "username", "invalid"),
        ({"role": Role.CITIZEN, "password": "123"}, "password", "invalid"),
        ({"role": Role.CITIZEN, "phone": "12345678901234"}, "phone", "invalid_phone"),
        ({"role": Role.CITIZEN, "username": "CITY-ADMIN"}, "username", "duplicate"),
    ],
)
def test_user_create_refuses_bad_input(city_admin, kwargs, field, code):
    arguments = {"username": "new-user", "password": PASSWORD, **kwargs}
    with pytest.raises(DomainError) as raised:
        user_create(actor=None, **arguments)
    assert (raised.value.field, raised.value.code) == (field, code)
    assert not User.objects.filter(username="new-user").exists()
    assert AuditRecord.objects.count() == 0


def test_city_wide_roles_need_no_scope(db):
    for role in (Role.LEADER, Role.PROGRAMME_OFFICE, Role.CITIZEN):
        user_create(actor=None, username=f"u-{role}", password=PASSWORD, role=role)
    assert User.objects.count() == 3


def test_user_create_by_scoped_or_non_admin_actor(territory, make_user, dm_grid_worker):
    district_admin = make_user(Role.ADMINISTRATOR, scope_unit=territory.doumen)
    user_create(
        actor=district_admin,
        username="dm-new",
        password=PASSWORD,
        role=Role.GRID_WORKER,
        scope_unit=territory.dm_grid_2,
    )
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=district_admin,
            username="xz-new",
            password=PASSWORD,
            role=Role.GRID_WORKER,
            scope_unit=territory.xz_grid_2,
        )
    with pytest.raises(PermissionDeniedError):
        user_create(
            actor=dm_grid_worker,
            username="dm-new-2",
            password=PASSWORD,
            role=Role.GRID_WORKER,
            scope_unit=territory.dm_grid_2,
        )
    assert sorted(AuditRecord.objects.values_list("target_repr", flat=True)) == [
        User.objects.get(username="dm-new").full_name or "dm-new"
    ]
    assert not User.objects.filter(username__in=["xz-new", "dm-new-2"]).exists()


def test_reveal_service(territory, make_user, dm_grid_worker, xz_grid_worker):
    dispatcher = make_user(Role.DISPATCHER, scope_unit=territory.doumen)
    assert user_reveal_personal_data(actor=dispatcher, subject=dm_grid_worker, purpose="回访") == {
        "phone": dm_grid_worker.phone
    }
    record = AuditRecord.objects.get()
    assert (record.action, record.purpose, record.details) == (
        "pii.reveal",
        "回访",
        {"fields": ["phone"]},
    )
    for actor in (xz_grid_worker, make_user(Role.GRID_WORKER, scope_unit=territory.doumen)):
        with pytest.raises(PermissionDeniedError):
            user_reveal_personal_data(actor=actor, subject=dm_grid_worker, purpose="回访")
    with pytest.raises(DomainError) as raised:
        user_reveal_personal_data(actor=dispatcher, subject=dm_grid_worker, purpose=" x ")
    assert raised.value.field == "purpose"
    assert AuditRecord.objects.count() == 1
