"""Quantitative targets in sentences written in various ways."""

from __future__ import annotations

import pytest

from civicgrid.plans.extraction.targets import find_targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2017年全市实现每万人中不少于10名社工的目标", [(10, "名/万人", "ge", 2017)]),
        ("到2015年,全市注册志愿者占常住人口的10%以上", [(10, "%", "ge", 2015)]),
        ("到2015年,每千名老人拥有养老床位不少于30", [(30, "张/千名老人", "ge", 2015)]),
        ("“十二五”期末,每千名老人拥有养老床位不少于30张", [(30, "张/千名老人", "ge", 2015)]),
        ("到2015年,全市保障性住房覆盖率达到20%左右", [(20, "%", "about", 2015)]),
        ("十二五期末,直选比例达到40%", [(40, "%", "ge", 2015)]),
        ("城镇登记失业率控制在3%以内", [(3, "%", "le", None)]),
        ("基本实现城乡每万名居民有2—3名合格的全科医生", [((2, 3), "名/万人", "range", None)]),
        ("到2020年,人均公园绿地面积达到13平方米以上", [(13, "㎡/人", "ge", 2020)]),
        ("2012-2014年西部地区建成公交候车亭487座", [(487, "座", "eq", 2014)]),
        ("“十二五”期间每年扶持10万名以上城乡劳动者成功创业", [(100000, "名/年", "ge", 2015)]),
        ("每个城市社区至少配备3名社会工作人才", [(3, "名/社区", "ge", None)]),
        ("原则上按照每300户常住人口配备1名社区专职人员", [(1, "名/300户", "eq", None)]),
        ("2012年在平沙、三灶建设两个加气站", [(2, "个", "eq", 2012)]),
        ("确保五保供养水平不低于当地上年度农村居民人均纯收入的60%", [(60, "%", "ge", None)]),
        ("到2016年,两项重点指标合格率提高到95%", [(95, "%", "ge", 2016)]),
        ("今年在老城区新建3座口袋公园", [(3, "座", "eq", None)]),
        ("再新建1个便民菜场", [(1, "个", "eq", None)]),
        ("力争全年减轻小微企业负担15亿元", [(1_500_000_000, "元", "eq", None)]),
        ("全年新增养老服务投入800万元", [(800, "万元", "eq", None)]),
    ],
)
def test_targets(text: str, expected: list[tuple[object, str, str, int | None]]) -> None:
    found = [(t.value, t.unit, t.comparator, t.year) for t in find_targets(text)]
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "扩展12345热线服务范围",
        "珠办字〔2014〕76号",
        "到2020年,基本建成社会建设示范市",
        "建立市、区、镇(街)三级监管机构",
        "推进“三位一体”的社区治理",
        "每个农村社区建有一所公共服务中心",
    ],
)
def test_numbers_that_are_not_targets(text: str) -> None:
    assert find_targets(text) == []


def test_targets_are_linked_to_their_item_and_exclude_unit_brackets() -> None:
    from civicgrid.plans.extraction import extract_text

    document = extract_text(
        "一、任务\n(1)到2015年,全市保障性住房覆盖率达到20%左右(市住规建局牵头,各区配合)。\n"
    )
    assert len(document.targets) == 1
    target = document.targets[0]
    assert target.item_key == document.tasks[0].key
    assert target.span is not None
    assert document.text[target.span.start : target.span.end].startswith("20%")


def test_one_value_stated_for_two_subjects_gives_two_targets() -> None:
    found = find_targets("到2026年,全市养老机构护理型床位占比、医养结合覆盖率均达到65%以上。")
    assert [(t.subject, t.value, t.unit, t.comparator, t.year) for t in found] == [
        ("养老机构护理型床位占比", 65, "%", "ge", 2026),
        ("医养结合覆盖率", 65, "%", "ge", 2026),
    ]


def test_a_single_subject_before_jun_stays_one_target() -> None:
    found = find_targets("到2026年,各街道社区服务站均达到200平方米以上。")
    assert [(t.value, t.unit, t.comparator) for t in found] == [(200, "㎡", "ge")]


def test_per_million_residents() -> None:
    found = find_targets("2024年每百万常住人口拥有慈善组织12家以上。")
    assert [(t.value, t.unit, t.comparator, t.year) for t in found] == [
        (12, "家/百万人", "ge", 2024)
    ]


def test_average_per_community() -> None:
    found = find_targets("到2025年底,每个城市社区平均拥有志愿服务队伍不少于8支。")
    assert [(t.value, t.unit, t.comparator, t.year) for t in found] == [(8, "支/社区", "ge", 2025)]
