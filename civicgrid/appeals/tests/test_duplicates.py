"""Likely duplicates (selector) and merging (services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from civicgrid.accounts.models import Role, User
from civicgrid.appeals import services
from civicgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealSettings,
    Assignment,
    ExtensionRequest,
)
from civicgrid.appeals.selectors.duplicates import (
    bigrams,
    distance_m,
    duplicate_candidates,
    duplicates_for,
    duplicates_for_many,
    jaccard,
    merged_outcome_for_citizen,
)
from civicgrid.core.errors import ConflictError, DomainError, PermissionDeniedError

from .conftest import TODAY

SIMILAR = {"title": "小区门口商贩占道经营", "text": "晚上小区门口有商贩占道经营，很吵。"}


def _candidates(user: User, **overrides: Any) -> list[Any]:
    values: dict[str, Any] = {
        "user": user,
        "title": SIMILAR["title"],
        "text": SIMILAR["text"],
        "lon": 2.001,
        "lat": 5.001,
        "admin_unit_code": "440402001001001",
    }
    values.update(overrides)
    return duplicate_candidates(**values)


# ---------------------------------------------------------------- similarity pieces


def test_bigrams_ignore_spaces_punctuation_and_case() -> None:
    assert bigrams("路灯 坏了！") == frozenset({"路灯", "灯坏", "坏了"})
    assert bigrams("AB c") == frozenset({"ab", "bc"})
    assert bigrams("灯") == frozenset({"灯"})
    assert bigrams(" ，。") == frozenset()


def test_jaccard_and_distance() -> None:
    assert jaccard(frozenset({"ab", "bc"}), frozenset({"bc", "cd"})) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset({"ab"})) == 0.0
    assert distance_m(2, 5, 2.001, 5.001) == pytest.approx(157.13, abs=0.01)


# ---------------------------------------------------------------- selector


def test_similar_near_recent_appeal_is_found_with_reasons(
    staff: dict[str, User], accept: Callable[..., Appeal]
) -> None:
    original = accept()
    found = _candidates(staff["xz_dispatcher"])
    assert [candidate.appeal.pk for candidate in found] == [original.pk]
    candidate = found[0]
    assert candidate.text_similarity == 0.5
    assert candidate.distance_m == pytest.approx(157.1, abs=0.05)
    assert candidate.days_ago == 0
    assert candidate.reason_text == "similar text 0.50 · 157 m · today"
    # 0.6 × 0.5 + 0.2 × (1 − 157.13/500) + 0.1 × 1
    assert candidate.score == pytest.approx(0.5371, abs=0.0001)


def test_far_old_unrelated_cancelled_merged_and_out_of_scope_are_not_found(
    staff: dict[str, User], accept: Callable[..., Appeal], monkeypatch: pytest.MonkeyPatch
) -> None:
    from civicgrid.appeals import clock

    accept(lon=2.01, lat=5)  # 1.1 km away
    accept(title="路灯不亮", text="幸福路的路灯坏了一个月了")  # unrelated text
    cancelled = accept()
    services.appeal_cancel(
        actor=staff["xz_dispatcher"], appeal=cancelled, expected_version=1, reason="测试"
    )
    accept(lon=12, lat=5)  # 斗门区: out of the 香洲 dispatcher's scope (and far)
    monkeypatch.setattr(clock, "today", lambda: TODAY - dt.timedelta(days=31))
    accept()  # accepted 31 days ago: outside the 30-day window
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    assert _candidates(staff["xz_dispatcher"]) == []
    # the 斗门 one is found by a 斗门 dispatcher near it, so it is scope that hid it
    found = _candidates(
        staff["dm_dispatcher"], lon=12.001, lat=5.001, admin_unit_code="440403001001001"
    )
    assert len(found) == 1


def test_window_and_radius_come_from_the_settings(
    staff: dict[str, User], accept: Callable[..., Appeal]
) -> None:
    accept(lon=2.004, lat=5)  # about 444 m
    assert len(_candidates(staff["xz_dispatcher"], lon=2, lat=5)) == 1
    settings_row = AppealSettings.load()
    settings_row.duplicate_radius_m = 300
    settings_row.save()
    assert _candidates(staff["xz_dispatcher"], lon=2, lat=5) == []


def test_without_coordinates_the_same_community_counts(
    staff: dict[str, User], accept: Callable[..., Appeal]
) -> None:
    original = accept()  # in grid 440402001001001
    found = _candidates(staff["xz_dispatcher"], lon=None, lat=None)
    assert [c.appeal.pk for c in found] == [original.pk]
    assert found[0].reasons[1] == "same grid"
    found = _candidates(
        staff["xz_dispatcher"], lon=None, lat=None, admin_unit_code="440402001001002"
    )
    assert found[0].reasons[1] == "same community"
    assert _candidates(staff["xz_dispatcher"], lon=None, lat=None, admin_unit_code="440403") == []


def test_same_category_raises_the_score_and_best_comes_first(
    staff: dict[str, User], accept: Callable[..., Appeal]
) -> None:
    from civicgrid.appeals.models import Category

    category = Category.objects.create(code="road", name="占道经营")
    plain = accept(lon=2.001, lat=5.001)
    same = accept(lon=2.001, lat=5.001, category=category)
    found = _candidates(staff["xz_dispatcher"], category=category)
    assert [c.appeal.pk for c in found] == [same.pk, plain.pk]
    assert found[0].reasons[-1] == "same category"
    assert found[0].score - found[1].score == pytest.approx(0.1, abs=0.0001)


def test_duplicates_for_excludes_the_appeal_itself_and_counts_queries(
    staff: dict[str, User],
    accept: Callable[..., Appeal],
    django_assert_num_queries: Any,
) -> None:
    first = accept()
    second = accept(**SIMILAR)
    for _n in range(5):
        accept(lon=2.01, lat=5)  # far: prefiltered by the bounding box
    AppealSettings.load()
    dispatcher = staff["xz_dispatcher"]
    dispatcher = User.objects.select_related("scope_unit").get(pk=dispatcher.pk)
    scope_queries = _scope_queries(dispatcher)
    with django_assert_num_queries(2 + scope_queries):  # settings row + one candidate query
        found = duplicates_for(dispatcher, second)
    assert [c.appeal.pk for c in found] == [first.pk]


def _scope_queries(user: User) -> int:
    """Queries the scope gatekeeper itself needs for ``user`` (not the selector's)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.appeals.selectors import appeals_visible_to

    with CaptureQueriesContext(connection) as captured:
        appeals_visible_to(user)
    return len(captured.captured_queries)


def test_batch_for_a_page_uses_one_candidate_query(
    staff: dict[str, User],
    accept: Callable[..., Appeal],
    django_assert_num_queries: Any,
) -> None:
    first = accept()
    second = accept(**SIMILAR)
    lone = accept(title="路灯不亮", text="幸福路的路灯坏了一个月了", lon=3, lat=3)
    page = [first, second, lone] + [accept(lon=4, lat=1 + n * 0.01) for n in range(10)]
    AppealSettings.load()
    dispatcher = User.objects.select_related("scope_unit").get(pk=staff["xz_dispatcher"].pk)
    with django_assert_num_queries(2 + _scope_queries(dispatcher)):
        found = duplicates_for_many(dispatcher, page)
    assert [c.appeal.pk for c in found[first.pk]] == [second.pk]
    assert [c.appeal.pk for c in found[second.pk]] == [first.pk]
    assert found[lone.pk] == []
    # the ten appeals 1.1 km apart at lon 4 find each other only as far as 500 m allows
    assert all(len(found[appeal.pk]) <= 1 for appeal in page[3:])
    assert duplicates_for(dispatcher, first)[0].score == found[first.pk][0].score


# ---------------------------------------------------------------- merge service


@pytest.fixture
def pair(accept: Callable[..., Appeal]) -> tuple[Appeal, Appeal]:
    """(duplicate, primary): two reports of the same matter in 香洲区."""
    primary = accept()
    duplicate = accept(citizen_name="李四", citizen_phone="13900139000", **SIMILAR)
    return duplicate, primary


def _state(appeal: Appeal) -> tuple[str, int, Any]:
    appeal.refresh_from_db()
    return appeal.status, appeal.version, appeal.merged_into_id


def test_merge_moves_the_duplicate_closes_assignments_and_writes_events_on_both(
    staff: dict[str, User], territory: Any, pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    dispatcher = staff["xz_dispatcher"]
    duplicate = services.appeal_dispatch(
        actor=dispatcher, appeal=duplicate, expected_version=1, department=territory.xz_government
    )
    duplicate = services.appeal_sign_for(
        actor=staff["xz_staff"], appeal=duplicate, expected_version=2
    )
    ExtensionRequest.objects.create(
        appeal=duplicate, department=territory.xz_government, days=3, reason="需要时间"
    )
    merged = services.appeal_merge(
        actor=dispatcher,
        duplicate=duplicate,
        primary=primary,
        expected_version=3,
        reason="同一事项",
    )
    assert (merged.status, merged.version, merged.merged_into_id) == ("merged", 4, primary.pk)
    assert list(
        Assignment.objects.filter(appeal=duplicate).values_list("is_open", "closed_reason")
    ) == [(False, f"Merged into {primary.number}")]
    assert ExtensionRequest.objects.get(appeal=duplicate).status == "rejected"
    merge = AppealEvent.objects.get(appeal=duplicate, kind="merge")
    assert (merge.from_status, merge.to_status, merge.note, merge.details) == (
        "signed",
        "merged",
        "同一事项",
        {"primary": primary.number},
    )
    merged_in = AppealEvent.objects.get(appeal=primary, kind="merged_in")
    assert merged_in.details == {"duplicate": duplicate.number, "moved": []}
    assert merged_in.actor == dispatcher
    assert _state(primary) == ("accepted", 1, None)  # the primary's status is unchanged


def test_merge_moves_appeals_merged_into_the_duplicate_to_the_new_primary(
    staff: dict[str, User], accept: Callable[..., Appeal], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    third = accept(**SIMILAR)
    dispatcher = staff["xz_dispatcher"]
    services.appeal_merge(actor=dispatcher, duplicate=third, primary=duplicate, expected_version=1)
    duplicate.refresh_from_db()
    services.appeal_merge(
        actor=dispatcher, duplicate=duplicate, primary=primary, expected_version=1
    )
    assert _state(third)[2] == primary.pk
    event = AppealEvent.objects.filter(appeal=primary, kind="merged_in").get()
    assert event.details == {"duplicate": duplicate.number, "moved": [third.number]}


ADMIN = "admin"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("operator", False),
        ("xz_staff", False),
        ("supervisor", False),
        ("dm_dispatcher", False),
        ("xz_dispatcher", True),
        (ADMIN, True),
    ],
)
def test_merge_permissions(
    who: str,
    allowed: bool,
    staff: dict[str, User],
    territory: Any,
    make_user: Callable[..., User],
    pair: tuple[Appeal, Appeal],
) -> None:
    from django.contrib.auth.models import AnonymousUser

    duplicate, primary = pair
    actor: Any
    if who == "anonymous":
        actor = AnonymousUser()
    elif who == ADMIN:
        actor = make_user(Role.ADMINISTRATOR, scope_unit=territory.city)
    else:
        actor = staff[who]
    if allowed:
        services.appeal_merge(actor=actor, duplicate=duplicate, primary=primary, expected_version=1)
        assert _state(duplicate) == ("merged", 2, primary.pk)
        return
    with pytest.raises(PermissionDeniedError):
        services.appeal_merge(actor=actor, duplicate=duplicate, primary=primary, expected_version=1)
    assert _state(duplicate) == ("accepted", 1, None)
    assert not AppealEvent.objects.filter(kind__in=["merge", "merged_in"]).exists()


def test_merge_needs_scope_of_both_appeals(
    staff: dict[str, User], accept: Callable[..., Appeal], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, _primary = pair
    doumen = accept(lon=12, lat=5, **SIMILAR)
    with pytest.raises(PermissionDeniedError):
        services.appeal_merge(
            actor=staff["xz_dispatcher"], duplicate=duplicate, primary=doumen, expected_version=1
        )
    assert _state(duplicate) == ("accepted", 1, None)


def _set_status(appeal: Appeal, status: str, **fields: Any) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(status=status, **fields)
    appeal.refresh_from_db()


@pytest.mark.parametrize("status", ["reviewing", "replied", "followed_up", "closed", "cancelled"])
def test_a_duplicate_with_a_reply_or_cancelled_is_not_merged(
    status: str, staff: dict[str, User], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    _set_status(duplicate, status)
    with pytest.raises(ConflictError) as caught:
        services.appeal_merge(
            actor=staff["xz_dispatcher"], duplicate=duplicate, primary=primary, expected_version=1
        )
    assert caught.value.code == "illegal_transition"
    assert _state(duplicate) == (status, 1, None)
    assert not AppealEvent.objects.filter(kind__in=["merge", "merged_in"]).exists()


def test_illegal_primaries_are_refused(
    staff: dict[str, User], accept: Callable[..., Appeal], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    dispatcher = staff["xz_dispatcher"]
    with pytest.raises(DomainError) as caught:
        services.appeal_merge(
            actor=dispatcher, duplicate=duplicate, primary=duplicate, expected_version=1
        )
    assert caught.value.field == "primary"
    _set_status(primary, "cancelled")
    with pytest.raises(ConflictError) as conflict:
        services.appeal_merge(
            actor=dispatcher, duplicate=duplicate, primary=primary, expected_version=1
        )
    assert conflict.value.code == "primary_not_open"
    root = accept()
    _set_status(primary, "merged", merged_into=root)
    with pytest.raises(ConflictError) as chain:
        services.appeal_merge(
            actor=dispatcher, duplicate=duplicate, primary=primary, expected_version=1
        )
    assert chain.value.code == "primary_merged"
    assert root.number in str(chain.value.message)
    assert _state(duplicate) == ("accepted", 1, None)
    assert not AppealEvent.objects.filter(kind__in=["merge", "merged_in"]).exists()


def test_merge_with_a_stale_version_conflicts_and_changes_nothing(
    staff: dict[str, User], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    Appeal.objects.filter(pk=duplicate.pk).update(version=2)
    with pytest.raises(ConflictError) as caught:
        services.appeal_merge(
            actor=staff["xz_dispatcher"], duplicate=duplicate, primary=primary, expected_version=1
        )
    assert caught.value.code == "version_conflict"
    assert _state(duplicate) == ("accepted", 2, None)
    assert not AppealEvent.objects.filter(kind__in=["merge", "merged_in"]).exists()


def test_unmerge_puts_the_appeal_back_in_the_queue(
    staff: dict[str, User], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = pair
    dispatcher = staff["xz_dispatcher"]
    services.appeal_merge(
        actor=dispatcher, duplicate=duplicate, primary=primary, expected_version=1
    )
    with pytest.raises(PermissionDeniedError):
        services.appeal_unmerge(
            actor=staff["operator"], appeal=duplicate, expected_version=2, reason="不是同一事项"
        )
    appeal = services.appeal_unmerge(
        actor=dispatcher, appeal=duplicate, expected_version=2, reason="不是同一事项"
    )
    assert (appeal.status, appeal.version, appeal.merged_into_id) == ("accepted", 3, None)
    assert AppealEvent.objects.get(appeal=primary, kind="unmerged").details == {
        "duplicate": duplicate.number
    }
    with pytest.raises(ConflictError):
        services.appeal_unmerge(actor=dispatcher, appeal=appeal, expected_version=3, reason="再次")


# ---------------------------------------------------------------- citizens of merged appeals


def _merged_pair(staff: dict[str, User], pair: tuple[Appeal, Appeal]) -> tuple[Appeal, Appeal]:
    duplicate, primary = pair
    services.appeal_merge(
        actor=staff["xz_dispatcher"], duplicate=duplicate, primary=primary, expected_version=1
    )
    duplicate.refresh_from_db()
    return duplicate, primary


def test_the_primary_reply_reaches_the_merged_citizen_only_once_visible_and_masked(
    staff: dict[str, User], pair: tuple[Appeal, Appeal]
) -> None:
    duplicate, primary = _merged_pair(staff, pair)
    reply = "张三您好，13800138000 反映的占道经营已清理。"
    _set_status(primary, "reviewing", reply=reply)
    outcome = merged_outcome_for_citizen(duplicate)
    assert outcome is not None
    assert (outcome.primary.pk, outcome.reply, outcome.is_reply_visible) == (
        primary.pk,
        "",
        False,
    )
    _set_status(primary, "replied")
    outcome = merged_outcome_for_citizen(duplicate)
    assert outcome is not None
    assert outcome.reply == "张*您好，138****8000 反映的占道经营已清理。"
    assert [event.kind for event in outcome.events] == ["accept"]  # merged_in is not shown
    assert merged_outcome_for_citizen(primary) is None


def test_the_merged_citizen_rates_on_their_own_appeal_only(
    staff: dict[str, User], accept: Callable[..., Appeal]
) -> None:
    primary = accept()
    duplicate, code = services.appeal_accept(
        actor=staff["operator"], channel="hotline", appeal_type="complaint", lon=2, lat=5, **SIMILAR
    )
    assert code is not None
    duplicate, primary = _merged_pair(staff, (duplicate, primary))

    def rate(**values: Any) -> Appeal:
        return services.appeal_rate_by_citizen(number=duplicate.number, query_code=code, **values)

    with pytest.raises(ConflictError):  # no reply yet
        rate(satisfaction="satisfied")
    _set_status(primary, "replied", reply="已清理。")
    with pytest.raises(DomainError) as caught:
        rate(satisfaction="unsatisfied", reopen=True)
    assert caught.value.field == "reopen"
    with pytest.raises(PermissionDeniedError):
        services.appeal_rate_by_citizen(
            number=duplicate.number, query_code="000000", satisfaction="satisfied"
        )
    appeal = rate(satisfaction="satisfied", comment="谢谢")
    assert (appeal.status, appeal.satisfaction, appeal.version) == ("merged", "satisfied", 3)
    event = AppealEvent.objects.get(appeal=duplicate, kind="citizen_rating")
    assert (event.note, event.details) == (
        "谢谢",
        {"satisfaction": "satisfied", "primary": primary.number},
    )
    primary.refresh_from_db()
    assert (primary.status, primary.satisfaction, primary.version) == ("replied", "", 1)
    with pytest.raises(ConflictError) as again:
        rate(satisfaction="unsatisfied")
    assert again.value.code == "already_rated"
