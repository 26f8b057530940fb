"""完成时间 words → the last day of the period meant, with the words kept."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.plans.extraction.deadlines import parse_deadline


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
