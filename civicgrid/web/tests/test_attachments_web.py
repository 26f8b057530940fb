"""Attachments on the web: uploads with the citizen form, the hotline intake and the grid
report; the protected download (who gets the file, headers, 404 for everybody else); hostile
file names escaped; the grid worker's report page (only grid workers, only their grid)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.appeals import clock, services
from civicgrid.appeals.models import Appeal, AppealEvent, Attachment, Channel
from civicgrid.appeals.tests.conftest import TODAY, staff  # noqa: F401
from civicgrid.appeals.tests.test_attachments import image_bytes, pdf_bytes
from civicgrid.territory.locator import invalidate_locator


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


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def file_url(attachment: Attachment) -> str:
    return reverse("web:appeal_attachment", kwargs={"pk": attachment.pk})


def web_appeal(*names_and_bytes: tuple[str, bytes], **extra: Any) -> tuple[Appeal, str]:
    """A web appeal in 香洲区's first grid with the citizen's files."""
    files = services.attachments_check([upload(name, body) for name, body in names_and_bytes])
    appeal, code = services.appeal_accept_with_files(
        files=files,
        is_from_citizen=True,
        actor=None,
        channel=Channel.WEB,
        appeal_type="complaint",
        title="路灯不亮",
        text="小区路灯坏了一周。",
        lon=2,
        lat=5,
        **extra,
    )
    assert code is not None
    return appeal, code


def track(client: Client, appeal: Appeal, code: str) -> Any:
    return client.post(reverse("web:appeal_track"), {"number": appeal.number, "query_code": code})


# --- serving ---------------------------------------------------------------------------------


def test_staff_who_see_the_appeal_get_the_file_with_safe_headers(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
) -> None:
    photo = image_bytes("PNG")
    appeal, _code = web_appeal(("现场 照片.png", photo), ("投诉 材料.pdf", pdf_bytes()))
    picture, document = Attachment.objects.filter(appeal=appeal).order_by("id")
    client = client_for(staff["xz_dispatcher"])
    response = client.get(file_url(picture))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == picture.sha256
    assert len(body) == picture.size
    assert body[:8] == photo[:8]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''" + quote("现场 照片.png")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    response = client.get(file_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("投诉 材料.pdf")
    )


@pytest.mark.parametrize("who", ["anonymous", "dm_dispatcher", "dm_staff", "xz_staff"])
def test_everybody_else_gets_404(territory: Any, staff: dict[str, User], who: str) -> None:  # noqa: F811
    appeal, _code = web_appeal(("a.jpg", image_bytes()))
    attachment = Attachment.objects.get(appeal=appeal)
    # xz_staff: a department of the right district, but the appeal is not assigned to it.
    client = client_for(None if who == "anonymous" else staff[who])
    assert client.get(file_url(attachment)).status_code == 404
    assert client.get(reverse("web:appeal_attachment", kwargs={"pk": 999999})).status_code == 404


def test_the_citizen_gets_own_files_only_after_a_successful_lookup(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
) -> None:
    appeal, code = web_appeal(("mine.jpg", image_bytes()))
    mine = Attachment.objects.get(appeal=appeal)
    staff_file = services.attachment_add(
        actor=staff["xz_dispatcher"], appeal=appeal, upload=upload("内部.pdf", pdf_bytes())
    )
    other, other_code = web_appeal(("other.jpg", image_bytes()))
    others_file = Attachment.objects.get(appeal=other)
    client = client_for(None)
    assert client.get(file_url(mine)).status_code == 404
    assert track(client, appeal, "000000" if code != "000000" else "111111").status_code == 404
    assert client.get(file_url(mine)).status_code == 404
    page = track(client, appeal, code)
    assert page.status_code == 200
    html = page.content.decode()
    assert file_url(mine) in html
    assert file_url(staff_file) not in html  # the citizen sees their own files only
    assert code not in re.findall(r'href="([^"]*)"', html).__str__()
    assert client.get(file_url(mine)).status_code == 200
    assert client.get(file_url(staff_file)).status_code == 404
    assert client.get(file_url(others_file)).status_code == 404
    assert other_code  # the other appeal's code was never given to this client


def test_the_tracked_session_expires(territory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicgrid.web.appeals import attachments as web_attachments

    appeal, code = web_appeal(("mine.jpg", image_bytes()))
    mine = Attachment.objects.get(appeal=appeal)
    client = client_for(None)
    now = [1_000_000.0]
    monkeypatch.setattr(web_attachments.time, "time", lambda: now[0])
    track(client, appeal, code)
    assert client.get(file_url(mine)).status_code == 200
    now[0] += web_attachments.TRACKED_SECONDS + 1
    assert client.get(file_url(mine)).status_code == 404


def test_hostile_file_names_are_escaped_on_the_pages(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
) -> None:
    hostile = '<img src=x onerror="alert(1)">.pdf'
    appeal, code = web_appeal((hostile, pdf_bytes()))
    attachment = Attachment.objects.get(appeal=appeal)
    assert attachment.original_name == hostile
    detail = client_for(staff["xz_dispatcher"]).get(
        reverse("web:appeal_detail", kwargs={"number": appeal.number})
    )
    html = detail.content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.pdf" in html
    assert "<img src=x" not in html
    download = client_for(staff["xz_dispatcher"]).get(file_url(attachment))
    assert download["Content-Disposition"] == (
        'attachment; filename="<img src=x onerror=\\"alert(1)\\">.pdf"'
    )
    track_html = track(client_for(None), appeal, code).content.decode()
    assert "<img src=x" not in track_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.pdf" in track_html


def test_the_file_view_uses_few_queries(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
    django_assert_num_queries: Any,
) -> None:
    appeal, _code = web_appeal(("a.jpg", image_bytes()))
    attachment = Attachment.objects.get(appeal=appeal)
    client = client_for(staff["xz_dispatcher"])
    client.get(file_url(attachment))  # warm the session
    # session, user, the user's scope unit, the attachment joined with the visible appeals
    with django_assert_num_queries(4):
        assert client.get(file_url(attachment)).status_code == 200


# --- uploads with the forms --------------------------------------------------------------------


def citizen_form(**extra: Any) -> dict[str, Any]:
    return {
        "appeal_type": "complaint",
        "title": "井盖缺失",
        "text": "路口井盖丢了，很危险。",
        "address": "",
        "lon": "2",
        "lat": "5",
        "idempotency_key": "key-1",
        **extra,
    }


def test_citizen_form_takes_several_photos(territory: Any) -> None:
    client = client_for(None)
    photos = [upload(f"{n}.jpg", image_bytes()) for n in range(3)]
    response = client.post(reverse("web:appeal_new"), citizen_form(attachments=photos))
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert list(
        Attachment.objects.filter(appeal=appeal).values_list("original_name", "is_from_citizen")
    ) == [("0.jpg", True), ("1.jpg", True), ("2.jpg", True)]
    assert AppealEvent.objects.filter(appeal=appeal, kind="attachment").count() == 1
    # the same form again: still one appeal and three files
    again = [upload(f"{n}.jpg", image_bytes()) for n in range(3)]
    assert (
        client.post(reverse("web:appeal_new"), citizen_form(attachments=again)).status_code == 200
    )
    assert Appeal.objects.count() == 1
    assert Attachment.objects.count() == 3


def test_citizen_form_with_one_bad_file_creates_nothing(territory: Any) -> None:
    files = [upload("good.jpg", image_bytes()), upload("fake.jpg", b"<html>hi</html>")]
    response = client_for(None).post(reverse("web:appeal_new"), citizen_form(attachments=files))
    assert response.status_code == 400
    assert "“fake.jpg” is not a complete JPEG, PNG or WebP photo" in response.content.decode()
    assert Appeal.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_citizen_form_refuses_ten_files(territory: Any) -> None:
    files = [upload(f"{n}.jpg", image_bytes()) for n in range(10)]
    response = client_for(None).post(reverse("web:appeal_new"), citizen_form(attachments=files))
    assert response.status_code == 400
    assert "An appeal may have at most 9 files; this would make 10." in response.content.decode()
    assert Appeal.objects.count() == 0


def test_hotline_intake_takes_files(territory: Any, staff: dict[str, User]) -> None:  # noqa: F811
    data = citizen_form(
        urgency="normal",
        citizen_phone="13800138000",
        attachments=[upload("来电记录.pdf", pdf_bytes(), "application/pdf")],
    )
    response = client_for(staff["operator"]).post(reverse("web:appeal_intake"), data)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.appeal.channel == Channel.HOTLINE
    assert attachment.uploaded_by == staff["operator"]
    assert attachment.is_from_citizen is False
    assert attachment.kind == "document"


# --- the grid worker's report page ---------------------------------------------------------------


def report_form(**extra: Any) -> dict[str, Any]:
    return {
        "appeal_type": "report",
        "urgency": "normal",
        "title": "占道堆放杂物",
        "text": "楼道口堆满杂物，影响消防通道。",
        "address": "",
        "lon": "2",
        "lat": "5",
        "idempotency_key": "grid-key-1",
        **extra,
    }


@pytest.mark.parametrize("who", ["operator", "xz_dispatcher", "xz_staff", "supervisor"])
def test_only_grid_workers_open_the_report_page(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
    who: str,
) -> None:
    client = client_for(staff[who])
    assert client.get(reverse("web:appeal_grid_report")).status_code == 403
    assert client.post(reverse("web:appeal_grid_report"), report_form()).status_code == 403
    assert Appeal.objects.count() == 0
    anonymous = client_for(None).get(reverse("web:appeal_grid_report"))
    assert anonymous.status_code == 302


def test_grid_worker_reports_with_photos_and_sees_the_report(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
) -> None:
    client = client_for(staff["xz_grid"])
    page = client.get(reverse("web:appeal_grid_report"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="grid-name">' in html
    assert "紫荆第1网格 (440402001001001)" in html
    assert 'accept="image/*"' in html
    assert 'capture="environment"' in html
    assert 'data-geojson-query="within=440402001001001"' in html
    photos = [upload("1.jpg", image_bytes()), upload("2.webp", image_bytes("WEBP"))]
    response = client.post(reverse("web:appeal_grid_report"), report_form(photos=photos))
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.GRID
    assert appeal.admin_unit_code == "440402001001001"
    assert appeal.created_by == staff["xz_grid"]
    assert Attachment.objects.filter(appeal=appeal, kind="photo").count() == 2
    after = client.get(response["Location"]).content.decode()
    assert f"Report {appeal.number} registered." in after
    assert 'data-testid="my-reports"' in after
    assert appeal.number in after


def test_grid_worker_may_not_report_outside_the_grid(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
) -> None:
    client = client_for(staff["xz_grid"])
    photos = [upload("1.jpg", image_bytes())]
    # (7, 5) lies in 紫荆第2网格, next door
    response = client.post(
        reverse("web:appeal_grid_report"), report_form(lon="7", lat="5", photos=photos)
    )
    assert response.status_code == 403
    assert "Grid workers report events inside their own grid." in response.content.decode()
    assert Appeal.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_grid_reports_take_photos_only(territory: Any, staff: dict[str, User]) -> None:  # noqa: F811
    client = client_for(staff["xz_grid"])
    response = client.post(
        reverse("web:appeal_grid_report"),
        report_form(photos=[upload("a.pdf", pdf_bytes(), "application/pdf")]),
    )
    assert response.status_code == 400
    assert "Grid reports take photos only." in response.content.decode()
    assert Appeal.objects.count() == 0


def test_my_reports_lists_own_reports_with_bounded_queries(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
    make_user: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from civicgrid.accounts.models import Role

    colleague = make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1, username="xz-g2")
    numbers = []
    for n in range(3):
        appeal, _code = services.appeal_accept(
            actor=staff["xz_grid"],
            channel=Channel.GRID,
            appeal_type="report",
            title=f"事件{n}",
            text="巡查发现",
        )
        numbers.append(appeal.number)
    theirs, _code = services.appeal_accept(
        actor=colleague, channel=Channel.GRID, appeal_type="report", title="别人的", text="巡查"
    )
    client = client_for(staff["xz_grid"])
    client.get(reverse("web:appeal_grid_report"))
    with django_assert_max_num_queries(8) as captured:
        html = client.get(reverse("web:appeal_grid_report")).content.decode()
    listed = re.findall(r'<a href="/appeals/(\d+)/">', html)
    assert listed == list(reversed(numbers))
    assert theirs.number not in listed
    for n in range(12):
        services.appeal_accept(
            actor=staff["xz_grid"],
            channel=Channel.GRID,
            appeal_type="report",
            title=f"更多{n}",
            text="巡查发现",
        )
    with django_assert_max_num_queries(len(captured.captured_queries)):
        html = client.get(reverse("web:appeal_grid_report")).content.decode()
    assert len(re.findall(r'<a href="/appeals/(\d+)/">', html)) == 10
    assert "Page 1 of 2" in html


@pytest.mark.parametrize("debug", [False, True])
def test_media_root_is_not_served_directly(
    territory: Any,
    staff: dict[str, User],  # noqa: F811
    settings: Any,
    debug: bool,
) -> None:
    from django.urls import clear_url_caches

    settings.DEBUG = debug
    clear_url_caches()
    appeal, _code = web_appeal(("a.jpg", image_bytes()))
    attachment = Attachment.objects.get(appeal=appeal)
    client = client_for(staff["xz_dispatcher"])
    assert client.get(settings.MEDIA_URL + attachment.file.name).status_code == 404
    assert client.get(file_url(attachment)).status_code == 200
