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


def test_a_time_limit_changed_in_the_admin_applies_to_intake_at_once(
    admin_client: Any, db: Any
) -> None:
    """Intake keeps the time limits per process; the admin forgets them when one changes."""
    from django.test import override_settings

    from civicgrid.appeals.models import TimeLimit
    from civicgrid.appeals.time_limits_cache import current_time_limits, invalidate_time_limits

    limit, _created = TimeLimit.objects.update_or_create(
        appeal_type="help", category=None, defaults={"sign_for_days": 1, "handling_days": 5}
    )
    with override_settings(CIVICGRID_TIME_LIMITS_CHECK_SECONDS=3600.0):
        invalidate_time_limits()
        assert current_time_limits("help", None) == (1, 5)
        response = admin_client.post(
            f"/admin/appeals/timelimit/{limit.pk}/change/",
            {"appeal_type": "help", "category": "", "sign_for_days": 2, "handling_days": 7},
        )
        assert response.status_code == 302, response.content
        assert current_time_limits("help", None) == (2, 7)
        invalidate_time_limits()
