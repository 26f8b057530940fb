from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_appeal_admin_is_read_only_and_hides_the_citizen(
    accept: Callable[..., Appeal], admin_client: Any
) -> None:
    appeal = accept()
    listing = admin_client.get("/admin/appeals/appeal/")
    assert listing.status_code == 200
    assert appeal.number in listing.content.decode()
    detail = admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/change/")
    assert detail.status_code == 200
    assert "13800138000" not in detail.content.decode()
    assert admin_client.get("/admin/appeals/appeal/add/").status_code == 403
    response = admin_client.post(f"/admin/appeals/appeal/{appeal.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Appeal.objects.filter(pk=appeal.pk).exists()


def test_configuration_pages_load(admin_client: Any, db: Any) -> None:
    for url in ("category", "timelimit", "responsibilityrule"):
        assert admin_client.get(f"/admin/appeals/{url}/").status_code == 200
