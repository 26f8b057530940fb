"""Reading labelled appeal CSVs: bad rows are reported with their line, good rows kept."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from civicgrid.appeals.routing import (
    RoutingError,
    parse_labelled_appeals,
    read_labelled_appeals,
    split_by_date,
)
from civicgrid.appeals.routing.evaluation import LabelledAppeal, parse_date

HEADER = "id,asked_on,title,text,department\n"


def test_good_rows_are_kept_and_bad_ones_reported_with_their_line() -> None:
    content = (
        HEADER
        + '1,2024-03-01,路灯,"小区路灯不亮,\n晚上很黑",城管局\n'  # lines 2-3
        + "2,2024-03-02,学位,,教育局\n"  # line 4: title only is enough
        + "3,2024-03-03,,,教育局\n"  # line 5: nothing to read
        + "4,2024-03-04,公交,太挤,\n"  # line 6: no department
        + "5,2024-13-01,公交,太挤,交通局\n"  # line 7: bad date
        + "6,2024-03-05,公交,太挤\n"  # line 8: a field short
        + "\n"  # line 9: blank, ignored
        + "7,,医保,报销慢,社保局\n"  # line 10: no date is fine
    )
    result = parse_labelled_appeals(content, source="t.csv")
    assert result.appeals == [
        LabelledAppeal(2, "1", dt.date(2024, 3, 1), "路灯", "小区路灯不亮,\n晚上很黑", "城管局"),
        LabelledAppeal(4, "2", dt.date(2024, 3, 2), "学位", "", "教育局"),
        LabelledAppeal(10, "7", None, "医保", "报销慢", "社保局"),
    ]
    assert result.problems == [
        "t.csv, line 5: both the title and the text are empty.",
        "t.csv, line 6: the department is empty.",
        "t.csv, line 7: “2024-13-01” is not a date in the form YYYY-MM-DD.",
        "t.csv, line 8: it has 4 fields instead of 5.",
    ]


def test_only_text_and_department_columns_are_required() -> None:
    result = parse_labelled_appeals("Department,Text\n城管局,路灯不亮\n", source="t.csv")
    assert result.appeals == [LabelledAppeal(2, "", None, "", "路灯不亮", "城管局")]
    with pytest.raises(
        RoutingError, match=r"t\.csv lacks the column\(s\) department; it has id, text"
    ):
        parse_labelled_appeals("id,text\n1,路灯不亮\n", source="t.csv")
    with pytest.raises(RoutingError, match=r"t\.csv is empty"):
        parse_labelled_appeals("", source="t.csv")


@pytest.mark.parametrize(
    "value",
    ["2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", "20240301", "2024-03-01 08:30:00"],
)
def test_dates_in_common_office_formats_are_understood(value: str) -> None:
    assert parse_date(value) == dt.date(2024, 3, 1)


@pytest.mark.parametrize("value", ["2024-13-01", "01/03/2024", "March 1", "2024-03", "202403011"])
def test_other_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(value)}$"):
        parse_date(value)


def test_gbk_files_from_excel_are_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "1,2024-03-01,噪音,工地夜间施工,生态环境局\n").encode("gbk"))
    assert read_labelled_appeals(path).appeals == [
        LabelledAppeal(2, "1", dt.date(2024, 3, 1), "噪音", "工地夜间施工", "生态环境局")
    ]


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RoutingError, match=r"Cannot read .*absent\.csv"):
        read_labelled_appeals(tmp_path / "absent.csv")


def test_split_by_date_keeps_every_day_on_one_side() -> None:
    days = [
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 2),
        None,
    ]
    appeals = [
        LabelledAppeal(line, str(line), day, "", "文本", "部门")
        for line, day in enumerate(days, start=2)
    ]
    train, test, split_date = split_by_date(appeals, 0.5)
    assert split_date == dt.date(2024, 1, 3)
    assert [appeal.line for appeal in train] == [3, 6]
    assert [appeal.line for appeal in test] == [4, 5, 2]
    assert split_by_date([], 0.8) == ([], [], None)
