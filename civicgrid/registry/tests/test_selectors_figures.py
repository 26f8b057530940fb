"""Registry figures by admin unit and period: exact counts on a small fixture, scope, queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.core.errors import DomainError
from civicgrid.registry.models import Household, LegalEntity, Person
from civicgrid.registry.selectors.figures import (
    figures_visible_to,
    period_end,
    registry_figures,
    residents_by_unit,
    years_before,
)

from .sharing_fixtures import make_person

ON = dt.date(2030, 6, 30)


@pytest.fixture
def city(territory: Any) -> Any:
    t = territory
    make_person(t.xz_grid_1, name="甲", birth=dt.date(1950, 3, 1), sequence=11)  # 80 → 80+
    make_person(t.xz_grid_1, name="乙", birth=dt.date(1970, 6, 30), sequence=12)  # 60 today
    make_person(
        t.xz_grid_1, name="丙", birth=dt.date(1970, 7, 1), sequence=13, status="floating"
    )  # 59
    make_person(t.xz_grid_1, name="丁", birth=dt.date(1940, 1, 1), sequence=14, is_deceased=True)
    make_person(t.xz_grid_2, name="戊", birth=dt.date(1965, 6, 30), sequence=15)  # 65 → 65-79
    make_person(t.xz_grid_2, name="己", birth=dt.date(2012, 7, 1), sequence=16, status="hmt")  # 17
    make_person(t.xz_grid_2, name="庚", birth=dt.date(2012, 6, 30), sequence=17)  # 18 → 18-59
    make_person(t.xz_community, name="辛", birth=dt.date(1985, 1, 1), sequence=18)  # no grid
    make_person(t.dm_grid_1, name="壬", birth=dt.date(1962, 1, 1), sequence=19, status="foreign")
    late, _number = make_person(t.dm_grid_2, name="癸", birth=dt.date(1960, 1, 1), sequence=20)
    Person.objects.filter(pk=late.pk).update(
        created_at=timezone.make_aware(dt.datetime(2030, 7, 1, 0, 30))
    )  # registered after the period
    Household.objects.create(number="H1", admin_unit_code=t.xz_grid_1.code)
    Household.objects.create(number="H2", admin_unit_code=t.xz_grid_2.code)
    Household.objects.create(number="H3", admin_unit_code=t.dm_grid_1.code)

    def entity(uscc: str, unit: Any, kind: str, **extra: Any) -> None:
        LegalEntity.objects.create(
            uscc=uscc, name=uscc, kind=kind, admin_unit_code=unit.code, **extra
        )

    entity("E1", t.xz_grid_1, "company")
    entity("E2", t.xz_grid_2, "social_org", established_on=dt.date(2020, 1, 1))
    entity("E3", t.dm_grid_1, "company", status="revoked")
    entity("E4", t.dm_grid_1, "institution", established_on=dt.date(2030, 7, 1))
    entity("E5", t.dm_grid_2, "institution")
    return t


def _bands(**values: int) -> dict[str, int]:
    bands = {"0_17": 0, "18_59": 0, "60_64": 0, "65_79": 0, "80_plus": 0}
    bands.update(values)
    return bands


def test_city_figures_by_district_are_exact(city: Any) -> None:
    table = registry_figures(parent_code="4404", on=ON)
    assert [row.code for row in table.rows] == ["440402", "440403"]
    xiangzhou, doumen = table.rows
    assert xiangzhou.name == "香洲区"
    assert xiangzhou.residents == 7
    assert xiangzhou.by_status == {"registered": 5, "floating": 1, "hmt": 1, "foreign": 0}
    assert xiangzhou.age_bands == _bands(
        **{"0_17": 1, "18_59": 3, "60_64": 1, "65_79": 1, "80_plus": 1}
    )
    assert xiangzhou.elderly_60 == 3
    assert xiangzhou.elderly_65 == 2
    assert xiangzhou.households == 2
    assert xiangzhou.entities == 2
    assert xiangzhou.entities_by_kind == {
        "company": 1,
        "institution": 0,
        "social_org": 1,
        "other": 0,
    }
    assert doumen.residents == 1
    assert doumen.by_status["foreign"] == 1
    assert doumen.age_bands == _bands(**{"65_79": 1})  # 壬 is 68
    assert doumen.households == 1
    assert doumen.entities_by_kind == {"company": 0, "institution": 1, "social_org": 0, "other": 0}
    assert table.rest.is_empty
    assert table.total.residents == 8
    assert table.total.elderly_60 == 4
    assert table.total.entities == 3


def test_age_bands_on_the_birthday(city: Any) -> None:
    table = registry_figures(parent_code="440402001001001", on=ON)
    assert table.rows == []  # a grid has no child units: everything is in "rest"
    # 甲 80 (born 1950-03-01), 乙 60 on the day, 丙 59 until tomorrow; 丁 is deceased.
    assert table.rest.residents == 3
    assert table.rest.age_bands == _bands(**{"18_59": 1, "60_64": 1, "80_plus": 1})
    assert table.total.age_bands == table.rest.age_bands


def test_community_figures_keep_unplaced_persons_in_rest(city: Any) -> None:
    table = registry_figures(parent_code="440402001001", on=ON)
    assert [(row.code, row.residents) for row in table.rows] == [
        ("440402001001001", 3),
        ("440402001001002", 3),
    ]
    assert table.rest.residents == 1  # 辛 is placed in the community, not in a grid
    assert table.total.residents == 7


def test_period_counts_only_what_existed_by_then(city: Any) -> None:
    later = registry_figures(parent_code="4404", on=dt.date(2030, 7, 1))
    assert later.total.residents == 9  # 癸 registered on 1 July
    assert later.total.entities == 4  # E4 established on 1 July
    assert later.total.elderly_65 == 4  # 乙 still 60; 戊 65; 甲 80; 壬 68 → 65+: 戊 甲 壬 + 癸 70


@pytest.mark.parametrize(
    ("period", "end"),
    [
        ("2025", dt.date(2025, 12, 31)),
        ("2025-Q1", dt.date(2025, 3, 31)),
        ("2024-Q1", dt.date(2024, 3, 31)),
        ("2024-02", dt.date(2024, 2, 29)),
        ("2025-12", dt.date(2025, 12, 31)),
        ("2025-7", dt.date(2025, 7, 31)),
    ],
)
def test_period_end(period: str, end: dt.date) -> None:
    assert period_end(period) == end


@pytest.mark.parametrize("period", ["", "25", "2025-Q5", "2025-13", "2025-00", "last year"])
def test_period_end_rejects_bad_input(period: str) -> None:
    with pytest.raises(DomainError) as raised:
        period_end(period)
    assert raised.value.field == "period"


def test_years_before_29_february() -> None:
    assert years_before(dt.date(2028, 2, 29), 60) == dt.date(1968, 2, 29)
    assert years_before(dt.date(2028, 2, 29), 61) == dt.date(1967, 2, 28)


def test_figures_follow_the_scope(
    city: Any, make_user: Callable[..., User], xz_grid_worker: User, django_assert_num_queries: Any
) -> None:
    leader = make_user(Role.LEADER)
    citizen = make_user(Role.CITIZEN)
    assert figures_visible_to(citizen) is None
    assert figures_visible_to(xz_grid_worker, parent_code="4404") is None
    assert figures_visible_to(xz_grid_worker, parent_code="440402001001002") is None
    own = figures_visible_to(xz_grid_worker, on=ON)
    assert own is not None
    assert own.parent_code == "440402001001001"
    assert own.total.residents == 3
    with django_assert_num_queries(7):  # policies, root unit, parent, children, 3 tables
        table = figures_visible_to(leader, on=ON)
    assert table is not None
    assert table.parent_code == "4404"
    assert table.total.residents == 8


def test_residents_by_grid(city: Any, make_user: Callable[..., User]) -> None:
    leader = make_user(Role.LEADER)
    counts = residents_by_unit(leader)
    assert counts == {
        "440402001001001": {"total": 3, "registered": 2, "floating": 1},
        "440402001001002": {"total": 3, "registered": 2, "hmt": 1},
        "440402001001": {"total": 1, "registered": 1},
        "440403001001001": {"total": 1, "foreign": 1},
        "440403001001002": {"total": 1, "registered": 1},
    }
    by_district = residents_by_unit(leader, level="district")
    assert by_district == {
        "440402": {"total": 7, "registered": 5, "floating": 1, "hmt": 1},
        "440403": {"total": 2, "foreign": 1, "registered": 1},
    }
    assert residents_by_unit(make_user(Role.CITIZEN)) is None
