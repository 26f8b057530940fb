"""Excel export (导出Excel) of every workbench list, with the page's filters and sort.

The file is written with openpyxl's write-only mode into a temporary file while the appeals
are read in chunks, so memory stays bounded whatever the size; more than
``CIVICGRID_EXPORT_MAX_ROWS`` rows (default 100,000) are refused with a message asking to narrow
the filters. Column headers and values are Chinese (the language of the records; the files go
to other offices), the citizen's name and phone are masked, and every export is written to the
audit trail (``appeals.export``, with the workbench, the filter string and the row count).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from civicgrid.accounts.models import Role
from civicgrid.accounts.selectors import scope_of
from civicgrid.appeals import services
from civicgrid.appeals.models import Appeal, AppealStatus, SupervisionItem
from civicgrid.appeals.selectors import workbenches as selectors
from civicgrid.appeals.selectors.lights import current_deadline, light_for
from civicgrid.core.audit import audit_record
from civicgrid.core.masking import mask_name, mask_phone

from . import common
from .listing import AppealListing, read_listing

MAX_ROWS_DEFAULT = 100_000
CHUNK = 2000
EXPORT_LANGUAGE = "zh-hans"
BOARD_ROLES = services.SUPERVISION_ROLES | services.EXTENSION_DECIDE_ROLES
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def max_rows() -> int:
    return int(getattr(settings, "CIVICGRID_EXPORT_MAX_ROWS", MAX_ROWS_DEFAULT))


def _is_staff(user: Any) -> bool:
    return bool(user.is_superuser or getattr(user, "is_staff_role", False))


def _may_see_board(user: Any) -> bool:
    return bool(user.is_superuser or user.role in BOARD_ROLES)


def _is_citizen(user: Any) -> bool:
    return bool(user.role == Role.CITIZEN and not user.is_superuser)


@dataclass(frozen=True)
class Workbench:
    """A workbench list: who may open it, its appeals, default order and its page."""

    page: str  # URL name of the page
    allowed: Callable[[Any], bool]
    appeals: Callable[[HttpRequest], QuerySet[Appeal]]
    default_order: tuple[str, ...]
    citizen: bool = False


WORKBENCHES: dict[str, Workbench] = {
    "list": Workbench(
        "web:appeal_list",
        _is_staff,
        lambda request: selectors.all_appeals_for(request.user),
        ("-created_at", "-id"),
    ),
    "queue": Workbench(
        "web:appeal_queue",
        _is_staff,
        lambda request: selectors.queue_for(request.user),
        ("created_at", "id"),
    ),
    "inbox": Workbench(
        "web:appeal_inbox",
        _is_staff,
        lambda request: selectors.inbox_for(
            request.user, all_statuses=bool(request.GET.get("status"))
        ),
        ("created_at", "id"),
    ),
    "supervision": Workbench(
        "web:appeal_supervision",
        _may_see_board,
        lambda request: selectors.supervised_for(request.user),
        ("current_deadline_order", "id"),
    ),
    "mine": Workbench(
        "web:appeal_mine",
        _is_citizen,
        lambda request: selectors.my_appeals(request.user),
        ("-created_at", "-id"),
        citizen=True,
    ),
}


def workbench_listing(request: HttpRequest, name: str) -> AppealListing:
    """The listing of workbench ``name`` as the request filters and sorts it."""
    bench = WORKBENCHES[name]
    appeals = bench.appeals(request)
    default_order = bench.default_order
    if name == "supervision":
        appeals = appeals.annotate(current_deadline_order=current_deadline())
    return read_listing(
        request,
        appeals,
        user=request.user,
        default_order=default_order,
        citizen=bench.citizen,
    )


# --- Columns -----------------------------------------------------------------------------------


def _date(value: dt.date | None) -> dt.date | str:
    return value if value is not None else ""


def _department(appeal: Appeal) -> str:
    department = appeal.lead_department
    return (department.short_name or department.name) if department else ""


def _deadline(appeal: Appeal) -> dt.date | None:
    if appeal.status == AppealStatus.DISPATCHED:
        return appeal.sign_for_deadline
    return appeal.handling_deadline


Column = tuple[Any, Callable[[Appeal, str], Any]]

STAFF_COLUMNS: list[Column] = [
    (lazy("Number"), lambda a, light: a.number),
    (lazy("Accepted on"), lambda a, light: a.accepted_on),
    (lazy("Channel"), lambda a, light: a.get_channel_display()),
    (lazy("Type"), lambda a, light: a.get_appeal_type_display()),
    (lazy("Category"), lambda a, light: a.category.name if a.category else ""),
    (lazy("Urgency"), lambda a, light: a.get_urgency_display()),
    (lazy("Title"), lambda a, light: a.title),
    (lazy("Status"), lambda a, light: a.get_status_display()),
    (lazy("Area"), lambda a, light: a.admin_unit.name if a.admin_unit else a.admin_unit_code),
    (lazy("Citizen's name"), lambda a, light: mask_name(a.citizen_name)),
    (lazy("Citizen's phone"), lambda a, light: mask_phone(a.citizen_phone)),
    (lazy("Lead department"), lambda a, light: _department(a)),
    (lazy("Deadline"), lambda a, light: _date(_deadline(a))),
    (lazy("Deadline light"), lambda a, light: str(common.LIGHT_LABELS.get(light, ""))),
]


def _items(appeal: Appeal) -> list[SupervisionItem]:
    return list(getattr(appeal, "open_supervision", []))


SUPERVISION_COLUMNS: list[Column] = [
    *STAFF_COLUMNS,
    (
        SupervisionItem._meta.get_field("kind").verbose_name,
        lambda a, light: "；".join(item.get_kind_display() for item in _items(a)),
    ),
    (
        SupervisionItem._meta.get_field("level").verbose_name,
        lambda a, light: "；".join(item.get_level_display() for item in _items(a)),
    ),
    (
        SupervisionItem._meta.get_field("opened_at").verbose_name,
        lambda a, light: min(
            (localtime(item.opened_at).replace(tzinfo=None) for item in _items(a)), default=""
        ),
    ),
]


def _citizen_status(appeal: Appeal) -> str:
    return str(AppealStatus(selectors.citizen_status(appeal)).label)


CITIZEN_COLUMNS: list[Column] = [
    (lazy("Number"), lambda a, light: a.number),
    (lazy("Accepted on"), lambda a, light: a.accepted_on),
    (lazy("Type"), lambda a, light: a.get_appeal_type_display()),
    (lazy("Title"), lambda a, light: a.title),
    (lazy("Status"), lambda a, light: _citizen_status(a)),
    (lazy("Lead department"), lambda a, light: _department(a)),
    (lazy("Reply"), lambda a, light: a.reply if selectors.citizen_sees_reply(a) else ""),
]


def _columns(name: str) -> list[Column]:
    if name == "supervision":
        return SUPERVISION_COLUMNS
    if name == "mine":
        return CITIZEN_COLUMNS
    return STAFF_COLUMNS


def _cell(value: Any) -> Any:
    """Text safe for a worksheet: no control characters, never read as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if _FORMULA_START.match(value):
            value = "'" + value
    return value


def _rows(listing: AppealListing, columns: list[Column]) -> Iterator[list[Any]]:
    thresholds = listing.lights.thresholds
    for appeal in listing.appeals.iterator(chunk_size=CHUNK):
        light = light_for(appeal, thresholds)
        yield [_cell(value(appeal, light)) for _header, value in columns]


def write_workbook(listing: AppealListing, name: str, target: Any) -> int:
    """Write the listing's appeals to ``target`` (a file) as .xlsx; returns the row count."""
    columns = _columns(name)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Appeals"))[:31])
    sheet.append([str(header) for header, _value in columns])
    count = 0
    for row in _rows(listing, columns):
        sheet.append(row)
        count += 1
    workbook.save(target)
    return count


@login_required
@require_GET
def appeal_export(request: HttpRequest, workbench: str) -> HttpResponseBase:
    """导出: the workbench list with the same filters and sort as an Excel file."""
    bench = WORKBENCHES.get(workbench)
    if bench is None:
        raise Http404
    user: Any = request.user
    if not bench.allowed(user):
        raise PermissionDenied
    listing = workbench_listing(request, workbench)
    page_url = reverse(bench.page) + (f"?{listing.query}" if listing.query else "")
    if listing.form.errors:
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(page_url)
    total = listing.appeals.count()
    limit = max_rows()
    if total > limit:
        messages.error(
            request,
            _(
                "%(count)s appeals match: an export holds at most %(max)s. "
                "Narrow the filters (for example the dates) and export again."
            )
            % {"count": total, "max": limit},
        )
        return redirect(page_url)
    # closed by the FileResponse once sent; the rows never sit in memory all at once
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    with translation.override(EXPORT_LANGUAGE):
        rows = write_workbook(listing, workbench, target)
    scope = scope_of(user)
    audit_record(
        actor=user,
        action="appeals.export",
        target_type="appeals.appeal",
        target_repr=workbench,
        admin_unit_code=scope.code or "",
        details={"workbench": workbench, "filters": listing.query, "rows": rows},
    )
    target.seek(0)
    file_name = f"appeals-{workbench}-{common.today().isoformat()}.xlsx"
    return FileResponse(
        target,
        as_attachment=True,
        filename=file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
