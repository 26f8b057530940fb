"""The deadline sweep (红黄灯巡检): lights for every open appeal, supervision for the red ones.

:func:`run` is set-based: a fixed number of queries whatever the number of appeals.

* The light of an open appeal follows :func:`civicgrid.appeals.selectors.deadline_light`: a
  dispatched appeal runs against its sign-for deadline, an accepted or signed one against its
  handling deadline. Red: the deadline is before today. Yellow: at most ``yellow_days``
  (``AppealSettings.yellow_light_working_days``) working days are left, i.e. ``today <=
  deadline < threshold`` where ``threshold`` is the ``yellow_days + 1``-th working day after
  today — ONE calendar
  call for the whole sweep; the lights are then counted by the database.
* Red appeals get one open :class:`SupervisionItem` per kind (``overdue_sign_for`` /
  ``overdue_handling``, district level, ``created_by`` empty) with one ``INSERT … SELECT`` per
  kind; re-running opens nothing new (appeals with an open item of that kind are excluded in
  the query, and a conditional unique constraint backs it: of two sweeps racing, the loser's
  transaction fails with an IntegrityError and changes nothing — schedule one at a time).
* Open overdue items whose appeal is no longer red for that reason are resolved; open manual
  items (催办) are resolved once their appeal is no longer open (replied, closed, cancelled).

When the official calendar of next year is not yet published, the threshold cannot be computed
late in December: every deadline up to the end of the known year then counts as yellow, and
deadlines in the unknown year are counted in ``calendar_unknown`` instead of yellow or green.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
)
from django.utils import timezone

from civicgrid.core.workdays import CalendarUnknownYearError, add_working_days

from . import clock
from .models import (
    OPEN_STATUSES,
    Appeal,
    AppealStatus,
    SupervisionItem,
    SupervisionKind,
    SupervisionLevel,
    SupervisionStatus,
)
from .selectors.lights import yellow_working_days


@dataclass(frozen=True)
class SweepReport:
    """What one sweep found and did."""

    today: dt.date
    checked: int
    green: int
    yellow: int
    red: int
    calendar_unknown: int
    opened: int
    resolved: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["today"] = self.today.isoformat()
        return values


# After opening this many items at once, refresh the planner's statistics (PostgreSQL).
ANALYZE_AFTER = 10_000


def _deadline_queries(today: dt.date, yellow_days: int) -> tuple[dict[str, Q], Q, Q, Q]:
    """(red condition per supervision kind, yellow, green, unknown-calendar conditions)."""
    dispatched = Q(status=AppealStatus.DISPATCHED)
    handling = Q(status__in=[AppealStatus.ACCEPTED, AppealStatus.SIGNED])
    red: dict[str, Q] = {
        SupervisionKind.OVERDUE_SIGN_FOR: dispatched & Q(sign_for_deadline__lt=today),
        SupervisionKind.OVERDUE_HANDLING: handling & Q(handling_deadline__lt=today),
    }
    try:
        threshold = add_working_days(today, yellow_days + 1)
        unknown_from = None
    except CalendarUnknownYearError as error:
        # Fewer than yellow_days + 1 working days are known after today.
        threshold = dt.date(error.year, 1, 1)
        unknown_from = threshold
    yellow = (dispatched & Q(sign_for_deadline__gte=today, sign_for_deadline__lt=threshold)) | (
        handling & Q(handling_deadline__gte=today, handling_deadline__lt=threshold)
    )
    beyond = (dispatched & Q(sign_for_deadline__gte=threshold)) | (
        handling & Q(handling_deadline__gte=threshold)
    )
    nothing = Q(pk__in=[])
    if unknown_from is None:
        return red, yellow, beyond, nothing
    return red, yellow, nothing, beyond


def _open_items(kind: str, red: Q, now: dt.datetime) -> int:
    """Open an item of ``kind`` for every red appeal without an open one, in ONE
    ``INSERT … SELECT`` statement (no rows travel through Python); returns how many."""
    open_item = SupervisionItem.objects.filter(
        appeal=OuterRef("pk"), kind=kind, status=SupervisionStatus.OPEN
    )
    columns = {
        "appeal_id": F("pk"),
        "kind": Value(kind, output_field=CharField()),
        "level": Value(int(SupervisionLevel.DISTRICT), output_field=IntegerField()),
        "status": Value(str(SupervisionStatus.OPEN), output_field=CharField()),
        "admin_unit_code": F("admin_unit_code"),
        "opened_at": Value(now, output_field=DateTimeField()),
        "note": Value("", output_field=CharField()),
        "created_at": Value(now, output_field=DateTimeField()),
        "updated_at": Value(now, output_field=DateTimeField()),
    }
    aliases = {name: f"sweep_{name}" for name in columns}
    rows = (
        Appeal.objects.filter(red)
        .filter(~Exists(open_item))
        .order_by()
        .annotate(**{aliases[name]: expression for name, expression in columns.items()})
        .values(*aliases.values())
    )
    select_sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(SupervisionItem._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {select_sql}", params)
        opened = max(cursor.rowcount, 0)
        if opened >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # A cold sweep can open hundreds of thousands of items at once; without fresh
            # statistics PostgreSQL plans the next kind's NOT EXISTS as if the table were
            # still empty (a nested loop over a million rows that did not finish in 20 min).
            cursor.execute(f"ANALYZE {table}")
        return opened


def run(*, today: dt.date | None = None, yellow_days: int | None = None) -> SweepReport:
    """Sweep every open appeal once (idempotent); see the module docstring. ``yellow_days``
    defaults to the administrators' setting."""
    started = time.perf_counter()
    today = today or clock.today()
    now = timezone.now()
    if yellow_days is None:
        yellow_days = yellow_working_days()
    red_by_kind, yellow, green, unknown = _deadline_queries(today, yellow_days)
    any_red = (
        red_by_kind[SupervisionKind.OVERDUE_SIGN_FOR]
        | (red_by_kind[SupervisionKind.OVERDUE_HANDLING])
    )
    counts = (
        Appeal.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .aggregate(
            checked=Count("pk"),
            red=Count("pk", filter=any_red),
            yellow=Count("pk", filter=yellow),
            green=Count("pk", filter=green),
            unknown=Count("pk", filter=unknown),
        )
    )
    opened = resolved = 0
    with transaction.atomic():
        for kind, red in red_by_kind.items():
            opened += _open_items(kind, red, now)
            still_red = Appeal.objects.filter(red).values("pk")
            resolved += (
                SupervisionItem.objects.filter(kind=kind, status=SupervisionStatus.OPEN)
                .exclude(appeal_id__in=still_red)
                .update(status=SupervisionStatus.RESOLVED, resolved_at=now, updated_at=now)
            )
        still_open = Appeal.objects.filter(status__in=OPEN_STATUSES).values("pk")
        resolved += (
            SupervisionItem.objects.filter(
                kind=SupervisionKind.MANUAL, status=SupervisionStatus.OPEN
            )
            .exclude(appeal_id__in=still_open)
            .update(status=SupervisionStatus.RESOLVED, resolved_at=now, updated_at=now)
        )
    checked = counts["checked"]
    return SweepReport(
        today=today,
        checked=checked,
        green=counts["green"],
        yellow=counts["yellow"],
        red=counts["red"],
        calendar_unknown=counts["unknown"],
        opened=opened,
        resolved=resolved,
        seconds=round(time.perf_counter() - started, 3),
    )
