"""Equalisation between groups: unit groups (sums of numerators and denominators, never averaged
ratios; the gap; the Theil decomposition) and registered vs floating population, against hand
calculations on the conftest territory."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from civicgrid.core.errors import PermissionDeniedError
from civicgrid.indicators.selectors import groups as group_selectors
from civicgrid.indicators.selectors.groups import REST
from civicgrid.indicators.services import definitions, imports
from civicgrid.indicators.services.errors import InvalidInput
from civicgrid.indicators.services.groups import (
    population_comparison_create,
    unit_group_create,
)

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)
XZ_COMMUNITY, DM_COMMUNITY = "440402001001", "440403001001"


@pytest.fixture
def half_use(catalogue: Catalogue):
    # A second percentage indicator over the same elements: half the bed use.
    return definitions.indicator_create(
        actor=None,
        code="BED_USE_HALF",
        name="床位使用率(半)",
        kind="percentage",
        numerator="#{BEDS}",
        denominator="#{BED_CAPACITY} * 2",
    )


@pytest.fixture
def values(territory, catalogue: Catalogue, half_use) -> None:
    # beds / capacity: 香洲 30/50 and 斗门 12/40 in 2014; 香洲 40/50 and 斗门 14/100 in 2015.
    rows = []
    for year, xz, dm in (("2014", (30, 50), (12, 40)), ("2015", (40, 50), (14, 100))):
        rows += [
            {"dataElement": "BEDS", "period": year, "orgUnit": XZ_COMMUNITY, "value": xz[0]},
            {
                "dataElement": "BED_CAPACITY",
                "period": year,
                "orgUnit": XZ_COMMUNITY,
                "value": xz[1],
            },
            {"dataElement": "BEDS", "period": year, "orgUnit": DM_COMMUNITY, "value": dm[0]},
            {
                "dataElement": "BED_CAPACITY",
                "period": year,
                "orgUnit": DM_COMMUNITY,
                "value": dm[1],
            },
        ]
    imports.data_values_import(actor=None, rows=rows, as_approved=True, today=TODAY)


@pytest.fixture
def groups(territory) -> None:
    unit_group_create(
        actor=None, code="URBAN", name="城市地区", kind="urban_rural", unit_codes=["440402"]
    )
    # 斗门区 and one of its streets: the street is inside the district and counts once.
    unit_group_create(
        actor=None,
        code="RURAL",
        name="农村地区",
        kind="urban_rural",
        unit_codes=["440403", "440403001"],
        sort_order=1,
    )
    unit_group_create(
        actor=None, code="WEST", name="西部地区", kind="region", unit_codes=["440403"]
    )
    unit_group_create(
        actor=None,
        code="MIXED",
        name="混合片区",
        kind="functional_zone",
        unit_codes=[XZ_COMMUNITY, "440403"],
    )


def _theil(values: list[float], weights: list[float]) -> float:
    """T = Σ s_i ln(s_i / q_i) with q_i the weight shares and s_i the shares of the total."""
    total_weight = sum(weights)
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    return sum(
        (v * w / total) * math.log((v * w / total) / (w / total_weight))
        for v, w in zip(values, weights, strict=True)
    )


def test_urban_rural_values_gap_and_decomposition(
    catalogue: Catalogue, people: People, values, groups
):
    result = group_selectors.group_comparison(
        people.city, indicator=catalogue.occupancy, kind="urban_rural"
    )
    assert result is not None
    assert result.sides == [("URBAN", "城市地区"), ("RURAL", "农村地区")]
    assert [item.period for item in result.periods] == ["2014", "2015"]
    y2014, y2015 = result.periods
    assert [g.value for g in y2014.groups] == [pytest.approx(60.0), pytest.approx(30.0)]
    urban, rural = y2015.groups
    assert (urban.value, urban.numerator, urban.denominator) == (
        pytest.approx(80.0),
        pytest.approx(40.0),
        pytest.approx(50.0),
    )
    # 斗门区 is counted once although its street is also a member: 14 / 100, not 28 / 200.
    assert (rural.value, rural.numerator, rural.denominator) == (
        pytest.approx(14.0),
        pytest.approx(14.0),
        pytest.approx(100.0),
    )
    assert (rural.reported, rural.expected, rural.complete) == (1, 1, True)
    assert y2014.gap.difference == pytest.approx(30.0)
    assert y2014.gap.ratio == pytest.approx(2.0)
    assert y2015.gap.difference == pytest.approx(66.0)
    assert y2015.gap.ratio == pytest.approx(80 / 14)
    # Theil of the districts 80 and 14 (equal weights): all of it lies between the groups.
    expected = _theil([80, 14], [1, 1])
    # 80/94 · ln(2 · 80/94) + 14/94 · ln(2 · 14/94) = 0.45266 − 0.18038
    assert expected == pytest.approx(0.2723, abs=1e-4)
    decomposition = y2015.decomposition
    assert decomposition is not None
    assert decomposition.total.value == pytest.approx(expected)
    assert decomposition.between == pytest.approx(expected)
    assert decomposition.within == pytest.approx(0.0)
    assert y2015.between_share == pytest.approx(1.0)
    rows = result.as_rows()
    assert rows[1]["value_0"] == pytest.approx(80.0)
    assert rows[1]["ratio"] == pytest.approx(80 / 14)


def test_a_group_sums_before_dividing_and_one_group_faces_the_rest(
    catalogue: Catalogue, people: People, values, groups
):
    mixed = group_selectors.group_comparison(
        people.city, indicator=catalogue.occupancy, kind="functional_zone", weighting="denominator"
    )
    assert mixed is not None
    assert mixed.sides[1] == (REST, "Rest of the city")
    zone, rest = mixed.periods[1].groups
    # (40 + 14) / (50 + 100) = 36 %, not the mean of 80 % and 14 % (47 %).
    assert zone.value == pytest.approx(36.0)
    # the rest of the city is empty: 54 − 54 beds over 150 − 150 places, no value
    assert rest.value is None
    assert mixed.periods[1].gap.difference is None
    # At the district level 香洲区 is only partly in the zone (one community): it counts with
    # the rest, so the weighted Theil of the districts lies wholly between the zone and the rest.
    weighted = _theil([80, 14], [50, 100])
    districts = mixed.periods[1].decomposition
    assert districts.total.value == pytest.approx(weighted)
    assert districts.between == pytest.approx(weighted)
    assert districts.within == pytest.approx(0.0)
    # At the community level both communities are in the zone: all of it lies within it.
    communities = group_selectors.group_comparison(
        people.city,
        indicator=catalogue.occupancy,
        kind="functional_zone",
        level="community",
        weighting="denominator",
    )
    assert communities is not None
    inside = communities.periods[1].decomposition
    assert inside.total.value == pytest.approx(weighted)
    assert inside.between == pytest.approx(0.0)
    assert inside.within == pytest.approx(weighted)

    west = group_selectors.group_comparison(
        people.city, indicator=catalogue.occupancy, kind="region"
    )
    assert west is not None
    group, rest = west.periods[1].groups
    assert group.value == pytest.approx(14.0)
    # rest = city − 西部: (54 − 14) / (150 − 100) = 80 %
    assert (rest.value, rest.numerator, rest.denominator) == (
        pytest.approx(80.0),
        pytest.approx(40.0),
        pytest.approx(50.0),
    )
    assert west.periods[1].gap.ratio == pytest.approx(14 / 80)


def test_a_group_outside_the_scope_has_no_value(
    catalogue: Catalogue, people: People, values, groups
):
    result = group_selectors.group_comparison(
        people.xz_district, indicator=catalogue.occupancy, kind="urban_rural"
    )
    assert result is not None
    urban, rural = result.periods[1].groups
    assert urban.value == pytest.approx(80.0)
    assert (rural.value, rural.complete) == (None, False)
    assert result.periods[1].gap.ratio is None


def test_population_gap_per_year_and_unit(catalogue: Catalogue, people: People, half_use, values):
    comparison = population_comparison_create(
        actor=None,
        code="BED_USE_POP",
        name="床位使用率 户籍/流动",
        registered=catalogue.occupancy,
        floating=half_use,
    )
    gaps = group_selectors.population_gaps(people.city, comparison=comparison, level="district")
    assert [(g.unit_code, g.period) for g in gaps] == [
        ("440402", "2014"),
        ("440402", "2015"),
        ("440403", "2014"),
        ("440403", "2015"),
    ]
    xz_2015 = gaps[1]
    assert (xz_2015.registered, xz_2015.floating) == (pytest.approx(80.0), pytest.approx(40.0))
    assert xz_2015.gap.difference == pytest.approx(40.0)
    assert xz_2015.gap.ratio == pytest.approx(2.0)
    city = group_selectors.population_gaps(people.city, comparison=comparison, unit_codes=["4404"])
    # city 2015: 54 / 150 = 36 % against 54 / 300 = 18 %
    assert [(g.registered, g.floating) for g in city][1] == (
        pytest.approx(36.0),
        pytest.approx(18.0),
    )
    mine = group_selectors.population_gaps(
        people.xz_district, comparison=comparison, level="district"
    )
    assert {g.unit_code for g in mine} == {"440402"}


def test_definitions_are_checked(catalogue: Catalogue, people: People, territory):
    with pytest.raises(InvalidInput, match="Unknown admin unit codes: 999"):
        unit_group_create(actor=None, code="X", name="X", kind="region", unit_codes=["999"])
    with pytest.raises(InvalidInput, match="is not one of"):
        unit_group_create(actor=None, code="X", name="X", kind="nowhere", unit_codes=["440402"])
    with pytest.raises(PermissionDeniedError):
        unit_group_create(
            actor=people.xz_district, code="X", name="X", kind="region", unit_codes=["440402"]
        )
    with pytest.raises(InvalidInput, match="kind and unit must be the same"):
        population_comparison_create(
            actor=None,
            code="BAD",
            name="bad",
            registered=catalogue.occupancy,
            floating=catalogue.beds_rate,
        )


def test_group_kinds_come_in_their_defined_order(groups: None) -> None:
    from civicgrid.indicators.selectors.groups import group_kinds

    # Urban / rural first (the page opens on it), not alphabetically (functional_zone first).
    assert group_kinds() == ["urban_rural", "region", "functional_zone"]
