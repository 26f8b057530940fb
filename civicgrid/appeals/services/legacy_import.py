"""Bulk import of legacy appeal records (历史工单导入) from CSV (UTF-8 or GBK) or .xlsx.

Columns (row 1; Chinese or English headers, any order; see ``COLUMNS``): 原编号
``source_reference`` (required), 受理时间 ``received_at`` (required), 渠道 ``channel`` (kept in
the timeline as the legacy channel), 类型 ``type`` (required), 分类 ``category`` (code or
name), 标题 ``title`` (default: the start of the text), 内容 ``text`` (required), 地址
``address``, 经度 ``lon``, 纬度 ``lat``, 诉求人 ``citizen_name``, 电话 ``phone``, 承办单位
``lead_department`` (code, full name, short name or alias), 状态 ``status`` (required),
答复时间 ``replied_at``, 答复内容 ``reply``, 满意度 ``satisfaction``, 办结时间 ``closed_at``.

Every row is checked before anything is written; problems are reported per row and column
(row numbers as a spreadsheet shows them: the header is row 1). By default one bad row stops
the whole import; with ``skip_invalid`` the valid rows are imported. Rows whose 原编号 is
already in the database are skipped as already imported, so an import can be re-run safely.

Imported appeals have channel ``import``, a number from their received date, the place located
to its grid (the city when there are no coordinates), deadlines from the received date in
working days, the lead department's assignment and timeline events with the historical times
(``import`` plus one per state reached, ``details.source = "legacy"``). They are written in
batches of plain INSERTs (COPY on PostgreSQL, see :mod:`.bulk_rows`), each day's numbers taken
in one block, without routing, auto-dispatch or notifications. Times without a
zone are Asia/Shanghai (``settings.TIME_ZONE``). Text is stored as typed: HTML stays text.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role
from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError
from civicgrid.core.phones import validate_phone
from civicgrid.core.textfiles import decode_chinese_text
from civicgrid.core.workdays import add_working_days, working_day_flags
from civicgrid.territory.models import AdminUnit, Department, DepartmentAlias
from civicgrid.territory.selectors import current_locator, locate_points
from civicgrid.territory.validators import validate_coordinates_in_city

from ..models import (
    Appeal,
    AppealEvent,
    AppealStatus,
    Assignment,
    AssignmentRole,
    Category,
    Channel,
    Satisfaction,
)
from ..selectors import time_limits_for
from .bulk_rows import RowWriter
from .catalogue_io import TYPE_NAMES
from .common import TEXT_MAX, TITLE_MAX, require_role
from .numbers import appeal_number, appeal_numbers_reserve_days

IMPORT_ROLES = frozenset({Role.ADMINISTRATOR})
BATCH_SIZE = 1000
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ERRORS_KEPT = 1000  # the report keeps the first problems; counts stay exact
REFERENCE_MAX = 64
ADDRESS_MAX = 200
NAME_MAX = 60
CHANNEL_MAX = 20
TITLE_FROM_TEXT = 30  # characters of the text used as title when the title is empty

# key → accepted headers (Chinese first). The file format is Chinese whatever the UI language.
COLUMNS: dict[str, tuple[str, ...]] = {
    "source_reference": ("原编号", "原工单编号", "source_reference"),
    "received_at": ("受理时间", "received_at"),
    "channel": ("渠道", "来源渠道", "channel"),
    "type": ("类型", "诉求类型", "type"),
    "category": ("分类", "诉求分类", "category"),
    "title": ("标题", "title"),
    "text": ("内容", "诉求内容", "text"),
    "address": ("地址", "address"),
    "lon": ("经度", "lon", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "citizen_name": ("诉求人", "citizen_name", "citizen"),
    "phone": ("电话", "联系电话", "phone"),
    "lead_department": ("承办单位", "lead_department", "department"),
    "status": ("状态", "status"),
    "replied_at": ("答复时间", "replied_at"),
    "reply": ("答复内容", "reply"),
    "satisfaction": ("满意度", "satisfaction"),
    "closed_at": ("办结时间", "closed_at"),
}
REQUIRED = ("source_reference", "received_at", "type", "text", "status")
LABELS = {key: names[0] for key, names in COLUMNS.items()}

STATUS_NAMES = {
    AppealStatus.ACCEPTED: ("已受理", "受理", "待派单"),
    AppealStatus.DISPATCHED: ("已派单", "派单", "已转办", "待签收"),
    AppealStatus.SIGNED: ("已签收", "签收", "办理中"),
    AppealStatus.REPLIED: ("已答复", "答复", "待回访"),
    AppealStatus.FOLLOWED_UP: ("已回访", "回访"),
    AppealStatus.CLOSED: ("已办结", "办结", "已完成"),
    AppealStatus.CANCELLED: ("已作废", "作废", "已撤销", "无效"),
}
SATISFACTION_NAMES = {
    Satisfaction.SATISFIED: ("满意", "非常满意"),
    Satisfaction.BASICALLY_SATISFIED: ("基本满意", "比较满意"),
    Satisfaction.UNSATISFIED: ("不满意",),
}
# The states an appeal passes on the way to each final one, with the event that reaches it.
PATH = [
    (AppealStatus.DISPATCHED, "dispatch"),
    (AppealStatus.SIGNED, "sign_for"),
    (AppealStatus.REPLIED, "reply"),
    (AppealStatus.FOLLOWED_UP, "follow_up"),
    (AppealStatus.CLOSED, "close"),
]
RANK: dict[str, int] = {
    AppealStatus.ACCEPTED: 0,
    AppealStatus.DISPATCHED: 1,
    AppealStatus.SIGNED: 2,
    AppealStatus.REPLIED: 3,
    AppealStatus.FOLLOWED_UP: 4,
    AppealStatus.CLOSED: 5,
}
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
    "%Y%m%d",
)


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the Chinese header
    message: str

    def __str__(self) -> str:
        column = f" [{self.column}]" if self.column else ""
        return _("row %(row)s%(column)s: %(message)s") % {
            "row": self.row,
            "column": column,
            "message": self.message,
        }


@dataclass
class LegacyImportReport:
    rows: int = 0
    imported: int = 0
    already_imported: int = 0
    invalid_rows: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    error_count: int = 0
    already_imported_rows: list[int] = field(default_factory=list)
    is_dry_run: bool = False
    is_skip_invalid: bool = False
    is_written: bool = False
    seconds: float = 0.0

    def add_error(self, row: int, key: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowProblem(row, LABELS.get(key, key), message))

    @property
    def valid_rows(self) -> int:
        return self.rows - self.invalid_rows - self.already_imported

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "already_imported": self.already_imported,
            "invalid_rows": self.invalid_rows,
            "errors": self.error_count,
            "dry_run": self.is_dry_run,
            "skip_invalid": self.is_skip_invalid,
            "written": self.is_written,
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        return _(
            "%(rows)s rows: %(imported)s imported, %(already)s already imported before, "
            "%(invalid)s with errors."
        ) % {
            "rows": self.rows,
            "imported": self.imported,
            "already": self.already_imported,
            "invalid": self.invalid_rows,
        }


@dataclass
class _Record:
    row: int
    source_reference: str
    received_at: dt.datetime
    legacy_channel: str
    appeal_type: str
    category: Category | None
    title: str
    text: str
    address: str
    lon: float | None
    lat: float | None
    citizen_name: str
    phone: str
    department: Department | None
    status: str
    replied_at: dt.datetime | None
    reply: str
    satisfaction: str
    closed_at: dt.datetime | None


# ---------------------------------------------------------------------------------- reading


def _cell_text(value: Any) -> str:
    if type(value) is str:  # every CSV cell, most .xlsx ones
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _header_key(label: str) -> str | None:
    text = unicodedata.normalize("NFKC", label).strip().lower()
    for key, names in COLUMNS.items():
        if text in {name.lower() for name in names}:
            return key
    return None


def _read_rows(content: bytes, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the data rows; row 1 (the header) comes first with number 1."""
    is_xlsx = content[:2] == b"PK" or Path(file_name).suffix.lower() == ".xlsx"
    if is_xlsx:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise DomainError(
                _("This is not an Excel workbook (.xlsx) that can be read."),
                code="invalid",
                field="file",
            ) from error
        try:
            sheet = workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
        finally:
            workbook.close()
        return
    try:
        text = decode_chinese_text(content)
    except UnicodeDecodeError as error:
        raise DomainError(
            _("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) or .xlsx."),
            code="invalid",
            field="file",
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, list(cells)
    except csv.Error as error:
        raise DomainError(
            _("The CSV file cannot be read: %(error)s") % {"error": error},
            code="invalid",
            field="file",
        ) from error


# ---------------------------------------------------------------------------------- checking


class _Lookups:
    """Everything the row checks look up, read once."""

    def __init__(self) -> None:
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now()
        categories = list(Category.objects.select_related("parent"))
        self.category_by_code = {c.code: c for c in categories}
        self.categories_by_name: dict[str, list[Category]] = {}
        for category in categories:
            self.categories_by_name.setdefault(category.name, []).append(category)
        departments = list(Department.objects.all())
        self.department_by_key: dict[str, Department | None] = {}
        by_pk = {d.pk: d for d in departments}
        for alias, department_id in DepartmentAlias.objects.values_list("alias", "department_id"):
            self._add_department(alias, by_pk[department_id])
        for department in departments:
            if department.short_name:
                self._add_department(department.short_name, department)
        for department in departments:
            self.department_by_key[department.name] = department
            self.department_by_key[department.code] = department
        self.locator = current_locator()
        self.limits: dict[tuple[str, int | None], tuple[int, int]] = {}
        self.deadlines: dict[tuple[dt.date, int], dt.date] = {}

    def _add_department(self, key: str, department: Department) -> None:
        other = self.department_by_key.get(key, department)
        # A short name or alias shared by two departments is ambiguous: None.
        self.department_by_key[key] = department if other == department else None

    def time_limits(self, appeal_type: str, category: Category | None) -> tuple[int, int]:
        key = (appeal_type, category.pk if category else None)
        if key not in self.limits:
            self.limits[key] = time_limits_for(appeal_type, category)
        return self.limits[key]

    def load_calendar(self, first: dt.date, last: dt.date) -> None:
        """Read the working days of the whole span once (one query) for :meth:`add_working_days`."""
        flags = working_day_flags(first, last)
        self.working_days = sorted(day for day, is_working in flags.items() if is_working)
        self.calendar_last = last

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        key = (day, n)
        if key not in self.deadlines:
            days = getattr(self, "working_days", [])
            index = bisect.bisect_right(days, day) + n - 1
            if n > 0 and index < len(days) and days[index] <= self.calendar_last:
                self.deadlines[key] = days[index]
            else:
                self.deadlines[key] = add_working_days(day, n)
        return self.deadlines[key]


def _choice(value: str, names: dict[Any, tuple[str, ...]]) -> str | None:
    for key, aliases in names.items():
        if value == str(key) or value in aliases:
            return str(key)
    return None


class _RowChecker:
    def __init__(self, lookups: _Lookups, report: LegacyImportReport) -> None:
        self.lookups = lookups
        self.report = report

    def check(self, number: int, values: dict[str, str]) -> _Record | None:
        self.number = number
        self.problems = 0
        get = values.get
        for key in REQUIRED:
            if not get(key, ""):
                self.error(key, _("This column may not be empty."))
        reference = get("source_reference", "")
        if len(reference) > REFERENCE_MAX:
            self.error(
                "source_reference",
                _("At most %(max)s characters.") % {"max": REFERENCE_MAX},
            )
        received_at = self.moment("received_at", get("received_at", ""))
        replied_at = self.moment("replied_at", get("replied_at", ""))
        closed_at = self.moment("closed_at", get("closed_at", ""))
        appeal_type = None
        if get("type"):
            appeal_type = _choice(get("type", ""), {k: (v,) for k, v in TYPE_NAMES.items()})
            if appeal_type is None:
                self.error(
                    "type",
                    _("Unknown appeal type “%(value)s” (expected one of %(types)s).")
                    % {"value": get("type"), "types": "、".join(TYPE_NAMES.values())},
                )
        category = self.category(get("category", ""))
        text = get("text", "")
        title = get("title", "") or text[:TITLE_FROM_TEXT]
        self.length("title", title, TITLE_MAX)
        self.length("text", text, TEXT_MAX)
        self.length("reply", get("reply", ""), TEXT_MAX)
        address = get("address", "")
        self.length("address", address, ADDRESS_MAX)
        citizen_name = get("citizen_name", "")
        self.length("citizen_name", citizen_name, NAME_MAX)
        legacy_channel = get("channel", "")
        self.length("channel", legacy_channel, CHANNEL_MAX)
        lon, lat = self.point(get("lon", ""), get("lat", ""))
        phone = ""
        if get("phone"):
            try:
                phone = validate_phone(get("phone"), LABELS["phone"])
            except ValidationError as error:
                self.error("phone", " ".join(error.messages))
        department = self.department(get("lead_department", ""))
        status = None
        if get("status"):
            status = _choice(get("status", ""), STATUS_NAMES)
            if status is None:
                self.error(
                    "status",
                    _("Unknown status “%(value)s” (expected %(names)s).")
                    % {
                        "value": get("status"),
                        "names": "、".join(names[0] for names in STATUS_NAMES.values()),
                    },
                )
        satisfaction = ""
        if get("satisfaction"):
            satisfaction = _choice(get("satisfaction", ""), SATISFACTION_NAMES) or ""
            if not satisfaction:
                self.error(
                    "satisfaction",
                    _("Unknown satisfaction “%(value)s” (expected 满意、基本满意 or 不满意).")
                    % {"value": get("satisfaction")},
                )
        if status is not None and status == AppealStatus.REPLIED and satisfaction:
            status = AppealStatus.FOLLOWED_UP  # a rated reply has been followed up
        if status is not None:
            self.consistency(
                status, values, department, received_at, replied_at, closed_at, satisfaction
            )
        if self.problems or status is None or appeal_type is None or received_at is None:
            return None
        return _Record(
            row=number,
            source_reference=reference,
            received_at=received_at,
            legacy_channel=legacy_channel,
            appeal_type=appeal_type,
            category=category,
            title=title,
            text=text,
            address=address,
            lon=lon,
            lat=lat,
            citizen_name=citizen_name,
            phone=phone,
            department=department,
            status=status,
            replied_at=replied_at,
            reply=get("reply", ""),
            satisfaction=satisfaction,
            closed_at=closed_at,
        )

    def error(self, key: str, message: str) -> None:
        self.problems += 1
        self.report.add_error(self.number, key, message)

    def length(self, key: str, value: str, limit: int) -> None:
        if len(value) > limit:
            self.error(
                key,
                _("At most %(max)s characters (this one has %(length)s).")
                % {"max": limit, "length": len(value)},
            )

    def moment(self, key: str, value: str) -> dt.datetime | None:
        if not value:
            return None
        text = unicodedata.normalize("NFKC", value).strip()
        parsed = None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            for pattern in _DATE_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if parsed is None:
            self.error(
                key,
                _("“%(value)s” is not a date and time such as 2024-03-05 14:30.")
                % {"value": value[:40]},
            )
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.lookups.zone)
        if parsed > self.lookups.now:
            self.error(key, _("The time %(value)s lies in the future.") % {"value": value[:40]})
            return None
        if parsed.year < 2000:
            self.error(key, _("The time %(value)s is before 2000.") % {"value": value[:40]})
            return None
        return parsed

    def category(self, value: str) -> Category | None:
        if not value:
            return None
        lookups = self.lookups
        if value in lookups.category_by_code:
            return lookups.category_by_code[value]
        matches = lookups.categories_by_name.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.error(
                "category",
                _("The category name “%(value)s” is ambiguous; use one of the codes %(codes)s.")
                % {"value": value, "codes": "、".join(sorted(c.code for c in matches))},
            )
        else:
            self.error("category", _("Unknown category “%(value)s”.") % {"value": value})
        return None

    def department(self, value: str) -> Department | None:
        if not value:
            return None
        lookups = self.lookups
        key = unicodedata.normalize("NFKC", value).strip()
        if key not in lookups.department_by_key:
            self.error("lead_department", _("Unknown department “%(value)s”.") % {"value": value})
            return None
        department = lookups.department_by_key[key]
        if department is None:
            self.error(
                "lead_department",
                _("The department name “%(value)s” is ambiguous; use its code.") % {"value": value},
            )
        return department

    def point(self, lon: str, lat: str) -> tuple[float | None, float | None]:
        if not lon and not lat:
            return None, None
        if not lon or not lat:
            self.error("lon" if not lon else "lat", _("Give both longitude and latitude."))
            return None, None
        try:
            return validate_coordinates_in_city(
                lon, lat, LABELS["lon"], locator=self.lookups.locator
            )
        except ValidationError as error:
            self.error("lon", " ".join(error.messages))
            return None, None

    def consistency(
        self,
        status: str,
        values: dict[str, str],
        department: Department | None,
        received_at: dt.datetime | None,
        replied_at: dt.datetime | None,
        closed_at: dt.datetime | None,
        satisfaction: str,
    ) -> None:
        """The status must agree with the department, the reply and the times."""
        rank = RANK.get(status, -1)
        name = STATUS_NAMES[status][0]  # type: ignore[index]
        if rank >= RANK[AppealStatus.DISPATCHED] and not values.get("lead_department"):
            self.error(
                "lead_department",
                _("An appeal that is %(status)s needs its handling department.") % {"status": name},
            )
        if rank >= RANK[AppealStatus.REPLIED]:
            if not values.get("replied_at"):
                self.error(
                    "replied_at",
                    _("An appeal that is %(status)s needs its reply time.") % {"status": name},
                )
            if not values.get("reply"):
                self.error(
                    "reply", _("An appeal that is %(status)s needs its reply.") % {"status": name}
                )
        elif values.get("replied_at") or values.get("reply"):
            key = "replied_at" if values.get("replied_at") else "reply"
            self.error(
                key, _("An appeal that is %(status)s cannot have a reply yet.") % {"status": name}
            )
        if status == AppealStatus.CLOSED and not values.get("closed_at"):
            self.error(
                "closed_at",
                _("An appeal that is %(status)s needs its closing time.") % {"status": name},
            )
        if status not in {AppealStatus.CLOSED, AppealStatus.CANCELLED} and values.get("closed_at"):
            self.error(
                "closed_at",
                _("An appeal that is %(status)s cannot have a closing time.") % {"status": name},
            )
        if satisfaction and rank < RANK[AppealStatus.REPLIED]:
            self.error(
                "satisfaction",
                _("Only a replied appeal can have a satisfaction rating."),
            )
        if received_at and replied_at and replied_at < received_at:
            self.error("replied_at", _("The reply time is before the time it was received."))
        if received_at and closed_at and closed_at < received_at:
            self.error("closed_at", _("The closing time is before the time it was received."))
        if replied_at and closed_at and closed_at < replied_at:
            self.error("closed_at", _("The closing time is before the reply time."))


# ---------------------------------------------------------------------------------- writing


APPEAL_COLUMNS = (
    "number",
    "query_code_hash",
    "channel",
    "appeal_type",
    "category_id",
    "title",
    "text",
    "address",
    "lon",
    "lat",
    "admin_unit_id",
    "admin_unit_code",
    "citizen_name",
    "citizen_phone",
    "status",
    "lead_department_id",
    "accepted_on",
    "sign_for_deadline",
    "handling_deadline",
    "signed_at",
    "replied_at",
    "closed_at",
    "reply",
    "satisfaction",
    "source_reference",
    "created_by_id",
)
EVENT_COLUMNS = (
    "appeal_id",
    "at",
    "actor_id",
    "kind",
    "from_status",
    "to_status",
    "department_id",
    "details",
)
ASSIGNMENT_COLUMNS = ("appeal_id", "department_id", "role", "is_open")
_LEGACY = {"source": "legacy"}
_CANCELLED = str(AppealStatus.CANCELLED)
_CLOSED = str(AppealStatus.CLOSED)
LEAD = str(AssignmentRole.LEAD)


@dataclass
class _Built:
    """One record ready to be written: the appeal's values (``APPEAL_COLUMNS`` order), its
    events without the appeal (``EVENT_COLUMNS`` order from ``at``) and its lead department
    assignment (department id, is open) when dispatched."""

    appeal: list[Any]
    events: list[tuple[Any, ...]]
    assignment: tuple[int, bool] | None


def _events(record: _Record, actor_id: int | None) -> list[tuple[Any, ...]]:
    """The timeline of an imported record: ``import`` then one event per state reached, at the
    historical times, each with ``details.source = "legacy"``."""
    department_id = record.department.pk if record.department is not None else None
    events: list[tuple[Any, ...]] = [
        (
            record.received_at,
            actor_id,
            "import",
            "",
            str(AppealStatus.ACCEPTED),
            None,
            {
                **_LEGACY,
                "source_reference": record.source_reference,
                "legacy_channel": record.legacy_channel,
            },
        )
    ]
    rank = RANK.get(record.status, -1)
    previous = str(AppealStatus.ACCEPTED)
    times = {
        AppealStatus.DISPATCHED: record.received_at,
        AppealStatus.SIGNED: record.received_at,
        AppealStatus.REPLIED: record.replied_at,
        AppealStatus.FOLLOWED_UP: record.closed_at or record.replied_at,
        AppealStatus.CLOSED: record.closed_at,
    }
    for state, kind in PATH:
        if rank < RANK[state] or (state == AppealStatus.FOLLOWED_UP and not record.satisfaction):
            continue
        details = (
            {**_LEGACY, "satisfaction": record.satisfaction} if kind == "follow_up" else _LEGACY
        )
        at = times[state] or record.received_at
        department = department_id if kind in {"dispatch", "sign_for", "reply"} else None
        events.append((at, actor_id, kind, previous, str(state), department, details))
        previous = str(state)
    if record.status == AppealStatus.CANCELLED:
        at = record.closed_at or record.received_at
        events.append((at, actor_id, "cancel", previous, _CANCELLED, None, _LEGACY))
    return events


def _build(
    record: _Record,
    number: str,
    unit: AdminUnit,
    received_on: dt.date,
    lookups: _Lookups,
    actor_id: int | None,
) -> _Built:
    sign_days, handling_days = lookups.time_limits(record.appeal_type, record.category)
    rank = RANK.get(record.status, -1)
    is_dispatched = record.department is not None and (
        rank >= RANK[AppealStatus.DISPATCHED] or record.status == AppealStatus.CANCELLED
    )
    department_id = record.department.pk if record.department is not None else None
    appeal = [
        number,
        "",  # query_code_hash: legacy citizens got no query code, nothing matches
        str(Channel.IMPORT),
        record.appeal_type,
        record.category.pk if record.category is not None else None,
        record.title,
        record.text,
        record.address,
        record.lon,
        record.lat,
        unit.pk,
        unit.code,
        record.citizen_name,
        record.phone,
        record.status,
        department_id if is_dispatched else None,
        received_on,
        lookups.add_working_days(received_on, sign_days) if is_dispatched else None,
        lookups.add_working_days(received_on, handling_days),
        record.received_at if rank >= RANK[AppealStatus.SIGNED] else None,
        record.replied_at,
        record.closed_at,
        record.reply,
        record.satisfaction,
        record.source_reference,
        actor_id,
    ]
    assignment = None
    if is_dispatched and department_id is not None:
        assignment = (department_id, record.status not in {_CLOSED, _CANCELLED})
    return _Built(appeal, _events(record, actor_id), assignment)


def _numbers(records: list[_Record], located: list[str], received: list[dt.date]) -> list[str]:
    """Each record's number: per city and day, one block of the day's counter, given out in
    the order of the received times (then rows)."""
    wanted: dict[str, dict[dt.date, list[int]]] = {}
    for index, day in enumerate(received):
        wanted.setdefault(located[index][:4], {}).setdefault(day, []).append(index)
    numbers: list[str] = [""] * len(records)
    for city_code, days in sorted(wanted.items()):
        first = appeal_numbers_reserve_days(
            city_code=city_code, counts={day: len(indexes) for day, indexes in days.items()}
        )
        for day, indexes in days.items():
            indexes.sort(key=lambda i: (records[i].received_at, records[i].row))
            for offset, index in enumerate(indexes):
                numbers[index] = appeal_number(city_code, day, first[day] + offset)
    return numbers


def _write(records: list[_Record], lookups: _Lookups, actor: Any) -> int:
    city = AdminUnit.objects.filter(code=settings.CIVICGRID_CITY_CODE).first()
    if city is None:
        raise DomainError(_("The city's admin units are not loaded."), code="no_territory")
    units = {city.code: city}
    located: list[str] = [city.code] * len(records)
    with_point = [i for i, r in enumerate(records) if r.lon is not None and r.lat is not None]
    if with_point:
        results = locate_points(
            [records[i].lon for i in with_point],
            [records[i].lat for i in with_point],
            locator=lookups.locator,
        )
        for index, result in zip(with_point, results, strict=True):
            if result is not None:
                located[index] = result.unit.code
        units.update(AdminUnit.objects.in_bulk(set(located), field_name="code"))
    zone = lookups.zone
    received = [r.received_at.astimezone(zone).date() for r in records]
    numbers = _numbers(records, located, received)
    longest = max(
        max(pair) for pair in [lookups.time_limits(r.appeal_type, r.category) for r in records]
    )
    lookups.load_calendar(min(received), max(received) + dt.timedelta(days=longest * 3 + 60))
    staff = actor if getattr(actor, "is_authenticated", False) else None
    actor_id = staff.pk if staff is not None else None
    now = timezone.now()
    appeals = RowWriter(Appeal, APPEAL_COLUMNS, now=now)
    events = RowWriter(AppealEvent, EVENT_COLUMNS, now=now)
    assignments = RowWriter(Assignment, ASSIGNMENT_COLUMNS, now=now)
    written = 0
    for start in range(0, len(records), BATCH_SIZE):
        batch = range(start, min(start + BATCH_SIZE, len(records)))
        built = [
            _build(
                records[index],
                numbers[index],
                units.get(located[index], city),
                received[index],
                lookups,
                actor_id,
            )
            for index in batch
        ]
        appeals.insert(item.appeal for item in built)
        ids = _appeal_ids([numbers[index] for index in batch])
        event_rows: list[tuple[Any, ...]] = []
        assignment_rows: list[tuple[Any, ...]] = []
        for index, item in zip(batch, built, strict=True):
            appeal_id = ids[numbers[index]]
            event_rows.extend((appeal_id, *event) for event in item.events)
            if item.assignment is not None:
                department_id, is_open = item.assignment
                assignment_rows.append((appeal_id, department_id, LEAD, is_open))
        events.insert(event_rows)
        assignments.insert(assignment_rows)
        written += len(built)
    return written


def _appeal_ids(numbers: list[str]) -> dict[str, int]:
    """The ids of the appeals just inserted, by number (numbers are unique)."""
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        ids.update(
            Appeal.objects.filter(number__in=numbers[start : start + 500]).values_list(
                "number", "id"
            )
        )
    return ids


def _require_import_admin(actor: Any) -> None:
    """Administrators; ``actor=None`` is the system (the console command)."""
    if actor is not None:
        require_role(actor, IMPORT_ROLES, _("Only administrators may import legacy appeals."))


def legacy_appeals_import(
    *,
    actor: Any,
    content: bytes | BinaryIO,
    file_name: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> LegacyImportReport:
    """Check every row of the file and import the appeals (see the module docstring).

    Raises DomainError when the file itself cannot be read or has no usable header; problems
    of rows are in the report. Nothing is written on ``dry_run``, nor when a row has an error
    and ``skip_invalid`` is off.
    """
    _require_import_admin(actor)
    started = time.perf_counter()
    data = content if isinstance(content, bytes) else content.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
            code="invalid",
            field="file",
        )
    report = LegacyImportReport(is_dry_run=dry_run, is_skip_invalid=skip_invalid)
    rows = _read_rows(data, file_name)
    header = next(rows, None)
    positions: dict[str, int] = {}
    for index, label in enumerate(header[1] if header else []):
        key = _header_key(_cell_text(label))
        if key is not None and key not in positions:
            positions[key] = index
    missing = [LABELS[key] for key in ("source_reference",) if key not in positions]
    if header is None or missing:
        raise DomainError(
            _("The header row has no column %(columns)s.") % {"columns": "、".join(missing)}
            if header is not None
            else _("The file is empty."),
            code="invalid",
            field="file",
        )
    lookups = _Lookups()
    checker = _RowChecker(lookups, report)
    records: list[_Record] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        values = {
            key: _cell_text(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if not any(values.values()):
            continue
        report.rows += 1
        errors_before = report.error_count
        record = checker.check(number, values)
        reference = values.get("source_reference", "")
        if reference and reference in seen:
            report.add_error(
                number,
                "source_reference",
                _("The number %(reference)s appears twice in the file (also in row %(row)s).")
                % {"reference": reference, "row": seen[reference]},
            )
            record = None
        elif reference:
            seen[reference] = number
        if record is None or report.error_count > errors_before:
            report.invalid_rows += 1
            continue
        records.append(record)
    existing = _existing_references([r.source_reference for r in records])
    fresh = []
    for record in records:
        if record.source_reference in existing:
            report.already_imported += 1
            report.already_imported_rows.append(record.row)
        else:
            fresh.append(record)
    if dry_run or (report.error_count and not skip_invalid) or not fresh:
        report.seconds = time.perf_counter() - started
        return report
    with transaction.atomic():
        report.imported = _write(fresh, lookups, actor)
        audit_record(
            actor=actor,
            action="appeals.legacy_import",
            target_type="appeals.appeal",
            target_repr=file_name[:200],
            details={"file": file_name[:200], **report.as_dict()},
        )
    report.is_written = True
    report.seconds = time.perf_counter() - started
    return report


def _existing_references(references: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(references), 900):
        chunk = references[start : start + 900]
        found.update(
            reference
            for reference in Appeal.objects.filter(source_reference__in=chunk).values_list(
                "source_reference", flat=True
            )
            if reference
        )
    return found
