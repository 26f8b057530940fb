"""Files → text and tables: plain text (UTF-8 / GBK / GB18030), Word .docx, text PDFs, Excel.

Every failure is an :class:`IngestError` whose message says, Chinese first, what is wrong and
what to do: an empty file, a file over the size limit, an encoding that cannot be read, a scanned
PDF without text, a file of a kind that is not supported.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from civicgrid.plans.extraction.types import IngestError

# A policy document of 200 pages is a few MB; larger uploads are refused.
MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000

SourceKind = Literal["text", "docx", "pdf", "xlsx"]


@dataclass
class Block:
    """A piece of a document in reading order: a paragraph, or a table of cells."""

    text: str = ""
    rows: list[list[str]] | None = None  # a table: rows of cell texts (merged cells filled)
    name: str = ""  # the sheet's name for Excel


@dataclass
class Source:
    """What a file holds, before structure is read from it."""

    kind: SourceKind
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


def _kind_of(filename: str, data: bytes) -> SourceKind:
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as error:
            raise IngestError(
                f"文件“{filename}”已损坏,无法作为 Word 或 Excel 文件打开。"
                f" (The file is damaged: {error}.)"
            ) from error
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        raise IngestError(
            f"不支持的文件类型:“{filename}”。请上传 .txt、.docx、.pdf 或 .xlsx 文件。"
            " (Unsupported file type: upload .txt, .docx, .pdf or .xlsx.)"
        )
    if suffix in {".doc", ".xls", ".wps", ".et"} or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(
            f"“{filename}”是旧版 Office 格式(.doc/.xls),请另存为 .docx 或 .xlsx 后再导入。"
            " (Old Office format: save it as .docx or .xlsx first.)"
        )
    return "text"


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """Bytes of a text file → (text, encoding), UTF-8 / GB18030 (GBK's superset) / UTF-16."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _mostly_chinese(text):
        return text, "gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and _mostly_chinese(str(best)):
        return str(best), best.encoding
    raise IngestError(
        f"无法识别文件“{filename}”的文字编码(既不是 UTF-8,也不是 GBK/GB18030)。"
        "请用记事本等工具另存为 UTF-8 后再导入。"
        " (The text encoding could not be recognised: save the file as UTF-8.)"
    )


def _mostly_chinese(text: str) -> bool:
    sample = text[:20000]
    letters = [ch for ch in sample if not ch.isspace()]
    if not letters:
        return False
    readable = sum(
        1
        for ch in letters
        if "\u4e00" <= ch <= "\u9fff"
        or ch.isascii()
        or "\u3000" <= ch <= "\u303f"
        or ch in "，。、；：（）《》“”‘’！？—…"
    )
    return readable / len(letters) > 0.85


def _docx(data: bytes, filename: str) -> Source:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a broken package
        raise IngestError(
            f"无法读取 Word 文件“{filename}”:{error}。 (The Word file cannot be read.)"
        ) from error
    source = Source(kind="docx")
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            if text.strip():
                source.blocks.append(Block(text=text))
        elif tag == "tbl":
            table = Table(child, document)
            rows = []
            for row in table.rows:
                # python-docx repeats a merged cell's text in every grid cell it covers.
                rows.append([cell.text for cell in row.cells])
            if rows:
                source.blocks.append(Block(rows=rows))
    return source


def _pdf(data: bytes, filename: str) -> Source:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(data), laparams=LAParams(line_margin=0.3))
    except PDFSyntaxError as error:
        raise IngestError(
            f"无法读取 PDF 文件“{filename}”:{error}。 (The PDF cannot be read.)"
        ) from error
    except Exception as error:  # pdfminer raises several kinds for damaged files
        raise IngestError(
            f"无法读取 PDF 文件“{filename}”:{error}。 (The PDF cannot be read.)"
        ) from error
    if len(re.sub(r"\s", "", text)) < 20:
        raise IngestError(
            f"PDF 文件“{filename}”中没有可提取的文字,可能是扫描件。"
            "请先做文字识别(OCR),或上传 Word/文本版本。"
            " (The PDF has no text layer: it looks scanned. Run OCR first or upload the text.)"
        )
    text = text.replace("\x0c", "\n")
    return Source(kind="pdf", blocks=[Block(text=line) for line in text.split("\n")])


def _merged_value_map(sheet: Any) -> dict[tuple[int, int], object]:
    values: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                values[(row, column)] = top_left
    return values


def _xlsx(data: bytes, filename: str) -> Source:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a broken workbook
        raise IngestError(
            f"无法读取 Excel 文件“{filename}”:{error}。 (The workbook cannot be read.)"
        ) from error
    source = Source(kind="xlsx")
    for sheet in workbook.worksheets:
        merged = _merged_value_map(sheet)
        rows: list[list[str]] = []
        for row_index, row in enumerate(sheet.iter_rows(), start=1):
            cells = []
            for column_index, cell in enumerate(row, start=1):
                value = merged.get((row_index, column_index), cell.value)
                cells.append(_cell_text(value))
            if any(cells):
                rows.append(cells)
        if rows:
            source.blocks.append(Block(rows=rows, name=sheet.title))
    if not source.blocks:
        raise IngestError(f"Excel 文件“{filename}”中没有任何内容。 (The workbook is empty.)")
    return source


def _cell_text(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_bytes(data: bytes, filename: str) -> Source:
    """The content of a file given as bytes (an upload)."""
    if not data or not data.strip():
        raise IngestError(f"文件“{filename}”是空的,没有可读取的内容。 (The file is empty.)")
    if len(data) > MAX_BYTES:
        raise IngestError(
            f"文件“{filename}”过大({len(data) // (1024 * 1024)} MB),超过 "
            f"{MAX_BYTES // (1024 * 1024)} MB 的上限;请拆分后再导入。"
            " (The file is too large: split it.)"
        )
    kind = _kind_of(filename, data)
    if kind == "docx":
        return _docx(data, filename)
    if kind == "xlsx":
        return _xlsx(data, filename)
    if kind == "pdf":
        return _pdf(data, filename)
    text, encoding = decode_text(data, filename)
    if "\x00" in text:
        raise IngestError(
            f"文件“{filename}”不是文本文件(含有二进制内容)。 (This is not a text file.)"
        )
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError(
            f"文件“{filename}”文字过多(超过 {MAX_TEXT_CHARS} 字),请拆分后再导入。"
            " (Too much text: split the file.)"
        )
    if not text.strip():
        raise IngestError(f"文件“{filename}”是空的,没有可读取的内容。 (The file is empty.)")
    source = Source(kind="text", blocks=[Block(text=text)], encoding=encoding)
    if encoding not in {"utf-8", "utf-8-sig"}:
        source.warnings.append(f"文件编码为 {encoding},已转换为 UTF-8 (converted from {encoding})")
    return source


def read_file(path: str | Path) -> Source:
    """The content of a file on disk."""
    file = Path(path)
    if not file.exists():
        raise IngestError(f"找不到文件“{file}”。 (File not found.)")
    if file.is_dir():
        raise IngestError(f"“{file}”是一个目录,不是文件。 (This is a directory.)")
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise IngestError(
            f"文件“{file.name}”过大({size // (1024 * 1024)} MB),超过 "
            f"{MAX_BYTES // (1024 * 1024)} MB 的上限;请拆分后再导入。"
            " (The file is too large: split it.)"
        )
    return read_bytes(file.read_bytes(), file.name)
