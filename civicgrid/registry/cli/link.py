"""``civicgrid registry link [FILE] --source CODE``: record linkage from the console.

With ``FILE`` (CSV in UTF-8 or GBK, or .xlsx; columns 姓名/name, 联系电话/phone,
现住址/current_address or 地址/address, 出生日期/birth_date, order free) the rows are kept as
source records of ``--source`` (the same row again is the same record) and then linked; without
it, every person-kind source record that has no person yet (of ``--source`` when given) is
linked. Prints one JSON object: the rows read, stored and refused (with line and reason) and the
run's counts (linked / review / unmatched, candidates created, seconds).

Examples::

    civicgrid registry link tenants.xlsx --source grid
    civicgrid registry link --source grid --accept 0.97 --review 0.6
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.textfiles import decode_chinese_text
from civicgrid.registry.linkage import LinkageSettings
from civicgrid.registry.linkage.services import (
    ROW_KEYS,
    link_source_records,
    pending_source_records,
    source_rows_store,
)
from civicgrid.registry.models import SourceRecord

NAME = "link"
HELP = "Link source rows without a trustworthy ID number to registry persons (record linkage)."


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file", nargs="?", help="CSV (UTF-8/GBK) or .xlsx of rows to link; omit to link pending"
    )
    parser.add_argument("--source", help="Source code (e.g. grid); required with a file")
    parser.add_argument("--accept", type=float, help="Link automatically from this probability")
    parser.add_argument("--review", type=float, help="Review queue from this probability")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    parser.add_argument("--memory-limit", help="DuckDB memory limit, e.g. 8GB")
    training = parser.add_mutually_exclusive_group()
    training.add_argument(
        "--train", dest="train", action="store_true", default=None, help="Always train"
    )
    training.add_argument(
        "--no-train", dest="train", action="store_false", help="Use the prior parameters"
    )


def _header_key(value: Any) -> str | None:
    text = "".join(unicodedata.normalize("NFKC", str(value or "")).split()).lower()
    for key, names in ROW_KEYS.items():
        if text in {name.lower() for name in names}:
            return key
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """``(line, fields)`` of a CSV or .xlsx file, fields keyed by :data:`ROW_KEYS`."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror}).") from error
    if raw[:2] == b"PK" or path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as error:
            raise CommandError(f"{path}: not a readable Excel file ({error}).") from error
        sheet = workbook.worksheets[0]
        lines = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        try:
            text = decode_chinese_text(raw)
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: neither UTF-8 nor GBK text.") from error
        lines = [row for row in csv.reader(io.StringIO(text))]
    if not lines:
        raise CommandError(f"{path}: the file is empty.")
    positions = {}
    for index, value in enumerate(lines[0]):
        key = _header_key(value)
        if key and key not in positions:
            positions[key] = index
    if "name" not in positions:
        raise CommandError(f"{path}: line 1 has no name (姓名) column.")
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        rows.append(
            (
                number,
                {
                    key: (cells[index].strip() if index < len(cells) else "")
                    for key, index in positions.items()
                },
            )
        )
    return rows


def handle(command: BaseCommand, options: dict[str, Any]) -> None:
    from civicgrid.registry.models import Source

    source_code = options.get("source")
    source = None
    if source_code:
        source = Source.objects.filter(code=source_code).first()
        if source is None:
            codes = ", ".join(Source.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"--source {source_code}: no such source (known: {codes}).")
    try:
        settings = LinkageSettings.from_django_settings(
            accept_threshold=options.get("accept"),
            review_threshold=options.get("review"),
            threads=options.get("threads"),
            memory_limit=options.get("memory_limit"),
            train=options.get("train"),
        )
    except ValueError as error:
        raise CommandError(f"--accept/--review: {error}") from error

    report: dict[str, Any] = {}
    if options.get("file"):
        if source is None:
            raise CommandError("--source is required with a file (e.g. --source grid).")
        path = Path(options["file"])
        rows = read_rows(path)
        stored = source_rows_store(actor=None, source=source, rows=rows)
        report.update(
            {
                "file": str(path),
                "rows_read": len(rows),
                "rows_stored": stored.created,
                "rows_already_stored": stored.existing,
                "row_problems": [problem.as_dict() for problem in stored.problems],
            }
        )
        records = SourceRecord.objects.filter(pk__in=stored.record_ids)
    else:
        records = pending_source_records(source=source)
    summary = link_source_records(actor=None, records=records, settings=settings)
    report.update(summary.as_dict())
    command.stdout.write(json.dumps(report, ensure_ascii=False))
