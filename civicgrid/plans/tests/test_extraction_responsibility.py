"""Responsibility clauses in phrasings other than the shared documents'."""

from __future__ import annotations

import pytest

from civicgrid.plans.extraction import extract_text
from civicgrid.plans.extraction.responsibility import (
    find_bracket_clauses,
    find_labelled_clauses,
    find_text_clauses,
    split_units,
)


def _roles(text: str) -> tuple[list[str], list[str]]:
    clauses = find_bracket_clauses(text) or find_labelled_clauses(text) or find_text_clauses(text)
    lead = [unit.name for clause in clauses for unit in clause.assignment.lead]
    cooperating = [unit.name for clause in clauses for unit in clause.assignment.cooperating]
    return lead, cooperating


@pytest.mark.parametrize(
    ("text", "lead", "cooperating"),
    [
        ("推进养老服务(市民政局牵头,各区配合)。", ["市民政局"], ["各区"]),
        (
            "开展试点（省民政厅牵头，省财政厅、省人力资源社会保障厅参与）。",
            ["省民政厅"],
            ["省财政厅", "省人力资源社会保障厅"],
        ),
        ("完善机制(市卫健局负责)", ["市卫健局"], []),
        ("(市发展改革委、市财政局按职责分工负责)", ["市发展改革委", "市财政局"], []),
        ("(市委政法委(市综治办)牵头,各乡镇(处)配合)", ["市委政法委(市综治办)"], ["各乡镇(处)"]),
        ("(区住建局牵头，区城管局和各街道办事处协助)", ["区住建局"], ["区城管局", "各街道办事处"]),
        ("(市海洋农业和水务局牵头,市民政局配合)", ["市海洋农业和水务局"], ["市民政局"]),
        (
            "(市委社管部牵头,市人大办、政协办和党联办参与)",
            ["市委社管部"],
            ["市人大办", "政协办", "党联办"],
        ),
        (
            "(市教育局牵头,市财政局、市编办等相关单位配合)",
            ["市教育局"],
            ["市财政局", "市编办", "相关单位"],
        ),
        ("(牵头单位:市委社管部;配合单位:市民政局、各区)", ["市委社管部"], ["市民政局", "各区"]),
        ("（责任单位：县民政局，协办单位：各乡镇人民政府）", ["县民政局"], ["各乡镇人民政府"]),
        (
            "牵头单位：市应急管理局　配合单位：市消防救援支队、各县（市、区）政府",
            ["市应急管理局"],
            ["市消防救援支队", "各县(市、区)政府"],
        ),
        (
            "由省民政厅会同省委组织部、省编办于2011年底前出台办法。",
            ["省民政厅"],
            ["省委组织部", "省编办"],
        ),
        (
            "建立由组织部门牵头,民政部门具体负责,有关部门密切配合的工作格局。",
            ["组织部门", "民政部门"],
            ["有关部门"],
        ),
        (
            "纪检监察机关要会同组织、人事部门与新闻媒体建立制度。",
            ["纪检监察机关"],
            ["组织部门", "人事部门"],
        ),
        ("具体办法由地级以上市人民政府确定。", ["地级以上市人民政府"], []),
    ],
)
def test_clauses_give_lead_and_cooperating_units(
    text: str, lead: list[str], cooperating: list[str]
) -> None:
    from civicgrid.plans.extraction.cleaning import normalise

    assert _roles(normalise(text)) == (lead, cooperating)


@pytest.mark.parametrize(
    "text",
    [
        "全市保障性住房覆盖率(保障对象占拥有住房居民总数的比例)达到20%",
        "出台《管理办法(试行)》",
        "党委领导、政府负责、社会协同、公众参与的社会管理格局",
        "省编办要于2011年底前出台意见",
        "负责提供村经济事务以外的公共事务",
        "在村(社区)设立公共服务站",
    ],
)
def test_text_without_a_responsibility_statement_gives_no_units(text: str) -> None:
    assert _roles(text) == ([], [])


def test_unit_lists_split_only_between_whole_names() -> None:
    names = [
        unit.name for unit in split_units("市人力资源和社会保障局、市委政法委(市综治办)和各区")
    ]
    assert names == ["市人力资源和社会保障局", "市委政法委(市综治办)", "各区"]


def test_first_lead_is_the_main_lead_in_a_labelled_list() -> None:
    document = extract_text(
        "一、重点任务\n(一)推进社区治理。完善社区服务。\n牵头落实单位:市民政局、市财政局、市编办\n"
        "(二)推进养老服务。建设养老设施。\n牵头落实单位:市卫健局\n"
    )
    first = document.tasks[0]
    assert [unit.name for unit in first.lead_units] == ["市民政局", "市财政局", "市编办"]
    assert [unit.is_main_lead for unit in first.lead_units] == [True, False, False]


def test_a_shared_responsibility_paragraph_applies_to_the_items_before_it() -> None:
    document = extract_text(
        "一、主要任务\n1.建设社区服务中心。\n2.培育社区社会组织。\n3.推进网格化管理。\n"
        "责任单位:市民政局、各区\n二、其他任务\n1.完善救助制度(市民政局负责)。\n"
    )
    by_number = {(task.parent_key, task.number): task for task in document.tasks}
    for number in ("1", "2", "3"):
        task = by_number[("一", number)]
        assert [unit.name for unit in task.lead_units] == ["市民政局", "各区"], number
    assert [unit.name for unit in by_number[("二", "1")].lead_units] == ["市民政局"]


def test_the_document_may_say_that_the_first_unit_leads() -> None:
    document = extract_text(
        "(排在第一位的为牵头单位)\n一、任务\n1.完善就业服务。\n责任单位:市人社局、市财政局、各区\n"
        "2.完善社会救助。\n责任单位:市民政局\n"
    )
    task = document.tasks[0]
    assert [unit.name for unit in task.lead_units] == ["市人社局"]
    assert [unit.name for unit in task.cooperating_units] == ["市财政局", "各区"]


def test_unit_spans_point_at_the_names_in_the_document_text() -> None:
    document = extract_text("一、任务\n(1)推进社区服务(市民政局牵头,各区配合)。\n")
    task = document.tasks[0]
    for unit in task.lead_units + task.cooperating_units:
        assert unit.span is not None
        assert document.text[unit.span.start : unit.span.end] == unit.name
    assert task.title == "推进社区服务"


def test_an_item_without_units_is_flagged_among_items_with_units() -> None:
    document = extract_text(
        "一、任务\n(1)甲事项(市民政局牵头)。\n(2)乙事项(市财政局牵头)。\n(3)丙事项。\n"
    )
    third = document.tasks[2]
    assert third.lead_units == []
    assert any("no lead unit" in flag for flag in third.flags)
