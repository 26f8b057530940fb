"""Headings, page furniture and task tables laid out as text."""

from __future__ import annotations

from pathlib import Path

from civicgrid.plans.extraction import extract_file, extract_text
from civicgrid.plans.extraction.cleaning import clean_lines
from civicgrid.plans.extraction.structure import heading_of

DOCUMENTS = Path(__file__).resolve().parent / "documents"


def test_heading_styles_and_numbers() -> None:
    cases = {
        "一、总体要求": ("cn", 1, "一"),
        "(三)加强组织领导。": ("cn_paren", 2, "(三)"),
        "（十四）完善机制": ("cn_paren", 2, "(十四)"),
        "12.完善制度": ("arabic", 3, "12"),
        "3、健全体系": ("arabic", 3, "3"),
        "(5)加快建设": ("arabic_paren", 4, "(5)"),
        "2)编制规划": ("arabic_half", 4, "2"),
        "——加快义务教育规范化学校建设。": ("bullet", 5, "——"),
        "第三条 本办法适用于": ("article", 3, "第三条"),
    }
    for line, (style, level, number) in cases.items():
        heading = heading_of(line.replace("（", "(").replace("）", ")"))
        assert heading is not None, line
        assert (heading.style, heading.level, heading.number) == (style, level, number), line
    assert heading_of("3.5万人参加培训") is None
    assert heading_of("2014年底前完成") is None


def test_outline_nests_items_and_skips_out_of_sequence_numbers() -> None:
    document = extract_text(
        "一、主要任务\n(一)就业\n1.扩大就业。\n(1)开展培训(市人社局负责)。\n"
        "其中 5.以上为说明文字。\n(2)完善服务(市人社局负责)。\n二、保障措施\n(一)加强领导。\n"
    )
    keys = [item.key for item in document.items]
    assert keys == ["一", "一/(一)", "一/(一)/1", "一/(一)/1/(1)", "一/(一)/1/(2)", "二", "二/(一)"]
    assert [task.key for task in document.tasks] == ["一/(一)/1/(1)", "一/(一)/1/(2)"]


def test_web_page_furniture_is_dropped() -> None:
    text = (
        "首页 信息公开\n机构设置 工作动态\n当前位置:\n某市社区治理工作方案\n2015-07-07\n"
        "为加强社区治理,提高服务水平,结合本市实际,制定本方案。\n一、主要任务\n"
        "(1)完善社区服务体系,推动服务下沉(市民政局牵头,各区配合)。\n"
        "(2)推进网格化管理,整合基层力量(市委政法委牵头,各区配合)。\n"
        "为加强社区治理,提高服务水平,结合本市实际,制定本方案。\n一、主要任务\n"
        "(1)完善社区服务体系,推动服务下沉(市民政局牵头,各区配合)。\n"
        "(2)推进网格化管理,整合基层力量(市委政法委牵头,各区配合)。\n"
        "版权所有:某市人民政府 技术支持:某公司\n1. 无关新闻标题一\n2. 无关新闻标题二\n"
    )
    document = extract_text(text)
    assert document.title == "某市社区治理工作方案"
    assert [task.number for task in document.tasks] == ["(1)", "(2)"]
    assert "首页" not in document.text
    assert "无关新闻" not in document.text
    assert any("duplicated body" in warning for warning in document.warnings)


def test_broken_paragraphs_are_joined_and_page_numbers_dropped() -> None:
    cleaned = clean_lines(
        "一、任务\n1.扩大就业。实施积极的就业政策,构建经济发展与扩大就业相互促进\n- 2 -\n"
        "的机制,推进充分就业社区建设。\n"
    )
    from civicgrid.plans.extraction.cleaning import drop_repeated_headers, join_broken_lines

    lines, _ = drop_repeated_headers(cleaned.lines, set())
    joined = join_broken_lines(lines)
    assert joined[-1].endswith("相互促进的机制,推进充分就业社区建设。")


def test_table_of_contents_is_not_read_as_items() -> None:
    document = extract_text(
        "目 录\n一、总体要求\n二、主要任务\n为做好工作,制定本方案,请认真贯彻执行。\n"
        "一、总体要求\n坚持以人为本,统筹推进各项工作。\n二、主要任务\n——完善服务体系。\n"
    )
    assert [item.key for item in document.items] == ["一", "二", "二/-1"]


def test_text_table_rows_are_read_by_content() -> None:
    text = (
        "附件:重点任务分工表\n序号\n工作任务\n工作内容\n完成时间\n牵头单位\n配合单位\n备注\n"
        "1.建设社区服务中心。\n在各社区建设综合服务中心,提供一站式服务。\n2015年6月\n市民政局\n"
        "责任人:张三\n电话:[已隐去]\n各区、市财政局等相关部门\n需专项组配合\n"
        "2.完善救助制度。\n完善临时救助制度,提高救助水平,扩大救助范围。\n常态化\n市民政局\n"
        "市财政局\n"
        "序号\n工作任务\n工作内容\n完成时间\n牵头单位\n配合单位\n备注\n"
        "2.完善救助制度。\n建立救助信息共享平台,实现部门信息互通。\n201512\n市政务服务局\n"
        "责任人:李四\n市民政局\n"
    )
    document = extract_text(text)
    rows = document.tasks
    assert [row.number for row in rows] == ["1", "2", "2"]
    assert [[unit.name for unit in row.lead_units] for row in rows] == [
        ["市民政局"],
        ["市民政局"],
        ["市政务服务局"],
    ]
    assert [unit.name for unit in rows[0].cooperating_units] == ["各区", "市财政局", "相关部门"]
    assert rows[0].remarks == "需专项组配合"
    assert rows[0].deadline is not None
    assert rows[0].deadline.date is not None
    assert rows[0].deadline.date.isoformat() == "2015-06-30"
    assert rows[1].deadline is not None
    assert rows[1].deadline.kind == "recurring"
    assert rows[2].deadline is not None
    assert rows[2].deadline.date is not None
    assert rows[2].deadline.date.isoformat() == "2015-12-31"
    assert any("疑似丢失" in flag for flag in rows[2].flags)
    assert all(row.source == "table" for row in rows)


def test_zhuhai_2014_plan_measures_table_and_targets() -> None:
    document = extract_file(DOCUMENTS / "zhuhai-2014-social-system-reform-plan.txt")
    body = [task for task in document.tasks if task.source == "body"]
    table = [task for task in document.tasks if task.source == "table"]
    assert [task.number for task in body] == [f"({n})" for n in range(1, 51)]
    assert all(task.lead_units for task in body)
    first = body[0]
    assert [u.name for u in first.lead_units] == ["市海洋农业和水务局"]
    assert [u.name for u in first.cooperating_units] == ["市民政局", "各区"]
    assert len(table) == 28
    assert all(task.deadline is not None for task in table)
    social_workers = [
        target
        for target in document.targets
        if target.unit == "名/万人" and target.value == 10 and target.year == 2017
    ]
    assert len(social_workers) == 1
    assert social_workers[0].comparator == "ge"
    volunteers = [t for t in document.targets if t.unit == "%" and t.value == 10]
    assert volunteers
    assert volunteers[0].year == 2015
    assert volunteers[0].comparator == "ge"
