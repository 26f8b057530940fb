"""Appeal attachments (附件): the type comes from the bytes, limits on size and count, photos
lose their GPS data, nothing half-written (no row without a file, no file without a row)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from civicgrid.accounts.models import User
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealEvent, AppealStatus, Attachment
from civicgrid.appeals.services import attachments as attachment_services
from civicgrid.core.errors import DomainError, PermissionDeniedError

GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- bytes made in the test ------------------------------------------------------------------


def image_bytes(fmt: str = "JPEG", *, gps: bool = False, size: tuple[int, int] = (40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (22.0, 16.0, 30.0), 3: "E", 4: (113.0, 34.0, 12.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_bytes(main_part: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
        if macros:
            package.writestr("word/vbaProject.bin", b"\0" * 10)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Real files on disk in a temporary MEDIA_ROOT (the test settings keep them in memory)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# --- type sniffing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "kind"),
    [
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg", "photo"),
        ("photo.png", image_bytes("PNG"), "image/png", "photo"),
        ("photo.webp", image_bytes("WEBP"), "image/webp", "photo"),
        ("letter.pdf", pdf_bytes(), "application/pdf", "document"),
        (
            "letter.docx",
            office_bytes("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
        ),
        (
            "table.xlsx",
            office_bytes("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "document",
        ),
    ],
)
def test_accepted_types_are_known_from_their_bytes(
    name: str, content: bytes, content_type: str, kind: str
) -> None:
    checked = services.attachment_check(upload(name, content, "text/html"))
    assert checked.file_type.content_type == content_type
    assert checked.file_type.kind == kind
    assert checked.original_name == name


def test_a_png_renamed_pdf_is_a_png() -> None:
    checked = services.attachment_check(upload("report.pdf", image_bytes("PNG"), "application/pdf"))
    assert checked.file_type.content_type == "image/png"
    assert checked.file_type.extension == ".png"
    assert checked.original_name == "report.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.jpg", b"<html><script>alert(1)</script></html>"),
        ("truncated.jpg", image_bytes("JPEG", size=(400, 300))[:300]),
        ("truncated.png", image_bytes("PNG", size=(400, 300))[:200]),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"),
        ("macro.docx", office_bytes("word/document.xml", macros=True)),
        ("archive.docx", b"PK\x03\x04not really a zip"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_by_name(name: str, content: bytes) -> None:
    with pytest.raises(DomainError) as raised:
        services.attachment_check(upload(name, content, "image/jpeg"))
    assert raised.value.field == "attachments"
    assert raised.value.message == (
        f"“{name}” is not a complete JPEG, PNG or WebP photo or a PDF, DOCX or XLSX document "
        "(the content was checked, not the name)."
    )


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(DomainError) as raised:
        services.attachment_check(upload("empty.jpg", b""))
    assert raised.value.message == "“empty.jpg” is empty."


def test_a_photo_over_10_mb_is_refused() -> None:
    # (sizes are written with a no-break space, "10.0\xa0MB")
    # A valid JPEG followed by padding: a real photo's type with 10 MB + 1 byte.
    photo = image_bytes("JPEG")
    content = photo + b"\0" * (attachment_services.PHOTO_MAX_BYTES + 1 - len(photo))
    with pytest.raises(DomainError) as raised:
        services.attachment_check(upload("big.jpg", content))
    assert raised.value.message == (
        "“big.jpg” is too large (10.0\xa0MB); a JPEG file may be at most 10.0\xa0MB."
    )


def test_a_pdf_of_10_mb_is_fine_but_over_20_mb_is_refused() -> None:
    body = b"%PDF-1.4\n" + b"0" * (attachment_services.PHOTO_MAX_BYTES + 10) + b"\n%%EOF\n"
    assert services.attachment_check(upload("big.pdf", body)).size == len(body)
    too_big = b"%PDF-1.4\n" + b"0" * attachment_services.DOCUMENT_MAX_BYTES + b"\n%%EOF\n"
    with pytest.raises(DomainError) as raised:
        services.attachment_check(upload("huge.pdf", too_big))
    assert raised.value.message == (
        "“huge.pdf” is too large (20.0\xa0MB); files may be at most 20.0\xa0MB."
    )


def test_photos_lose_their_gps_data_but_keep_the_orientation() -> None:
    for fmt in ("JPEG", "PNG", "WEBP"):
        original = image_bytes(fmt, gps=True)
        assert GPS_IFD in Image.open(io.BytesIO(original)).getexif()
        checked = services.attachment_check(upload(f"photo.{fmt.lower()}", original))
        exif = Image.open(io.BytesIO(checked.content)).getexif()
        assert GPS_IFD not in exif, fmt
        assert exif[ORIENTATION] == 6, fmt
        assert Image.open(io.BytesIO(checked.content)).size == (40, 30)


def test_hostile_names_are_cleaned_for_the_row() -> None:
    name = "../../etc/<img src=x onerror=alert(1)>\x00\n.jpg"
    checked = services.attachment_check(upload("x.jpg", image_bytes()))
    assert checked.original_name == "x.jpg"
    assert attachment_services.clean_file_name(name) == "<img src=x onerror=alert(1)>.jpg"
    assert attachment_services.clean_file_name("C:\\Users\\张三\\照片.jpg") == "照片.jpg"
    assert attachment_services.clean_file_name("...") == "unnamed file"
    long_name = "长" * 300 + ".pdf"
    assert attachment_services.clean_file_name(long_name) == "长" * 196 + ".pdf"


# --- storing -----------------------------------------------------------------------------------


def test_attachment_add_stores_a_random_name_a_row_and_an_event(
    media: Path, accept: Callable[..., Appeal], staff: dict[str, User]
) -> None:
    appeal = accept()
    content = image_bytes("PNG")
    attachment = services.attachment_add(
        actor=staff["operator"], appeal=appeal, upload=upload("现场.png", content)
    )
    attachment.refresh_from_db()
    assert attachment.original_name == "现场.png"
    assert attachment.content_type == "image/png"
    assert attachment.kind == "photo"
    assert attachment.size == len(attachment.file.read())
    assert attachment.uploaded_by == staff["operator"]
    assert attachment.is_from_citizen is False
    assert attachment.file.name.startswith("appeals/")
    assert attachment.file.name.endswith(".png")
    assert "现场" not in attachment.file.name
    assert len(attachment.sha256) == 64
    assert stored_files(media) == [media / attachment.file.name]
    event = AppealEvent.objects.get(appeal=appeal, kind="attachment")
    assert event.actor == staff["operator"]
    assert event.details == {
        "attachments": [attachment.pk],
        "names": ["现场.png"],
        "is_from_citizen": False,
    }


def test_at_most_nine_files_per_appeal(
    media: Path, accept: Callable[..., Appeal], staff: dict[str, User]
) -> None:
    appeal = accept()
    files = services.attachments_check([upload(f"{n}.png", image_bytes("PNG")) for n in range(8)])
    services.attachments_add(actor=staff["operator"], appeal=appeal, files=files)
    two = services.attachments_check([upload(f"x{n}.png", image_bytes("PNG")) for n in range(2)])
    with pytest.raises(DomainError) as raised:
        services.attachments_add(actor=staff["operator"], appeal=appeal, files=two)
    assert raised.value.message == "An appeal may have at most 9 files; this would make 10."
    assert Attachment.objects.filter(appeal=appeal).count() == 8
    assert len(stored_files(media)) == 8
    with pytest.raises(DomainError) as raised:
        services.attachments_check([upload("a.png", image_bytes("PNG"))] * 10)
    assert raised.value.message == "An appeal may have at most 9 files; this would make 10."


def test_a_failing_database_write_leaves_no_file_behind(
    media: Path,
    accept: Callable[..., Appeal],
    staff: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    appeal = accept()
    files = services.attachments_check(
        [upload("a.png", image_bytes("PNG")), upload("b.pdf", pdf_bytes())]
    )
    real_save = Attachment.save
    calls = {"n": 0}

    def second_save_fails(self: Attachment, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise IntegrityError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", second_save_fails)
    with pytest.raises(IntegrityError):
        services.attachments_add(actor=staff["operator"], appeal=appeal, files=files)
    assert calls["n"] == 2
    assert Attachment.objects.count() == 0
    assert not AppealEvent.objects.filter(kind="attachment").exists()
    assert stored_files(media) == []


def test_submission_with_a_bad_file_creates_nothing(
    media: Path, staff: dict[str, User], territory: Any
) -> None:
    # The form checks every file first; the bad one stops it before the appeal exists.
    with pytest.raises(DomainError):
        services.attachments_check(
            [upload("ok.jpg", image_bytes()), upload("bad.jpg", b"GIF89a....")]
        )
    assert Appeal.objects.count() == 0
    assert stored_files(media) == []


def test_submission_with_files_is_one_appeal_for_one_idempotency_key(
    media: Path, territory: Any
) -> None:
    def submit() -> tuple[Appeal, str | None]:
        files = services.attachments_check([upload("a.jpg", image_bytes())])
        return services.appeal_accept_with_files(
            files=files,
            is_from_citizen=True,
            actor=None,
            channel="web",
            appeal_type="complaint",
            title="路灯不亮",
            text="小区路灯坏了一周。",
            idempotency_key="web:same-key",
        )

    first, code = submit()
    again, code_again = submit()
    assert again.pk == first.pk
    assert code is not None
    assert code_again is None
    assert Appeal.objects.count() == 1
    assert list(Attachment.objects.values_list("appeal_id", "is_from_citizen")) == [
        (first.pk, True)
    ]
    assert len(stored_files(media)) == 1


def test_a_failing_intake_after_storing_removes_the_files(
    media: Path, territory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = services.attachments_check([upload("a.jpg", image_bytes())])
    real_create = AppealEvent.objects.create

    def event_fails(**kwargs: Any) -> AppealEvent:
        if kwargs.get("kind") == "attachment":
            raise IntegrityError("lost connection")
        return real_create(**kwargs)

    monkeypatch.setattr(AppealEvent.objects, "create", event_fails)
    with pytest.raises(IntegrityError):
        services.appeal_accept_with_files(
            files=files,
            is_from_citizen=True,
            actor=None,
            channel="web",
            appeal_type="complaint",
            title="路灯不亮",
            text="小区路灯坏了一周。",
        )
    assert Appeal.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_who_may_add_files(accept: Callable[..., Appeal], staff: dict[str, User]) -> None:
    appeal = accept()  # in 香洲区
    photo = [services.attachment_check(upload("a.jpg", image_bytes()))]
    for actor in (staff["dm_dispatcher"], staff["dm_staff"]):
        with pytest.raises(PermissionDeniedError):
            services.attachments_add(actor=actor, appeal=appeal, files=photo)
    with pytest.raises(PermissionDeniedError):
        services.attachments_add(actor=None, appeal=appeal, files=photo, is_from_citizen=False)
    assert Attachment.objects.count() == 0
    assert not AppealEvent.objects.filter(kind="attachment").exists()
    services.attachments_add(actor=staff["xz_dispatcher"], appeal=appeal, files=photo)
    assert Attachment.objects.count() == 1


def test_no_files_on_a_cancelled_appeal(
    accept: Callable[..., Appeal], staff: dict[str, User]
) -> None:
    appeal = accept()
    services.appeal_cancel(
        actor=staff["xz_dispatcher"], appeal=appeal, expected_version=appeal.version, reason="重复"
    )
    photo = [services.attachment_check(upload("a.jpg", image_bytes()))]
    with pytest.raises(DomainError) as raised:
        services.attachments_add(actor=staff["xz_dispatcher"], appeal=appeal, files=photo)
    assert raised.value.message == (
        "No files can be added while the appeal is cancelled as invalid."
    )
    assert Attachment.objects.count() == 0
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.CANCELLED
