"""Registry import pages: who may upload, background run, progress fragment, error report."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from civicgrid.accounts.models import Role, User
from civicgrid.core.models import AuditRecord
from civicgrid.registry.models import ImportRun, ImportStatus, Person, Source
from civicgrid.registry.tests.test_import_persons import make_id


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _file(rows: list[str]) -> SimpleUploadedFile:
    text = "身份证号,姓名,联系电话\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("people.csv", text.encode("gbk"), content_type="text/csv")


@pytest.fixture(autouse=True)
def _inline_and_var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.CIVICGRID_REGISTRY_IMPORT_INLINE = True


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.CITIZEN, 403),
        (Role.GRID_WORKER, 403),
        (Role.LEADER, 403),
        (Role.PROGRAMME_OFFICE, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_who_may_open_the_import_page(
    territory: Any, make_user: Callable[..., User], role: str | None, status: int
) -> None:
    user = make_user(role) if role else None
    response = client_for(user).get(reverse("web:registry_imports"))
    assert response.status_code == status


def test_upload_imports_in_the_background_and_reports_errors(
    territory: Any, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    client = client_for(admin)
    good = make_id("440402", "19800101", 123)
    response = client.post(
        reverse("web:registry_imports"),
        {
            "kind": "persons",
            "source": "gongan",
            "file": _file([f"{good},张三,13800001111", "123,李四,"]),
        },
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:registry_import_detail", args=[run.pk])
    assert (run.status, run.created_count, run.invalid_count) == (ImportStatus.COMPLETED, 1, 1)
    assert run.created_by == admin
    assert Path(run.file_path).is_file()
    assert Person.objects.get().name == "张三"
    assert AuditRecord.objects.filter(action="registry.import_start", actor=admin).count() == 1
    page = client.get(reverse("web:registry_import_detail", args=[run.pk]))
    html = page.content.decode()
    assert 'data-testid="import-progress"' in html
    assert "hx-trigger" not in html  # finished: no more polling
    assert "100%" in html
    assert "身份证号 (id_number)" in html
    assert good not in html
    report = client.get(reverse("web:registry_import_errors", args=[run.pk]))
    text = report.content.decode("utf-8-sig")
    assert report["Content-Type"].startswith("text/csv")
    assert text.splitlines()[1].startswith("3,")
    assert good not in text


def test_running_import_polls_its_progress(territory: Any, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    run = ImportRun.objects.create(
        entity_kind="person",
        source=Source.objects.get(code="gongan"),
        file_name="big.csv",
        file_sha256="0" * 64,
        total_rows=1000,
        committed_lines=251,
        created_count=250,
    )
    fragment = client_for(admin).get(reverse("web:registry_import_progress", args=[run.pk]))
    html = fragment.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'data-testid="import-percent">25%' in html


def test_department_staff_import_only_their_department_sources(
    territory: Any, make_user: Callable[..., User]
) -> None:
    staff = make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs)
    client = client_for(staff)
    assert client.get(reverse("web:registry_imports")).status_code == 403
    Source.objects.filter(code="minzheng").update(department=territory.civil_affairs)
    page = client.get(reverse("web:registry_imports"))
    assert page.status_code == 200
    assert page.context["form"].fields["source"].choices == [("minzheng", "民政")]
    response = client.post(
        reverse("web:registry_imports"),
        {"kind": "persons", "source": "gongan", "file": _file(["x,y,"])},
    )
    assert response.status_code == 200
    assert ImportRun.objects.count() == 0


@override_settings(CIVICGRID_REGISTRY_IMPORT_INLINE=True)
def test_other_users_runs_are_not_found(territory: Any, make_user: Callable[..., User]) -> None:
    run = ImportRun.objects.create(
        entity_kind="person",
        source=Source.objects.get(code="gongan"),
        file_name="x.csv",
        file_sha256="0" * 64,
    )
    staff = make_user(Role.DEPARTMENT_STAFF, department=territory.civil_affairs)
    Source.objects.filter(code="minzheng").update(department=territory.civil_affairs)
    client = client_for(staff)
    assert client.get(reverse("web:registry_import_detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("web:registry_import_errors", args=[run.pk])).status_code == 404


def test_a_stalled_import_is_resumed_from_its_stored_file(
    territory: Any, make_user: Callable[..., User], tmp_path: Path
) -> None:
    import datetime as dt

    from django.utils import timezone

    from civicgrid.registry.services import SimulatedCrash, registry_import

    admin = make_user(Role.ADMINISTRATOR)
    rows = [f"{make_id('440402', '19800101', n)},人{n}," for n in range(12)]
    path = tmp_path / "p.csv"
    path.write_bytes(("身份证号,姓名,联系电话\n" + "\n".join(rows) + "\n").encode("gbk"))
    with pytest.raises(SimulatedCrash):
        registry_import(
            actor=admin,
            kind="persons",
            source="gongan",
            path=path,
            chunk_size=5,
            crash_after_chunks=1,
        )
    run = ImportRun.objects.get()
    client = client_for(admin)
    url = reverse("web:registry_import_resume", args=[run.pk])
    client.post(url)  # still running a moment ago: refused
    run.refresh_from_db()
    assert (run.status, run.committed_lines, Person.objects.count()) == ("running", 6, 5)
    ImportRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    detail = client.get(reverse("web:registry_import_detail", args=[run.pk]))
    assert 'data-testid="import-resume"' in detail.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created_count, run.committed_lines) == ("completed", 12, 13)
    assert Person.objects.count() == 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="writer connections of their own")
@pytest.mark.django_db(transaction=True)
def test_an_upload_runs_in_a_background_thread_with_the_writers(
    territory: Any,
    make_user: Callable[..., User],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As on a server without a broker, on PostgreSQL: the upload starts a thread that imports
    with the pipeline (two writer connections for persons); the page then shows it finished."""
    settings.CIVICGRID_REGISTRY_IMPORT_INLINE = False
    settings.CELERY_BROKER_URL = ""
    # A transactional test may follow another, which emptied the tables migrations fill.
    Source.objects.get_or_create(code="gongan", defaults={"name": "公安"})
    caplog.set_level(logging.INFO, logger="civicgrid.registry.services.imports")
    admin = make_user(Role.ADMINISTRATOR)
    client = client_for(admin)
    rows = [f"{make_id('440402', '19800101', n)},人{n},1380000{n:04d}" for n in range(40)]
    response = client.post(
        reverse("web:registry_imports"),
        {"kind": "persons", "source": "gongan", "file": _file([*rows, "123,坏,"])},
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    for thread in threading.enumerate():
        if thread.name == f"registry-import-{run.pk}":
            thread.join(timeout=60)
            assert not thread.is_alive()
    run.refresh_from_db()
    assert (run.status, run.created_count, run.invalid_count) == (ImportStatus.COMPLETED, 40, 1)
    assert run.committed_lines == 42
    # The pipeline's closing log line, written by the background thread.
    (closing,) = [record for record in caplog.records if hasattr(record, "writer_cpu")]
    assert closing.threadName == f"registry-import-{run.pk}"
    assert Person.objects.count() == 40
    html = client.get(reverse("web:registry_import_detail", args=[run.pk])).content.decode()
    assert "100%" in html
    assert "hx-trigger" not in html
