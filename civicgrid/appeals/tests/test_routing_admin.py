"""Admin of the appeal settings singleton and of the trained routers."""

from __future__ import annotations

from typing import Any

import pytest

from civicgrid.appeals.models import AppealSettings, TrainedRouter
from civicgrid.appeals.services.routing import router_train
from civicgrid.core.models import AuditRecord

from .routing_data import make_answered_appeals, var_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("var_dir")]


def _form(**overrides: Any) -> dict[str, Any]:
    row = AppealSettings.load()
    values = {
        "auto_dispatch_threshold": row.auto_dispatch_threshold,
        "is_auto_dispatch_enabled": "on" if row.is_auto_dispatch_enabled else "",
        "yellow_light_working_days": row.yellow_light_working_days,
        "reopen_within_days": row.reopen_within_days,
        "is_reply_review_required": "on" if row.is_reply_review_required else "",
        "duplicate_window_days": row.duplicate_window_days,
        "duplicate_radius_m": row.duplicate_radius_m,
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value != ""}


def test_settings_is_a_singleton_edited_in_place_and_audited(admin_client: Any) -> None:
    listing = admin_client.get("/admin/appeals/appealsettings/")
    assert listing.status_code == 302
    assert listing["Location"] == "/admin/appeals/appealsettings/1/change/"
    assert admin_client.get("/admin/appeals/appealsettings/add/").status_code == 403
    response = admin_client.post(
        "/admin/appeals/appealsettings/1/change/",
        _form(auto_dispatch_threshold="0.95", is_auto_dispatch_enabled=""),
    )
    assert response.status_code == 302
    row = AppealSettings.load()
    assert (row.auto_dispatch_threshold, row.is_auto_dispatch_enabled) == (0.95, False)
    audit = AuditRecord.objects.get(action="appeals.settings.change")
    assert sorted(audit.details["changed"]) == [
        "auto_dispatch_threshold",
        "is_auto_dispatch_enabled",
    ]
    response = admin_client.post("/admin/appeals/appealsettings/1/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AppealSettings.objects.filter(pk=1).exists()


def test_a_threshold_outside_zero_to_one_is_refused(admin_client: Any) -> None:
    response = admin_client.post(
        "/admin/appeals/appealsettings/1/change/", _form(auto_dispatch_threshold="1.5")
    )
    assert response.status_code == 200
    assert AppealSettings.load().auto_dispatch_threshold == 0.9
    assert not AuditRecord.objects.filter(action="appeals.settings.change").exists()


def test_routers_are_read_only_with_figures_and_can_be_activated(
    admin_client: Any, territory: Any
) -> None:
    make_answered_appeals(territory)
    first = router_train(actor=None).router
    second = router_train(actor=None, force=True).router
    listing = admin_client.get("/admin/appeals/trainedrouter/")
    assert listing.status_code == 200
    detail = admin_client.get(f"/admin/appeals/trainedrouter/{first.pk}/change/")
    assert detail.status_code == 200
    assert "coverage_at_precision_0.97" in detail.content.decode()
    assert admin_client.get("/admin/appeals/trainedrouter/add/").status_code == 403
    response = admin_client.post(
        "/admin/appeals/trainedrouter/",
        {"action": "activate", "_selected_action": [str(first.pk)]},
    )
    assert response.status_code == 302
    assert list(TrainedRouter.objects.filter(is_active=True).values_list("pk", flat=True)) == [
        first.pk
    ]
    audit = AuditRecord.objects.get(action="appeals.router.activate")
    assert audit.details == {"deactivated": [second.pk]}
