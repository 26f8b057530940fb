"""PDF files with Chinese text (fpdf2), shared by the pages that publish PDFs.

The font is the committed OFL subset of Noto Sans CJK SC of the plans monthly report
(``web/plans/data/NotoSansCJKsc-Regular-GB2312.ttf``, built by
:mod:`civicgrid.web.plans.fontsubset`), embedded as a CIDFontType2 font with a ToUnicode map:
the file looks the same on every reader and its text can be searched and copied. A character
outside the subset is drawn with a system Noto CJK font when one is installed (only then is
that larger font loaded).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from .plans.fontsubset import FONT_FILE, SIMPLIFIED_CHINESE_FACE

FONT_FAMILY = "NotoSansSC"
FALLBACK_FAMILY = "NotoSansCJKSystem"
SYSTEM_CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
)
HEADING_FILL = (238, 241, 245)
logging.getLogger("fontTools").setLevel(logging.WARNING)


@functools.cache
def covered_code_points() -> frozenset[int]:
    """The code points the committed font draws."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_FILE), lazy=True)
    return frozenset(font.getBestCmap())


def needs_fallback(texts: Iterable[str]) -> bool:
    covered = covered_code_points()
    return any(ord(char) not in covered and not char.isspace() for text in texts for char in text)


def system_cjk_font() -> Path | None:
    return next((path for path in SYSTEM_CJK_FONTS if path.exists()), None)


class CjkPDF(FPDF):
    """A PDF with the Chinese font set up and a page number in the footer."""

    page_label = "%(page)s"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.page_label % {"page": self.page_no()}, align="C")


def cjk_pdf(texts: Iterable[str], *, title: str, page_label: str, orientation: str = "L") -> CjkPDF:
    """A new A4 document (first page added) whose font draws every character of ``texts``."""
    pdf = CjkPDF(orientation=orientation, unit="mm", format="A4")
    pdf.page_label = page_label
    pdf.set_title(title)
    pdf.set_creator("CivicGrid")
    pdf.set_lang("zh-CN")
    pdf.add_font(FONT_FAMILY, fname=str(FONT_FILE))
    system_font = system_cjk_font() if needs_fallback(texts) else None
    if system_font is not None:
        pdf.add_font(
            FALLBACK_FAMILY, fname=str(system_font), collection_font_number=SIMPLIFIED_CHINESE_FACE
        )
        pdf.set_fallback_fonts([FALLBACK_FAMILY])
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    return pdf


def write_heading(pdf: FPDF, text: str, *, size: int = 12) -> None:
    pdf.set_font(FONT_FAMILY, size=size)
    pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")


def write_table(
    pdf: FPDF,
    headings: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    col_widths: Sequence[float],
    align: Sequence[str] | str = "LEFT",
    size: int = 8,
) -> None:
    """A table with its heading repeated on every page; ``None`` shows as "–"."""
    pdf.set_font(FONT_FAMILY, size=size)
    with pdf.table(
        col_widths=tuple(col_widths),
        headings_style=FontFace(emphasis="", fill_color=HEADING_FILL),
        line_height=size * 0.6,
        text_align=align if isinstance(align, str) else tuple(align),
        cell_fill_mode=TableCellFillMode.NONE,
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(str(text))
        for values in rows:
            line = table.row()
            for value in values:
                line.cell("–" if value is None else str(value))
