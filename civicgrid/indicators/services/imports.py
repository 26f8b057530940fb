"""Importing values: DHIS2-shaped rows (CSV / JSON: dataElement, period, orgUnit, value) and the
Excel template filled offline (Excel 模板填报).

All or nothing: every row is checked first — known reported element of the data set, a period
the data set accepts, a unit the actor reports for, a number that fits the element, no value of
a submitted or approved submission, no cell given twice — and any problem rejects the whole
import with row-level messages (:class:`ImportRejected`). Re-running the same file is safe
(values are upserted).

The Excel template has one row per unit and one column per element; columns are found by their
header (element name with its ``[CODE]``, unit code, period), so a sheet whose columns were moved
or shifted is read correctly or refused with the header at fault, never misread.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.territory.models import AdminUnit

from ..models import (
    EDITABLE_STATUSES,
    DataElement,
    DataSet,
    DataSubmission,
    DataValue,
    ElementSource,
    SubmissionEventKind,
    SubmissionStatus,
    ValueOrigin,
)
from ..selectors.access import may_define, may_report, reporting_units
from .aggregates import aggregates_refresh
from .common import check_period_of_data_set, parse_number
from .errors import ImportRejected, InvalidInput, RowError
from .reporting import (
    _event,
    _locked_submission,
    _move,
    locked_message,
    submission_submit,
    write_values,
)
from .validation import run_validation

MAX_ERRORS = 200
UNIT_HEADERS = frozenset({"unit code", "单位代码", "orgunit", "org unit", "organisation unit"})
NAME_HEADERS = frozenset({"unit name", "单位名称", "orgunitname"})
PERIOD_HEADERS = frozenset({"period", "期间", "统计期间", "报告期"})
_CODE_IN_HEADER = re.compile(r"\[([A-Za-z0-9_.\-]+)\]\s*$")


@dataclass
class ImportResult:
    values: int = 0
    created: int = 0
    updated: int = 0
    submissions: list[int] = field(default_factory=list)
    aggregate_rows: int = 0


@dataclass(frozen=True)
class _Cell:
    row: int
    column: str
    element: str
    unit: str
    period: str
    value: Any
    comment: str = ""


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def data_values_import(
    *,
    actor: Any,
    rows: Iterable[Mapping[str, Any]],
    data_set: DataSet | None = None,
    submit: bool = False,
    as_approved: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Import DHIS2-shaped rows (``dataElement``, ``period``, ``orgUnit``, ``value``, optional
    ``comment``; row numbers count from 2 as in a CSV file with a header, or ``_row``)."""
    cells: list[_Cell] = []
    errors: list[RowError] = []
    for index, row in enumerate(rows, start=2):
        number = int(row.get("_row") or index)
        missing = [k for k in ("dataElement", "period", "orgUnit", "value") if k not in row]
        if missing:
            errors.append(
                RowError(
                    number, missing[0], _("The column %(name)s is missing.") % {"name": missing[0]}
                )
            )
            continue
        cells.append(
            _Cell(
                row=number,
                column="value",
                element=str(row.get("dataElement") or "").strip(),
                unit=str(row.get("orgUnit") or "").strip(),
                period=str(row.get("period") or "").strip(),
                value=row.get("value"),
                comment=str(row.get("comment") or "").strip(),
            )
        )
    return _import(
        actor=actor,
        cells=cells,
        errors=errors,
        data_set=data_set,
        submit=submit,
        as_approved=as_approved,
        today=today or timezone.localdate(),
        source="rows",
    )


@transaction.atomic
def _import(
    *,
    actor: Any,
    cells: list[_Cell],
    errors: list[RowError],
    data_set: DataSet | None,
    submit: bool,
    as_approved: bool,
    today: dt.date,
    source: str,
) -> ImportResult:
    if as_approved and actor is not None and not may_define(actor):
        raise PermissionDeniedError(
            _("Only the programme office or an administrator may import approved values.")
        )
    elements = {e.code: e for e in DataElement.objects.filter(code__in={c.element for c in cells})}
    units = {u.code: u for u in AdminUnit.objects.filter(code__in={c.unit for c in cells})}
    sets_of: dict[str, list[DataSet]] = defaultdict(list)
    candidate_sets = (
        [data_set]
        if data_set is not None
        else list(
            DataSet.objects.filter(is_active=True, elements__code__in=list(elements)).distinct()
        )
    )
    set_elements = {ds.pk: set(ds.elements.values_list("code", flat=True)) for ds in candidate_sets}
    for ds in candidate_sets:
        for code in set_elements[ds.pk]:
            sets_of[code].append(ds)
    submissions = {
        (s.data_set_id, s.unit_code, s.period): s
        for s in DataSubmission.objects.filter(
            unit_code__in=list(units), period__in={c.period for c in cells}
        ).select_related("unit")
    }
    report_rights: dict[tuple[int, str], bool] = {}
    seen: dict[tuple[str, str, str], int] = {}
    accepted: list[tuple[_Cell, DataSet, DataElement, AdminUnit, Decimal | None]] = []
    for cell in cells:
        if len(errors) >= MAX_ERRORS:
            break

        def fail(message: Any, cell: _Cell = cell) -> None:
            errors.append(RowError(cell.row, cell.column, str(message)))

        element = elements.get(cell.element)
        if element is None:
            fail(_("Unknown data element “%(code)s”.") % {"code": cell.element})
            continue
        if element.source == ElementSource.COMPUTED:
            fail(
                _("%(element)s is computed by CivicGrid, not reported.") % {"element": element.name}
            )
            continue
        unit = units.get(cell.unit)
        if unit is None:
            fail(_("Unknown admin unit code “%(code)s”.") % {"code": cell.unit})
            continue
        candidates = sets_of.get(element.code, [])
        chosen: DataSet | None = None
        period_problem: DomainError | None = None
        for ds in candidates:
            try:
                period = check_period_of_data_set(ds, cell.period, today=today)
            except DomainError as problem:
                period_problem = period_problem or problem
                continue
            chosen = ds
            break
        if chosen is None:
            if period_problem is not None:
                fail(period_problem.message)
            else:
                fail(
                    _("%(element)s is not in data set %(set)s.")
                    % {"element": element.name, "set": data_set.name if data_set else "—"}
                )
            continue
        key_rights = (chosen.pk, unit.code)
        if actor is not None:
            if key_rights not in report_rights:
                report_rights[key_rights] = may_report(actor, chosen, unit)
            if not report_rights[key_rights]:
                fail(
                    _("%(unit)s is outside the units you report data set %(set)s for.")
                    % {"unit": unit.name, "set": chosen.name}
                )
                continue
        existing = submissions.get((chosen.pk, unit.code, period.code))
        if existing is not None and existing.status not in EDITABLE_STATUSES:
            fail(locked_message(existing))
            continue
        try:
            number = parse_number(cell.value, element)
        except DomainError as problem:
            fail(problem.message)
            continue
        key = (element.code, unit.code, period.code)
        if key in seen:
            fail(
                _(
                    "The value of %(element)s for %(unit)s in %(period)s is also given in "
                    "row %(row)s."
                )
                % {
                    "element": element.name,
                    "unit": unit.name,
                    "period": period.code,
                    "row": seen[key],
                }
            )
            continue
        seen[key] = cell.row
        if number is not None:
            accepted.append((cell, chosen, element, unit, number))
    if errors:
        errors.sort(key=lambda error: (error.row, error.column))
        raise ImportRejected(
            _("%(count)s row(s) have errors; nothing was saved. First: row %(row)s: %(message)s")
            % {
                "count": len({e.row for e in errors}),
                "row": errors[0].row,
                "message": errors[0].message,
            },
            errors=errors,
        )
    if not accepted:
        raise InvalidInput(_("The file has no values to import."))
    grouped: dict[tuple[int, str, str], list[tuple[_Cell, DataElement, Decimal | None]]] = (
        defaultdict(list)
    )
    sets_by_pk: dict[int, DataSet] = {}
    units_by_code: dict[str, AdminUnit] = {}
    for cell, ds, element, unit, number in accepted:
        grouped[(ds.pk, unit.code, cell.period)].append((cell, element, number))
        sets_by_pk[ds.pk] = ds
        units_by_code[unit.code] = unit
    result = ImportResult()
    touched_elements: set[int] = set()
    touched_periods: set[str] = set()
    for (ds_pk, unit_code, period_code), items in sorted(grouped.items()):
        ds = sets_by_pk[ds_pk]
        unit = units_by_code[unit_code]
        period = check_period_of_data_set(ds, period_code, today=today)
        submission, _created = _locked_submission(ds, unit, period, actor=actor)
        if submission.status not in EDITABLE_STATUSES:  # changed since the check
            raise ImportRejected(
                locked_message(submission),
                errors=[RowError(items[0][0].row, "value", locked_message(submission))],
            )
        counts = write_values(
            submission,
            {element: number for _cell, element, number in items},
            actor=actor,
            origin=ValueOrigin.IMPORTED,
            comments={element.code: cell.comment for cell, element, _n in items if cell.comment},
        )
        result.values += len(items)
        result.created += counts["created"]
        result.updated += counts["updated"]
        submission.version += 1
        submission.save(update_fields=["version", "updated_at"])
        _event(
            submission,
            actor=actor,
            kind=SubmissionEventKind.IMPORT,
            details={**counts, "source": source},
        )
        run_validation(submission)
        if as_approved:
            _move(
                submission,
                actor=actor,
                to_status=SubmissionStatus.APPROVED_CITY,
                kind=SubmissionEventKind.APPROVE,
                note=_("Imported as approved."),
            )
            touched_elements.update(element.pk for _c, element, _n in items)
            touched_periods.add(period_code)
        elif submit:
            submission_submit(actor=actor, submission=submission)
        result.submissions.append(submission.pk)
    if touched_elements:
        refreshed = aggregates_refresh(
            reason="import", element_ids=touched_elements, periods=touched_periods
        )
        result.aggregate_rows = refreshed.rows
    audit_record(
        actor=actor,
        action="indicators.values_import",
        target_type="indicators.datavalue",
        details={"values": result.values, "submissions": len(result.submissions), "source": source},
    )
    return result


# -- Excel -------------------------------------------------------------------------------------


def _element_header(element: DataElement) -> str:
    return f"{element.name} [{element.code}]"


def template_build(
    *, actor: Any, data_set: DataSet, period: str, unit_codes: Iterable[str] | None = None
) -> bytes:
    """The Excel template of ``data_set`` for ``period``: one row per unit the actor reports for
    (or ``unit_codes`` among them), one column per element, current values filled in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    checked = check_period_of_data_set(data_set, period, today=timezone.localdate())
    if actor is None:
        units = list(data_set.units.order_by("code"))
    else:
        units = reporting_units(actor, data_set)
        if not units:
            raise PermissionDeniedError(
                _("You report data set %(set)s for no unit.") % {"set": data_set.name}
            )
    if unit_codes is not None:
        wanted = set(unit_codes)
        units = [u for u in units if u.code in wanted]
    elements = list(data_set.elements.order_by("code"))
    current: dict[tuple[str, int], Decimal] = {
        (unit_code, element_id): value
        for unit_code, element_id, value in DataValue.objects.filter(
            element__in=elements, period=checked.code, unit_code__in=[u.code for u in units]
        ).values_list("unit_code", "element_id", "value")
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Data")[:31]
    sheet.append([f"{data_set.name} ({data_set.code})", checked.code])
    sheet["A1"].font = Font(bold=True)
    headers = [_("Unit code"), _("Unit name"), _("Period")] + [_element_header(e) for e in elements]
    sheet.append(headers)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=2, column=column)
        cell.font = Font(bold=True)
        cell.fill = fill
        sheet.column_dimensions[get_column_letter(column)].width = 18 if column > 3 else 16
    sheet.column_dimensions["B"].width = 28
    for unit in units:
        row: list[Any] = [unit.code, unit.name, checked.code]
        for element in elements:
            value = current.get((unit.code, element.pk))
            row.append(None if value is None else float(value))
        sheet.append(row)
    for column in (1, 3):
        for cells in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = "@"
    meta = book.create_sheet("meta")
    meta.append(["data_set", data_set.code])
    meta.append(["period", checked.code])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _headers(base: frozenset[str], english: str) -> frozenset[str]:
    """The accepted spellings of a header: fixed ones plus the active language's."""
    return base | {_norm(english), _norm(_(english))}


def _header_row(rows: list[tuple[Any, ...]]) -> int | None:
    unit_headers = _headers(UNIT_HEADERS, "Unit code")
    for index, row in enumerate(rows[:10]):
        if any(_norm(cell) in unit_headers for cell in row):
            return index
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def template_import(
    *,
    actor: Any,
    data_set: DataSet,
    content: bytes,
    submit: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Import a filled Excel template of ``data_set`` (see the module); all or nothing."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # any unreadable upload gets the same message
        raise InvalidInput(_("The file is not an Excel workbook (.xlsx)."), field="file") from None
    sheet = book.worksheets[0]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    if "meta" in book.sheetnames:
        meta = {str(r[0]): _cell_text(r[1]) for r in book["meta"].iter_rows(values_only=True) if r}
        if meta.get("data_set") and meta["data_set"] != data_set.code:
            raise InvalidInput(
                _("The file is the template of data set %(other)s, not %(set)s.")
                % {"other": meta["data_set"], "set": data_set.code},
                field="file",
            )
    book.close()
    header_index = _header_row(rows)
    if header_index is None:
        raise ImportRejected(
            _("No header row with a “Unit code” column was found."),
            errors=[RowError(1, "", _("No header row with a “Unit code” column was found."))],
        )
    header = rows[header_index]
    header_row = header_index + 1
    elements = {e.code: e for e in data_set.elements.all()}
    by_name = {_norm(e.name): e.code for e in elements.values()}
    unit_headers = _headers(UNIT_HEADERS, "Unit code")
    period_headers = _headers(PERIOD_HEADERS, "Period")
    name_headers = _headers(NAME_HEADERS, "Unit name")
    unit_column = period_column = None
    element_columns: dict[int, str] = {}
    errors: list[RowError] = []
    for position, text in enumerate(header):
        label = _norm(text)
        letter = get_column_letter(position + 1)
        if not label:
            continue
        if label in unit_headers:
            unit_column = position
        elif label in period_headers:
            period_column = position
        elif label in name_headers:
            continue
        else:
            match = _CODE_IN_HEADER.search(str(text))
            code = match.group(1) if match else by_name.get(label)
            if code is None and str(text).strip() in elements:
                code = str(text).strip()
            if code is None or code not in elements:
                errors.append(
                    RowError(
                        header_row,
                        letter,
                        _("Column %(column)s “%(header)s” is no data element of %(set)s.")
                        % {"column": letter, "header": str(text)[:60], "set": data_set.name},
                    )
                )
            elif code in element_columns.values():
                errors.append(
                    RowError(
                        header_row,
                        letter,
                        _("Column %(column)s repeats data element %(code)s.")
                        % {"column": letter, "code": code},
                    )
                )
            else:
                element_columns[position] = code
    if period_column is None:
        errors.append(RowError(header_row, "", _("The “Period” column is missing.")))
    if not element_columns and not errors:
        errors.append(RowError(header_row, "", _("No data element column was found.")))
    if errors:
        raise ImportRejected(
            _("The header row of the file does not match the template; nothing was saved."),
            errors=errors,
        )
    assert unit_column is not None
    assert period_column is not None
    cells: list[_Cell] = []
    for offset, row in enumerate(rows[header_index + 1 :], start=header_row + 1):
        if not any(_cell_text(value) for value in row):
            continue
        unit_code = _cell_text(row[unit_column]) if unit_column < len(row) else ""
        period_code = _cell_text(row[period_column]) if period_column < len(row) else ""
        for position, code in element_columns.items():
            value = row[position] if position < len(row) else None
            if _cell_text(value) == "":
                continue
            cells.append(
                _Cell(
                    row=offset,
                    column=get_column_letter(position + 1),
                    element=code,
                    unit=unit_code,
                    period=period_code,
                    value=value,
                )
            )
    return _import(
        actor=actor,
        cells=cells,
        errors=[],
        data_set=data_set,
        submit=submit,
        as_approved=False,
        today=today or timezone.localdate(),
        source="excel",
    )
