"""Files of every supported kind, and bad input: each gets a result or a clear message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from civicgrid.plans.extraction import extract_bytes, extract_file, extract_text
from civicgrid.plans.extraction.ingest import MAX_BYTES
from civicgrid.plans.extraction.types import IngestError

PLAN = (
    "某市社区治理工作方案\n"
    "为加强社区治理,提高服务水平,结合本市实际,制定本方案。\n"
    "一、主要任务\n"
    "(1)完善社区服务体系,到2016年,每个社区配备不少于3名社工(市民政局牵头,各区配合)。\n"
    "(2)推进网格化管理(市委政法委(市综治办)牵头,市公安局、各镇(街)配合)。\n"
)


def _check_plan(document_tasks: list, targets: list) -> None:
    assert [task.number for task in document_tasks] == ["(1)", "(2)"]
    assert [u.name for u in document_tasks[1].lead_units] == ["市委政法委(市综治办)"]
    assert [u.name for u in document_tasks[1].cooperating_units] == ["市公安局", "各镇(街)"]
    assert [(t.value, t.unit, t.comparator, t.year) for t in targets] == [
        (3, "名/社区", "ge", 2016)
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_text_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode(encoding))
    document = extract_file(path)
    _check_plan(document.tasks, document.targets)
    assert document.kind == "text"
    if encoding in {"gbk", "gb18030"}:
        assert document.encoding == "gb18030"
        assert any("gb18030" in warning for warning in document.warnings)


def test_word_document_paragraphs_and_task_table(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    for line in PLAN.splitlines():
        word.add_paragraph(line)
    table = word.add_table(rows=4, cols=5)
    header = ["序号", "工作任务", "完成时限", "牵头单位", "配合单位"]
    rows = [
        ["1", "建设养老服务中心", "2015年底", "市民政局", "市财政局、各区"],
        ["2", "完善救助制度", "2016年6月", "市民政局", "各镇(街)"],
        ["3", "推进信息共享", "常态化", "市政务服务局", ""],
    ]
    for row, values in zip(table.rows, [header, *rows], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    # 牵头单位 of rows 1 and 2 merged vertically: python-docx repeats it.
    table.cell(1, 3).merge(table.cell(2, 3))
    table.cell(1, 3).text = "市民政局"
    path = tmp_path / "plan.docx"
    word.save(str(path))
    document = extract_file(path)
    assert document.kind == "docx"
    body = [task for task in document.tasks if task.source == "body"]
    _check_plan(body, [t for t in document.targets if t.item_key and "table" not in t.item_key])
    table_tasks = [task for task in document.tasks if task.source == "table"]
    assert [(t.number, t.title) for t in table_tasks] == [
        ("1", "建设养老服务中心"),
        ("2", "完善救助制度"),
        ("3", "推进信息共享"),
    ]
    assert [[u.name for u in t.lead_units] for t in table_tasks] == [
        ["市民政局"],
        ["市民政局"],
        ["市政务服务局"],
    ]
    assert [u.name for u in table_tasks[0].cooperating_units] == ["市财政局", "各区"]
    assert [
        t.deadline.date.isoformat() if t.deadline and t.deadline.date else None for t in table_tasks
    ] == [
        "2015-12-31",
        "2016-06-30",
        None,
    ]


def test_excel_task_table_with_header_below_a_title_and_merged_cells() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "分工表"
    sheet.append(["某市2016年改革重点任务分工表"])
    sheet.append(["序号", "改革项目", "工作要点", "完成时间", "牵头单位", "配合单位", "备注"])
    sheet.append(
        [
            1,
            "深化社区治理改革",
            "推进社区减负,到2016年社区专职人员不少于5名",
            "2016年底",
            "市民政局",
            "各区",
            "",
        ]
    )
    sheet.append([None, None, "建立社区准入制度", "2016年6月", None, "市编办", "需专项组配合"])
    sheet.append([2, "完善救助体系", "建立临时救助制度", "201612", "市民政局", None, None])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("E3:E4")
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = extract_bytes(buffer.getvalue(), "分工表.xlsx")
    assert document.kind == "xlsx"
    tasks = document.tasks
    assert [(t.number, t.title) for t in tasks] == [
        ("1", "深化社区治理改革"),
        # A further row under the merged task cell is named by its own point (gold/README.md).
        ("1", "建立社区准入制度"),
        ("2", "完善救助体系"),
    ]
    assert [[u.name for u in t.lead_units] for t in tasks] == [["市民政局"]] * 3
    assert [[u.name for u in t.cooperating_units] for t in tasks] == [["各区"], ["市编办"], []]
    assert tasks[1].remarks == "需专项组配合"
    assert tasks[2].deadline is not None
    assert tasks[2].deadline.date is not None
    assert tasks[2].deadline.date.isoformat() == "2016-12-31"
    assert any("疑似丢失" in flag for flag in tasks[2].flags)
    assert [(t.value, t.unit, t.comparator, t.year) for t in document.targets] == [
        (5, "名", "ge", 2016)
    ]


def test_excel_without_a_header_row_says_so() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["甲", "乙"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = extract_bytes(buffer.getvalue(), "x.xlsx")
    assert document.tasks == []
    assert any("未找到表头" in warning for warning in document.warnings)


def _pdf(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 10)
    y = 800
    for line in lines:
        page.drawString(40, y, line)
        y -= 20
    page.save()
    return buffer.getvalue()


def test_text_pdf() -> None:
    document = extract_bytes(_pdf(PLAN.splitlines()), "plan.pdf")
    assert document.kind == "pdf"
    _check_plan(document.tasks, document.targets)


def test_scanned_pdf_without_text_is_refused_with_a_clear_message() -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(50, 50, 300, 300, fill=1)  # an image-like page: no text at all
    page.save()
    with pytest.raises(IngestError, match="扫描件"):
        extract_bytes(buffer.getvalue(), "scan.pdf")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "是空的"),
        (b"   \n\n  ", "blank.txt", "是空的"),
        (bytes(range(128, 256)) * 50, "noise.txt", "编码"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.doc", "旧版"),
        (b"PK\x03\x04broken", "broken.docx", "已损坏"),
    ],
)
def test_bad_input_gets_a_chinese_first_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(IngestError, match=message) as raised:
        extract_bytes(data, name)
    assert "\u4e00" <= str(raised.value)[0] <= "\u9fff" or str(raised.value)[0] in "文“无"


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(IngestError, match="过大"):
        extract_file(path)


def test_missing_file_and_empty_text() -> None:
    with pytest.raises(IngestError, match="找不到文件"):
        extract_file("/nonexistent/plan.txt")
    with pytest.raises(IngestError, match="为空"):
        extract_text("  ")


def test_items_without_units_and_units_that_are_not_departments_are_kept() -> None:
    document = extract_text("一、任务\n——完善社区服务。\n——推进志愿服务(市志愿者联合会负责)。\n")
    assert [task.title for task in document.tasks] == ["完善社区服务", "推进志愿服务"]
    assert document.tasks[0].lead_units == []
    assert [u.name for u in document.tasks[1].lead_units] == ["市志愿者联合会"]
