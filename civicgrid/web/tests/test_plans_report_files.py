"""The monthly report's Excel and PDF files, built from plain rows: the workbook holds every row
and value, and the PDF embeds its Chinese font (a subset, TrueType outlines, with a ToUnicode
map) so that the Chinese text can be extracted back out of it."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1

from civicgrid.web import pdf as shared_pdf
from civicgrid.web.plans import report_files
from civicgrid.web.plans.report_files import (
    MonthlyReport,
    MonthlyReportRow,
    ReportColumn,
    SummaryRow,
    monthly_report_pdf,
    monthly_report_xlsx,
)

COLUMNS = (
    ReportColumn("number", "序号", 8, 1),
    ReportColumn("title", "任务", 40, 5),
    ReportColumn("lead", "牵头单位", 20, 2.5),
    ReportColumn("cooperating", "配合单位", 20, 2.5),
    ReportColumn("deadline", "完成时限", 14, 1.6),
    ReportColumn("percent_done", "进度", 8, 1),
    ReportColumn("light", "亮灯", 8, 1),
    ReportColumn("latest_report", "最新进展", 40, 5),
    ReportColumn("is_escalated", "督办", 6, 0.8),
)


def _row(number: str, title: str, light: str, **extra: object) -> MonthlyReportRow:
    values: dict[str, object] = {
        "number": number,
        "title": title,
        "plan": "珠海市社会体制改革实施方案",
        "lead": "市民政局",
        "cooperating": "市人力资源和社会保障局、各区政府",
        "deadline": dt.date(2014, 12, 31),
        "deadline_text": "2014年底",
        "status": "推进中",
        "percent_done": 40,
        "light": light,
        "light_label": {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}.get(light, ""),
        "latest_period": "2014-11",
        "latest_report": "已完成社工岗位设置调研，起草实施意见。",
        "problems": "",
        "urge_count": 0,
        "is_escalated": False,
    }
    values.update(extra)
    return MonthlyReportRow(**values)  # type: ignore[arg-type]


def _report(rows: list[MonthlyReportRow]) -> MonthlyReport:
    return MonthlyReport(
        title="2014年12月 政策任务督办月报",
        subtitle="统计日期 2014-12-15 · 珠海市",
        columns=COLUMNS,
        rows=rows,
        figures=(("任务", len(rows)), ("红灯", 1)),
        breakdown_title="按牵头单位",
        breakdown_headings=("单位", "任务", "完成", "红灯", "黄灯", "绿灯"),
        breakdown=[SummaryRow("市民政局", 2, 0, 1, 1, 1)],
        yes="是",
        page_label="第 %(page)s 页",
    )


ROWS = [
    _row("(30)", "推进社会工作专业人才队伍建设，每万人中不少于10名社工", "red", is_escalated=True),
    _row(
        "(31)",
        "=SUM(A1:A2) 注册志愿者占常住人口10%以上",
        "yellow",
        deadline=None,
        deadline_text="常态化",
    ),
]


def test_excel_has_every_row_with_its_values_and_light_colours() -> None:
    book = load_workbook(io.BytesIO(monthly_report_xlsx(_report(ROWS))))
    sheet = book["tasks"]
    assert sheet["A1"].value == "2014年12月 政策任务督办月报"
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    header_index = rows.index(tuple(column.heading for column in COLUMNS))
    first, second = rows[header_index + 1], rows[header_index + 2]
    assert first[:4] == (
        "(30)",
        "推进社会工作专业人才队伍建设，每万人中不少于10名社工",
        "市民政局",
        "市人力资源和社会保障局、各区政府",
    )
    assert first[4] == dt.datetime(2014, 12, 31)
    assert first[5:] == (40, "红灯", "已完成社工岗位设置调研，起草实施意见。", "是")
    # A title that looks like a formula stays text; a deadline without a date keeps its words.
    assert second[1] == "'=SUM(A1:A2) 注册志愿者占常住人口10%以上"
    assert second[4] == "常态化"
    assert second[8] is None  # not escalated: an empty cell
    light_column = [column.key for column in COLUMNS].index("light") + 1
    assert sheet.cell(header_index + 2, light_column).fill.fgColor.rgb.endswith("F8D3CF")
    assert sheet.cell(header_index + 3, light_column).fill.fgColor.rgb.endswith("FCEFC7")
    summary = book["summary"]
    assert [cell.value for cell in summary[3]] == ["市民政局", 2, 0, 1, 1, 1]


def _fonts(data: bytes) -> list[dict[str, object]]:
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    found = []
    for page in PDFPage.create_pages(document):
        for font in resolve1(page.resources["Font"]).values():
            font = resolve1(font)
            descendant = resolve1(resolve1(font["DescendantFonts"])[0])
            descriptor = resolve1(descendant["FontDescriptor"])
            found.append(
                {
                    "name": font["BaseFont"].name,
                    "subtype": descendant["Subtype"].name,
                    "embedded": any(key in descriptor for key in ("FontFile2", "FontFile3")),
                    "to_unicode": "ToUnicode" in font,
                }
            )
    return found


def test_pdf_embeds_a_chinese_font_subset_and_its_text_extracts_back() -> None:
    data = monthly_report_pdf(_report(ROWS))
    assert data.startswith(b"%PDF-")
    fonts = _fonts(data)
    assert fonts, "the page uses no font"
    assert len(fonts) == 1  # every character of the report is in the committed font
    for font in fonts:
        assert font["embedded"] is True
        assert font["to_unicode"] is True
        assert font["subtype"] == "CIDFontType2"  # TrueType outlines (FontFile2)
        assert re.fullmatch(r"[A-Z]{6}\+\S+", str(font["name"]))  # a subset
    text = "".join(extract_text(io.BytesIO(data)).split())
    assert "2014年12月政策任务督办月报" in text
    assert "推进社会工作专业人才队伍建设" in text
    assert "市人力资源和社会保障局" in text
    assert "已完成社工岗位设置调研" in text
    assert "2014-12-31" in text
    assert "常态化" in text
    assert "按牵头单位" in text
    assert "第1页" in text


def test_pdf_needs_no_system_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a machine without fonts-noto-cjk the committed subset alone is embedded."""
    monkeypatch.setattr(shared_pdf, "SYSTEM_CJK_FONTS", ())
    data = monthly_report_pdf(_report(ROWS))
    assert len(_fonts(data)) == 1
    assert "市民政局" in "".join(extract_text(io.BytesIO(data)).split())


def test_long_reports_break_across_pages_and_repeat_the_heading() -> None:
    rows = [
        _row(f"({n})", f"第{n}项任务：建立健全社区网格化服务管理", "green") for n in range(1, 80)
    ]
    data = monthly_report_pdf(_report(rows))
    text = "".join(extract_text(io.BytesIO(data)).split())
    assert "第79项任务" in text
    assert "第2页" in text
    assert text.count("牵头单位") >= 3  # the heading on every page, and the breakdown's title


def test_a_character_outside_the_committed_font_uses_the_system_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """䶮 (U+4DAE, a rare character of a name) is not in GB 2312: with a system CJK font it
    is drawn by that font (a second embedded font); without one the report is still made."""
    rows = [_row("(1)", "王䶮负责社区服务中心建设", "green")]
    assert report_files._needs_fallback(_report(rows))
    assert not report_files._needs_fallback(_report(ROWS))
    system = shared_pdf.system_cjk_font()
    if system is not None:
        fonts = _fonts(monthly_report_pdf(_report(rows)))
        assert len(fonts) == 2
        assert all(font["embedded"] for font in fonts)
    monkeypatch.setattr(shared_pdf, "SYSTEM_CJK_FONTS", ())
    data = monthly_report_pdf(_report(rows))
    assert "社区服务中心建设" in "".join(extract_text(io.BytesIO(data)).split())
