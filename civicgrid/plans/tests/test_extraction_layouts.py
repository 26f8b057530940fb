"""Layouts and phrasings met in policy documents outside the repository (held-out check).

Every sentence here is written for the test, in the style of such documents; none is copied.
"""

from __future__ import annotations

from civicgrid.plans.extraction import extract_text


def _tasks(text: str) -> list[tuple[str, list[str], list[str]]]:
    document = extract_text(text)
    return [
        (
            item.number,
            [unit.name for unit in item.lead_units],
            [unit.name for unit in item.cooperating_units],
        )
        for item in document.tasks
    ]


LABEL_LINES = """二、重点任务
1.推进社区食堂建设。
牵头单位:区民政局
责任单位:各街道,区市场局
2.完善公共停车设施。
牵头单位:区住建局
责任单位:区交通局
3.提升老旧小区物业管理水平。
牵头单位:区民政局
责任单位:各街道、区住建局
4.开展儿童友好社区创建。
牵头单位:区民政局
责任单位:区妇联
"""


def test_label_lines_repeated_under_several_items_are_kept() -> None:
    """ "牵头单位:区民政局" under three items is content, not a running page head."""
    tasks = _tasks(LABEL_LINES)
    assert [number for number, _, _ in tasks] == ["1", "2", "3", "4"]
    assert [lead for _, lead, _ in tasks] == [
        ["区民政局"],
        ["区住建局"],
        ["区民政局"],
        ["区民政局"],
    ]


def test_responsible_units_beside_a_lead_label_are_cooperating() -> None:
    tasks = _tasks(LABEL_LINES)
    assert tasks[0][2] == ["各街道", "区市场局"]
    assert tasks[2][2] == ["各街道", "区住建局"]


def test_responsible_units_without_a_lead_label_lead() -> None:
    text = "一、主要任务\n(一)优化审批流程。压减办理环节。(责任单位:市政务服务局、市司法局)\n"
    assert _tasks(text) == [("(一)", ["市政务服务局", "市司法局"], [])]


def test_both_labels_in_one_bracket() -> None:
    text = (
        "二、主要任务\n(一)扩大市场准入。清理不合理的准入条件。"
        "(牵头单位:市发展改革委;责任单位:市商务局、市市场监管局)\n"
    )
    assert _tasks(text) == [("(一)", ["市发展改革委"], ["市商务局", "市市场监管局"])]


def test_units_sharing_the_work_beside_a_lead_cooperate() -> None:
    text = (
        "一、深化改革\n1.编制政务服务事项清单。年内公布。"
        "(市政府办公室、市审改办牵头,市级各有关部门及各县区政府按职责分工负责)\n"
    )
    assert _tasks(text) == [("1", ["市政府办公室", "市审改办"], ["市级各有关部门", "各县区政府"])]


def test_units_sharing_the_work_alone_lead() -> None:
    text = "一、深化改革\n1.编制政务服务事项清单。(市审改办、市司法局按职责分工负责)\n"
    assert _tasks(text) == [("1", ["市审改办", "市司法局"], [])]


def test_items_with_their_own_units_under_a_goals_heading_are_tasks() -> None:
    text = (
        "一、主要目标和重点任务\n(一)今后三年的总体要求和主要目标\n"
        "1.坚持稳中求进,推动高质量发展。(市政府各部门负责)\n"
        "2.地区生产总值年均增长6%左右。(市发展改革委负责)\n"
        "(二)推动产业升级\n3.培育先进制造业集群。(市工信局牵头,各区配合)\n"
    )
    assert [number for number, _, _ in _tasks(text)] == ["1", "2", "3"]


def test_goals_heading_without_units_stays_out() -> None:
    text = (
        "一、总体要求\n1.坚持问题导向。\n2.坚持系统观念。\n"
        "二、主要任务\n(一)健全服务网络。(市民政局负责)\n(二)加强人才培养。(市人社局负责)\n"
    )
    assert [number for number, _, _ in _tasks(text)] == ["(一)", "(二)"]


TRADITIONAL = (
    "一、總體要求\n堅持問題導向,推進改革落地見效,營造良好的發展環境。\n"
    "二、主要任務\n(一)優化審批服務。壓減辦理環節和時限,推行網上辦理。"
    "(牽頭單位:市政務服務局;責任單位:市發展改革委、市市場監管局)\n"
    "(二)加強事中事後監管。全面推行雙隨機抽查,到2025年抽查覆蓋率達到100%。"
    "(市市場監管局牽頭,各縣區政府按職責分工負責)\n"
)


def test_traditional_characters_are_read_and_names_kept_as_written() -> None:
    document = extract_text(TRADITIONAL)
    tasks = [
        (item.number, [u.name for u in item.lead_units], [u.name for u in item.cooperating_units])
        for item in document.tasks
    ]
    assert tasks == [
        ("(一)", ["市政務服務局"], ["市發展改革委", "市市場監管局"]),
        ("(二)", ["市市場監管局"], ["各縣區政府"]),
    ]
    assert document.tasks[0].title == "優化審批服務"
    assert document.text.startswith("一、總體要求")
    unit = document.tasks[0].lead_units[0]
    assert unit.span is not None
    assert document.text[unit.span.start : unit.span.end] == "市政務服務局"
    [target] = document.targets
    assert (target.value, target.unit, target.comparator, target.year) == (100, "%", "ge", 2025)
    assert "抽查覆蓋率" in target.subject


def test_a_stray_traditional_character_does_not_switch_the_reading() -> None:
    text = (
        "一、主要任务\n(一)建设显著改善的服务网络。(市民政局負責)\n"
        "(二)推进养老服务。(市民政局负责)\n"
    )
    document = extract_text(text)
    assert "traditional" not in " ".join(document.warnings)
    assert document.tasks[0].title == "建设显著改善的服务网络"


def test_a_working_group_named_zhuanban_is_a_unit() -> None:
    text = "一、主要目标\n1.工业投资增长10%左右。\n牵头单位:区工信局\n责任单位:区经济运行专班\n"
    assert _tasks(text) == [("1", ["区工信局"], ["区经济运行专班"])]


BAR_TABLE = "\n".join(
    [
        "某市贯彻落实省《营商环境工作要点》分工方案",
        "序号 | 省《工作要点》部署任务 | 市落实措施 | 牵头单位 | 责任单位 | 完成时限 | 备注 |",
        "一、优化审批服务 | ||||||",
        "(一)推行清单管理。 | 1.编制并公布市、县两级许可事项清单,清单之外不得实施许可。 | "
        "(1)8月底前公布市级许可事项清单,9月底前公布县级清单。 | 市审批局市司法局 | "
        "市级有关部门,各县区政府 | 2023年9月底 | |",
        "(2)清理变相许可,11月底前完成清理并报省里备案。 | 市审批局 | 各县区政府 | 2023年11月底 | |",
        "(二)压减办理时限。 | 2.推行承诺审批,减少办理环节。 | "
        "(1)年底前公布承诺审批事项目录。 | 市审批局 | 市级有关部门 | 2023年12月底 | |",
        "",
    ]
)


def test_a_table_of_bar_separated_rows_with_merged_cells() -> None:
    document = extract_text(BAR_TABLE)
    rows = [
        (
            item.number,
            item.title[:6],
            [u.name for u in item.lead_units],
            [u.name for u in item.cooperating_units],
            item.deadline.date.isoformat() if item.deadline and item.deadline.date else None,
        )
        for item in document.tasks
    ]
    assert rows == [
        (
            "1",
            "编制并公布市",
            ["市审批局", "市司法局"],
            ["市级有关部门", "各县区政府"],
            "2023-09-30",
        ),
        ("1", "清理变相许可", ["市审批局"], ["各县区政府"], "2023-11-30"),
        ("2", "推行承诺审批", ["市审批局"], ["市级有关部门"], "2023-12-31"),
    ]
    assert all(item.source == "table" for item in document.tasks)
    # The section heading row and the header are not tasks.
    assert len(document.tasks) == 3


def test_a_bar_table_row_cut_short_keeps_its_cells_in_their_columns() -> None:
    text = (
        "序号 | 重点工作事项 | 工作目标 | 分管领导 | 责任科室 |\n"
        "1 | 健全社区议事机制 | 每个社区建立议事会。 | 张某 | 基层政权科 |\n"
        "2 | 推进社会组织培育 | 到2024年底每个城市社区平均拥有社区社会组织不少于8个\n"
    )
    document = extract_text(text)
    assert [(t.number, t.title, [u.name for u in t.lead_units]) for t in document.tasks] == [
        ("1", "健全社区议事机制", ["基层政权科"]),
        ("2", "推进社会组织培育", []),
    ]
    assert [(t.value, t.unit, t.year) for t in document.targets] == [(8, "个/社区", 2024)]


def test_two_names_run_together_in_a_cell_are_two_units() -> None:
    from civicgrid.plans.extraction.responsibility import split_units

    assert [u.name for u in split_units("市审批局市司法局")] == ["市审批局", "市司法局"]
    assert [u.name for u in split_units("县发展改革委县财政局")] == ["县发展改革委", "县财政局"]
    # Not split: one body's name, or a part too short to be a body of its own.
    assert [u.name for u in split_units("市委政法委(市综治办)")] == ["市委政法委(市综治办)"]
    assert [u.name for u in split_units("区委区政府")] == ["区委区政府"]


TEXT_TABLE_HEAD = "改革任务分工表\n工作任务\n工作要点\n依据\n完成时间\n牵头单位\n配合单位\n"


def _rows(text: str) -> list[tuple[str, list[str], str, str | None]]:
    return [
        (
            item.number,
            item.basis,
            item.deadline.text if item.deadline else "",
            item.deadline.date.isoformat() if item.deadline and item.deadline.date else None,
        )
        for item in extract_text(text).tasks
    ]


def test_a_row_without_basis_whose_time_limit_follows_the_deployment_keeps_it_as_limit() -> None:
    text = TEXT_TABLE_HEAD + (
        "1.规范村务公开\n推行村务公开目录,统一公开时间和形式。\n"
        "根据省统一部署\n2016年6月底前完成\n县民政局\n各乡镇\n"
        "2.推进社区协商\n制定社区协商议事规则。\n"
        "县委办〔2015〕8号\n根据省统一部署\n县民政局\n"
    )
    assert _rows(text) == [
        ("1", [], "根据省统一部署 2016年6月底前完成", "2016-06-30"),
        ("2", ["县委办〔2015〕8号"], "根据省统一部署", None),
    ]


def test_deployment_written_twice_is_basis_then_time_limit() -> None:
    text = TEXT_TABLE_HEAD + (
        "1.完善网格服务\n推进网格化服务管理全覆盖。\n"
        "根据省统一部署\n根据省统一部署\n县委政法委\n各乡镇\n"
    )
    assert _rows(text) == [("1", ["根据省统一部署"], "根据省统一部署", None)]


ONE_CELL_PER_LINE_UNKNOWN_HEADER = """附件
2025年惠民项目推进表
序号
惠民项目
责任单位
完成时限
1
改造城区公共厕所。
县城管局
县财政局
10月底前
2
新建社区卫生服务站3个。
县卫健局
6月底前
开通社区助餐点。
11月底前
"""


def test_a_table_one_cell_per_line_under_a_header_word_not_known() -> None:
    """序号 / 惠民项目 / 责任单位 / 完成时限: the unknown label is the task column; a row
    number alone on its line starts a row; a lead cell may hold one unit per line; a further
    task under a merged 序号 and 责任单位 keeps them."""
    document = extract_text(ONE_CELL_PER_LINE_UNKNOWN_HEADER)
    rows = [
        (
            item.number,
            item.title,
            [u.name for u in item.lead_units],
            item.deadline and item.deadline.text,
        )
        for item in document.tasks
    ]
    assert rows == [
        ("1", "改造城区公共厕所", ["县城管局", "县财政局"], "10月底前"),
        ("2", "新建社区卫生服务站3个", ["县卫健局"], "6月底前"),
        ("2", "开通社区助餐点", ["县卫健局"], "11月底前"),
    ]
    assert all(not item.cooperating_units for item in document.tasks)


SPACED_HEADER = """重点工作责任分解
序号
主 要 工 作 任 务
责任单位
1
全年新增城镇就业岗位八千个。
区人社局
2
完成农村公路提档升级。
区交通局
"""


def test_a_header_written_with_spaces_between_its_characters() -> None:
    assert _tasks(SPACED_HEADER) == [("1", ["区人社局"], []), ("2", ["区交通局"], [])]


FIRST_LISTED_LEADS = """附件1
年度重点工作责任分解
一、常务副区长主抓工作
1.扩大有效投资。全年谋划储备一批重大项目。
责任单位:区发改局、区财政局、区资规分局(排第一位的为工作牵头单位,下同)
2.稳住外贸基本盘。支持企业参加境外展会。
责任单位:区商务局、区税务局
"""


def test_a_note_that_the_first_listed_unit_leads_is_read_and_not_taken_for_a_unit() -> None:
    assert _tasks(FIRST_LISTED_LEADS) == [
        ("1", ["区发改局"], ["区财政局", "区资规分局"]),
        ("2", ["区商务局"], ["区税务局"]),
    ]
