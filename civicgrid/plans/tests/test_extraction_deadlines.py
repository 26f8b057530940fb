"""完成时间 words → the last day of the period meant, with the words kept."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.plans.extraction import extract_text
from civicgrid.plans.extraction.deadlines import document_year, parse_deadline


@pytest.mark.parametrize(
    ("words", "date"),
    [
        ("2014年底", dt.date(2014, 12, 31)),
        ("2014年内", dt.date(2014, 12, 31)),
        ("2014年底前", dt.date(2014, 12, 31)),
        ("2015年3月", dt.date(2015, 3, 31)),
        ("2016年2月底前", dt.date(2016, 2, 29)),
        ("2015年上半年", dt.date(2015, 6, 30)),
        ("2015年下半年", dt.date(2015, 12, 31)),
        ("2015年第三季度", dt.date(2015, 9, 30)),
        ("十二五期末", dt.date(2015, 12, 31)),
        ("“十三五”期末", dt.date(2020, 12, 31)),
        ("2017年6月15日", dt.date(2017, 6, 15)),
        ("2018.9", dt.date(2018, 9, 30)),
        ("二〇一六年底", dt.date(2016, 12, 31)),
        ("2012-2014年", dt.date(2014, 12, 31)),
        ("2014年底前,完成试点工作;2015年在全市推进。", dt.date(2015, 12, 31)),
    ],
)
def test_dates_are_the_last_day_of_the_period(words: str, date: dt.date) -> None:
    deadline = parse_deadline(words)
    assert deadline is not None
    assert deadline.kind == "date"
    assert deadline.date == date
    assert deadline.text == words
    assert deadline.note == ""


@pytest.mark.parametrize(
    ("words", "date"),
    [
        ("201412", dt.date(2014, 12, 31)),
        ("201410", dt.date(2014, 10, 31)),
        ("20153", dt.date(2015, 3, 31)),
        ("201411月底前", dt.date(2014, 11, 30)),
        ("201412月前完成《规划纲要》编制", dt.date(2014, 12, 31)),
    ],
)
def test_digits_run_together_give_a_date_and_a_flag(words: str, date: dt.date) -> None:
    deadline = parse_deadline(words)
    assert deadline is not None
    assert deadline.date == date
    assert "疑似丢失" in deadline.note


@pytest.mark.parametrize("words", ["常态化", "长期坚持", "每年开展"])
def test_recurring(words: str) -> None:
    deadline = parse_deadline(words)
    assert deadline is not None
    assert (deadline.kind, deadline.date) == ("recurring", None)


@pytest.mark.parametrize("words", ["根据市相关工作部署", "按照省统一部署"])
def test_unspecified(words: str) -> None:
    deadline = parse_deadline(words)
    assert deadline is not None
    assert (deadline.kind, deadline.date) == ("unspecified", None)


def test_unreadable_digits_are_flagged() -> None:
    deadline = parse_deadline("2014 13")
    assert deadline is not None
    assert deadline.kind == "flagged"
    assert deadline.note


def test_no_time_at_all() -> None:
    assert parse_deadline("加强组织领导") is None
    assert parse_deadline("") is None


@pytest.mark.parametrize(
    ("title", "head", "year"),
    [
        ("某市2023年社区治理工作要点", "", 2023),
        ("关于印发社区治理工作要点的通知", "某区人民政府办公室\n2021年3月8日\n", 2021),
        ("某市社会建设三年行动计划(2012-2014年)", "2012年5月2日", None),  # several years
        ("关于加强社区服务的意见", "", None),
    ],
)
def test_the_year_a_document_is_about(title: str, head: str, year: int | None) -> None:
    assert document_year(title, head) == year


def test_time_limits_without_a_year_take_the_documents_year_for_review() -> None:
    text = """某县2024年基层治理重点任务清单

一、完善网格服务
1.调整网格划分,配齐专职网格员。(县委政法委牵头,各镇配合;6月底前完成)
2.建成县级社会治理综合指挥平台。(县政务服务局牵头;第三季度)
3.开展矛盾纠纷排查化解。(县司法局牵头;常态化)
4.完成网格员培训。(县委政法委牵头;年底前)
"""
    document = extract_text(text)
    deadlines = {item.number: item.deadline for item in document.tasks}
    assert deadlines["1"] is not None
    assert (deadlines["1"].kind, deadlines["1"].date) == ("date", dt.date(2024, 6, 30))
    assert deadlines["2"] is not None
    assert deadlines["2"].date == dt.date(2024, 9, 30)
    assert deadlines["3"] is not None
    assert deadlines["3"].kind == "recurring"
    assert deadlines["4"] is not None
    assert deadlines["4"].date == dt.date(2024, 12, 31)
    first = next(item for item in document.tasks if item.number == "1")
    assert any("2024" in flag and "未写年份" in flag for flag in first.flags)  # for review
    assert not any("无法识别" in flag for flag in first.flags)


def test_without_a_year_to_go_by_the_time_limit_stays_flagged() -> None:
    text = """关于加强社区服务的意见

1.完成网格员培训。(县委政法委牵头;6月底前)
"""
    (task,) = extract_text(text).tasks
    assert task.deadline is not None
    assert (task.deadline.kind, task.deadline.date) == ("flagged", None)
