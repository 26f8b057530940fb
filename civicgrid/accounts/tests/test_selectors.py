from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import (
    departments_visible_to,
    root_units_visible_to,
    scope_of,
    unit_breadcrumb,
    units_visible_to,
    users_visible_to,
)
from civicgrid.territory.models import DepartmentAlias


def codes(qs):
    return sorted(u.code for u in qs)


def test_grid_worker_sees_only_own_subtree(territory, xz_grid_worker):
    assert codes(units_visible_to(xz_grid_worker)) == ["440402001001001"]


def test_district_dispatcher_sees_own_district_and_nothing_of_the_other(territory, make_user):
    dispatcher = make_user(Role.DISPATCHER, scope_unit=territory.doumen)
    assert codes(units_visible_to(dispatcher)) == [
        "440403",
        "440403001",
        "440403001001",
        "440403001001001",
        "440403001001002",
    ]


def test_city_wide_roles_without_scope_see_everything(territory, make_user):
    for role in (Role.ADMINISTRATOR, Role.LEADER, Role.PROGRAMME_OFFICE):
        assert units_visible_to(make_user(role)).count() == 11


def test_staff_without_scope_and_citizens_see_nothing(territory, make_user):
    for role in (Role.CITIZEN, Role.DISPATCHER, Role.GRID_WORKER, Role.HOTLINE_OPERATOR):
        user = make_user(role)
        assert units_visible_to(user).count() == 0
        assert departments_visible_to(user).count() == 0
        assert users_visible_to(user).count() == 0


def test_inactive_user_sees_nothing(territory, make_user):
    admin = make_user(Role.ADMINISTRATOR, is_active=False)
    assert scope_of(admin).is_nothing
    assert units_visible_to(admin).count() == 0


def test_department_staff_scope_comes_from_department(territory, make_user):
    staff = make_user(Role.DEPARTMENT_STAFF, department=territory.dm_government)
    assert scope_of(staff).code == "440403"
    city_staff = make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs)
    assert units_visible_to(city_staff).count() == 11


def test_departments_of_other_district_are_invisible(territory, xz_grid_worker):
    names = sorted(d.short_name for d in departments_visible_to(xz_grid_worker))
    assert names == ["市民政局", "香洲区政府"]


def test_users_of_other_district_are_invisible(
    territory, make_user, xz_grid_worker, dm_grid_worker
):
    xz_dispatcher = make_user(Role.DISPATCHER, scope_unit=territory.xiangzhou)
    visible = {u.username for u in users_visible_to(xz_dispatcher)}
    assert "xz-grid" in visible
    assert "dm-grid" not in visible
    assert {u.username for u in users_visible_to(xz_grid_worker)} == {"xz-grid"}


def test_breadcrumb_names_only_own_chain(territory, xz_grid_worker):
    chain = unit_breadcrumb(xz_grid_worker, territory.xz_grid_1)
    assert [u.code for u in chain] == [
        "4404",
        "440402",
        "440402001",
        "440402001001",
        "440402001001001",
    ]
    assert unit_breadcrumb(xz_grid_worker, territory.dm_grid_1) == []


def test_unit_search_stays_inside_the_scope(territory, xz_grid_worker, city_admin):
    assert codes(units_visible_to(city_admin, search="网格")) == [
        "440402001001001",
        "440402001001002",
        "440403001001001",
        "440403001001002",
    ]
    assert codes(units_visible_to(city_admin, search="440403")) == [
        "440403",
        "440403001",
        "440403001001",
        "440403001001001",
        "440403001001002",
    ]
    assert codes(units_visible_to(xz_grid_worker, search="网格")) == ["440402001001001"]
    assert codes(units_visible_to(xz_grid_worker, search="白藤")) == []


def test_root_units(territory, xz_grid_worker, city_admin, make_user):
    assert codes(root_units_visible_to(city_admin)) == ["4404"]
    assert codes(root_units_visible_to(xz_grid_worker)) == ["440402001001001"]
    assert codes(root_units_visible_to(make_user(Role.DISPATCHER))) == []


def test_department_search_matches_aliases_once_and_stays_in_scope(territory, xz_grid_worker):
    DepartmentAlias.objects.create(department=territory.dm_government, alias="斗门区")
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="民政局")
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="市民政局办")
    found = list(departments_visible_to(xz_grid_worker, search="民政局"))
    assert [d.short_name for d in found] == ["市民政局"]
    assert list(departments_visible_to(xz_grid_worker, search="斗门")) == []


def test_user_search_never_matches_phone_numbers(territory, xz_grid_worker, city_admin):
    assert [u.username for u in users_visible_to(city_admin, search="xz-")] == ["xz-grid"]
    assert list(users_visible_to(city_admin, search=xz_grid_worker.phone)) == []
