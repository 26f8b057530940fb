"""The account admin shows personal data unmasked, so opening a form and saving are audited."""

from __future__ import annotations

from typing import Any

from civicgrid.core.models import AuditRecord


def test_opening_an_account_form_is_audited(territory: Any, admin_client: Any, xz_grid_worker):
    assert not AuditRecord.objects.filter(action="pii.view").exists()
    response = admin_client.get(f"/admin/accounts/user/{xz_grid_worker.pk}/change/")
    assert response.status_code == 200
    assert xz_grid_worker.phone in response.content.decode()
    record = AuditRecord.objects.get(action="pii.view")
    assert record.target_id == str(xz_grid_worker.pk)
    assert record.details == {"fields": ["phone", "email"]}
    assert record.actor_username == "admin"


def test_account_list_does_not_search_by_phone(territory: Any, admin_client: Any, xz_grid_worker):
    response = admin_client.get("/admin/accounts/user/", {"q": xz_grid_worker.phone})
    assert response.status_code == 200
    assert "xz-grid" not in response.content.decode()
    assert not AuditRecord.objects.filter(action="pii.view").exists()
