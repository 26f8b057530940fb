"""Administrators' pages: the catalogue (tree, download, upload preview, confirm) and the
legacy import (report, escaped HTML); everybody else gets 403 and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts.models import Role
from civicgrid.appeals.models import Appeal, Category, ResponsibilityRule
from civicgrid.appeals.services.catalogue_io import catalogue_export
from civicgrid.core.models import AuditRecord

HEADER = "原编号,受理时间,类型,内容,标题,状态\n"


@pytest.fixture
def catalogue(territory: Any) -> None:
    urban = Category.objects.create(code="urban", name="城市管理")
    Category.objects.create(code="urban-vending", name="占道经营", parent=urban)
    ResponsibilityRule.objects.create(
        category=urban, admin_unit=territory.city, lead_department=territory.civil_affairs
    )


def _client(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _edited(cells: dict[str, Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(catalogue_export(actor=None)))
    for ref, value in cells.items():
        workbook["分类"][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_page_shows_tree_and_rules_in_fixed_queries(
    catalogue: None, city_admin: Any, django_assert_num_queries: Any
) -> None:
    client = _client(city_admin)
    with django_assert_num_queries(6):  # session, user, categories, limits, rules, cooperating
        response = client.get("/appeals/catalogue/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "城市管理" in body
    assert "占道经营" in body
    assert "珠海市民政局" in body


def test_download_is_the_workbook(catalogue: None, city_admin: Any) -> None:
    response = _client(city_admin).get("/appeals/catalogue/", {"download": "1"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["分类", "时限", "权责清单"]
    assert AuditRecord.objects.filter(action="appeals.catalogue_export").count() == 1


def test_upload_previews_then_confirm_writes(catalogue: None, city_admin: Any) -> None:
    client = _client(city_admin)
    upload = SimpleUploadedFile("c.xlsx", _edited({"B3": "城市管理（新）"}))
    response = client.post("/appeals/catalogue/", {"action": "preview", "file": upload})
    assert response.status_code == 200
    assert "category urban updated" in response.content.decode()
    assert Category.objects.get(code="urban").name == "城市管理"
    token = response.context["token"]
    response = client.post("/appeals/catalogue/", {"action": "confirm", "token": token})
    assert response.status_code == 302
    assert Category.objects.get(code="urban").name == "城市管理（新）"


def test_upload_with_errors_shows_them_and_offers_no_confirm(
    catalogue: None, city_admin: Any
) -> None:
    client = _client(city_admin)
    upload = SimpleUploadedFile("c.xlsx", _edited({"C4": "nowhere"}))
    response = client.post("/appeals/catalogue/", {"action": "preview", "file": upload})
    body = response.content.decode()
    assert "Unknown parent category “nowhere”." in body
    assert 'data-testid="catalogue-confirm"' not in body
    response = client.post("/appeals/catalogue/", {"action": "confirm", "token": "x"})
    assert response.status_code == 302
    assert Category.objects.get(code="urban-vending").parent.code == "urban"


@pytest.mark.parametrize(
    "role", [Role.DISPATCHER, Role.DEPARTMENT_STAFF, Role.SUPERVISOR, Role.CITIZEN]
)
def test_other_roles_are_refused_and_nothing_changes(
    catalogue: None, make_user: Any, territory: Any, role: str
) -> None:
    user = make_user(role, scope_unit=territory.city)
    client = _client(user)
    assert client.get("/appeals/catalogue/").status_code == 403
    assert client.get("/appeals/catalogue/", {"download": "1"}).status_code == 403
    upload = SimpleUploadedFile("c.xlsx", _edited({"B3": "改"}))
    assert client.post("/appeals/catalogue/", {"file": upload}).status_code == 403
    csv_file = SimpleUploadedFile(
        "a.csv", (HEADER + "A1,2025-03-05,咨询,内容,标题,已受理\n").encode()
    )
    assert client.post("/appeals/import/", {"file": csv_file}).status_code == 403
    assert client.get("/appeals/import/").status_code == 403
    assert Category.objects.get(code="urban").name == "城市管理"
    assert Appeal.objects.count() == 0
    assert not AuditRecord.objects.filter(actor=user).exists()


def test_anonymous_goes_to_login(catalogue: None) -> None:
    assert Client().get("/appeals/catalogue/").status_code == 302
    assert Client().get("/appeals/import/").status_code == 302


def test_legacy_import_page_reports_rows_and_escapes_html(catalogue: None, city_admin: Any) -> None:
    client = _client(city_admin)
    content = (
        HEADER
        + "A1,2025-03-05,咨询,<b>加粗</b>,<script>alert(1)</script>,已受理\n"
        + "A2,明天,咨询,内容,标题,已受理\n"
    ).encode("gbk")
    response = client.post(
        "/appeals/import/",
        {"file": SimpleUploadedFile("a.csv", content), "skip_invalid": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 rows: 1 imported, 0 already imported before, 1 with errors." in body
    assert "“明天” is not a date and time" in body
    appeal = Appeal.objects.get(source_reference="A1")
    assert appeal.title == "<script>alert(1)</script>"
    detail = client.get(f"/appeals/{appeal.number}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;b&gt;加粗&lt;/b&gt;" in detail


def test_legacy_import_dry_run_is_the_default(catalogue: None, city_admin: Any) -> None:
    client = _client(city_admin)
    form = client.get("/appeals/import/").context["form"]
    assert form.fields["dry_run"].initial is True
    content = (HEADER + "A1,2025-03-05,咨询,内容,标题,已受理\n").encode()
    response = client.post(
        "/appeals/import/", {"file": SimpleUploadedFile("a.csv", content), "dry_run": "on"}
    )
    assert "Only checked: nothing was imported." in response.content.decode()
    assert Appeal.objects.count() == 0
