"""Plans web: importing a document (and what a bad file gets), the review screen with every
extracted field highlighted in the text, in-place corrections (htmx), confirm and publish
(refused while a unit is unresolved), and a re-import's diff."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import Role
from civicgrid.plans import selectors
from civicgrid.plans.models import Plan, PlanItem, PlanStatus, Task
from civicgrid.web.plans.sourcetext import Mark, segments

from .plans_helpers import *  # noqa: F403
from .plans_helpers import SAMPLE_TEXT, htmx, sample_upload, signed_in

pytestmark = pytest.mark.django_db


def _import(client: Client, upload: Any = None, **extra: Any) -> Any:
    return client.post(reverse("web:plans_documents"), {"file": upload or sample_upload(), **extra})


def _plan() -> Plan:
    return Plan.objects.order_by("-pk").first()  # type: ignore[return-value]


def _item(number: str, plan: Plan | None = None) -> PlanItem:
    return PlanItem.objects.get(plan=plan or _plan(), number=number)


def test_segments_cut_at_every_boundary_and_keep_the_items() -> None:
    text = "一二三四五六七八九十"
    parts = segments(
        text,
        [
            Mark(0, 10, "item", 1, "1"),
            Mark(2, 5, "lead", 1, "lead"),
            Mark(4, 8, "deadline", 1, "deadline"),
            Mark(20, 30, "target", 1, "outside"),
        ],
    )
    assert "".join(p.text for p in parts) == text
    assert [(p.text, p.kinds) for p in parts] == [
        ("一二", ["item"]),
        ("三四", ["item", "lead"]),
        ("五", ["item", "lead", "deadline"]),
        ("六七八", ["item", "deadline"]),
        ("九十", ["item"]),
    ]
    assert parts[0].anchors == [1]
    assert parts[1].anchors == []
    assert parts[2].title == "lead · deadline"


def test_import_shows_the_review_screen_with_every_field_highlighted(office: Any) -> None:
    client = signed_in(office)
    response = _import(client)
    plan = _plan()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:plans_review", args=[plan.pk])
    page = client.get(response["Location"]).content.decode()
    source = re.search(r'data-testid="source-text"[^>]*>(.*?)</div>', page, re.S)
    assert source is not None
    # The source is the document's text, whole, with the fields marked inside it.
    assert html.unescape(re.sub(r"<[^>]+>", "", source.group(1))) == plan.version.text
    first = _item("1", plan)
    assert f'id="src-item-{first.pk}"' in page
    assert re.search(r'class="[^"]*hl-lead[^"]*"[^>]*>市民政局<', source.group(1))
    assert re.search(r'class="[^"]*hl-cooperating[^"]*"[^>]*>香洲区政府<', source.group(1))
    assert re.search(r'hl-unresolved[^"]*"[^>]*>市星空局<', source.group(1))
    assert re.search(r'hl-deadline[^"]*"[^>]*>2026年12月底前完成<', source.group(1))
    assert re.search(r"hl-target", source.group(1))
    assert re.search(r'hl-title[^"]*"[^>]*>建设社区综合服务中心<', source.group(1))
    # The plan side: the unknown unit is flagged and counted; the known ones are resolved.
    assert 'data-unit-name="市星空局"\n     data-resolved="no"' in page
    assert 'data-unit-name="市民政局"\n     data-resolved="yes"' in page
    assert 'data-testid="unresolved-count">' in page
    assert "市星空局</a>" in page  # in the list of unresolved units


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("empty.txt", b""), "empty"),
        (SimpleUploadedFile("plan.doc", b"\xd0\xcf\x11\xe0 old word"), ".docx"),
        (SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"), ""),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_nothing_is_stored(
    office: Any, upload: Any, message: str
) -> None:
    client = signed_in(office)
    response = _import(client, upload)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="upload-error"' in html
    assert message in html
    assert not selectors.documents_visible_to(office).exists()


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.CITIZEN, Role.DISPATCHER])
def test_only_the_programme_office_imports(territory: Any, make_user: Any, role: str) -> None:
    client = signed_in(make_user(role, department=territory.civil_affairs))
    assert _import(client).status_code == 403
    assert client.get(reverse("web:plans_documents")).status_code == 403
    assert not Plan.objects.exists()


def test_anonymous_goes_to_the_login_page(db: Any) -> None:
    response = Client().get(reverse("web:plans_documents"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_corrections_in_place_then_publish_creates_the_tasks(office: Any, territory: Any) -> None:
    client = signed_in(office)
    _import(client)
    plan = _plan()
    unknown = plan.items.get(number="1").units.get(name="市星空局")
    # Publishing is refused while a unit is unresolved, with the unit named.
    client.post(reverse("web:plans_step", args=[plan.pk, "confirm"]))
    refused = client.post(reverse("web:plans_step", args=[plan.pk, "publish"]))
    assert refused.status_code == 409
    assert "市星空局" in refused.content.decode()
    assert 'data-testid="publish-problems"' in refused.content.decode()
    assert not Task.objects.exists()
    client.post(reverse("web:plans_step", args=[plan.pk, "reopen"]))
    # Resolve the unknown unit in place (htmx): the panel comes back with nothing unresolved.
    answer = htmx(
        client,
        reverse("web:plans_unit_resolve", args=[plan.pk, unknown.pk]),
        {"department": str(territory.dm_government.pk), "remember": "1"},
    )
    assert answer.status_code == 200
    fragment = answer.content.decode()
    assert fragment.lstrip().startswith('<div id="plan-review"')
    assert "<html" not in fragment
    assert 'data-testid="unresolved-count">' in fragment
    assert 'data-resolved="no"' not in fragment
    unknown.refresh_from_db()
    assert unknown.department == territory.dm_government
    # Correct a title in place.
    second = _item("2", plan)
    htmx(
        client,
        reverse("web:plans_item_edit", args=[plan.pk, second.pk]),
        {
            "number": "2",
            "title": "推进社区网格化服务管理",
            "body": second.body,
            "is_task": "on",
            "deadline_text": second.deadline_text,
            "deadline_date": "2027-06-30",
            "deadline_kind": "date",
        },
    )
    second.refresh_from_db()
    assert second.title == "推进社区网格化服务管理"
    assert "title" in second.edited_fields
    # Confirm and publish: one task per measure, assigned to the departments.
    client.post(reverse("web:plans_step", args=[plan.pk, "confirm"]))
    published = client.post(reverse("web:plans_step", args=[plan.pk, "publish"]))
    assert published.status_code == 302
    assert published["Location"] == f"{reverse('web:plans_tasks')}?plan={plan.pk}"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    tasks = {task.number: task for task in Task.objects.filter(plan=plan)}
    assert set(tasks) == {"1", "2"}
    assert tasks["1"].lead_department == territory.civil_affairs
    assert {u.department.code for u in tasks["1"].units.all()} == {
        "city-civil-affairs",
        "xiangzhou-government",
        "doumen-government",
    }
    assert tasks["2"].title == "推进社区网格化服务管理"


def test_add_split_and_merge_items(office: Any) -> None:
    client = signed_in(office)
    _import(client)
    plan = _plan()
    first = _item("1", plan)
    words = "服务面积不少于"
    assert words in first.body
    count = plan.items.count()
    split = htmx(
        client,
        reverse("web:plans_item_split", args=[plan.pk, first.pk]),
        {"starts_with": words},
    )
    assert 'data-testid="review-error"' not in split.content.decode()
    assert plan.items.count() == count + 1
    first.refresh_from_db()
    split_off = plan.items.get(body__startswith=words)
    assert words not in first.body
    assert split_off.origin == "split"
    assert f'id="item-{split_off.pk}"' in split.content.decode()
    merged = htmx(
        client,
        reverse("web:plans_item_merge", args=[plan.pk, first.pk]),
        {"with": str(split_off.pk)},
    )
    assert 'data-testid="review-error"' not in merged.content.decode()
    assert plan.items.count() == count
    first.refresh_from_db()
    assert words in first.body
    answer = htmx(
        client,
        reverse("web:plans_item_add", args=[plan.pk]),
        {"title": "建立社区服务评价制度", "number": "3", "deadline_text": "2027年底"},
    )
    assert "建立社区服务评价制度" in answer.content.decode()
    assert plan.items.filter(title="建立社区服务评价制度", origin="added").exists()


def test_split_words_not_in_the_text_are_refused_with_a_message(office: Any) -> None:
    client = signed_in(office)
    _import(client)
    plan = _plan()
    first = _item("1", plan)
    count = plan.items.count()
    answer = htmx(
        client,
        reverse("web:plans_item_split", args=[plan.pk, first.pk]),
        {"starts_with": "没有这句话"},
    )
    assert 'data-testid="review-error"' in answer.content.decode()
    assert plan.items.count() == count


def test_department_staff_cannot_edit_the_plan(office: Any, lead_staff: Any) -> None:
    _import(signed_in(office))
    plan = _plan()
    first = _item("1", plan)
    client = signed_in(lead_staff)
    response = htmx(
        client,
        reverse("web:plans_item_edit", args=[plan.pk, first.pk]),
        {"number": "9", "title": "改掉"},
    )
    assert response.status_code in (403, 404)
    first.refresh_from_db()
    assert first.title == "建设社区综合服务中心"


def test_reimport_makes_a_new_version_with_its_diff(office: Any) -> None:
    client = signed_in(office)
    _import(client)
    old_plan = _plan()
    changed = SAMPLE_TEXT.replace("2027年6月底前完成", "2027年9月底前完成") + (
        "3.建立社区服务评价制度。（市民政局牵头，2027年底前完成）\n"
    )
    response = _import(client, sample_upload(changed, "community-plan-v2.txt"))
    new_plan = _plan()
    assert new_plan.pk != old_plan.pk
    assert new_plan.document_id == old_plan.document_id
    assert response["Location"] == reverse("web:plans_review", args=[new_plan.pk])
    review = client.get(response["Location"]).content.decode()
    assert 'data-testid="diff-banner"' in review
    assert 'data-testid="item-change"' in review
    detail = client.get(reverse("web:plans_document", args=[new_plan.document_id])).content
    html = detail.decode()
    assert 'data-testid="diff"' in html
    assert "建立社区服务评价制度" in html
    assert html.count('data-testid="version"') == 2


def test_original_file_download_is_audited(office: Any) -> None:
    from civicgrid.core.models import AuditRecord

    client = signed_in(office)
    _import(client)
    plan = _plan()
    response = client.get(
        reverse("web:plans_version_file", args=[plan.document_id, plan.version.number])
    )
    assert response.status_code == 200
    assert response.content == SAMPLE_TEXT.encode("utf-8")
    assert AuditRecord.objects.filter(action="plans.document_download").count() == 1


def test_correction_forms_are_loaded_when_opened(office: Any, territory: Any) -> None:
    client = signed_in(office)
    _import(client)
    plan = _plan()
    first = _item("1", plan)
    known = first.units.get(name="市民政局")
    page = client.get(reverse("web:plans_review", args=[plan.pk])).content.decode()
    # Resolved units and every item's split / add-a-unit forms are not in the page itself.
    assert f'id="resolve-{known.pk}"' not in page
    assert reverse("web:plans_unit_form", args=[plan.pk, known.pk]) in page
    fragment = client.get(
        reverse("web:plans_unit_form", args=[plan.pk, known.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert f'id="resolve-{known.pk}"' in fragment
    assert f'<option value="{territory.civil_affairs.pk}" selected>' in fragment
    full = client.get(reverse("web:plans_item_form", args=[plan.pk, first.pk, "split"]))
    assert "<html" in full.content.decode()
    assert 'name="starts_with"' in full.content.decode()
    assert (
        client.get(reverse("web:plans_item_form", args=[plan.pk, first.pk, "other"])).status_code
        == 404
    )


def test_targets_are_corrected_added_and_removed(office: Any) -> None:
    client = signed_in(office)
    _import(client)
    plan = _plan()
    first = _item("1", plan)
    target = plan.targets.get(item=first)
    assert (target.comparator, target.value, target.unit) == ("ge", 300.0, "㎡")
    form = client.get(
        reverse("web:plans_target_edit", args=[plan.pk, target.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="target-form"' in form
    htmx(
        client,
        reverse("web:plans_target_edit", args=[plan.pk, target.pk]),
        {
            "subject": "社区综合服务中心面积",
            "comparator": "ge",
            "value": "300",
            "unit": "平方米",
            "year": "2026",
            "indicator_code": "community-centre-area",
        },
    )
    target.refresh_from_db()
    assert (target.subject, target.unit, target.year, target.indicator_code) == (
        "社区综合服务中心面积",
        "平方米",
        2026,
        "community-centre-area",
    )
    refused = htmx(
        client,
        reverse("web:plans_target_add", args=[plan.pk, first.pk]),
        {"subject": "覆盖率", "comparator": "range", "low": "90", "unit": "%"},
    )
    assert 'data-testid="review-error"' in refused.content.decode()
    htmx(
        client,
        reverse("web:plans_target_add", args=[plan.pk, first.pk]),
        {"subject": "覆盖率", "comparator": "range", "low": "90", "high": "95", "unit": "%"},
    )
    added = plan.targets.get(subject="覆盖率")
    assert (added.low, added.high, added.item_id) == (90.0, 95.0, first.pk)
    htmx(client, reverse("web:plans_target_remove", args=[plan.pk, added.pk]))
    assert not plan.targets.filter(subject="覆盖率").exists()
