"""/api/accounts/me/, users list/detail (phones masked) and the audited phone reveal."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord

from .conftest import assert_error, assert_refused_anonymous, client_for

USERS_VISIBLE = {
    "citizen": [],
    "staff_without_scope": [],
    "xz_grid_worker": ["xz-grid"],
    "dm_dispatcher": ["dm-dispatcher"],
    "city_admin": ["citizen", "city-admin", "dm-dispatcher", "no-scope", "xz-grid"],
}


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def test_me_per_actor(actors, actor_name, actor_client):
    response = actor_client.get("/api/accounts/me/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    user = actors[actor_name]
    body = response.json()
    assert body["username"] == user.username
    assert body["role"] == user.role
    assert body["phone"] == user.phone


def test_me_shape(actors, dm_dispatcher):
    response = client_for(dm_dispatcher).get("/api/accounts/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {
        "username": "dm-dispatcher",
        "full_name": dm_dispatcher.full_name,
        "role": "dispatcher",
        "role_label": "dispatcher",
        "scope_unit_code": "440403",
        "scope_unit_name": "斗门区",
        "department_code": None,
        "department_name": None,
        "phone_masked": masked(dm_dispatcher.phone),
        "phone": dm_dispatcher.phone,
        "is_active": True,
    }


def test_user_list_per_actor_masks_phones(actors, actor_name, actor_client):
    response = actor_client.get("/api/accounts/users/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    rows = response.json()["results"]
    assert [row["username"] for row in rows] == USERS_VISIBLE[actor_name]
    phones = dict(User.objects.values_list("username", "phone"))
    for row in rows:
        assert row["phone_masked"] == masked(phones[row["username"]])
        assert "phone" not in row
        assert phones[row["username"]] not in response.content.decode()


@pytest.mark.parametrize("username", ["xz-grid", "dm-dispatcher", "citizen"])
def test_user_detail_per_actor(actors, actor_name, actor_client, username):
    response = actor_client.get(f"/api/accounts/users/{username}/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
    elif username in USERS_VISIBLE[actor_name]:
        assert response.json()["username"] == username
        assert response.json()["phone_masked"] == masked(User.objects.get(username=username).phone)
    else:
        assert_error(response, 404, "not_found")


def test_user_list_query_count_is_constant(actors, make_user, territory, django_assert_num_queries):
    for _number in range(25):
        make_user(Role.DEPARTMENT_STAFF, department=territory.dm_government)
    client = client_for(actors["city_admin"])
    # token, count, page (scope unit and department joined)
    with django_assert_num_queries(3):
        response = client.get("/api/accounts/users/", {"limit": 100})
    assert len(response.json()["results"]) == 30


def test_user_list_filters(actors):
    client = client_for(actors["city_admin"])
    rows = client.get("/api/accounts/users/", {"role": "grid_worker"}).json()["results"]
    assert [row["username"] for row in rows] == ["xz-grid"]
    rows = client.get("/api/accounts/users/", {"q": "dm-"}).json()["results"]
    assert [row["username"] for row in rows] == ["dm-dispatcher"]


# --- reveal ---------------------------------------------------------------------------------


@pytest.fixture
def reveal_actors(actors, make_user, territory, dm_grid_worker):
    return {
        **actors,
        "dm_grid_lead": make_user(Role.GRID_WORKER, scope_unit=territory.doumen, username="lead"),
        "xz_dispatcher": make_user(Role.DISPATCHER, scope_unit=territory.xiangzhou),
    }


# Revealing the phone of 斗门区's grid worker ``dm-grid``.
REVEAL_OUTCOME = {
    "anonymous": (401, "not_authenticated"),
    "citizen": (404, "not_found"),
    "staff_without_scope": (404, "not_found"),
    "xz_grid_worker": (404, "not_found"),
    "xz_dispatcher": (404, "not_found"),  # other district: not even visible
    "dm_grid_lead": (403, "permission_denied"),  # sees the subject, may not reveal
    "dm_dispatcher": (200, None),
    "city_admin": (200, None),
}


@pytest.mark.parametrize("name", REVEAL_OUTCOME)
def test_reveal_per_actor(reveal_actors, dm_grid_worker, name):
    actor = reveal_actors[name]
    response = client_for(actor).post(
        "/api/accounts/users/dm-grid/reveal/", {"purpose": "核实走访情况"}, format="json"
    )
    status, code = REVEAL_OUTCOME[name]
    if status == 200:
        assert response.status_code == 200
        assert response.json() == {"phone": dm_grid_worker.phone}
        record = AuditRecord.objects.get()
        assert record.action == "pii.reveal"
        assert record.actor == actor
        assert record.target_type == "accounts.user"
        assert record.target_id == str(dm_grid_worker.pk)
        assert record.purpose == "核实走访情况"
        assert record.details == {"fields": ["phone"]}
    else:
        assert_error(response, status, code)
        assert dm_grid_worker.phone not in response.content.decode()
        assert AuditRecord.objects.count() == 0


@pytest.mark.parametrize("purpose", ["", " ", "x"])
def test_reveal_needs_a_purpose(reveal_actors, dm_grid_worker, purpose):
    response = client_for(reveal_actors["dm_dispatcher"]).post(
        "/api/accounts/users/dm-grid/reveal/", {"purpose": purpose}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["purpose"]
    assert AuditRecord.objects.count() == 0


def test_reveal_without_body_names_purpose(reveal_actors, dm_grid_worker):
    response = client_for(reveal_actors["dm_dispatcher"]).post(
        "/api/accounts/users/dm-grid/reveal/"
    )
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["purpose"]


def test_reveal_is_post_only(reveal_actors, dm_grid_worker):
    response = client_for(reveal_actors["dm_dispatcher"]).get("/api/accounts/users/dm-grid/reveal/")
    assert_error(response, 405, "method_not_allowed")
