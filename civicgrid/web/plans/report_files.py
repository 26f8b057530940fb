"""The monthly supervision report (督办月报) as files: Excel (openpyxl) and PDF (fpdf2).

Both builders take plain data (:class:`MonthlyReport`), which the monthly-report page fills
from the plans selectors, so the files contain exactly what the page shows. Labels are passed
in already translated (the view renders them in Chinese, the language of the files that go to
other offices).

The PDF embeds its font: a subset of Noto Sans CJK SC committed under the SIL Open Font
Licence (``data/NotoSansCJKsc-Regular-GB2312.ttf``, built by :mod:`.fontsubset`) as a
CIDFontType2 font with a ToUnicode map, so the report looks the same on every reader and its
text can be searched and copied. A character outside the subset is drawn with a system Noto CJK
font when one is installed (Debian's fonts-noto-cjk), else with the subset's empty glyph.
Cells that would start a spreadsheet formula are written as text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..pdf import FONT_FAMILY, cjk_pdf, needs_fallback

LIGHT_FILLS = {"red": "F8D3CF", "yellow": "FCEFC7", "green": "D6F0DC"}
LIGHT_RGB = {"red": (248, 211, 207), "yellow": (252, 239, 199), "green": (214, 240, 220)}
PDF_TEXT_LIMIT = 160  # characters of a report's text in a PDF cell (the Excel file has it all)
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


@dataclass(frozen=True)
class ReportColumn:
    """A column of the task table: the row attribute it shows, its heading, widths."""

    key: str
    heading: str
    excel_width: float
    pdf_width: float  # relative


@dataclass
class MonthlyReportRow:
    """One task in the report (values already in the language of the file)."""

    number: str
    title: str
    plan: str
    lead: str
    cooperating: str
    deadline: dt.date | None
    deadline_text: str
    status: str
    percent_done: int
    light: str  # "red" | "yellow" | "green" | ""
    light_label: str
    latest_period: str
    latest_report: str
    problems: str
    urge_count: int
    is_escalated: bool

    def value(self, key: str) -> Any:
        return getattr(self, key)


@dataclass
class SummaryRow:
    """A line of a breakdown (by department or by district)."""

    name: str
    total: int
    done: int
    red: int
    yellow: int
    green: int


@dataclass
class MonthlyReport:
    title: str
    subtitle: str  # period, scope, the day the lights were computed for
    columns: Sequence[ReportColumn]
    rows: Sequence[MonthlyReportRow]
    # ("Tasks", 52), ("Red", 3) … shown above the table.
    figures: Sequence[tuple[str, int | str]] = ()
    breakdown_title: str = ""
    breakdown_headings: Sequence[str] = ()
    breakdown: Sequence[SummaryRow] = field(default_factory=list)
    yes: str = "yes"
    page_label: str = "page %(page)s"


def _cell_text(value: Any) -> Any:
    """A value safe for a spreadsheet cell: no control characters, no formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, dt.date)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if _FORMULA_START.match(text):
        return "'" + text
    return text


def _display(row: MonthlyReportRow, key: str, yes: str) -> Any:
    value = row.value(key)
    if key == "light":
        return row.light_label
    if key == "is_escalated":
        return yes if value else ""
    if key == "deadline":
        return value.isoformat() if value else row.deadline_text
    if key == "percent_done":
        return f"{value}%"
    return value


def monthly_report_xlsx(report: MonthlyReport) -> bytes:
    """The report as an Excel workbook: the task table, then the breakdown on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "tasks"
    sheet.append([_cell_text(report.title)])
    sheet["A1"].font = Font(size=14, bold=True)
    sheet.append([_cell_text(report.subtitle)])
    if report.figures:
        sheet.append([_cell_text(f"{label}: {value}") for label, value in report.figures])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([column.heading for column in report.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    for row in report.rows:
        values = []
        for column in report.columns:
            value = row.value(column.key)
            if column.key == "light":
                value = row.light_label
            elif column.key == "is_escalated":
                value = report.yes if value else ""
            elif column.key == "deadline":
                value = value or row.deadline_text
            values.append(_cell_text(value))
        sheet.append(values)
        if row.light in LIGHT_FILLS:
            index = [column.key for column in report.columns].index("light") + 1
            sheet.cell(row=sheet.max_row, column=index).fill = PatternFill(
                "solid", fgColor=LIGHT_FILLS[row.light]
            )
    for index, column in enumerate(report.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.excel_width
        if column.key == "deadline":
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    for cells in sheet.iter_rows(min_row=header_row + 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if report.breakdown:
        second = workbook.create_sheet("summary")
        second.append([_cell_text(report.breakdown_title)])
        second.append(list(report.breakdown_headings))
        for cell in second[2]:
            cell.font = Font(bold=True)
        for line in report.breakdown:
            second.append(
                [_cell_text(line.name), line.total, line.done, line.red, line.yellow, line.green]
            )
        second.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _texts(report: MonthlyReport) -> Iterator[str]:
    yield report.title
    yield report.subtitle
    yield report.page_label
    yield report.yes
    yield report.breakdown_title
    yield from report.breakdown_headings
    for label, value in report.figures:
        yield f"{label}{value}"
    for column in report.columns:
        yield column.heading
    for row in report.rows:
        for column in report.columns:
            yield str(_display(row, column.key, report.yes) or "")
    for line in report.breakdown:
        yield line.name


def _needs_fallback(report: MonthlyReport) -> bool:
    """Whether some character of the report is missing from the committed font (a rare
    character of a name, say): only then is the larger system font loaded."""
    return needs_fallback(_texts(report))


def _clip(text: str, limit: int = PDF_TEXT_LIMIT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """The report as an A4 landscape PDF with the Chinese font embedded (subset)."""
    pdf = cjk_pdf(_texts(report), title=report.title, page_label=report.page_label)
    pdf.set_font(FONT_FAMILY, size=16)
    pdf.multi_cell(0, 9, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, report.subtitle, new_x="LMARGIN", new_y="NEXT")
    if report.figures:
        pdf.multi_cell(
            0,
            6,
            "    ".join(f"{label}: {value}" for label, value in report.figures),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    heading_style = FontFace(emphasis="", fill_color=(238, 241, 245))
    pdf.set_font(FONT_FAMILY, size=8)
    with pdf.table(
        col_widths=tuple(column.pdf_width for column in report.columns),
        headings_style=heading_style,
        line_height=4.5,
        text_align="LEFT",
        cell_fill_mode=TableCellFillMode.NONE,
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for column in report.columns:
            heading.cell(column.heading)
        for row in report.rows:
            line = table.row()
            for column in report.columns:
                text = str(_display(row, column.key, report.yes) or "")
                if column.key in ("latest_report", "problems", "title"):
                    text = _clip(text)
                style = None
                if column.key == "light" and row.light in LIGHT_RGB:
                    style = FontFace(fill_color=LIGHT_RGB[row.light])
                line.cell(text, style=style)
    if report.breakdown:
        pdf.ln(4)
        pdf.set_font(FONT_FAMILY, size=12)
        pdf.multi_cell(0, 7, report.breakdown_title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, size=9)
        with pdf.table(
            col_widths=(4, 1, 1, 1, 1, 1),
            headings_style=heading_style,
            line_height=5,
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for text in report.breakdown_headings:
                heading.cell(str(text))
            for summary in report.breakdown:
                line = table.row()
                for value in (
                    summary.name,
                    summary.total,
                    summary.done,
                    summary.red,
                    summary.yellow,
                    summary.green,
                ):
                    line.cell(str(value))
    return bytes(pdf.output())
