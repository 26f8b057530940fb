"""Assessment schemes: weighted items scored per district with traces, ranking, publishing."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.core.errors import ConflictError, PermissionDeniedError
from civicgrid.indicators.models import AssessmentItemScore, AssessmentScore
from civicgrid.indicators.selectors.assessment import scheme_results
from civicgrid.indicators.services import assessment, definitions, imports
from civicgrid.indicators.services.errors import InvalidInput

from .core_setup import Catalogue, People

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2016, 6, 1)


@pytest.fixture
def scheme(territory, catalogue: Catalogue):
    imports.data_values_import(
        actor=None,
        rows=[
            {"dataElement": "BEDS", "period": "2015", "orgUnit": "440402001001", "value": 45},
            {
                "dataElement": "BED_CAPACITY",
                "period": "2015",
                "orgUnit": "440402001001",
                "value": 50,
            },
            {"dataElement": "BEDS", "period": "2015", "orgUnit": "440403001001", "value": 15},
            {
                "dataElement": "BED_CAPACITY",
                "period": "2015",
                "orgUnit": "440403001001",
                "value": 50,
            },
        ],
        as_approved=True,
        today=TODAY,
    )
    target = definitions.target_create(
        actor=None, indicator=catalogue.occupancy, value=60, deadline_period="2015"
    )
    scheme = assessment.scheme_create(actor=None, code="A2015", name="2015年度考核", year=2015)
    assessment.item_add(
        actor=None,
        scheme=scheme,
        kind="indicator",
        title="床位使用",
        weight=60,
        indicator=catalogue.occupancy,
        target=target,
        rule="linear",
    )
    assessment.item_add(
        actor=None,
        scheme=scheme,
        kind="indicator",
        title="床位达标",
        weight=40,
        indicator=catalogue.occupancy,
        target=target,
        rule="met",
    )
    return scheme


def test_scores_are_computed_ranked_and_traced(territory, scheme, people: People) -> None:
    scores = assessment.scheme_score(actor=None, scheme=scheme)
    # 香洲 90 %: linear min(1, 90/60) × 60 = 60, met → 40; 斗门 30 %: 30/60 × 60 = 30, not met → 0
    assert [(s.unit.code, float(s.total), s.rank) for s in scores] == [
        ("440402", 100.0, 1),
        ("440403", 30.0, 2),
    ]
    item = AssessmentItemScore.objects.get(score__unit__code="440403", item__title="床位使用")
    assert float(item.points) == 30.0
    assert item.value == pytest.approx(30.0)
    assert item.trace["source"]["numerator"] == 15.0
    assert item.trace["source"]["denominator"] == 50.0
    assert "30" in item.trace["trace"]["calculation"]
    results = scheme_results(people.city, scheme)
    assert [(row.subject_code, row.total, row.rank) for row in results] == [
        ("440402", 100.0, 1),
        ("440403", 30.0, 2),
    ]
    # a district sees its own row only, and only once published
    assert scheme_results(people.xz_district, scheme) == []
    assessment.scheme_publish(actor=people.city, scheme=scheme)
    assert [row.subject_code for row in scheme_results(people.xz_district, scheme)] == ["440402"]


def test_rescoring_replaces_and_publishing_freezes(territory, scheme, people: People) -> None:
    assessment.scheme_score(actor=None, scheme=scheme)
    assessment.scheme_score(actor=None, scheme=scheme)
    assert AssessmentScore.objects.count() == 2
    with pytest.raises(PermissionDeniedError):
        assessment.scheme_publish(actor=people.xz_district, scheme=scheme)
    assessment.scheme_publish(actor=None, scheme=scheme)
    with pytest.raises(ConflictError):
        assessment.scheme_score(actor=None, scheme=scheme)


def test_weights_must_add_up_and_params_must_fit(territory, catalogue: Catalogue) -> None:
    scheme = assessment.scheme_create(actor=None, code="B", name="b", year=2015)
    assessment.item_add(
        actor=None,
        scheme=scheme,
        kind="indicator",
        title="x",
        weight=50,
        indicator=catalogue.occupancy,
        params={"target": 60},
    )
    with pytest.raises(InvalidInput) as refused:
        assessment.scheme_score(actor=None, scheme=scheme)
    assert "100" in str(refused.value.message)
    with pytest.raises(InvalidInput):
        assessment.item_add(
            actor=None,
            scheme=scheme,
            kind="indicator",
            title="y",
            weight=50,
            indicator=catalogue.occupancy,
            rule="thresholds",
            params={"tiers": "high"},
        )
    with pytest.raises(InvalidInput):
        assessment.item_add(
            actor=None, scheme=scheme, kind="indicator", title="z", weight=-5, indicator=None
        )
