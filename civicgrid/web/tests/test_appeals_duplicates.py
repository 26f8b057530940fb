"""Likely duplicates on the web: live suggestions at intake, the queue badge, the panel and
merging on the appeal page, the citizen's tracking page of a merged appeal, and Open311."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealEvent
from civicgrid.appeals.tests.conftest import TODAY, accept, staff  # noqa: F401
from civicgrid.territory.locator import invalidate_locator

SUGGEST = reverse("web:appeal_duplicate_suggestions")
TRACK = reverse("web:appeal_track")
RATE = reverse("web:appeal_rate")
SIMILAR = {"title": "小区门口商贩占道经营", "text": "晚上小区门口有商贩占道经营，很吵。"}


@pytest.fixture(autouse=True)
def _fixed_day_empty_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    cache.clear()
    invalidate_locator()
    yield
    cache.clear()
    invalidate_locator()


def client_for(user: Any) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text_of(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def pair(accept: Callable[..., Appeal]) -> tuple[Appeal, Appeal]:  # noqa: F811
    """(newer, older) reports of the same matter about 157 m apart in 香洲区."""
    older = accept()
    newer = accept(lon=2.001, lat=5.001, **SIMILAR)
    return newer, older


# ---------------------------------------------------------------- intake suggestions


def test_intake_suggests_the_similar_appeal_nearby(
    staff: dict[str, User],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    newer, older = pair
    response = client_for(staff["operator"]).get(
        SUGGEST, {**SIMILAR, "lon": "2.0005", "lat": "5.0005"}
    )
    assert response.status_code == 200
    html = text_of(response)
    assert re.findall(r'<li data-number="(\d+)"', html) == [newer.number, older.number]
    assert reverse("web:appeal_detail", kwargs={"number": older.number}) in html
    assert "similar text 1.00 · 0 m · today" not in html  # 0.0005° is about 78 m
    assert "similar text 1.00 · 79 m · today" in html
    assert "similar text 0.50 · 79 m · today" in html


def test_intake_suggestions_say_when_nothing_is_found_and_need_some_text(
    staff: dict[str, User],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    client = client_for(staff["operator"])
    none = text_of(client.get(SUGGEST, {"title": "路灯不亮", "lon": "2", "lat": "5"}))
    assert 'data-testid="no-duplicates"' in none
    assert text_of(client.get(SUGGEST, {"title": "占道"})).strip() == ""
    odd = client.get(SUGGEST, {**SIMILAR, "lon": "x", "lat": "nan", "category": "abc"})
    assert odd.status_code == 200  # bad input never crashes: no place → the whole city
    assert len(re.findall(r'<li data-number="', text_of(odd))) == 2


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("citizen", 403), ("xz_staff", 403)])
def test_intake_suggestions_are_for_intake_staff_only(
    who: str | None,
    status: int,
    staff: dict[str, User],  # noqa: F811
    make_user: Callable[..., User],
    pair: tuple[Appeal, Appeal],
) -> None:
    user: Any = None
    if who == "citizen":
        user = make_user("citizen")
    elif who:
        user = staff[who]
    assert client_for(user).get(SUGGEST, SIMILAR).status_code == status


def test_intake_page_watches_title_text_and_place(staff: dict[str, User]) -> None:  # noqa: F811
    html = text_of(client_for(staff["operator"]).get(reverse("web:appeal_intake")))
    assert f'hx-get="{SUGGEST}"' in html
    assert "input changed delay:700ms from:#id_title" in html
    assert "#id_title, #id_text, #id_category, #id_lon, #id_lat" in html


# ---------------------------------------------------------------- queue and appeal page


def test_queue_shows_a_badge_and_counts_queries_once_per_page(
    staff: dict[str, User],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    client = client_for(staff["xz_dispatcher"])
    url = reverse("web:appeal_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        html = text_of(client.get(url))
    assert html.count('data-testid="duplicate-badge"') == 2
    assert "possible duplicate 1" in html
    for n in range(8):
        accept(lon=3 + n * 0.1, lat=3, **SIMILAR)
    with CaptureQueriesContext(connection) as many:
        html = text_of(client.get(url))
    assert html.count('data-testid="duplicate-badge"') == 2
    assert len(many.captured_queries) == len(few.captured_queries)


def test_panel_offers_merging_both_ways_to_dispatchers_only(
    staff: dict[str, User],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    newer, older = pair
    url = reverse("web:appeal_duplicate_panel", kwargs={"number": older.number})
    html = text_of(client_for(staff["xz_dispatcher"]).get(url))
    assert f'<li data-number="{newer.number}"' in html
    assert html.count('data-testid="merge-here"') == 1
    assert html.count('data-testid="merge-there"') == 1
    supervisor = text_of(client_for(staff["supervisor"]).get(url))
    assert f'<li data-number="{newer.number}"' in supervisor
    assert "merge-here" not in supervisor
    assert client_for(staff["dm_dispatcher"]).get(url).status_code == 404
    detail = text_of(
        client_for(staff["xz_dispatcher"]).get(
            reverse("web:appeal_detail", kwargs={"number": older.number})
        )
    )
    assert f'hx-get="{url}"' in detail


def test_merging_on_the_page_links_both_appeals(
    staff: dict[str, User],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    newer, older = pair
    client = client_for(staff["xz_dispatcher"])
    merge = reverse("web:appeal_merge", kwargs={"number": older.number})
    form = {"duplicate": newer.number, "primary": older.number, "expected_version": "1"}
    response = client.post(merge, form)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:appeal_detail", kwargs={"number": older.number})
    newer.refresh_from_db()
    assert (newer.status, newer.merged_into_id) == ("merged", older.pk)
    primary_page = text_of(client.get(response["Location"]))
    assert 'data-testid="merged-appeals"' in primary_page
    assert reverse("web:appeal_detail", kwargs={"number": newer.number}) in primary_page
    duplicate_page = text_of(
        client.get(reverse("web:appeal_detail", kwargs={"number": newer.number}))
    )
    assert 'data-testid="merged-into"' in duplicate_page
    assert reverse("web:appeal_detail", kwargs={"number": older.number}) in duplicate_page
    again = client.post(merge, form)  # the version the page showed is gone
    assert again.status_code == 409
    assert "Someone else changed this appeal" in text_of(again)
    panel = text_of(
        client.get(reverse("web:appeal_duplicate_panel", kwargs={"number": newer.number}))
    )
    assert "Undo the merge" in panel
    undo = client.post(
        reverse("web:appeal_unmerge", kwargs={"number": newer.number}),
        {"expected_version": "2", "reason": "不是同一事项"},
    )
    assert undo.status_code == 302
    newer.refresh_from_db()
    assert (newer.status, newer.merged_into_id, newer.version) == ("accepted", None, 3)


@pytest.mark.parametrize("who", ["supervisor", "operator"])
def test_merging_by_others_is_refused_and_changes_nothing(
    who: str,
    staff: dict[str, User],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    newer, older = pair
    response = client_for(staff[who]).post(
        reverse("web:appeal_merge", kwargs={"number": older.number}),
        {"duplicate": newer.number, "primary": older.number, "expected_version": "1"},
    )
    assert response.status_code == 403
    newer.refresh_from_db()
    assert (newer.status, newer.version, newer.merged_into_id) == ("accepted", 1, None)
    assert not AppealEvent.objects.filter(kind__in=["merge", "merged_in"]).exists()


def test_a_merge_form_must_name_the_page_appeal(
    staff: dict[str, User],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
    pair: tuple[Appeal, Appeal],
) -> None:
    newer, older = pair
    other = accept()
    response = client_for(staff["xz_dispatcher"]).post(
        reverse("web:appeal_merge", kwargs={"number": other.number}),
        {"duplicate": newer.number, "primary": older.number, "expected_version": "1"},
    )
    assert response.status_code == 400
    newer.refresh_from_db()
    assert newer.status == "accepted"


# ---------------------------------------------------------------- the citizen's tracking page


@pytest.fixture
def merged_with_code(
    staff: dict[str, User],  # noqa: F811
    accept: Callable[..., Appeal],  # noqa: F811
) -> tuple[Appeal, Appeal, str]:
    primary = accept(citizen_name="张三丰", citizen_phone="13800138000")
    duplicate, code = services.appeal_accept(
        actor=staff["operator"],
        channel="hotline",
        appeal_type="complaint",
        lon=2,
        lat=5,
        citizen_name="李四",
        citizen_phone="13900139000",
        **SIMILAR,
    )
    assert code is not None
    services.appeal_merge(
        actor=staff["xz_dispatcher"], duplicate=duplicate, primary=primary, expected_version=1
    )
    duplicate.refresh_from_db()
    return duplicate, primary, code


def _set(appeal: Appeal, **fields: Any) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(**fields)


def test_tracking_a_merged_appeal_shows_the_primary_and_its_reply_only_when_visible(
    territory: Any, merged_with_code: tuple[Appeal, Appeal, str]
) -> None:
    duplicate, primary, code = merged_with_code
    reply = "张三丰您好：您（13800138000）反映的占道经营已清理。"
    _set(primary, status="reviewing", reply=reply, lead_department=territory.xz_government)
    client = client_for(None)
    html = text_of(client.post(TRACK, {"number": duplicate.number, "query_code": code}))
    assert 'data-testid="merged-outcome"' in html
    assert primary.number in html
    assert 'data-testid="primary-status">reply under review<' in html
    assert "珠海市香洲区人民政府" in html
    assert 'data-testid="primary-reply"' not in html
    assert "已清理" not in html
    assert 'data-testid="merged-rate-box"' not in html
    _set(primary, status="replied")
    html = text_of(client.post(TRACK, {"number": duplicate.number, "query_code": code}))
    assert 'data-testid="primary-reply"' in html
    assert "张**您好：您（138****8000）反映的占道经营已清理。" in html
    for private in ("张三丰", "13800138000"):
        assert private not in html
    assert 'data-testid="merged-rate-box"' in html
    assert 'name="reopen"' not in html.split('data-testid="merged-rate-box"')[1]


def test_the_merged_citizen_rates_through_the_tracking_page(
    merged_with_code: tuple[Appeal, Appeal, str],
) -> None:
    duplicate, primary, code = merged_with_code
    _set(primary, status="replied", reply="已清理。")
    response = client_for(None).post(
        RATE,
        {
            "number": duplicate.number,
            "query_code": code,
            "satisfaction": "satisfied",
            "comment": "",
        },
    )
    assert response.status_code == 200
    assert "Thank you for your rating." in text_of(response)
    duplicate.refresh_from_db()
    primary.refresh_from_db()
    assert (duplicate.status, duplicate.satisfaction) == ("merged", "satisfied")
    assert (primary.status, primary.satisfaction) == ("replied", "")
    assert 'data-testid="merged-rate-box"' not in text_of(response)


# ---------------------------------------------------------------- Open311


def test_open311_closes_a_merged_request_and_names_the_one_it_is_handled_with(
    territory: Any, merged_with_code: tuple[Appeal, Appeal, str]
) -> None:
    duplicate, primary, _code = merged_with_code
    _set(primary, lead_department=territory.xz_government, status="signed")
    response = Client().get(
        f"/open311/v2/requests/{duplicate.number}.json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    (item,) = response.json()
    assert item["status"] == "closed"
    assert item["status_notes"] == (
        f"Merged into {primary.number} and handled together with it (now: signed for)."
    )
    assert item["agency_responsible"] == "珠海市香洲区人民政府"
