"""Imports of division codes, boundaries and departments: row errors, idempotence, city filter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from civicgrid.core.errors import DomainError
from civicgrid.core.models import AuditRecord
from civicgrid.territory.models import AdminUnit, Department, DepartmentAlias
from civicgrid.territory.services import (
    ImportReport,
    boundaries_import,
    community_short_name,
    departments_import,
    divisions_import,
)

DIVISIONS_CSV = """\ufeffcode,name,level,parent_code
4404,珠海市,city,
440402,香洲区,district,4404
440402001,翠香街道,street,440402
440402001001,紫荆社区居民委员会,community,440402001
44040200,坏代码街道,street,440402
440402002,,street,440402
440403001,白藤街道,street,440403
440402001001,重复社区,community,440402001
440402003,前山街道,town,440402
440402009,凤山街道,street,4404
440402009001,某社区居民委员会,community,440402009
4403,深圳市,city,
440303,罗湖区,district,4403
"""

EXPECTED_ERRORS = [
    (6, "44040200", "a street / town code must be 9 digits, got 44040200"),
    (7, "440402002", "the name is empty"),
    (8, "440403001", "the parent 440403 is neither in the file nor in the database"),
    (9, "440402001001", "the code 440402001001 appears twice (first on line 5)"),
    (10, "440402003", "unknown level town (expected city, district, street or community)"),
    (11, "440402009", "the parent 4404 is a city, but a street / town needs a district"),
    (12, "440402009001", "its parent 440402009 was rejected (line 11)"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_divisions_import_reports_bad_rows_with_line_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "divisions.csv", DIVISIONS_CSV)

    report = divisions_import(actor=None, path=path)

    assert report.errors == EXPECTED_ERRORS
    assert (report.created, report.updated, report.unchanged, report.skipped) == (6, 0, 0, 0)
    assert list(AdminUnit.objects.values_list("code", "name", "level", "parent__code")) == [
        ("4403", "深圳市", "city", None),
        ("440303", "罗湖区", "district", "4403"),
        ("4404", "珠海市", "city", None),
        ("440402", "香洲区", "district", "4404"),
        ("440402001", "翠香街道", "street", "440402"),
        ("440402001001", "紫荆社区居民委员会", "community", "440402001"),
    ]
    assert AdminUnit.objects.get(code="440402").source == "divisions.csv"
    audit = AuditRecord.objects.get(action="territory.import_divisions")
    assert audit.details == {
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
        "skipped": 0,
        "file": "divisions.csv",
        "cities": [],
    }


@pytest.mark.django_db
def test_divisions_import_twice_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "divisions.csv", DIVISIONS_CSV)
    divisions_import(actor=None, path=path)
    before = list(AdminUnit.objects.values_list("code", "updated_at", "parent_id"))

    again = divisions_import(actor=None, path=path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert again.errors == EXPECTED_ERRORS
    assert list(AdminUnit.objects.values_list("code", "updated_at", "parent_id")) == before
    assert AuditRecord.objects.filter(action="territory.import_divisions").count() == 2


@pytest.mark.django_db
def test_divisions_import_updates_a_renamed_unit(tmp_path: Path) -> None:
    divisions_import(actor=None, path=write(tmp_path, "a.csv", DIVISIONS_CSV))
    renamed = DIVISIONS_CSV.replace("翠香街道", "翠香街道办")

    report = divisions_import(actor=None, path=write(tmp_path, "a.csv", renamed))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert AdminUnit.objects.get(code="440402001").name == "翠香街道办"


@pytest.mark.django_db
def test_divisions_import_city_filter_keeps_only_that_city(tmp_path: Path) -> None:
    path = write(tmp_path, "divisions.csv", DIVISIONS_CSV)

    report = divisions_import(actor=None, path=path, city_codes={"4404"})

    assert report.skipped == 2
    assert report.created == 4
    assert report.errors == EXPECTED_ERRORS
    assert not AdminUnit.objects.filter(code__startswith="4403").exists()


@pytest.mark.django_db
def test_divisions_import_parent_from_database(tmp_path: Path) -> None:
    divisions_import(actor=None, path=write(tmp_path, "a.csv", DIVISIONS_CSV))
    path = write(
        tmp_path, "b.csv", "code,name,level,parent_code\n440402002,梅华街道,street,440402\n"
    )

    report = divisions_import(actor=None, path=path)

    assert (report.created, report.errors) == (1, [])
    assert AdminUnit.objects.get(code="440402002").parent.code == "440402"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_divisions_import_reads_gbk_files_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("code,name,level,parent_code\n4404,珠海市,city,\n".encode("gbk"))

    report = divisions_import(actor=None, path=path)

    assert (report.created, report.errors) == (1, [])
    assert AdminUnit.objects.get(code="4404").name == "珠海市"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\n4404,珠海市\n", "lacks the column(s): level, parent_code."),
        (
            b"code,name,level,parent_code\n4404,\xff\xff,city,\n",
            "is neither UTF-8 nor GB18030 text.",
        ),
    ],
)
def test_divisions_import_refuses_unusable_files(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")

    with pytest.raises(DomainError) as caught:
        divisions_import(actor=None, path=path)

    assert str(caught.value) == f"The file {path} {message}"
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_divisions_import_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as caught:
        divisions_import(actor=None, path=tmp_path / "nope.csv")
    assert caught.value.code == "file_not_found"
    assert str(caught.value) == f"The file {tmp_path / 'nope.csv'} does not exist."


# ---------------------------------------------------------------- boundaries


def feature(code: str | None, geometry: dict[str, Any]) -> dict[str, Any]:
    properties = {} if code is None else {"code": code, "name": "x"}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[10, 0], [20, 10], [20, 0], [10, 10], [10, 0]]]}


@pytest.mark.django_db
def test_boundaries_import(territory: Any, tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature("440402", SQUARE),
            feature("999999", SQUARE),
            feature("440402001", SQUARE),
            feature("440403", BOWTIE),
            feature("440402", SQUARE),
            feature(None, SQUARE),
            feature("4404", {"type": "Point", "coordinates": [1, 1]}),
        ],
    }
    path = write(tmp_path, "districts.geojson", json.dumps(collection))
    path_city = write(
        tmp_path,
        "city.geojson",
        json.dumps({"type": "FeatureCollection", "features": [collection["features"][-1]]}),
    )

    report = boundaries_import(actor=None, path=path, level="district", source="test survey")
    city_report = boundaries_import(actor=None, path=path_city, level="city")

    assert report.errors == [
        (2, "999999", "no admin unit has the code 999999"),
        (3, "440402001", "the unit 440402001 is a street / town, not a district"),
        (5, "440402", "the code 440402 appears twice (first in feature 1)"),
        (6, "", "the feature has no properties.code"),
        (7, "4404", "the unit 4404 is a city, not a district"),
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    assert city_report.errors == [
        (1, "4404", "broken geometry: the geometry is not a polygon or multipolygon")
    ]
    xiangzhou = AdminUnit.objects.get(code="440402")
    assert xiangzhou.boundary == SQUARE
    assert (xiangzhou.centroid_lon, xiangzhou.centroid_lat) == (2.0, 2.0)
    assert xiangzhou.boundary_source == "test survey"
    assert xiangzhou.is_demo_geometry is False
    # The self-intersecting bow tie was repaired into two triangles; its label point is inside.
    doumen = AdminUnit.objects.get(code="440403")
    repaired = shape(doumen.boundary)
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.is_valid
    assert repaired.area == pytest.approx(50.0)
    assert repaired.contains(shapely.Point(doumen.centroid_lon, doumen.centroid_lat))

    again = boundaries_import(actor=None, path=path, level="district", source="test survey")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_boundaries_import_refuses_a_file_that_is_not_a_feature_collection(
    territory: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "x.geojson", json.dumps({"type": "Feature"}))
    with pytest.raises(DomainError) as caught:
        boundaries_import(actor=None, path=path, level="district")
    assert str(caught.value) == f"The file {path} is not a GeoJSON FeatureCollection."
    with pytest.raises(DomainError):
        boundaries_import(actor=None, path=path, level="province")


# ---------------------------------------------------------------- departments

DEPARTMENTS_CSV = """code,name,short_name,kind,admin_unit_code,parent_code,aliases
city-hrss-fund,珠海市社会保险基金管理中心,市社保中心,government,4404,city-hrss,社保中心
city-hrss,珠海市人力资源和社会保障局,市人社局,government,4404,,人社局|市人力资源局
bad code,珠海市坏局,,government,4404,,
city-x,珠海市某局,,ministry,4404,,
city-y,珠海市某某局,,government,9999,,
city-z,珠海市另一局,,government,4404,,人社局
city-w,珠海市W局,,government,4404,missing-parent,
city-v,珠海市民政局,,government,4404,,
city-u,珠海市U局,,government,4404,,民政局
city-t,珠海市T局,,government,4404,city-w,
"""


@pytest.mark.django_db
def test_departments_import(territory: Any, tmp_path: Path) -> None:
    DepartmentAlias.objects.create(department=territory.civil_affairs, alias="民政局")
    path = write(tmp_path, "departments.csv", DEPARTMENTS_CSV)

    report = departments_import(actor=None, path=path)

    assert report.errors == [
        (
            4,
            "bad code",
            "the code bad code may only hold up to 40 letters, digits, hyphens and underscores",
        ),
        (
            5,
            "city-x",
            "unknown kind ministry (expected one of party, government, organisation, district,"
            " street, community, other)",
        ),
        (6, "city-y", "no admin unit has the code 9999"),
        (7, "city-z", "the alias 人社局 is already used on line 3"),
        (8, "city-w", "the parent department missing-parent does not exist"),
        (9, "city-v", "the name 珠海市民政局 already belongs to the department city-civil-affairs"),
        (10, "city-u", "the alias 民政局 already belongs to the department city-civil-affairs"),
        (11, "city-t", "its parent city-w was rejected (line 8)"),
    ]
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    fund = Department.objects.get(code="city-hrss-fund")
    assert fund.parent is not None
    assert fund.parent.code == "city-hrss"
    assert fund.admin_unit == territory.city
    assert sorted(
        DepartmentAlias.objects.filter(department__code="city-hrss").values_list("alias", flat=True)
    ) == ["人社局", "市人力资源局"]

    again = departments_import(actor=None, path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditRecord.objects.filter(action="territory.import_departments").count() == 2

    changed = DEPARTMENTS_CSV.replace("市社保中心,government", "社保中心,government").replace(
        "人社局|市人力资源局", "人社局|市人力资源局|人社"
    )
    third = departments_import(actor=None, path=write(tmp_path, "d2.csv", changed))
    assert (third.created, third.updated, third.unchanged) == (0, 2, 0)
    assert Department.objects.get(code="city-hrss-fund").short_name == "社保中心"
    assert DepartmentAlias.objects.get(alias="人社").department.code == "city-hrss"


def test_import_report_counts() -> None:
    report = ImportReport(created=1, updated=2, unchanged=3, errors=[(2, "x", "bad")], skipped=4)
    assert report.counts() == {
        "created": 1,
        "updated": 2,
        "unchanged": 3,
        "rejected": 1,
        "skipped": 4,
    }


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("紫荆社区居民委员会", "紫荆社区"),
        ("翠香社区居委会", "翠香社区"),
        ("桂海村委会", "桂海村"),
        ("南门村民委员会", "南门村"),
        ("航空产业园虚拟社区", "航空产业园虚拟社区"),
    ],
)
def test_community_short_name(name: str, short: str) -> None:
    assert community_short_name(name) == short


@pytest.mark.django_db
def test_divisions_import_is_all_or_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("civicgrid.territory.services.imports.audit_record", fail)
    with pytest.raises(RuntimeError):
        divisions_import(actor=None, path=write(tmp_path, "a.csv", DIVISIONS_CSV))
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_boundaries_import_writes_one_audit_row(territory: Any, tmp_path: Path) -> None:
    collection = {"type": "FeatureCollection", "features": [feature("440402", SQUARE)]}
    path = write(tmp_path, "one.geojson", json.dumps(collection))

    boundaries_import(actor=None, path=path, level="district")

    audit = AuditRecord.objects.get(action="territory.import_boundaries")
    assert audit.details == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "rejected": 0,
        "skipped": 0,
        "file": "one.geojson",
        "level": "district",
    }
    assert AdminUnit.objects.get(code="440402").boundary_source == "one.geojson"
