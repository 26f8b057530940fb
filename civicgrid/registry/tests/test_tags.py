"""特殊人群: who may tag a person, the rules of a tag's dates, and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.core.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import SpecialGroupTag
from civicgrid.registry.services import may_write_tags, special_tag_add, special_tag_end
from civicgrid.registry.tests.sharing_fixtures import People, build_people


@pytest.fixture
def people(territory: Any) -> People:
    return build_people(territory)


@pytest.fixture
def community(territory: Any, make_user: Callable[..., User]) -> User:
    return make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community)


def test_community_staff_tag_a_person_of_their_community_and_end_the_tag(
    people: People, community: User
) -> None:
    today = timezone.localdate()
    tag = special_tag_add(
        actor=community,
        person=people.zhang,
        group="disability",
        since=today - dt.timedelta(days=30),
        note="二级肢体残疾",
        reason="残联通知",
    )
    assert tag.admin_unit_code == people.zhang.admin_unit_code
    assert (tag.until, tag.note) == (None, "二级肢体残疾")
    added = AuditRecord.objects.get(action="registry.special_tag.add")
    assert (added.actor_id, added.purpose, added.details["group"]) == (
        community.pk,
        "残联通知",
        "disability",
    )
    with pytest.raises(ConflictError):  # one open tag per group
        special_tag_add(
            actor=community, person=people.zhang, group="disability", since=None, reason="再次"
        )
    with pytest.raises(DomainError) as before:
        special_tag_end(
            actor=community, tag=tag, until=today - dt.timedelta(days=31), reason="核查"
        )
    assert before.value.field == "until"
    ended = special_tag_end(actor=community, tag=tag, until=today, reason="复核后摘除")
    assert ended.until == today
    assert AuditRecord.objects.get(action="registry.special_tag.end").purpose == "复核后摘除"
    with pytest.raises(ConflictError):
        special_tag_end(actor=community, tag=tag, until=today, reason="再次")
    # After the end the same group may be tagged again; the old tag stays as history.
    special_tag_add(
        actor=community, person=people.zhang, group="disability", since=today, reason="重新认定"
    )
    assert SpecialGroupTag.objects.filter(person=people.zhang, group="disability").count() == 2


def test_bad_input_writes_nothing(people: People, community: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"group": "alien", "since": None, "reason": "核查"}, "group"),
        ({"group": "disability", "since": tomorrow, "reason": "核查"}, "since"),
        ({"group": "disability", "since": None, "reason": " "}, "purpose"),
        ({"group": "disability", "since": None, "note": "长" * 301, "reason": "核查"}, "note"),
    ]
    for arguments, field in cases:
        with pytest.raises(DomainError) as error:
            special_tag_add(actor=community, person=people.zhang, **arguments)
        assert error.value.field == field
        assert str(error.value.message)
    assert not SpecialGroupTag.objects.filter(group="disability").exists()
    assert not AuditRecord.objects.filter(action__startswith="registry.special_tag").exists()


def test_only_entitled_users_in_scope_may_write_tags(
    territory: Any, people: People, community: User, make_user: Callable[..., User]
) -> None:
    grid_worker = make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1)
    other_community = make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.dm_community)
    city_department = make_user(Role.DEPARTMENT_STAFF, department=people.renshe)
    office = make_user(Role.PROGRAMME_OFFICE)
    assert may_write_tags(community, people.zhang)
    assert may_write_tags(office, people.zhang)
    assert not may_write_tags(grid_worker, people.zhang)  # sees tags, reports via community
    assert not may_write_tags(city_department, people.zhang)
    assert not may_write_tags(other_community, people.zhang)
    with pytest.raises(PermissionDeniedError):
        special_tag_add(
            actor=grid_worker, person=people.zhang, group="disability", since=None, reason="走访"
        )
    with pytest.raises(NotFoundError):  # 王五 lives in 斗门: not in this community's scope
        special_tag_add(
            actor=community, person=people.wang, group="disability", since=None, reason="走访"
        )
    assert not SpecialGroupTag.objects.filter(group="disability").exists()


def test_person_page_form_adds_and_ends_a_tag(people: People, community: User) -> None:
    client = Client()
    client.force_login(community)
    page = client.get(reverse("web:registry_person_detail", args=[people.zhang.pk]))
    assert 'data-testid="tag-add-form"' in page.content.decode()
    url = reverse("web:registry_person_tag_add", args=[people.zhang.pk])
    refused = client.post(url, {"group": "disability", "since": "", "reason": ""})
    assert refused.status_code == 400
    assert list(refused.context["tag_form"].errors) == ["reason"]
    assert not SpecialGroupTag.objects.filter(group="disability").exists()
    done = client.post(url, {"group": "disability", "since": "2026-01-05", "reason": "残联通知"})
    assert done.status_code == 302
    tag = SpecialGroupTag.objects.get(group="disability")
    assert tag.since == dt.date(2026, 1, 5)
    page = client.get(reverse("web:registry_person_detail", args=[people.zhang.pk]))
    assert 'data-testid="special-tag-disability"' in page.content.decode()
    end = reverse("web:registry_person_tag_end", args=[people.zhang.pk, tag.pk])
    assert client.post(end, {"until": "2026-01-04", "reason": "复核"}).status_code == 400
    assert client.post(end, {"until": "2026-02-01", "reason": "复核"}).status_code == 302
    tag.refresh_from_db()
    assert tag.until == dt.date(2026, 2, 1)


def test_grid_worker_sees_tags_without_the_form(
    territory: Any, people: People, make_user: Callable[..., User]
) -> None:
    client = Client()
    client.force_login(make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1))
    page = client.get(reverse("web:registry_person_detail", args=[people.zhang.pk])).content
    assert b'data-testid="special-tag-elderly_alone"' in page
    assert b'data-testid="tag-add-form"' not in page
    url = reverse("web:registry_person_tag_add", args=[people.zhang.pk])
    assert client.post(url, {"group": "disability", "reason": "走访"}).status_code == 403
