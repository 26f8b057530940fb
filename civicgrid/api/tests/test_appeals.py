"""Appeal endpoints: who sees what, masking, filters, intake with Idempotency-Key, every
workflow step with its 403 / 404 / 409 answers, and the audited reveal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealEvent, Category
from civicgrid.core.models import AuditRecord
from civicgrid.core.workdays import add_working_days
from civicgrid.territory.locator import invalidate_locator

from .conftest import assert_error, assert_refused_anonymous, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_fresh_locator() -> Iterator[None]:
    invalidate_locator()
    with translation.override("en"):
        yield
    invalidate_locator()


@pytest.fixture
def staff(territory: Any, make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "operator": make_user(Role.HOTLINE_OPERATOR, scope_unit=territory.city, username="op"),
        "xz_dispatcher": make_user(
            Role.DISPATCHER, scope_unit=territory.xiangzhou, username="xz-disp"
        ),
        "xz_staff": make_user(
            Role.DEPARTMENT_STAFF, department=territory.xz_government, username="xz-staff"
        ),
        "dm_staff": make_user(
            Role.DEPARTMENT_STAFF, department=territory.dm_government, username="dm-staff"
        ),
    }


@pytest.fixture
def accept(staff: dict[str, User]) -> Callable[..., Appeal]:
    def make(**overrides: Any) -> Appeal:
        values: dict[str, Any] = {
            "actor": staff["operator"],
            "channel": "hotline",
            "appeal_type": "complaint",
            "title": "小区门口占道经营",
            "text": "每天晚上小区门口有商贩占道经营。",
            "lon": 2,
            "lat": 5,
            "citizen_name": "张三丰",
            "citizen_phone": "13800138000",
        }
        values.update(overrides)
        return services.appeal_accept(**values)[0]

    return make


@pytest.fixture
def xz_appeal(accept: Callable[..., Appeal]) -> Appeal:
    """In 香洲区's first grid."""
    return accept()


@pytest.fixture
def dm_appeal(accept: Callable[..., Appeal]) -> Appeal:
    """In 斗门区's first grid."""
    return accept(lon=12, lat=5, appeal_type="consultation", title="斗门咨询")


# ---------------------------------------------------------------- list and detail

VISIBLE_NUMBERS = {
    "citizen": set(),
    "staff_without_scope": set(),
    "xz_grid_worker": {"xz"},
    "dm_dispatcher": {"dm"},
    "city_admin": {"xz", "dm"},
}


def test_list_shows_exactly_the_visible_appeals(
    actor_name: str, actor_client: Any, xz_appeal: Appeal, dm_appeal: Appeal
) -> None:
    response = actor_client.get("/api/appeals/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    assert response.status_code == 200, response.content
    numbers = {row["number"] for row in response.json()["results"]}
    by_name = {"xz": xz_appeal.number, "dm": dm_appeal.number}
    assert numbers == {by_name[name] for name in VISIBLE_NUMBERS[actor_name]}


def test_detail_is_404_outside_scope_and_for_unknown_numbers(
    actor_name: str, actor_client: Any, xz_appeal: Appeal
) -> None:
    response = actor_client.get(f"/api/appeals/{xz_appeal.number}/")
    if actor_name == "anonymous":
        assert_refused_anonymous(response)
        return
    if "xz" in VISIBLE_NUMBERS[actor_name]:
        assert response.status_code == 200
        assert response.json()["number"] == xz_appeal.number
    else:
        assert_error(response, 404, "not_found")
    if actor_name != "anonymous":
        assert_error(actor_client.get("/api/appeals/440420260101999999/"), 404, "not_found")
        assert_error(actor_client.get("/api/appeals/4404%00/"), 404, "not_found")


def test_list_masks_citizen_data_and_shows_lights(
    city_admin: User, xz_appeal: Appeal, accept: Callable[..., Appeal]
) -> None:
    confidential = accept(is_confidential=True, title="保密诉求")
    response = client_for(city_admin).get("/api/appeals/")
    rows = {row["number"]: row for row in response.json()["results"]}
    assert rows[xz_appeal.number]["citizen_name_masked"] == "张**"
    assert rows[xz_appeal.number]["citizen_phone_masked"] == "138****8000"
    assert rows[confidential.number]["citizen_name_masked"] == "***"
    assert rows[confidential.number]["citizen_phone_masked"] == "***"
    assert "张三丰" not in response.content.decode()
    assert "13800138000" not in response.content.decode()
    assert rows[xz_appeal.number]["light"] == "green"
    assert rows[xz_appeal.number]["version"] == 1
    assert rows[xz_appeal.number]["status"] == "accepted"


def test_list_filters(
    city_admin: User, xz_appeal: Appeal, dm_appeal: Appeal, accept: Callable[..., Appeal]
) -> None:
    client = client_for(city_admin)
    today = timezone.localdate()
    late = accept(title="逾期")
    Appeal.objects.filter(pk=late.pk).update(handling_deadline=today - dt.timedelta(days=1))
    soon = accept(title="临期")
    Appeal.objects.filter(pk=soon.pk).update(handling_deadline=add_working_days(today, 1))

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/appeals/?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers("type=consultation") == {dm_appeal.number}
    assert numbers("status=accepted") == {
        xz_appeal.number,
        dm_appeal.number,
        late.number,
        soon.number,
    }
    assert numbers("status=closed") == set()
    assert numbers("channel=hotline&type=complaint") == {xz_appeal.number, late.number, soon.number}
    assert numbers("channel=web") == set()
    assert numbers("light=red") == {late.number}
    assert numbers("light=yellow") == {soon.number}
    assert numbers("light=green") == {xz_appeal.number, dm_appeal.number}
    assert numbers("light=none") == set()
    error = assert_error(client.get("/api/appeals/?light=blue"), 400, "invalid")
    assert set(error["fields"]) == {"light"}


def test_list_pages_and_counts_queries(
    city_admin: User,
    accept: Callable[..., Appeal],
    django_assert_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A day whose light windows stay inside the bundled calendar year (no published-years query).
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 29))
    for index in range(3):
        accept(title=f"诉求{index}")
    client = client_for(city_admin)
    client.get("/api/appeals/")  # warm the caches (content types, sessions)
    with django_assert_num_queries(5):  # token+user, scope, count, page, workday calendar
        response = client.get("/api/appeals/?limit=2&offset=1")
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["previous"] is not None


def test_detail_has_timeline_assignments_and_deadlines(
    staff: dict[str, User], territory: Any, xz_appeal: Appeal
) -> None:
    services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=xz_appeal,
        expected_version=1,
        department=territory.xz_government,
        cooperating=[territory.civil_affairs],
    )
    response = client_for(staff["xz_staff"]).get(f"/api/appeals/{xz_appeal.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "dispatched"
    assert body["version"] == 2
    assert body["lead_department"] == {
        "code": "xiangzhou-government",
        "name": "珠海市香洲区人民政府",
    }
    assert [(a["department"]["code"], a["role"]) for a in body["assignments"]] == [
        ("xiangzhou-government", "lead"),
        ("city-civil-affairs", "cooperating"),
    ]
    assert [(e["kind"], e["actor"]) for e in body["timeline"]] == [
        ("accept", "op"),
        ("dispatch", "xz-disp"),
    ]
    assert body["sign_for_deadline"] == add_working_days(timezone.localdate(), 1).isoformat()
    assert body["light"] in {"yellow", "green"}
    assert body["citizen_phone_masked"] == "138****8000"
    assert "13800138000" not in response.content.decode()


# ---------------------------------------------------------------- intake


def _intake_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "hotline",
        "appeal_type": "help",
        "title": "路灯不亮",
        "text": "紫荆路的路灯坏了一周。",
        "lon": 2,
        "lat": 5,
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
    }
    body.update(overrides)
    return body


def test_intake_with_idempotency_key_returns_the_same_appeal(staff: dict[str, User]) -> None:
    client = client_for(staff["operator"])
    first = client.post(
        "/api/appeals/", _intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="call-20261122-1"
    )
    assert first.status_code == 201, first.content
    created = first.json()
    assert created["query_code"]
    assert created["channel"] == "hotline"
    assert created["citizen_name_masked"] == "李*"
    again = client.post(
        "/api/appeals/", _intake_body(), format="json", HTTP_IDEMPOTENCY_KEY="call-20261122-1"
    )
    assert again.status_code == 200
    assert again.json()["number"] == created["number"]
    assert again.json()["query_code"] is None
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("citizen", {}, 403, "permission_denied"),
        ("xz_grid_worker", {"channel": "grid", "lon": 12}, 403, "permission_denied"),
        ("operator", {"channel": "web"}, 400, "invalid"),
        ("operator", {"category": "no-such-category"}, 400, "invalid"),
        ("operator", {"lon": 200}, 400, "invalid"),
        ("operator", {"citizen_phone": "12"}, 400, "invalid"),
        ("operator", {"lon": 30, "lat": 5}, 400, "invalid"),
    ],
)
def test_intake_refusals_create_nothing(
    staff: dict[str, User],
    xz_grid_worker: User,
    make_user: Callable[..., User],
    who: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    users = {**staff, "xz_grid_worker": xz_grid_worker, "citizen": make_user(Role.CITIZEN)}
    response = client_for(users[who]).post("/api/appeals/", _intake_body(**body), format="json")
    assert_error(response, status, code)
    assert Appeal.objects.count() == 0


def test_grid_worker_reports_inside_the_grid(xz_grid_worker: User) -> None:
    response = client_for(xz_grid_worker).post(
        "/api/appeals/", _intake_body(channel="grid"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["admin_unit"]["code"] == "440402001001001"


def test_intake_with_a_category(staff: dict[str, User]) -> None:
    Category.objects.create(code="lighting", name="路灯")
    response = client_for(staff["operator"]).post(
        "/api/appeals/", _intake_body(category="lighting"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["category"] == {"code": "lighting", "name": "路灯"}


# ---------------------------------------------------------------- workflow steps


def post(user: User, appeal: Appeal, action: str, **body: Any) -> Any:
    return client_for(user).post(f"/api/appeals/{appeal.number}/{action}/", body, format="json")


def test_full_workflow_through_the_api(
    staff: dict[str, User], territory: Any, xz_appeal: Appeal
) -> None:
    dispatcher, department, operator = staff["xz_dispatcher"], staff["xz_staff"], staff["operator"]
    steps = [
        (dispatcher, "dispatch", {"department": "xiangzhou-government"}, "dispatched"),
        (department, "sign-for", {}, "signed"),
        (department, "reply", {"reply": "已安排清理。"}, "reviewing"),
        (dispatcher, "reply-reject", {"reason": "请写明清理时间"}, "signed"),
        (department, "reply", {"reply": "已于今日上午安排清理。"}, "reviewing"),
        (dispatcher, "reply-approve", {}, "replied"),
        (operator, "follow-up", {"satisfaction": "unsatisfied", "note": "没清理"}, "followed_up"),
        (operator, "reopen", {"reason": "群众不满意"}, "dispatched"),
        (department, "return", {"reason": "不属于本单位职责"}, "accepted"),
    ]
    version = 1
    for user, action, body, status in steps:
        response = post(user, xz_appeal, action, expected_version=version, **body)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
        version += 1
        assert response.json()["version"] == version
    response = post(dispatcher, xz_appeal, "cancel", expected_version=version, reason="重复诉求")
    assert response.json()["status"] == "cancelled"
    kinds = list(AppealEvent.objects.filter(appeal=xz_appeal).values_list("kind", flat=True))
    assert kinds == [
        "accept",
        "dispatch",
        "sign_for",
        "reply",
        "reply_reject",
        "reply",
        "reply_approve",
        "follow_up",
        "reopen",
        "return",
        "cancel",
    ]


def test_close_after_reply(staff: dict[str, User], territory: Any, xz_appeal: Appeal) -> None:
    post(
        staff["xz_dispatcher"],
        xz_appeal,
        "dispatch",
        expected_version=1,
        department=("xiangzhou-government"),
    )
    post(staff["xz_staff"], xz_appeal, "sign-for", expected_version=2)
    post(staff["xz_staff"], xz_appeal, "reply", expected_version=3, reply="已处理")
    post(staff["xz_dispatcher"], xz_appeal, "reply-approve", expected_version=4)
    response = post(staff["xz_dispatcher"], xz_appeal, "close", expected_version=5)
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["light"] == ""


def test_stale_version_is_409_and_changes_nothing(
    staff: dict[str, User], xz_appeal: Appeal
) -> None:
    response = post(
        staff["xz_dispatcher"],
        xz_appeal,
        "dispatch",
        expected_version=7,
        department="xiangzhou-government",
    )
    assert_error(response, 409, "version_conflict")
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == ("accepted", 1)


def test_illegal_move_is_409(staff: dict[str, User], xz_appeal: Appeal) -> None:
    response = post(staff["xz_dispatcher"], xz_appeal, "close", expected_version=1)
    assert_error(response, 409, "illegal_transition")
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == ("accepted", 1)


def test_no_right_is_403_and_changes_nothing(staff: dict[str, User], xz_appeal: Appeal) -> None:
    response = post(
        staff["operator"],
        xz_appeal,
        "dispatch",
        expected_version=1,
        department="xiangzhou-government",
    )
    assert_error(response, 403, "permission_denied")
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == ("accepted", 1)
    assert not AppealEvent.objects.filter(appeal=xz_appeal, kind="dispatch").exists()


def test_invisible_appeal_is_404_for_every_action(
    staff: dict[str, User], dm_dispatcher: User, xz_appeal: Appeal
) -> None:
    for action in (
        "dispatch",
        "sign-for",
        "return",
        "reply",
        "reply-approve",
        "reply-reject",
        "follow-up",
        "close",
        "reopen",
        "cancel",
        "reveal",
    ):
        assert_error(post(dm_dispatcher, xz_appeal, action, expected_version=1), 404, "not_found")
        # Department staff see only appeals their department was given.
        assert_error(post(staff["dm_staff"], xz_appeal, action), 404, "not_found")
    xz_appeal.refresh_from_db()
    assert xz_appeal.version == 1


@pytest.mark.parametrize(
    ("department", "cooperating", "field"),
    [
        ("doumen-government", [], "department"),  # another district's body: not visible
        ("no-such-department", [], "department"),
        ("xiangzhou-government", ["doumen-government"], "cooperating"),
    ],
)
def test_dispatch_only_to_visible_departments(
    staff: dict[str, User], xz_appeal: Appeal, department: str, cooperating: list[str], field: str
) -> None:
    response = post(
        staff["xz_dispatcher"],
        xz_appeal,
        "dispatch",
        expected_version=1,
        department=department,
        cooperating=cooperating,
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {field}
    xz_appeal.refresh_from_db()
    assert xz_appeal.status == "accepted"


def test_missing_expected_version_is_400(staff: dict[str, User], xz_appeal: Appeal) -> None:
    error = assert_error(
        post(staff["xz_dispatcher"], xz_appeal, "cancel", reason="重复"), 400, "invalid"
    )
    assert set(error["fields"]) == {"expected_version"}


# ---------------------------------------------------------------- reveal


def test_reveal_gives_full_data_and_is_audited(staff: dict[str, User], xz_appeal: Appeal) -> None:
    response = post(staff["operator"], xz_appeal, "reveal", purpose="回访群众")
    assert response.status_code == 200, response.content
    assert response.json() == {"citizen_name": "张三丰", "citizen_phone": "13800138000"}
    audit = AuditRecord.objects.get(action="pii.reveal")
    assert audit.purpose == "回访群众"


@pytest.mark.parametrize(
    ("who", "body", "confidential", "status", "code"),
    [
        ("operator", {}, False, 400, "invalid"),
        ("xz_grid_worker", {"purpose": "核实情况"}, False, 403, "permission_denied"),
        ("operator", {"purpose": "回访群众"}, True, 403, "permission_denied"),
    ],
)
def test_reveal_refusals_are_not_audited(
    staff: dict[str, User],
    xz_grid_worker: User,
    accept: Callable[..., Appeal],
    who: str,
    body: dict[str, Any],
    confidential: bool,
    status: int,
    code: str,
) -> None:
    appeal = accept(is_confidential=confidential)
    users = {**staff, "xz_grid_worker": xz_grid_worker}
    assert_error(post(users[who], appeal, "reveal", **body), status, code)
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


# ---------------------------------------------------------------- 挂起 / 恢复办理


def _signed(staff: dict[str, User], appeal: Appeal) -> None:
    post(
        staff["xz_dispatcher"],
        appeal,
        "dispatch",
        expected_version=1,
        department="xiangzhou-government",
    )
    post(staff["xz_staff"], appeal, "sign-for", expected_version=2)


def test_suspend_and_resume(
    staff: dict[str, User], xz_appeal: Appeal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 29))
    _signed(staff, xz_appeal)
    deadline = Appeal.objects.get(pk=xz_appeal.pk).handling_deadline
    response = post(
        staff["xz_dispatcher"], xz_appeal, "suspend", expected_version=3, reason="等待补充材料"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert response.json()["light"] == ""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 9))
    response = post(staff["xz_staff"], xz_appeal, "resume", expected_version=4)
    assert response.status_code == 200
    assert response.json()["status"] == "signed"
    xz_appeal.refresh_from_db()
    assert xz_appeal.suspended_working_days == 3
    assert deadline is not None
    assert xz_appeal.handling_deadline == add_working_days(deadline, 3)


def test_department_staff_may_not_suspend(staff: dict[str, User], xz_appeal: Appeal) -> None:
    _signed(staff, xz_appeal)
    response = post(staff["xz_staff"], xz_appeal, "suspend", expected_version=3, reason="想歇歇")
    assert_error(response, 403, "permission_denied")
    xz_appeal.refresh_from_db()
    assert (xz_appeal.status, xz_appeal.version) == ("signed", 3)


def test_resume_of_a_signed_appeal_is_409(staff: dict[str, User], xz_appeal: Any) -> None:
    _signed(staff, xz_appeal)
    response = post(staff["xz_dispatcher"], xz_appeal, "resume", expected_version=3)
    assert_error(response, 409, "illegal_transition")


def test_light_filter_follows_the_yellow_light_setting(
    city_admin: User, accept: Callable[..., Appeal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With yellow at 3 working days left, the filter and the lights shown agree."""
    from civicgrid.appeals.models import AppealSettings

    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 9, 14))  # a Monday
    settings_row = AppealSettings.load()
    settings_row.yellow_light_working_days = 3
    settings_row.save()
    two_left = accept(title="两天")
    Appeal.objects.filter(pk=two_left.pk).update(handling_deadline=dt.date(2026, 9, 16))
    four_left = accept(title="四天")
    Appeal.objects.filter(pk=four_left.pk).update(handling_deadline=dt.date(2026, 9, 18))
    client = client_for(city_admin)

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/appeals/?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers("light=yellow") == {two_left.number}
    assert numbers("light=green") == {four_left.number}
    rows = {row["number"]: row["light"] for row in client.get("/api/appeals/").json()["results"]}
    assert rows == {two_left.number: "yellow", four_left.number: "green"}
