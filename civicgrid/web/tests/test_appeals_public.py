"""Public appeal pages: web submission (receipt, idempotency, rate limit), tracking with the
number and query code (one answer for unknown number and wrong code), and the citizen's rating.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealStatus
from civicgrid.appeals.tests.conftest import TODAY, accept, reply_and_approve, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator

NEW = reverse("web:appeal_new")
TRACK = reverse("web:appeal_track")
RATE = reverse("web:appeal_rate")
WRONG = "The appeal number or query code is wrong."


@pytest.fixture(autouse=True)
def _fixed_day_empty_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def english_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


def submission(**overrides: Any) -> dict[str, Any]:
    values = {
        "appeal_type": "complaint",
        "title": "路灯不亮",
        "text": "紫荆路的路灯连续三晚不亮。",
        "address": "紫荆路 12 号",
        "lon": "2",
        "lat": "5",
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
        "idempotency_key": "a" * 32,
    }
    values.update(overrides)
    return values


def receipt(response: Any) -> tuple[str, str]:
    html = text_of(response)
    number = re.search(r'data-testid="appeal-number">([^<]+)<', html)
    code = re.search(r'data-testid="query-code">([^<]+)<', html)
    assert number is not None
    return number.group(1), code.group(1) if code else ""


# --- Submission ----------


@pytest.mark.django_db
def test_the_form_is_public_and_every_render_has_a_new_idempotency_key(territory: Any) -> None:
    client = english_client()
    first = text_of(client.get(NEW))
    second = text_of(client.get(NEW))
    pattern = r'name="idempotency_key" value="([0-9a-f]{32})"'
    keys = [re.search(pattern, page).group(1) for page in (first, second)]  # type: ignore[union-attr]
    assert keys[0] != keys[1]
    assert 'id="appeal-map"' in first
    assert 'name="lon"' in first
    assert 'name="lat"' in first


@pytest.mark.django_db
def test_submitting_shows_the_number_and_the_query_code(territory: Any) -> None:
    response = english_client().post(NEW, submission())
    assert response.status_code == 200
    number, code = receipt(response)
    appeal = Appeal.objects.get()
    assert number == appeal.number
    assert re.fullmatch(r"\d{6}", code)
    assert services.query_code_matches(appeal, code)
    assert "Please keep the appeal number and the query code." in text_of(response)
    assert (appeal.channel, appeal.status, appeal.admin_unit_code) == (
        "web",
        AppealStatus.ACCEPTED,
        territory.xz_grid_1.code,
    )
    assert (appeal.citizen_name, appeal.citizen_phone, appeal.created_by) == (
        "李四",
        "13900139000",
        None,
    )


@pytest.mark.django_db
def test_posting_the_same_form_twice_registers_one_appeal_with_the_same_receipt(
    territory: Any,
) -> None:
    client = english_client()
    first = receipt(client.post(NEW, submission()))
    second = receipt(client.post(NEW, submission()))
    assert Appeal.objects.count() == 1
    assert first == second
    assert Appeal.objects.get().idempotency_key == "web:" + "a" * 32
    # The receipt's query code is shown again only to the same address.
    assert receipt(Client(REMOTE_ADDR="10.0.0.8").post(NEW, submission())) == (first[0], "")
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_submissions_are_rate_limited_per_address(territory: Any, settings: Any) -> None:
    settings.CIVICGRID_APPEAL_SUBMIT_LIMIT = 2
    client = english_client()
    for key in ("k1", "k2"):
        assert client.post(NEW, submission(idempotency_key=key)).status_code == 200
    refused = client.post(NEW, submission(idempotency_key="k3"))
    assert refused.status_code == 429
    assert "Too many requests came from your network. Please wait 10 minutes" in text_of(refused)
    assert Appeal.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(NEW, submission(idempotency_key="k4")).status_code == 200
    assert Appeal.objects.count() == 3


@pytest.mark.django_db
def test_bad_input_names_the_field_and_registers_nothing(territory: Any) -> None:
    response = english_client().post(NEW, submission(title="", citizen_phone="12"))
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    assert Appeal.objects.count() == 0
    response = english_client().post(NEW, submission(citizen_phone="12"))
    assert response.status_code == 400
    assert 'id="id_citizen_phone_error"' in text_of(response)
    assert Appeal.objects.count() == 0


@pytest.mark.django_db
def test_a_point_outside_the_city_is_refused(territory: Any) -> None:
    response = english_client().post(NEW, submission(lon="50", lat="50"))
    assert response.status_code == 400
    assert Appeal.objects.count() == 0


# --- Tracking and rating ----------


@pytest.fixture
def submitted(territory: Any) -> tuple[Appeal, str]:
    appeal, code = services.appeal_accept(
        actor=None,
        channel="web",
        appeal_type="complaint",
        title="<script>alert(1)</script>噪音",
        text="工地夜间施工。",
        lon=2,
        lat=5,
        citizen_name="王五",
    )
    assert code is not None
    return appeal, code


def reply_to(appeal: Appeal, staff: dict[str, Any], territory: Any) -> Appeal:  # noqa: F811
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
    )
    appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    return reply_and_approve(
        actor=staff["xz_staff"],
        reviewer=staff["xz_dispatcher"],
        appeal=appeal,
        reply="已责令停止夜间施工。",
    )


@pytest.mark.django_db
def test_tracking_shows_status_timeline_deadline_and_escapes_the_title(
    submitted: tuple[Appeal, str],
) -> None:
    appeal, code = submitted
    response = english_client().post(TRACK, {"number": appeal.number, "query_code": code})
    assert response.status_code == 200
    html = text_of(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;噪音" in html
    assert "<script>alert(1)" not in html
    assert 'data-testid="status">accepted<' in html
    assert 'data-kind="accept"' in html
    assert "Appeal accepted" in html
    assert f'data-testid="deadline">{appeal.handling_deadline:%Y-%m-%d}<' in html
    assert 'data-testid="rate-box"' not in html


@pytest.mark.django_db
def test_unknown_number_and_wrong_code_get_the_same_answer(
    submitted: tuple[Appeal, str],
) -> None:
    appeal, code = submitted
    wrong_code = "000000" if code != "000000" else "111111"
    client = english_client()
    wrong = client.post(TRACK, {"number": appeal.number, "query_code": wrong_code})
    unknown = client.post(TRACK, {"number": "440420990101000001", "query_code": code})
    assert wrong.status_code == unknown.status_code == 404
    for response in (wrong, unknown):
        assert WRONG in text_of(response)
        assert appeal.title not in text_of(response)
    error_block = re.compile(r'<div class="form-errors".*?</div>', re.S)
    assert error_block.findall(text_of(wrong)) == error_block.findall(text_of(unknown))


@pytest.mark.django_db
def test_repeated_wrong_codes_are_refused_for_a_while(
    submitted: tuple[Appeal, str], settings: Any
) -> None:
    settings.CIVICGRID_APPEAL_LOOKUP_FAILURE_LIMIT = 3
    appeal, code = submitted
    client = english_client()
    for _attempt in range(3):
        assert client.post(TRACK, {"number": appeal.number, "query_code": "x"}).status_code == 404
    assert client.post(TRACK, {"number": appeal.number, "query_code": code}).status_code == 429


@pytest.mark.django_db
def test_timeline_for_citizens_has_no_staff_names_or_internal_notes(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, code = submitted
    staff["xz_staff"].full_name = "承办人赵六"
    staff["xz_staff"].save()
    appeal = services.appeal_dispatch(
        actor=staff["xz_dispatcher"],
        appeal=appeal,
        expected_version=appeal.version,
        department=territory.xz_government,
        note="内部备注：优先处理",
    )
    reply_appeal = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=appeal, expected_version=appeal.version
    )
    reply_and_approve(
        actor=staff["xz_staff"],
        reviewer=staff["xz_dispatcher"],
        appeal=reply_appeal,
        reply="已处理。",
    )
    html = text_of(english_client().post(TRACK, {"number": appeal.number, "query_code": code}))
    # The review is internal: the citizen sees the reply when it reached them.
    assert [kind for kind in re.findall(r'data-kind="(\w+)"', html)] == [
        "accept",
        "dispatch",
        "sign_for",
        "reply_approve",
    ]
    assert "承办人赵六" not in html
    assert staff["xz_dispatcher"].full_name not in html
    assert "内部备注" not in html
    assert 'data-testid="reply">已处理。<' in html
    assert 'data-testid="rate-box"' in html


@pytest.mark.django_db
def test_citizen_rates_satisfied(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, code = submitted
    reply_to(appeal, staff, territory)
    response = english_client().post(
        RATE,
        {"number": appeal.number, "query_code": code, "satisfaction": "satisfied", "comment": ""},
    )
    assert response.status_code == 200
    assert "Thank you for your rating." in text_of(response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction, appeal.reopen_count) == (
        AppealStatus.FOLLOWED_UP,
        "satisfied",
        0,
    )


@pytest.mark.django_db
def test_unsatisfied_citizen_asks_for_reopening(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, code = submitted
    reply_to(appeal, staff, territory)
    response = english_client().post(
        RATE,
        {
            "number": appeal.number,
            "query_code": code,
            "satisfaction": "unsatisfied",
            "comment": "晚上仍在施工",
            "reopen": "on",
        },
    )
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction, appeal.reopen_count) == (
        AppealStatus.DISPATCHED,
        "unsatisfied",
        1,
    )
    assert list(appeal.events.values_list("kind", flat=True))[-2:] == ["citizen_rating", "reopen"]


@pytest.mark.django_db
def test_rating_with_a_wrong_code_changes_nothing(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, _code = submitted
    reply_to(appeal, staff, territory)
    response = english_client().post(
        RATE, {"number": appeal.number, "query_code": "99999x", "satisfaction": "satisfied"}
    )
    assert response.status_code == 404
    assert WRONG in text_of(response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction) == (AppealStatus.REPLIED, "")


@pytest.mark.django_db
def test_reopening_needs_an_unsatisfied_rating(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, code = submitted
    reply_to(appeal, staff, territory)
    response = english_client().post(
        RATE,
        {"number": appeal.number, "query_code": code, "satisfaction": "satisfied", "reopen": "on"},
    )
    assert response.status_code == 400
    assert "Only an unsatisfied rating can reopen the appeal." in text_of(response)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REPLIED


@pytest.mark.django_db
def test_rating_twice_is_a_conflict_and_keeps_the_first_rating(
    submitted: tuple[Appeal, str],
    staff: dict[str, Any],  # noqa: F811
    territory: Any,
) -> None:
    appeal, code = submitted
    reply_to(appeal, staff, territory)
    client = english_client()
    values = {"number": appeal.number, "query_code": code, "satisfaction": "satisfied"}
    assert client.post(RATE, values).status_code == 200
    again = client.post(RATE, {**values, "satisfaction": "unsatisfied"})
    assert again.status_code == 409
    assert "This step is not possible while the appeal is followed up." in text_of(again)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction) == (AppealStatus.FOLLOWED_UP, "satisfied")
