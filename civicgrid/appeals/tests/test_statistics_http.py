"""The statistics page, its Excel export and the API (with the hand-made records of
test_statistics): exact figures, who may see them, bad input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from civicgrid.accounts.models import User
from civicgrid.core.models import AuditRecord

from .test_statistics import (
    DM_ROW,
    TOTAL_ROW,
    XZ_ROW,
    records,  # noqa: F401 - the fixture of hand-made records
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("records")]
QUERY = {"period": "custom", "start": "2026-09-01", "end": "2026-09-30"}


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    from civicgrid.appeals import clock

    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 10, 20))
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 20))


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_page_shows_the_table(staff: dict[str, User]) -> None:
    response = _client(staff["supervisor"]).get(
        "/appeals/statistics/", {**QUERY, "group_by": "district"}
    )
    assert response.status_code == 200
    rows = response.context["table"].rows
    assert [(row["label"], row["received"], row["overdue"]) for row in rows] == [
        ("香洲区", 6, 2),
        ("斗门区", 2, 1),
    ]
    assert "statistics-chart-data" in response.content.decode()
    assert response.context["hot_topics"] == [
        # 小区门口占道经营 in all 8 titles now and in the 1 title of August (h): no excess
        {"word": "经营", "count": 8, "previous": 1, "excess": 0.0}
    ]


@pytest.mark.parametrize("who", ["xz_staff", "operator", "xz_grid"])
def test_page_refuses_other_roles(staff: dict[str, User], who: str) -> None:
    assert _client(staff[who]).get("/appeals/statistics/", QUERY).status_code == 403


def test_page_refuses_a_bad_period(staff: dict[str, User]) -> None:
    response = _client(staff["supervisor"]).get(
        "/appeals/statistics/", {**QUERY, "start": "2026-10-01"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["__all__"]
    assert "table" not in response.context


def test_export_reads_back_and_is_audited(staff: dict[str, User]) -> None:
    response = _client(staff["xz_dispatcher"]).get(
        "/appeals/statistics/export/", {**QUERY, "group_by": "district"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert len(values[0]) == 10  # the grouping and 9 figures
    assert values[1] == ["香洲区", 6, 4, 75.0, 2, 6.5, 66.67, 25.0, 1, 1]
    assert values[2][1:] == [6, 4, 75.0, 2, 6.5, 66.67, 25.0, 1, 1]  # totals
    audit = AuditRecord.objects.get(action="appeals.statistics_export")
    assert (audit.actor_id, audit.details["rows"]) == (staff["xz_dispatcher"].pk, 1)


def test_api_figures(staff: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(staff["supervisor"])
    response = client.get(
        "/api/appeals/statistics/",
        {"start": "2026-09-01", "end": "2026-09-30", "group_by": "district"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "rollup"
    assert body["rows"] == [
        {"key": "440402", "label": "香洲区", **XZ_ROW},
        {"key": "440403", "label": "斗门区", **DM_ROW},
    ]
    assert body["total"] == {"key": None, "label": "Total", **TOTAL_ROW}
    bad = client.get("/api/appeals/statistics/", {"group_by": "colour"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["group_by"]
    assert APIClient().get("/api/appeals/statistics/").status_code == 401


def test_api_grids_geojson_is_scoped(staff: dict[str, User]) -> None:
    client = APIClient()
    client.force_authenticate(staff["dm_dispatcher"])
    response = client.get(
        "/api/appeals/statistics/grids/", {"start": "2026-09-01", "end": "2026-09-30"}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    codes = [feature["id"] for feature in body["features"]]
    assert len(codes) > 0
    assert all(code.startswith("440403") for code in codes)
    assert sum(f["properties"]["received"] for f in body["features"]) == 2
