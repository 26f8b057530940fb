"""``civicgrid demo indicators``: the catalogue, values, targets and aggregates load, twice."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from django.core.management import call_command

from civicgrid.demo import indicators as demo_indicators
from civicgrid.demo.indicator_csv import DATA_DIR
from civicgrid.indicators.models import (
    AssessmentScore,
    DataValue,
    Indicator,
    IndicatorAggregate,
    PopulationComparison,
    SubmissionStatus,
    Target,
    UnitGroup,
)
from civicgrid.territory.models import AdminLevel, AdminUnit


@pytest.fixture
def zhuhai(db: Any) -> AdminUnit:
    city = AdminUnit.objects.create(code="4404", name="珠海市", level=AdminLevel.CITY)
    for code, name in (("440402", "香洲区"), ("440403", "斗门区"), ("440404", "金湾区")):
        AdminUnit.objects.create(code=code, name=name, level=AdminLevel.DISTRICT, parent=city)
    return city


def _catalogue() -> list[dict[str, str]]:
    with (DATA_DIR / "indicator_catalogue.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_demo_indicators_load_once_and_roll_up(zhuhai: AdminUnit, capsys: Any) -> None:
    call_command("demo", "indicators")
    catalogue = _catalogue()
    # the catalogue, and 3 population comparisons × (registered, floating, all residents)
    population = 3 * len(demo_indicators.POPULATION_COMPARISONS)
    assert Indicator.objects.count() == len(catalogue) + population
    each_district = sum(1 for row in catalogue if row["scope"] == "each_district")
    assert Target.objects.count() == len(catalogue)
    assert Target.objects.filter(scope="each_district").count() == each_district
    value_rows = 0
    for name in ("indicator_values.csv", "indicator_population_values.csv"):
        with (DATA_DIR / name).open(encoding="utf-8") as handle:
            value_rows += sum(1 for _row in csv.DictReader(handle))
    assert DataValue.objects.count() == value_rows
    assert not DataValue.objects.exclude(submission__status=SubmissionStatus.APPROVED_CITY).exists()
    # Every target carries its clause; the source names the document and the item.
    volunteers = Target.objects.get(indicator__code="VOLUNTEER_RATE")
    assert volunteers.source_passage == "到2015年,全市注册志愿者占常住人口的10%以上"
    assert volunteers.source_document.startswith("珠海市深化社会体制改革工作方案")
    # The city's ratio is recomputed from the summed numerator and denominator.
    row = IndicatorAggregate.objects.get(
        indicator__code="ELDERLY_BEDS_PER_1K", unit_code="4404", period="2015"
    )
    beds = DataValue.objects.filter(element__code="ELDERLY_CARE_BEDS", period="2015")
    elderly = DataValue.objects.filter(element__code="POP_ELDERLY_60", period="2015")
    expected = 1000 * sum(v.value for v in beds) / sum(v.value for v in elderly)
    assert row.value == pytest.approx(float(expected), rel=1e-9)
    assert row.value < 30  # the city missed 每千名老人拥有养老床位不少于30 in 2015

    # Groups of districts (横琴镇 is not in this small territory: its group is left out), and
    # registered vs floating population, summed before dividing.
    assert set(UnitGroup.objects.values_list("code", flat=True)) == {"URBAN", "RURAL", "WEST"}
    assert sorted(UnitGroup.objects.get(code="RURAL").units.values_list("code", flat=True)) == [
        "440403",
        "440404",
    ]
    school = PopulationComparison.objects.get(code="PUBLIC_SCHOOL")
    floating = IndicatorAggregate.objects.get(
        indicator=school.floating, unit_code="4404", period="2016"
    )
    public = DataValue.objects.filter(element__code="PUPILS_FLT_PUBLIC", period="2016")
    pupils = DataValue.objects.filter(element__code="PUPILS_FLT", period="2016")
    expected = 100 * sum(v.value for v in public) / sum(v.value for v in pupils)
    assert floating.value == pytest.approx(float(expected), rel=1e-9)
    registered = IndicatorAggregate.objects.get(
        indicator=school.registered, unit_code="4404", period="2016"
    )
    assert registered.value > floating.value  # migrants' children still lag behind

    scores = AssessmentScore.objects.filter(scheme__code="DEMO-DISTRICT-2015").order_by("rank")
    assert scores[0].unit.code == "440402"  # urban 香洲 ranks first
    assert len(scores) == 3
    assert all(0 < score.total <= 100 for score in scores)
    capsys.readouterr()

    call_command("demo", "indicators")
    second = capsys.readouterr().out
    assert "data elements: 0 created" in second
    assert "indicators: 0 created" in second
    assert "values: already imported" in second
    assert "targets: 0 created" in second
    assert "assessment: exists" in second
    assert "unit groups: 0 created" in second
    assert "population comparisons: 0 created" in second
    assert Indicator.objects.count() == len(catalogue) + population
    assert DataValue.objects.count() == value_rows


def test_demo_indicators_needs_the_territory(db: Any) -> None:
    with pytest.raises(RuntimeError, match="demo load"):
        demo_indicators.load()
