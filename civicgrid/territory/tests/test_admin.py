"""The Django admin pages of admin units and departments render and search."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from civicgrid.territory.models import DepartmentAlias


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/territory/adminunit/?q=紫荆", "440402001001001"),
        ("/admin/territory/adminunit/?level__exact=district", "440403"),
        ("/admin/territory/department/?q=民政", "city-civil-affairs"),
    ],
)
def test_admin_lists(territory: Any, admin_client: Any, url: str, expected: str) -> None:
    response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_admin_unit_change_page_shows_boundary_read_only(territory: Any, admin_client: Any) -> None:
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get(f"/admin/territory/adminunit/{territory.xiangzhou.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Polygon, 1 part(s), 5 points" in content
    assert 'name="boundary"' not in content


def test_department_change_page_has_alias_inline(territory: Any, admin_client: Any) -> None:
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="民政局")
    response = admin_client.get(f"/admin/territory/department/{territory.civil_affairs.pk}/change/")
    assert response.status_code == 200
    assert "民政局" in response.content.decode()
    assert 'name="aliases-TOTAL_FORMS"' in response.content.decode()
