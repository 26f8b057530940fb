"""Indicators pages: cockpit (targets with their source passage, charts' data), district view,
pivot table with CSV/Excel export, equalisation page with export; scope and permissions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.indicators.services import definitions
from civicgrid.indicators.services import imports as import_services

PASSAGE = "到2015年,全市注册志愿者占常住人口的10%以上"
# Registered volunteers / residents per district and year: 香洲 8 % → 12 %, 斗门 4 % → 6 %.
VALUES = {
    ("440402", "2013"): (80, 1000),
    ("440402", "2014"): (100, 1000),
    ("440402", "2015"): (120, 1000),
    ("440403", "2013"): (20, 500),
    ("440403", "2014"): (25, 500),
    ("440403", "2015"): (30, 500),
}


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
        unit_label="%",
        source_document="珠海市深化社会体制改革工作方案 (31)",
        source_passage=PASSAGE,
    )
    data_set = definitions.data_set_create(
        actor=None,
        code="YEARLY",
        name="年报",
        period_type="yearly",
        element_codes=["VOL", "POP"],
        unit_codes=["440402", "440403"],
        first_period="2013",
    )
    rows = []
    for (unit, period), (volunteers_count, population) in VALUES.items():
        rows.append(
            {"dataElement": "VOL", "period": period, "orgUnit": unit, "value": volunteers_count}
        )
        rows.append({"dataElement": "POP", "period": period, "orgUnit": unit, "value": population})
    import_services.data_values_import(actor=None, rows=rows, data_set=data_set, as_approved=True)
    definitions.target_create(
        actor=None,
        indicator=indicator,
        value=10,
        deadline_period="2015",
        source_document="珠海市深化社会体制改革工作方案 (31)",
        source_passage=PASSAGE,
    )
    return indicator


@pytest.fixture
def leader(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADER, username="leader")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_city_cockpit_lists_the_target_with_status_and_source_passage(
    volunteers: Any, leader: User
) -> None:
    response = _client(leader).get(reverse("web:indicators_cockpit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "注册志愿者占常住人口比例" in page
    assert PASSAGE in page  # the clause, one click away in the target row
    rows = response.context["rows"]
    assert len(rows) == 1
    # City 2015: (120 + 30) / (1000 + 500) = 10 % → met.
    assert rows[0]["row"].latest_value == pytest.approx(10.0)
    assert rows[0]["status"] == "met"
    chart = response.context["chart_data"]
    assert chart["series"]["periods"] == ["2013", "2014", "2015"]
    assert chart["series"]["values"] == pytest.approx([100 / 15, 125 / 15, 10.0], abs=1e-4)
    assert chart["series"]["target"]["value"] == 10.0
    assert chart["comparison"]["codes"] == ["440402", "440403"]
    assert chart["comparison"]["values"] == pytest.approx([12.0, 6.0])
    assert chart["map"]["level"] == "district"
    assert json.dumps(chart)  # serialisable for json_script


def test_district_view_shows_its_streets_and_refuses_other_districts(
    volunteers: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    xz_staff = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xiangzhou)
    client = _client(xz_staff)
    response = client.get(reverse("web:indicators_cockpit"))
    assert response.status_code == 200
    assert response.context["unit"].code == "440402"
    assert client.get(reverse("web:indicators_unit", args=["440403"])).status_code == 404


def test_citizens_and_anonymous_users_may_not_open_the_cockpit(
    volunteers: Any, make_user: Callable[..., User]
) -> None:
    citizen = make_user(Role.CITIZEN)
    assert _client(citizen).get(reverse("web:indicators_cockpit")).status_code == 403
    response = Client().get(reverse("web:indicators_cockpit"))
    assert response.status_code == 302


def test_pivot_table_and_its_exports(volunteers: Any, leader: User) -> None:
    client = _client(leader)
    response = client.get(reverse("web:indicators_pivot"))
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line["unit_code"] for line in lines] == ["4404", "440402", "440403"]
    assert lines[1]["values"] == ["8", "10", "12"]
    exported = client.get(reverse("web:indicators_pivot_export", args=["csv"]))
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 1 + 9  # heading + 3 units × 3 years
    assert rows[-1][:5] == [
        "VOLUNTEER_RATE",
        "注册志愿者占常住人口比例",
        "440403",
        "斗门区",
        "2015",
    ]
    assert float(rows[-1][-1]) == pytest.approx(6.0)
    workbook = client.get(reverse("web:indicators_pivot_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    assert sheet.max_row == 10
    assert AuditRecord.objects.filter(action="indicators.pivot_export").count() == 2


def test_equalisation_page_and_export(volunteers: Any, leader: User) -> None:
    client = _client(leader)
    response = client.get(reverse("web:indicators_equalisation"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["period"] for row in rows] == ["2013", "2014", "2015"]
    assert rows[-1]["max_min_ratio"] == pytest.approx(2.0)  # 12 % / 6 %
    # Unweighted CV of (12, 6): population sd 3 / mean 9.
    assert rows[-1]["coefficient_of_variation"] == pytest.approx(3 / 9, abs=1e-4)
    exported = client.get(reverse("web:indicators_equalisation_export", args=["csv"]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 3
    assert lines[-1][6] == "2.0"


def test_assessment_page_scores_ranks_traces_and_exports(
    volunteers: Any, territory: Any, make_user: Callable[..., User]
) -> None:
    from civicgrid.indicators.services import assessment as assessment_services

    office = make_user(Role.PROGRAMME_OFFICE, username="office")
    scheme = assessment_services.scheme_create(
        actor=None, code="A2015", name="2015年度考核", year=2015, subject="district"
    )
    assessment_services.item_add(
        actor=None,
        scheme=scheme,
        kind="indicator",
        title="注册志愿者",
        weight=100,
        indicator=volunteers,
        params={"target": 10},
    )
    client = _client(office)
    scored = client.post(
        reverse("web:indicators_assessment_action", args=["A2015"]), {"action": "score"}
    )
    assert scored.status_code == 302
    response = client.get(reverse("web:indicators_assessment_scheme", args=["A2015"]))
    rows = response.context["rows"]
    # 香洲 12 % ≥ 10 % → full 100 points; 斗门 6 % → 60 (linear to the target).
    ranking = [(r["row"].subject_code, r["row"].rank) for r in rows]
    assert ranking == [("440402", 1), ("440403", 2)]
    assert [r["row"].total for r in rows] == pytest.approx([100.0, 60.0])
    trace = json.loads(rows[1]["items"][0]["trace"])
    assert trace["source"]["unit"] == "440403"
    assert trace["source"]["numerator"] == pytest.approx(30.0)
    exported = client.get(reverse("web:indicators_assessment_export", args=["A2015"]))
    workbook = load_workbook(io.BytesIO(exported.content))
    assert workbook.active is not None
    assert workbook.active.max_row == 2 + 2
    leader = make_user(Role.LEADER, username="leader-2")
    refused = _client(leader).post(
        reverse("web:indicators_assessment_action", args=["A2015"]), {"action": "publish"}
    )
    assert refused.status_code == 403
