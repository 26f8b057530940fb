"""Reading registry files: CSV (UTF-8 or GBK) and Excel (.xlsx), with the header found by name.

Columns are recognised by their English or Chinese names (:data:`COLUMNS`, order free). The
header need not be the first row: title rows, merged group headers and two-row headers are
common in department spreadsheets, so the first :data:`HEADER_SEARCH_ROWS` rows are searched for
the row naming the most known columns; a column whose cell in that row is empty (a header merged
over two rows keeps its text in the upper cell) takes its name from the rows above. Line numbers
are the row numbers a spreadsheet shows (the first row of the file is 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import DomainError
from civicgrid.core.textfiles import decode_chinese_text

from ..models import EntityKind

HEADER_SEARCH_ROWS = 20

# record kind → column key → accepted headers (the first Chinese name labels the column).
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    EntityKind.PERSON: {
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
        "name": ("姓名", "name"),
        "sex": ("性别", "sex"),
        "birth_date": ("出生日期", "birth_date"),
        "phone": ("联系电话", "电话", "手机号码", "手机", "phone"),
        "registered_address": ("户籍地址", "户籍地详址", "registered_address"),
        "registered_division_code": (
            "户籍地区划代码",
            "户籍地行政区划代码",
            "registered_division_code",
        ),
        "residence_status": ("人口类型", "人员类型", "residence_status"),
        "permit_number": ("居住证号", "居住证号码", "permit_number"),
        "permit_valid_until": ("居住证有效期至", "居住证有效期", "permit_valid_until"),
        "current_address": ("现住址", "现居住地址", "居住地址", "current_address"),
        "lon": ("经度", "lon", "longitude"),
        "lat": ("纬度", "lat", "latitude"),
        "employer": ("工作单位", "就业单位", "employer"),
        "residence_kind": ("居住方式", "居住类型", "住房性质", "residence_kind"),
        "moved_in": ("入住日期", "居住起始日期", "moved_in"),
    },
    EntityKind.HOUSEHOLD: {
        "household_number": ("户号", "household_number"),
        "kind": ("户类型", "户别", "kind"),
        "address": ("地址", "住址", "户籍地址", "address"),
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "id_number"),
        "relation": ("与户主关系", "relation"),
    },
    EntityKind.ADDRESS: {
        "district": ("区", "区县", "district"),
        "street": ("街道", "镇街", "街道/镇", "street"),
        "community": ("社区", "村居", "社区/村", "community"),
        "road": ("路/街", "路街", "道路", "路", "road"),
        "house_number": ("门牌号", "门牌", "house_number"),
        "building": ("楼栋", "栋", "building"),
        "unit": ("单元", "unit"),
        "room": ("房号", "房间号", "室", "room"),
        "lon": ("经度", "lon", "longitude"),
        "lat": ("纬度", "lat", "latitude"),
    },
    EntityKind.ENTITY: {
        "uscc": ("统一社会信用代码", "信用代码", "uscc"),
        "name": ("名称", "单位名称", "企业名称", "name"),
        "kind": ("类型", "单位类型", "kind"),
        "legal_representative": ("法定代表人", "负责人", "legal_representative"),
        "registered_address": ("注册地址", "住所", "registered_address"),
        "actual_address": ("实际经营地址", "经营地址", "actual_address"),
        "status": ("状态", "登记状态", "经营状态", "status"),
        "established_on": ("成立日期", "established_on"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    EntityKind.PERSON: ("id_number", "name"),
    EntityKind.HOUSEHOLD: ("household_number", "id_number", "relation"),
    EntityKind.ADDRESS: ("district", "house_number"),
    EntityKind.ENTITY: ("uscc", "name"),
}


def column_label(kind: str, key: str) -> str:
    """``身份证号 (id_number)``: how a column is named in messages."""
    names = COLUMNS.get(kind, {}).get(key)
    return f"{names[0]} ({key})" if names else key


def _normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    return "".join(text.split()).replace("*", "")


def cell_text(value: Any) -> str:
    """A cell as text: dates as ``YYYY-MM-DD``, whole floats without ``.0``."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


@dataclass
class Header:
    line: int  # the row number of the header (its last row when it spans two)
    positions: dict[str, int]  # column key → index in the row


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, without copying the whole text."""
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


class RowFile:
    """The rows of one uploaded file: ``header`` then ``rows()`` yielding (line, cells)."""

    def __init__(self, content: bytes, file_name: str, kind: str) -> None:
        self.kind = kind
        self.file_name = file_name
        self.is_xlsx = content[:2] == b"PK" or Path(file_name).suffix.lower() in {
            ".xlsx",
            ".xlsm",
        }
        self._workbook: Any = None
        self._text = ""
        self.estimated_rows = 0
        if self.is_xlsx:
            self._open_xlsx(content)
        else:
            self._open_csv(content)
        self.header = self._find_header()

    # ------------------------------------------------------------------------- opening

    def _open_xlsx(self, content: bytes) -> None:
        from openpyxl import load_workbook

        try:
            self._workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = self._workbook.worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise DomainError(
                _("This is not an Excel workbook (.xlsx) that can be read."),
                code="invalid",
                field="file",
            ) from error
        self._sheet = sheet
        self.estimated_rows = int(sheet.max_row or 0)

    def _open_csv(self, content: bytes) -> None:
        try:
            self._text = decode_chinese_text(content)
        except UnicodeDecodeError as error:
            raise DomainError(
                _("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or .xlsx."),
                code="invalid",
                field="file",
            ) from error
        self.estimated_rows = self._text.count("\n") + 1

    def _raw_rows(self) -> Iterator[list[Any]]:
        if self.is_xlsx:
            for cells in self._sheet.iter_rows(values_only=True):
                yield list(cells)
            return
        reader = csv.reader(_lines(self._text))
        try:
            yield from reader
        except csv.Error as error:
            raise DomainError(
                _("The CSV file cannot be read near line %(line)s: %(error)s")
                % {"line": reader.line_num, "error": error},
                code="invalid",
                field="file",
            ) from error

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        self._text = ""

    # -------------------------------------------------------------------------- header

    def _find_header(self) -> Header:
        known = {
            _normalise_header(name): key
            for key, names in COLUMNS[self.kind].items()
            for name in names
        }
        top: list[list[Any]] = []
        for cells in self._raw_rows():
            top.append(cells)
            if len(top) >= HEADER_SEARCH_ROWS:
                break
        scores = [
            len({known[h] for h in map(_normalise_header, cells) if h in known}) for cells in top
        ]
        best_count = max(scores, default=0)
        if best_count == 0:
            raise DomainError(
                _(
                    "No header row found in the first %(rows)s rows: name the columns, e.g. "
                    "%(examples)s."
                )
                % {
                    "rows": HEADER_SEARCH_ROWS,
                    "examples": "、".join(
                        column_label(self.kind, key) for key in REQUIRED[self.kind]
                    ),
                },
                code="missing_columns",
                field="file",
            )
        # The header ends with the last of the rows naming columns that follow the best one
        # (sub-headers under merged group headers).
        end = scores.index(best_count) + 1
        while end < len(top) and scores[end] > 0:
            end += 1
        positions: dict[str, int] = {}
        width = max(len(cells) for cells in top[:end])
        for index in range(width):
            # Bottom-up: a cell merged over several header rows keeps its text in the top one.
            for cells in reversed(top[:end]):
                label = _normalise_header(cells[index]) if index < len(cells) else ""
                key = known.get(label)
                if key is not None and key not in positions:
                    positions[key] = index
                    break
        best_line = end
        missing = [key for key in REQUIRED[self.kind] if key not in positions]
        if missing:
            raise DomainError(
                _("Required columns are missing: %(columns)s.")
                % {"columns": "、".join(column_label(self.kind, key) for key in missing)},
                code="missing_columns",
                field="file",
                details={"missing": missing},
            )
        if ("lon" in positions) != ("lat" in positions):
            raise DomainError(
                _("Give both longitude (经度) and latitude (纬度) columns, or neither."),
                code="missing_columns",
                field="file",
            )
        return Header(line=best_line, positions=positions)

    # ---------------------------------------------------------------------------- rows

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {column key: text}) of every non-empty row after the header."""
        positions = list(self.header.positions.items())
        start = self.header.line
        width = max(index for _key, index in positions) + 1
        convert = cell_text if self.is_xlsx else str.strip  # CSV cells are text already
        for number, cells in enumerate(self._raw_rows(), start=1):
            if number <= start:
                continue
            if len(cells) < width:
                cells = [*cells, *[""] * (width - len(cells))]
            values = {key: convert(cells[index]) for key, index in positions}
            if any(values.values()):
                yield number, values
