"""Indicators pages: equalisation between unit groups and between registered and floating
population (shown and exported), and the assessment published as PDF (font embedded, Chinese
text extracts back)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pdfminer.high_level import extract_text

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.indicators.services import definitions
from civicgrid.indicators.services import imports as import_services
from civicgrid.indicators.services.groups import population_comparison_create, unit_group_create

from .test_plans_report_files import _fonts

# Registered volunteers / residents: 香洲 120 / 1000 and 斗门 30 / 500 (2015).
VALUES = {"440402": (120, 1000), "440403": (30, 500)}
# Floating-population variant: 香洲 60 / 1000, 斗门 10 / 500.
FLOATING = {"440402": (60, 1000), "440403": (10, 500)}


@pytest.fixture
def data(territory: Any) -> dict[str, Any]:
    for code in ("VOL", "POP", "VOL_F", "POP_F"):
        definitions.element_create(actor=None, code=code, name=code, aggregation="last")
    rate = definitions.indicator_create(
        actor=None,
        code="VOLUNTEER_RATE",
        name="注册志愿者占常住人口比例",
        kind="percentage",
        numerator="#{VOL}",
        denominator="#{POP}",
    )
    floating = definitions.indicator_create(
        actor=None,
        code="VOLUNTEER_RATE_F",
        name="流动人口志愿者比例",
        kind="percentage",
        numerator="#{VOL_F}",
        denominator="#{POP_F}",
    )
    data_set = definitions.data_set_create(
        actor=None,
        code="YEARLY",
        name="年报",
        period_type="yearly",
        element_codes=["VOL", "POP", "VOL_F", "POP_F"],
        unit_codes=["440402", "440403"],
        first_period="2015",
    )
    rows = []
    for suffix, table in (("", VALUES), ("_F", FLOATING)):
        for unit, (numerator, denominator) in table.items():
            rows.append(
                {
                    "dataElement": f"VOL{suffix}",
                    "period": "2015",
                    "orgUnit": unit,
                    "value": numerator,
                }
            )
            rows.append(
                {
                    "dataElement": f"POP{suffix}",
                    "period": "2015",
                    "orgUnit": unit,
                    "value": denominator,
                }
            )
    import_services.data_values_import(actor=None, rows=rows, data_set=data_set, as_approved=True)
    unit_group_create(
        actor=None, code="URBAN", name="城市地区", kind="urban_rural", unit_codes=["440402"]
    )
    unit_group_create(
        actor=None,
        code="RURAL",
        name="农村地区",
        kind="urban_rural",
        unit_codes=["440403"],
        sort_order=1,
    )
    population_comparison_create(
        actor=None,
        code="VOL_POP",
        name="志愿者比例:户籍与流动人口",
        registered=rate,
        floating=floating,
        source_passage="逐步给予异地务工人员基本公共服务",
    )
    return {"rate": rate}


@pytest.fixture
def leader(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADER, username="leader")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_groups_page_and_export(data: Any, leader: User) -> None:
    client = _client(leader)
    response = client.get(reverse("web:indicators_equalisation_groups"))
    assert response.status_code == 200
    assert response.context["sides"] == [("URBAN", "城市地区"), ("RURAL", "农村地区")]
    (row,) = response.context["rows"]
    # 12 % against 6 %: difference 6 points, ratio 2; Theil all between the groups.
    assert (row["value_0"], row["value_1"]) == (pytest.approx(12.0), pytest.approx(6.0))
    assert (row["difference"], row["ratio"]) == (pytest.approx(6.0), pytest.approx(2.0))
    assert row["between_share"] == pytest.approx(1.0)
    assert "城市地区" in response.content.decode()
    exported = client.get(reverse("web:indicators_equalisation_groups_export", args=["csv"]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    # the two indicators × one year
    assert len(lines) == 1 + 2
    first = next(line for line in lines[1:] if line[0] == "VOLUNTEER_RATE")
    assert first[2:9] == ["2015", "城市地区", "12.0", "农村地区", "6.0", "6.0", "2.0"]
    assert AuditRecord.objects.filter(action="indicators.equalisation_groups_export").exists()


def test_population_page_and_export(data: Any, leader: User) -> None:
    client = _client(leader)
    response = client.get(reverse("web:indicators_equalisation_population"))
    assert response.status_code == 200
    (city,) = response.context["trend"]
    # city: 150 / 1500 = 10 % registered against 70 / 1500 ≈ 4.667 % floating
    assert city["registered"] == pytest.approx(10.0)
    assert city["floating"] == pytest.approx(4.6667, abs=1e-4)
    assert [row["unit"] for row in response.context["districts"]] == ["440402", "440403"]
    assert "逐步给予异地务工人员基本公共服务" in response.content.decode()
    exported = client.get(reverse("web:indicators_equalisation_population_export", args=["csv"]))
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [line[3] for line in lines[1:]] == ["4404", "440402", "440403"]
    assert lines[2][6:] == ["12.0", "6.0", "6.0", "2.0"]
    assert AuditRecord.objects.filter(action="indicators.equalisation_population_export").exists()


def test_assessment_pdf_embeds_the_font_and_shows_ranking_and_traces(
    data: Any, make_user: Callable[..., User]
) -> None:
    from civicgrid.indicators.services import assessment as assessment_services

    scheme = assessment_services.scheme_create(
        actor=None, code="A2015", name="2015年度各区考核", year=2015, subject="district"
    )
    assessment_services.item_add(
        actor=None,
        scheme=scheme,
        kind="indicator",
        title="注册志愿者比例",
        weight=100,
        indicator=data["rate"],
        params={"target": 10},
    )
    assessment_services.scheme_score(actor=None, scheme=scheme)
    office = make_user(Role.PROGRAMME_OFFICE, username="office")
    response = _client(office).get(reverse("web:indicators_assessment_pdf", args=["A2015"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    fonts = _fonts(content)
    assert fonts
    assert all(font["embedded"] and font["to_unicode"] for font in fonts)
    text = "".join(extract_text(io.BytesIO(content)).split())
    assert "2015年度各区考核" in text
    assert "香洲区" in text
    assert "斗门区" in text
    assert "注册志愿者比例" in text
    # 斗门 6 % against the target 10 %: 60 points, with the values behind it.
    assert "60" in text
    assert "numerator=30" in text
    assert "denominator=500" in text
    assert AuditRecord.objects.filter(
        action="indicators.assessment_export", details__format="pdf"
    ).exists()


def test_figures_never_read_minus_zero() -> None:
    from civicgrid.web.indicators.common import number

    assert number(-0.0001, 2) == "0"
    assert number(-0.4, 0) == "0"
    assert number(-0.6, 0) == "-1"
    assert number(0.0346, 3) == "0.035"
    assert number(None) == "–"
