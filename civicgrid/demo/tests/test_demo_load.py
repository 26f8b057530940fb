"""The Zhuhai demo loads completely, twice without change, and its accounts are scoped."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from civicgrid.accounts.models import User
from civicgrid.accounts.selectors import departments_visible_to, units_visible_to
from civicgrid.demo import loader
from civicgrid.territory.models import AdminUnit, Department


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        first = loader.load_territory(actor=None)
        second = loader.load_territory(actor=None)
        accounts = loader.accounts_ensure()
        yield {"first": first.lines, "second": second.lines, "accounts": accounts}
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.mark.django_db
def test_demo_has_the_zhuhai_tree(demo: Any) -> None:
    levels = Counter(AdminUnit.objects.values_list("level", flat=True))
    assert levels["city"] == 1
    assert levels["district"] == 3
    assert levels["street"] == 31
    assert levels["community"] == 345
    per_community = (
        AdminUnit.objects.filter(level="community")
        .annotate(grids=Count("children"))
        .values_list("grids", flat=True)
    )
    assert min(per_community) >= 2
    assert max(per_community) <= 6
    assert levels["grid"] == sum(per_community)
    assert not AdminUnit.objects.filter(level="grid", is_demo_geometry=False).exists()
    assert not AdminUnit.objects.filter(level="district", is_demo_geometry=True).exists()


@pytest.mark.django_db
def test_second_load_changes_nothing(demo: Any) -> None:
    assert demo["second"] == [
        "divisions: unchanged 380, skipped 877",
        "district boundaries: unchanged 3, skipped 9",
        f"demo geometry: districts 3, streets 31, communities 345, grids "
        f"{AdminUnit.objects.filter(level='grid').count()}, "
        f"unchanged {AdminUnit.objects.exclude(level='district').count()}",
        "departments: unchanged 44",
        "street offices and town governments: 0 created",
    ]


@pytest.mark.django_db
def test_departments_and_aliases(demo: Any) -> None:
    assert Department.objects.filter(kind="street").count() == 31
    assert Department.objects.get(aliases__alias="市人力资源和社会保障局").short_name == "市人社局"
    assert Department.objects.get(aliases__alias="市综治办").short_name == "市委政法委"


@pytest.mark.django_db
def test_demo_accounts_are_scoped_by_district(demo: Any) -> None:
    assert len(demo["accounts"]) == 14
    xz_grid = User.objects.get(username="xz-grid")
    dm_dispatcher = User.objects.get(username="dm-dispatcher")
    assert xz_grid.check_password(loader.DEMO_PASSWORD)
    assert {u.code[:6] for u in units_visible_to(xz_grid)} == {"440402"}
    assert {u.code[:6] for u in units_visible_to(dm_dispatcher)} == {"440403"}
    assert not departments_visible_to(xz_grid).filter(admin_unit__code__startswith="440403")
    assert units_visible_to(User.objects.get(username="admin")).count() == AdminUnit.objects.count()


@pytest.mark.django_db
def test_demo_accounts_command_prints_every_account(demo: Any, capsys: Any) -> None:
    call_command("demo", "accounts")
    output = capsys.readouterr().out
    for username in ("admin", "xz-grid", "dm-grid", "dm-dispatcher", "citizen"):
        assert username in output
    assert loader.DEMO_PASSWORD in output


@pytest.mark.django_db
def test_streets_form_around_their_real_places(demo: Any) -> None:
    from civicgrid.territory.selectors import locate_point

    expected = {
        (113.5767, 22.2710): ("440402", "香湾街道"),
        (113.55, 22.228): ("440402", "拱北街道"),
        (113.52, 22.13): ("440402", "横琴镇"),
        (113.82, 22.15): ("440402", "桂山镇"),
        (113.29, 22.23): ("440403", "井岸镇"),
        (113.38, 22.04): ("440404", "三灶镇"),
    }
    for (lon, lat), (district, street) in expected.items():
        result = locate_point(lon, lat)
        assert result is not None
        assert (result.district.code, result.street.name) == (district, street)
    assert locate_point(113.75, 21.9) is None
