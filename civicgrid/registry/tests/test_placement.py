"""Placement: Chinese address text → standard key and admin unit; points → grid."""

from __future__ import annotations

from typing import Any

import pytest

from civicgrid.registry.services import Placer, address_key, building_key, parse_address
from civicgrid.registry.services.placement import UnitName

UNITS = [
    UnitName(1, "4404", "珠海市", "city"),
    UnitName(2, "440402", "香洲区", "district"),
    UnitName(3, "440403", "斗门区", "district"),
    UnitName(4, "440402005", "拱北街道", "street"),
    UnitName(5, "440402100", "唐家湾镇", "street"),
    UnitName(6, "440402005001", "将军山社区居民委员会", "community"),
    UnitName(7, "440402005005", "迎宾社区居民委员会", "community"),
    UnitName(8, "440402100001", "唐家村民委员会", "community"),
    UnitName(9, "440403001", "白藤街道", "street"),
    UnitName(10, "440403001001", "白藤一社区居民委员会", "community"),
    # As the official division list often writes them: 社区居委会 / 村委会.
    UnitName(11, "440403001002", "群兴社区居委会", "community"),
    UnitName(12, "440403001007", "草朗村委会", "community"),
]


@pytest.fixture
def placer() -> Placer:
    return Placer(UNITS, city_code="4404")


@pytest.mark.parametrize(
    ("text", "key", "unit"),
    [
        (
            "广东省珠海市香洲区拱北街道将军山社区迎宾南路12号3栋2单元501",
            "香洲区|||迎宾南路|12|3|2|501",
            "440402005001",
        ),
        ("香洲区迎宾南路12号3栋2单元501室", "香洲区|||迎宾南路|12|3|2|501", "440402"),
        (
            "珠海市 拱北街道办 迎宾社区居委会 迎宾南路１２号 华发新城 ３幢 ２单元 ５０１",
            "香洲区|||迎宾南路|12|3|2|501",
            "440402005005",
        ),
        ("香洲区唐家湾镇唐家村委会东岸巷8号", "香洲区|||东岸巷|8|||", "440402100001"),
        ("唐家湾镇唐家村8号201", "香洲区|唐家湾镇|唐家村||8|||201", "440402100001"),
        ("斗门区白藤街道白藤一社区白藤路5号A座", "斗门区|||白藤路|5|A||", "440403001001"),
        (
            "斗门区白藤街道群兴社区白藤六路9号1栋1单元102",
            "斗门区|||白藤六路|9|1|1|102",
            "440403001002",
        ),
        ("斗门区白藤街道草朗村3号", "斗门区|白藤街道|草朗村||3|||", "440403001007"),
        ("香洲区拱北街道", "", "440402005"),
        ("北京市朝阳区建国路1号", "|||北京市朝阳区建国路|1|||", ""),
    ],
)
def test_parse_address(placer: Placer, text: str, key: str, unit: str) -> None:
    parsed = placer.parse(text)
    assert address_key(parsed) == key
    assert parsed.unit_code == unit


def test_same_building_from_text_and_from_columns(placer: Placer) -> None:
    from_text = placer.parse("珠海市香洲区拱北街道将军山社区迎宾南路12号3栋2单元501")
    from_columns = placer.parse_parts(
        district="香洲区",
        street="拱北街道",
        community="将军山社区",
        road="迎宾南路",
        house_number="12号",
        building="3栋",
        unit="2单元",
        room="501",
    )
    assert address_key(from_text) == address_key(from_columns)
    assert building_key(from_columns) == "香洲区|||迎宾南路|12|3"
    assert from_columns.unit_code == "440402005001"
    assert from_text.text() == "香洲区拱北街道将军山社区居民委员会迎宾南路12号3栋2单元501"


def test_a_community_name_in_another_street_is_not_taken(placer: Placer) -> None:
    parsed = placer.parse("斗门区将军山社区迎宾南路1号")
    assert parsed.unit_code == "440403"
    assert parsed.community == ""


def test_points_go_to_grids_and_text_to_named_units(territory: Any) -> None:
    placer = Placer.from_database()
    assert placer.locate_many([(2.0, 5.0), (16.0, 5.0), (50.0, 50.0)]) == [
        (territory.xz_grid_1.code, territory.xz_grid_1.pk),
        (territory.dm_grid_2.code, territory.dm_grid_2.pk),
        None,
    ]
    parsed = parse_address("珠海市香洲区翠香街道紫荆社区紫荆路3号")
    assert (parsed.unit_code, parsed.unit_pk) == (
        territory.xz_community.code,
        territory.xz_community.pk,
    )
    assert address_key(parsed) == "香洲区|||紫荆路|3|||"
