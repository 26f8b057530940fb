"""Test data for the sharing tests (registry, API, web): persons made directly with the models
and :mod:`civicgrid.registry.crypto`, in the small two-district test territory of conftest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from civicgrid.core.idnumbers import id_number_check_digit
from civicgrid.core.masking import mask_id_number
from civicgrid.registry import crypto
from civicgrid.registry.models import (
    Address,
    Building,
    EntityKind,
    FieldAuthority,
    FieldConflict,
    Household,
    HouseholdMember,
    LegalEntity,
    Person,
    Residence,
    Source,
    SourceRecord,
    SpecialGroupTag,
)
from civicgrid.territory.models import AdminUnit, Department, DepartmentKind

SOURCE_NAMES = {
    "gongan": "公安",
    "renshe": "人社",
    "minzheng": "民政",
    "shichang": "市场监管",
    "grid": "网格采集",
    "self": "自主申报",
}


def id_number(region: str, birth: dt.date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + id_number_check_digit(body)


def source(code: str) -> Source:
    found, _created = Source.objects.get_or_create(
        code=code, defaults={"name": SOURCE_NAMES.get(code, code)}
    )
    return found


def make_address(unit: AdminUnit, road: str, number: str, room: str) -> Address:
    building, _created = Building.objects.get_or_create(
        key=f"{unit.code}|{road}|{number}",
        defaults={
            "district": "香洲区" if unit.code.startswith("440402") else "斗门区",
            "road": road,
            "house_number": number,
            "admin_unit": unit,
            "admin_unit_code": unit.code,
        },
    )
    full_text = f"广东省珠海市{building.district}{road}{number}号{room}房"
    return Address.objects.create(
        key=f"{building.key}|{room}",
        building=building,
        room=room,
        full_text=full_text,
        admin_unit_code=unit.code,
    )


def make_person(
    unit: AdminUnit,
    *,
    name: str,
    birth: dt.date,
    sequence: int = 123,
    region: str = "440402",
    phone: str = "",
    status: str = "registered",
    employer: str = "",
    address: Address | None = None,
    registered_address: str = "",
    is_deceased: bool = False,
) -> tuple[Person, str]:
    """A person placed in ``unit``; returns the person and the plain ID number."""
    number = id_number(region, birth, sequence)
    at = timezone.now().isoformat()
    person = Person.objects.create(
        id_hash=crypto.id_hash(number),
        id_sealed=crypto.seal(number),
        id_masked=mask_id_number(number),
        name=name,
        sex="M" if sequence % 2 else "F",
        birth_date=birth,
        region_code=region,
        phone=phone,
        registered_address=registered_address,
        registered_division_code=region,
        residence_status=status,
        employer=employer,
        current_address=address,
        admin_unit=unit,
        admin_unit_code=unit.code,
        is_deceased=is_deceased,
        field_sources={
            "name": {"source": "gongan", "at": at},
            "id_number": {"source": "gongan", "at": at},
            "phone": {"source": "grid", "at": at},
            "employer": {"source": "renshe", "at": at},
        },
    )
    return person, number


@dataclass
class People:
    """Handles to the persons of :func:`build_people` and their plain ID numbers."""

    zhang: Person  # 紫荆第1网格 (xz_grid_1), registered, phone, employer, tags
    li: Person  # 紫荆第2网格 (xz_grid_2), floating
    wang: Person  # 白藤第1网格 (dm_grid_1)
    numbers: dict[str, str]  # name → plain ID number
    entity: LegalEntity
    household: Household
    renshe: Department
    conflict: FieldConflict


def build_people(territory: Any) -> People:
    for code in SOURCE_NAMES:
        source(code)
    home = make_address(territory.xz_grid_1, "紫荆路", "100", "501")
    zhang, zhang_number = make_person(
        territory.xz_grid_1,
        name="张三",
        birth=dt.date(1950, 3, 1),
        sequence=123,
        phone="13812345678",
        employer="珠海格力电器股份有限公司",
        address=home,
        registered_address="广东省珠海市香洲区紫荆路100号501房",
    )
    li, li_number = make_person(
        territory.xz_grid_2,
        name="李四",
        birth=dt.date(1990, 7, 15),
        sequence=246,
        region="430102",
        phone="13900001234",
        status="floating",
    )
    wang, wang_number = make_person(
        territory.dm_grid_1,
        name="王五",
        birth=dt.date(2010, 1, 20),
        sequence=357,
        region="440403",
        phone="13700007777",
    )
    Residence.objects.create(
        person=zhang,
        address=home,
        kind="own",
        moved_in=dt.date(2001, 5, 1),
        source=source("grid"),
        admin_unit_code=territory.xz_grid_1.code,
    )
    household = Household.objects.create(
        number="440402000001", address=home, admin_unit_code=territory.xz_grid_1.code
    )
    HouseholdMember.objects.create(household=household, person=zhang, relation="head")
    HouseholdMember.objects.create(household=household, person=li, relation="child")
    HouseholdMember.objects.create(household=household, person=wang, relation="grandchild")
    SpecialGroupTag.objects.create(
        person=zhang,
        group="elderly_alone",
        source=source("minzheng"),
        admin_unit_code=territory.xz_grid_1.code,
    )
    SourceRecord.objects.create(
        source=source("gongan"),
        entity_kind=EntityKind.PERSON,
        natural_key=zhang.id_hash,
        fingerprint="f1",
        fields={"name": "张三", "id_masked": zhang.id_masked, "phone": "13812345678"},
        received_at=timezone.now(),
        person=zhang,
        admin_unit_code=zhang.admin_unit_code,
    )
    entity = LegalEntity.objects.create(
        uscc="91440400MA4UE1234K",
        name="珠海紫荆物业管理有限公司",
        kind="company",
        legal_representative="赵六",
        admin_unit=territory.xz_grid_1,
        admin_unit_code=territory.xz_grid_1.code,
        field_sources={"name": {"source": "shichang", "at": timezone.now().isoformat()}},
    )
    renshe = Department.objects.create(
        code="city-hrss",
        name="珠海市人力资源和社会保障局",
        short_name="市人社局",
        kind=DepartmentKind.GOVERNMENT,
        admin_unit=territory.city,
    )
    renshe_source = source("renshe")
    renshe_source.department = renshe
    renshe_source.save()
    FieldAuthority.objects.get_or_create(
        entity_kind=EntityKind.PERSON, field_name="employer", source=renshe_source
    )
    conflict = FieldConflict.objects.create(
        entity_kind=EntityKind.PERSON,
        person=zhang,
        field_name="employer",
        current_value=zhang.employer,
        current_source="renshe",
        proposed_value="珠海华发集团有限公司",
        proposed_source=source("grid"),
        admin_unit_code=zhang.admin_unit_code,
    )
    return People(
        zhang=zhang,
        li=li,
        wang=wang,
        numbers={"张三": zhang_number, "李四": li_number, "王五": wang_number},
        entity=entity,
        household=household,
        renshe=renshe,
        conflict=conflict,
    )
