"""Indicators API: definitions, series, target statuses, DHIS2-shaped data values out (JSON, CSV)
and in (JSON, CSV) with row-level errors and nothing saved on a bad row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from civicgrid.accounts.models import Role, User
from civicgrid.indicators.models import DataValue
from civicgrid.indicators.services import definitions
from civicgrid.indicators.services import imports as import_services


@pytest.fixture
def volunteers(territory: Any) -> Any:
    for code, name in (("VOL", "注册志愿者数"), ("POP", "常住人口")):
        definitions.element_create(actor=None, code=code, name=name, aggregation="last")
    indicator = definitions.indicator_create(
        actor=None,
        code="VOLUNTEER_RATE",
        name="注册志愿者占常住人口比例",
        kind="percentage",
        numerator="#{VOL}",
        denominator="#{POP}",
        source_passage="到2015年,全市注册志愿者占常住人口的10%以上",
    )
    data_set = definitions.data_set_create(
        actor=None,
        code="YEARLY",
        name="年报",
        period_type="yearly",
        element_codes=["VOL", "POP"],
        unit_codes=["440402", "440403", "440402001001"],
        first_period="2014",
    )
    rows = [
        {"dataElement": "VOL", "period": "2015", "orgUnit": "440402", "value": 120},
        {"dataElement": "POP", "period": "2015", "orgUnit": "440402", "value": 1000},
        {"dataElement": "VOL", "period": "2015", "orgUnit": "440403", "value": 30},
        {"dataElement": "POP", "period": "2015", "orgUnit": "440403", "value": 500},
    ]
    import_services.data_values_import(actor=None, rows=rows, data_set=data_set, as_approved=True)
    definitions.target_create(actor=None, indicator=indicator, value=10, deadline_period="2015")
    return indicator


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def leader(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADER, username="leader")


def test_indicators_series_and_targets(volunteers: Any, leader: User) -> None:
    client = _client(leader)
    listed = client.get("/api/indicators/").json()
    assert [item["code"] for item in listed] == ["VOLUNTEER_RATE"]
    assert listed[0]["numerator"] == "#{VOL}"
    series = client.get("/api/indicators/VOLUNTEER_RATE/series/", {"unit": "4404"}).json()
    assert series["points"] == [
        {"period": "2015", "value": pytest.approx(10.0), "numerator": 150.0, "denominator": 1500.0}
    ]
    targets = client.get("/api/indicators/targets/").json()
    assert [(row["unit"], row["status"]) for row in targets] == [("4404", "met")]
    assert targets[0]["source_passage"].startswith("到2015年")
    assert client.get("/api/indicators/NOPE/series/").status_code == 404


def test_data_values_export_json_and_csv_in_scope(
    volunteers: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    doumen = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.doumen)
    body = _client(doumen).get("/api/indicators/data-values/").json()
    assert {row["orgUnit"] for row in body["dataValues"]} == {"440403"}
    assert {"dataElement": "VOL", "period": "2015", "orgUnit": "440403", "value": "30"}.items() <= (
        body["dataValues"][1].items()
    )
    response = _client(doumen).get("/api/indicators/data-values/", {"output": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["dataElement"], r["value"]) for r in rows] == [("POP", "500"), ("VOL", "30")]


def test_import_json_and_csv_with_row_errors(
    volunteers: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    reporter = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)
    client = _client(reporter)
    before = DataValue.objects.count()
    bad = client.post(
        "/api/indicators/data-values/",
        {
            "dataValues": [
                {"dataElement": "VOL", "period": "2016", "orgUnit": "440402001001", "value": "12"},
                {"dataElement": "POP", "period": "2016", "orgUnit": "440402001001", "value": "-5"},
            ]
        },
        format="json",
    )
    assert bad.status_code == 400
    assert [row["row"] for row in bad.json()["error"]["rows"]] == [3]
    assert DataValue.objects.count() == before
    good = client.post(
        "/api/indicators/data-values/",
        "dataElement,period,orgUnit,value\nVOL,2016,440402001001,12\nPOP,2016,440402001001,300\n",
        content_type="text/csv",
    )
    assert good.status_code == 200, good.json()
    assert good.json()["values"] == 2
    assert DataValue.objects.count() == before + 2
    outside = client.post(
        "/api/indicators/data-values/",
        {"dataValues": [{"dataElement": "VOL", "period": "2016", "orgUnit": "440403", "value": 1}]},
        format="json",
    )
    assert outside.status_code == 400
    assert DataValue.objects.count() == before + 2


def test_citizens_get_403(volunteers: Any, make_user: Callable[..., User]) -> None:
    citizen = make_user(Role.CITIZEN)
    assert _client(citizen).get("/api/indicators/").status_code == 403
    assert APIClient().get("/api/indicators/").status_code == 401
