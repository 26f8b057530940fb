"""Web sign-in: audit rows on login/logout, django-axes lockout after 5 failures."""

from __future__ import annotations

from axes.models import AccessAttempt

from civicgrid.accounts.models import Role
from civicgrid.core.models import AuditRecord

PASSWORD = "pass-Word-2026"


def test_successful_login_writes_an_audit_row(client, make_user, territory):
    user = make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-dispatcher")
    response = client.post(
        "/login/",
        {"username": "dm-dispatcher", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="pytest-browser",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.target_id) == ("auth.login", user, str(user.pk))
    assert record.ip_address == "10.1.2.3"
    assert record.user_agent == "pytest-browser"
    assert record.admin_unit_code == "440403"


def test_failed_login_writes_no_audit_row_and_is_counted(client, make_user, territory):
    make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-dispatcher")
    response = client.post("/login/", {"username": "dm-dispatcher", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.count() == 0
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_five_failures_lock_the_account_and_address(client, make_user, territory):
    user = make_user(Role.DISPATCHER, scope_unit=territory.doumen, username="dm-dispatcher")
    for _attempt in range(5):
        client.post(
            "/login/", {"username": "dm-dispatcher", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        "/login/", {"username": "dm-dispatcher", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not AuditRecord.objects.filter(action="auth.login").exists()
    # Another address is not locked (lockout is per username + IP address).
    response = client.post(
        "/login/", {"username": "dm-dispatcher", "password": PASSWORD}, REMOTE_ADDR="10.0.0.10"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_logout_writes_an_audit_row(client, make_user, territory):
    user = make_user(Role.DISPATCHER, scope_unit=territory.doumen)
    client.force_login(user)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    record = AuditRecord.objects.get()
    assert (record.action, record.actor) == ("auth.logout", user)


def test_anonymous_logout_writes_nothing(client, db):
    client.post("/logout/")
    assert AuditRecord.objects.count() == 0


def test_url_names_are_kept():
    from django.urls import reverse

    assert reverse("login") == "/login/"
    assert reverse("logout") == "/logout/"
    assert reverse("password_change") == "/password/change/"
    assert reverse("password_change_done") == "/password/change/done/"


def test_user_admin_pages_load(admin_client, make_user, territory):
    user = make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-grid")
    response = admin_client.get("/admin/accounts/user/", {"q": "xz-grid", "role": "grid_worker"})
    assert response.status_code == 200
    assert "xz-grid" in response.content.decode()
    response = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    for field in ("role", "scope_unit", "department", "phone", "full_name"):
        assert f'name="{field}"' in content
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200


def test_password_change_is_audited_and_a_wrong_old_password_changes_nothing(
    client, make_user, territory
):
    user = make_user(Role.DISPATCHER, scope_unit=territory.doumen)
    client.force_login(user)
    response = client.post(
        "/password/change/",
        {
            "old_password": "wrong",
            "new_password1": "Another-Pass-2027",
            "new_password2": "Another-Pass-2027",
        },
    )
    assert response.status_code == 200
    assert AuditRecord.objects.count() == 0
    response = client.post(
        "/password/change/",
        {
            "old_password": "pass-Word-2026",
            "new_password1": "Another-Pass-2027",
            "new_password2": "Another-Pass-2027",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Pass-2027")
    record = AuditRecord.objects.get()
    assert (record.action, record.actor) == ("auth.password_change", user)
