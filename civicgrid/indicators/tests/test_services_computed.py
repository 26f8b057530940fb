"""Computed data elements from the registry (through its selectors): stored per community and
for what is placed in a street, district or the city itself, rolled up exactly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.indicators.models import DataValue, IndicatorAggregate
from civicgrid.indicators.services import computed, definitions
from civicgrid.indicators.services.errors import InvalidInput
from civicgrid.registry.tests.sharing_fixtures import make_person

from .core_setup import Catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _born(year: int, age: int) -> dt.date:
    return dt.date(year - age, 6, 1)


@pytest.fixture
def residents(territory):
    """Ages as at 31 December of the current year, placed at several levels."""
    year = timezone.localdate().year
    t = territory
    placed = [
        (t.xz_grid_1, 70),
        (t.xz_grid_1, 30),
        (t.xz_grid_2, 65),
        (t.xz_community, 80),
        (t.xz_street, 61),
        (t.xiangzhou, 90),
        (t.dm_grid_2, 62),
        (t.dm_grid_2, 10),
        (t.city, 75),
    ]
    for sequence, (unit, age) in enumerate(placed, start=101):
        make_person(unit, name=f"居民{sequence}", birth=_born(year, age), sequence=sequence)
    make_person(t.dm_grid_1, name="已故", birth=_born(year, 88), sequence=199, is_deceased=True)
    return str(year)


def test_recompute_stores_values_per_unit_and_rolls_them_up(
    territory, catalogue: Catalogue, residents: str
) -> None:
    share = definitions.indicator_create(
        actor=None,
        code="ELDERLY_SHARE",
        name="老年人口占比",
        kind="percentage",
        numerator="#{ELDERLY60}",
        denominator="#{RESIDENTS}",
    )
    result = computed.recompute(period=residents)
    stored = {
        (code, unit): int(value)
        for code, unit, value in DataValue.objects.filter(period=residents).values_list(
            "element__code", "unit_code", "value"
        )
    }
    assert stored == {
        ("RESIDENTS", "440402001001"): 4,
        ("RESIDENTS", "440402001"): 1,
        ("RESIDENTS", "440402"): 1,
        ("RESIDENTS", "440403001001"): 2,
        ("RESIDENTS", "4404"): 1,
        ("ELDERLY60", "440402001001"): 3,
        ("ELDERLY60", "440402001"): 1,
        ("ELDERLY60", "440402"): 1,
        ("ELDERLY60", "440403001001"): 1,
        ("ELDERLY60", "4404"): 1,
    }
    assert result.values == len(stored)
    rows = {
        a.unit_code: (a.numerator, a.denominator)
        for a in IndicatorAggregate.objects.filter(indicator=share, period=residents)
    }
    assert rows == {
        "4404": (7.0, 9.0),
        "440402": (5.0, 6.0),
        "440402001": (4.0, 5.0),
        "440402001001": (3.0, 4.0),
        "440403": (1.0, 2.0),
        "440403001": (1.0, 2.0),
        "440403001001": (1.0, 2.0),
    }
    city = IndicatorAggregate.objects.get(indicator=share, period=residents, unit_code="4404")
    assert city.value == pytest.approx(700 / 9)


def test_recompute_is_safe_to_rerun(territory, catalogue: Catalogue, residents: str) -> None:
    computed.recompute(period=residents)
    first = sorted(DataValue.objects.values_list("element__code", "unit_code", "value"))
    computed.recompute(period=residents)
    assert sorted(DataValue.objects.values_list("element__code", "unit_code", "value")) == first


def test_recompute_refuses_bad_input(territory, catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput):
        computed.recompute(period="2015-13")
    with pytest.raises(InvalidInput):
        computed.recompute(period="2015", element_codes=["BEDS"])
    assert not DataValue.objects.exists()


def test_computed_source_must_be_known(territory) -> None:
    with pytest.raises(InvalidInput) as refused:
        definitions.element_create(
            actor=None, code="X", name="x", source="computed", computed_source="registry.pets"
        )
    assert refused.value.field == "computed_source"
