"""Record linkage services: linking source records writes links, review candidates and an audit
row, a re-run creates nothing new, review decisions need the right role and scope; the review
queue page and the ``civicgrid registry link`` command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Role, User
from civicgrid.core.errors import ConflictError, PermissionDeniedError
from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.core.models import AuditRecord
from civicgrid.registry import crypto
from civicgrid.registry.linkage import LinkageSettings
from civicgrid.registry.linkage.selectors import link_candidates_visible_to
from civicgrid.registry.linkage.services import (
    link_candidate_accept,
    link_candidate_reject,
    link_source_records,
)
from civicgrid.registry.models import (
    Address,
    Building,
    LinkCandidate,
    Person,
    ReviewStatus,
    Source,
    SourceRecord,
)

pytestmark = pytest.mark.django_db

FIXED = LinkageSettings(train=False, threads=1)
SURNAMES = "陈林黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐"
GIVEN = "明华强军杰涛超勇艳娟静丽敏霞平刚英兰玉萍"


def make_person(
    grid: Any,
    n: int,
    name: str,
    phone: str,
    born: dt.date,
    *,
    road: str,
    number: str,
    building: str,
    room: str,
) -> Person:
    body = f"440402{born:%Y%m%d}{n:03d}"
    number_id = body + id_number_check_digit(body)
    key = f"香洲区|||{road}|{number}|{building}"
    block, _ = Building.objects.get_or_create(
        key=key,
        defaults={
            "district": "香洲区",
            "road": road,
            "house_number": number,
            "building_name": building,
            "admin_unit": grid,
            "admin_unit_code": grid.code,
        },
    )
    address = Address.objects.create(
        key=f"{key}||{room}",
        building=block,
        room=room,
        full_text=f"香洲区{road}{number}号{building}栋{room}",
        admin_unit_code=grid.code,
    )
    return Person.objects.create(
        id_hash=crypto.id_hash(number_id),
        id_sealed=crypto.seal(number_id),
        id_masked=number_id[:6] + "********" + number_id[-4:],
        name=name,
        sex="M" if n % 2 else "F",
        birth_date=born,
        region_code="440402",
        phone=phone,
        current_address=address,
        admin_unit=grid,
        admin_unit_code=grid.code,
    )


@pytest.fixture
def registry(territory: Any) -> dict[str, Person]:
    grid = territory.xz_grid_1
    people = {
        "zhang": make_person(
            grid, 1, "张三丰", "13812345678", dt.date(1990, 1, 2),
            road="人民西路", number="12", building="3", room="501",
        ),
        "wang_a": make_person(
            grid, 2, "王芳", "13800000002", dt.date(1985, 6, 15),
            road="凤凰北路", number="8", building="2", room="301",
        ),
        "wang_b": make_person(
            grid, 3, "王芳", "13800000003", dt.date(1992, 3, 9),
            road="凤凰北路", number="8", building="2", room="602",
        ),
    }  # fmt: skip
    for i in range(20):
        people[f"other{i}"] = make_person(
            territory.xz_grid_2,
            10 + i,
            SURNAMES[i] + GIVEN[i] + GIVEN[(i * 7) % 20],
            f"1390000{i:04d}",
            dt.date(1950 + i, 1 + i % 12, 1 + i),
            road=f"白莲{i + 1}路",
            number=str(i + 3),
            building=str(i % 5 + 1),
            room=f"{i + 1}01",
        )
    return people


@pytest.fixture
def grid_source(db: Any) -> Source:
    source, _ = Source.objects.get_or_create(code="grid", defaults={"name": "网格采集"})
    return source


def make_row(source: Source, fields: dict[str, str]) -> SourceRecord:
    return SourceRecord.objects.create(
        source=source,
        entity_kind="person",
        natural_key="",
        fingerprint=json.dumps(fields, sort_keys=True, ensure_ascii=False)[:64],
        fields=fields,
        received_at=timezone.now(),
    )


@pytest.fixture
def rows(grid_source: Source) -> dict[str, SourceRecord]:
    return {
        "exact": make_row(
            grid_source,
            {
                "name": "张三丰",
                "phone": "138 1234 5678",
                "birth_date": "1990-01-02",
                "current_address": "珠海市香洲区人民西路12号3栋501房",
            },
        ),
        "ambiguous": make_row(
            grid_source, {"name": "王芳", "current_address": "香洲区凤凰北路8号2栋"}
        ),
        "stranger": make_row(
            grid_source, {"姓名": "欧阳子瑜", "联系电话": "13677778888", "现住址": "金湾区红旗镇"}
        ),
    }


def test_run_links_queues_and_leaves_unmatched_with_one_audit_row(
    registry: dict[str, Person], rows: dict[str, SourceRecord]
) -> None:
    summary = link_source_records(actor=None, settings=FIXED)
    assert (summary.records, summary.persons) == (3, 23)
    assert (summary.linked, summary.review, summary.unmatched) == (1, 1, 1)
    assert summary.candidates_created == 2
    for record in rows.values():
        record.refresh_from_db()
    assert rows["exact"].person == registry["zhang"]
    assert rows["exact"].admin_unit_code == registry["zhang"].admin_unit_code
    assert rows["ambiguous"].person is None
    assert rows["stranger"].person is None
    candidates = LinkCandidate.objects.filter(source_record=rows["ambiguous"])
    assert {c.person_id for c in candidates} == {registry["wang_a"].pk, registry["wang_b"].pk}
    assert {c.status for c in candidates} == {ReviewStatus.OPEN}
    assert {c.admin_unit_code for c in candidates} == {registry["wang_a"].admin_unit_code}
    assert not LinkCandidate.objects.exclude(source_record=rows["ambiguous"]).exists()
    audit = AuditRecord.objects.get(action="registry.linkage_run")
    assert audit.actor_username == "system"
    assert audit.details["linked"] == 1
    assert audit.details["review"] == 1


def test_rerun_creates_nothing_new(
    registry: dict[str, Person], rows: dict[str, SourceRecord]
) -> None:
    link_source_records(actor=None, settings=FIXED)
    before = list(LinkCandidate.objects.values_list("pk", "status").order_by("pk"))
    again = link_source_records(actor=None, settings=FIXED)
    assert again.records == 2  # the linked row is not read again
    assert (again.linked, again.review, again.candidates_created) == (0, 1, 0)
    assert list(LinkCandidate.objects.values_list("pk", "status").order_by("pk")) == before
    assert SourceRecord.objects.filter(person__isnull=False).count() == 1


def test_a_rejected_pair_is_never_proposed_again(
    registry: dict[str, Person], rows: dict[str, SourceRecord], city_admin: User
) -> None:
    link_source_records(actor=None, settings=FIXED)
    for candidate in LinkCandidate.objects.filter(source_record=rows["ambiguous"]):
        link_candidate_reject(actor=city_admin, candidate=candidate)
    again = link_source_records(actor=None, settings=FIXED)
    assert again.candidates_created == 0
    assert again.review == 0
    assert not LinkCandidate.objects.filter(status=ReviewStatus.OPEN).exists()
    rows["ambiguous"].refresh_from_db()
    assert rows["ambiguous"].person is None


def test_accept_links_the_row_and_rejects_its_other_candidates(
    registry: dict[str, Person], rows: dict[str, SourceRecord], city_admin: User
) -> None:
    link_source_records(actor=None, settings=FIXED)
    chosen = LinkCandidate.objects.get(source_record=rows["ambiguous"], person=registry["wang_b"])
    other = LinkCandidate.objects.get(source_record=rows["ambiguous"], person=registry["wang_a"])
    link_candidate_accept(actor=city_admin, candidate=chosen)
    rows["ambiguous"].refresh_from_db()
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert rows["ambiguous"].person == registry["wang_b"]
    assert (chosen.status, chosen.decided_by) == (ReviewStatus.ACCEPTED, city_admin)
    assert (other.status, other.decided_by) == (ReviewStatus.REJECTED, city_admin)
    audit = AuditRecord.objects.get(action="registry.link_accept")
    assert audit.actor == city_admin
    assert audit.details["person"] == registry["wang_b"].pk
    assert audit.details["other_candidates_rejected"] == 1
    with pytest.raises(ConflictError):
        link_candidate_reject(actor=city_admin, candidate=other)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("citizen", False),
        ("grid_worker", False),
        ("department_staff", False),
        ("leader", False),
        ("doumen_admin", False),
        ("xiangzhou_admin", True),
        ("programme_office", True),
        ("city_admin", True),
    ],
)
def test_review_decisions_need_an_administrator_or_the_programme_office_in_scope(
    registry: dict[str, Person],
    rows: dict[str, SourceRecord],
    territory: Any,
    make_user: Callable[..., User],
    who: str,
    allowed: bool,
) -> None:
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "citizen": make_user(Role.CITIZEN),
        "grid_worker": make_user(Role.GRID_WORKER, scope_unit=territory.xz_grid_1),
        "department_staff": make_user(Role.DEPARTMENT_STAFF, scope_unit=territory.xz_community),
        "leader": make_user(Role.LEADER),
        "doumen_admin": make_user(Role.ADMINISTRATOR, scope_unit=territory.doumen),
        "xiangzhou_admin": make_user(Role.ADMINISTRATOR, scope_unit=territory.xiangzhou),
        "programme_office": make_user(Role.PROGRAMME_OFFICE),
        "city_admin": make_user(Role.ADMINISTRATOR),
    }
    actor = users[who]
    link_source_records(actor=None, settings=FIXED)
    candidate = LinkCandidate.objects.filter(source_record=rows["ambiguous"]).first()
    assert candidate is not None
    visible = link_candidates_visible_to(actor)
    assert (candidate in visible) is allowed
    audits = AuditRecord.objects.count()
    if allowed:
        link_candidate_reject(actor=actor, candidate=candidate)
        candidate.refresh_from_db()
        assert candidate.status == ReviewStatus.REJECTED
        return
    for decide in (link_candidate_accept, link_candidate_reject):
        with pytest.raises(PermissionDeniedError):
            decide(actor=actor, candidate=candidate)
    candidate.refresh_from_db()
    rows["ambiguous"].refresh_from_db()
    assert candidate.status == ReviewStatus.OPEN
    assert rows["ambiguous"].person is None
    assert AuditRecord.objects.count() == audits


def test_running_linkage_needs_a_city_wide_administrator(
    registry: dict[str, Person],
    rows: dict[str, SourceRecord],
    territory: Any,
    make_user: Callable[..., User],
) -> None:
    scoped = make_user(Role.ADMINISTRATOR, scope_unit=territory.xiangzhou)
    with pytest.raises(PermissionDeniedError):
        link_source_records(actor=scoped, settings=FIXED)
    assert not SourceRecord.objects.filter(person__isnull=False).exists()
    office = make_user(Role.PROGRAMME_OFFICE)
    assert link_source_records(actor=office, settings=FIXED).linked == 1
    assert AuditRecord.objects.get(action="registry.linkage_run").actor == office


# --- the review queue page ------------------------------------------------------------------


def test_queue_page_shows_masked_candidates_and_accepts(
    client: Any,
    registry: dict[str, Person],
    rows: dict[str, SourceRecord],
    city_admin: User,
    django_assert_max_num_queries: Any,
) -> None:
    link_source_records(actor=None, settings=FIXED)
    client.force_login(city_admin)
    url = reverse("web:registry_link_queue")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("data-candidate=") == 2
    assert "13800000002" not in page  # phones are masked
    assert "凤凰北路8号2栋301" not in page  # so are addresses
    candidate = LinkCandidate.objects.get(
        source_record=rows["ambiguous"], person=registry["wang_a"]
    )
    response = client.post(reverse("web:registry_link_accept", args=[candidate.pk]))
    assert response.status_code == 302
    rows["ambiguous"].refresh_from_db()
    assert rows["ambiguous"].person == registry["wang_a"]
    assert client.get(url).content.decode().count("data-candidate=") == 0


def test_queue_page_is_refused_to_other_roles(
    client: Any,
    registry: dict[str, Person],
    rows: dict[str, SourceRecord],
    xz_grid_worker: User,
    make_user: Callable[..., User],
    territory: Any,
) -> None:
    link_source_records(actor=None, settings=FIXED)
    candidate = LinkCandidate.objects.first()
    assert candidate is not None
    client.force_login(xz_grid_worker)
    assert client.get(reverse("web:registry_link_queue")).status_code == 403
    response = client.post(reverse("web:registry_link_accept", args=[candidate.pk]))
    assert response.status_code == 404
    client.force_login(make_user(Role.ADMINISTRATOR, scope_unit=territory.doumen))
    assert client.get(reverse("web:registry_link_queue")).status_code == 200
    assert client.post(reverse("web:registry_link_reject", args=[candidate.pk])).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == ReviewStatus.OPEN


# --- the command ----------------------------------------------------------------------------


def _command(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("registry", "link", *args, "--no-train", "--threads", "1", stdout=out)
    return dict(json.loads(out.getvalue()))


def test_command_stores_and_links_a_gbk_file_and_repeats_safely(
    registry: dict[str, Person], grid_source: Source, tmp_path: Path
) -> None:
    path = tmp_path / "tenants.csv"
    path.write_bytes(
        (
            "姓名,联系电话,现住址,出生日期\n"
            "张山丰,13812345678,人民西路12号3栋501,\n"
            ",13900000000,香洲区,\n"
            "欧阳子瑜,13677778888,金湾区红旗镇,1990-02-30\n"
        ).encode("gbk")
    )
    first = _command(str(path), "--source", "grid")
    assert (first["rows_read"], first["rows_stored"], first["rows_already_stored"]) == (3, 2, 0)
    assert [(p["line"], p["field"]) for p in first["row_problems"]] == [
        (3, "name"),
        (4, "birth_date"),
    ]
    assert (first["linked"], first["review"], first["unmatched"]) == (1, 0, 1)
    linked = SourceRecord.objects.get(person__isnull=False)
    assert linked.person == registry["zhang"]
    assert linked.line == 2
    assert linked.fields == {
        "name": "张山丰",
        "phone": "13812345678",
        "address": "人民西路12号3栋501",
    }
    again = _command(str(path), "--source", "grid")
    assert (again["rows_stored"], again["rows_already_stored"]) == (0, 2)
    assert (again["records"], again["linked"], again["candidates_created"]) == (1, 0, 0)
    assert SourceRecord.objects.count() == 2


def test_command_refuses_bad_options(grid_source: Source, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("电话\n13812345678\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no name"):
        _command(str(path), "--source", "grid")
    with pytest.raises(CommandError, match="no such source"):
        _command(str(path), "--source", "nowhere")
    with pytest.raises(CommandError, match="--source is required"):
        _command(str(path))
    with pytest.raises(CommandError, match="--accept/--review"):
        _command("--accept", "0.5", "--review", "0.9")
    assert not SourceRecord.objects.exists()


def test_command_reads_excel_with_english_headers(
    registry: dict[str, Person], grid_source: Source, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "phone", "address", "birth_date"])
    sheet.append(["張三豐", "+86 138-1234-5678", "香洲区人民西路12号3栋501", dt.date(1990, 1, 2)])
    path = tmp_path / "tenants.xlsx"
    workbook.save(path)
    report = _command(str(path), "--source", "grid")
    assert (report["rows_read"], report["rows_stored"], report["linked"]) == (1, 1, 1)
    record = SourceRecord.objects.get()
    assert record.person == registry["zhang"]
    assert record.fields["birth_date"] == "1990-01-02"
