"""Intake (受理): one appeal record from every channel."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.selectors import scope_of
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.phones import validate_phone
from civicgrid.territory.locator import Locator
from civicgrid.territory.models import AdminUnit
from civicgrid.territory.selectors import current_locator
from civicgrid.territory.validators import validate_coordinates_in_city

from .. import clock, querycodes
from ..models import (
    Appeal,
    AppealEvent,
    AppealNumberSequence,
    AppealStatus,
    AppealType,
    Category,
    Channel,
    Urgency,
)
from ..time_limits_cache import current_time_limits
from .common import (
    INTAKE_ROLES,
    TEXT_MAX,
    TITLE_MAX,
    deadline_after,
    provisional_calendar_details,
    require_role,
)
from .routing import route_new_appeal, routing_plan

# id, code and name of the admin units appeals were placed in, by code, while the process's
# point locator stays the same: it is rebuilt when admin units change (checked every
# CIVICGRID_LOCATOR_CHECK_SECONDS), and then these are read again.
_UNIT_FIELDS = [
    f.attname for f in AdminUnit._meta.concrete_fields if f.attname in {"id", "code", "name"}
]
_units_lock = threading.Lock()
_units: dict[str, tuple[Any, ...]] = {}
_units_locator: Locator | None = None


def _unit_with_code(code: str, locator: Locator) -> AdminUnit | None:
    """The admin unit ``code`` with its id, code and name (the rest, boundary included, is
    read only if something asks for it): an appeal needs no more of its place."""
    global _units_locator
    with _units_lock:
        if locator is not _units_locator:
            _units.clear()
            _units_locator = locator
        known = _units.get(code)
    if known is None:
        known = AdminUnit.objects.filter(code=code).values_list(*_UNIT_FIELDS).first()
        if known is None:
            return None
        with _units_lock:
            if locator is _units_locator:
                _units[code] = known
    return AdminUnit.from_db(AdminUnit.objects.db, _UNIT_FIELDS, known)


def query_code_matches(appeal: Appeal, code: str) -> bool:
    """Whether ``code`` is the query code given to the citizen for ``appeal``."""
    return querycodes.query_code_matches(appeal.number, appeal.query_code_hash, code)


def _next_number(city_code: str, day: dt.date) -> str:
    """City code + date + 6-digit daily sequence, e.g. 440420261122000001.

    One ``UPDATE … RETURNING`` of the city-day counter row: the row stays locked until the
    transaction commits, so call it right before the INSERT. The first appeal of a day
    creates the row (a concurrent first loses on the unique constraint and then counts on the
    winner's row).
    """
    table = connection.ops.quote_name(AppealNumberSequence._meta.db_table)
    sql = (
        f"UPDATE {table} SET last = last + 1 "  # noqa: S608 - the table name is the model's
        "WHERE city_code = %s AND day = %s RETURNING last"
    )
    params = [city_code, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    AppealNumberSequence.objects.create(city_code=city_code, day=day, last=1)
                row = (1,)
            except IntegrityError:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    return f"{city_code}{day:%Y%m%d}{int(row[0]):06d}"


# The one-statement intake offers the numbers after the last one this process saw, each with
# its query code hash: at least NUMBER_WINDOW_MIN of them, more while concurrent intakes take
# numbers in between (up to NUMBER_WINDOW_MAX); it tries NUMBER_ATTEMPTS times before it locks
# the counter instead.
NUMBER_WINDOW_MIN = 16
NUMBER_WINDOW_MAX = 256
NUMBER_ATTEMPTS = 4

# Only guesses, shared by the threads of the process: wrong ones cost a retry, never a wrong
# or missing number. The last sequence number seen per (city code, day) and the window size.
_numbers_lock = threading.Lock()
_last_seen: dict[tuple[str, dt.date], int] = {}
_window = NUMBER_WINDOW_MIN


def _number_window(city_code: str, day: dt.date) -> tuple[int | None, int]:
    """(the last sequence number this process saw for the day or None, the window size)."""
    with _numbers_lock:
        return _last_seen.get((city_code, day)), _window


def _remember_take(city_code: str, day: dt.date, last: int | None, advance: int | None) -> None:
    """What one try saw: the counter at ``last`` (None: the day has no counter row yet) and,
    when it took a number, how far into its window (``advance``; None: it missed)."""
    global _window
    with _numbers_lock:
        if len(_last_seen) > 100:  # old days
            _last_seen.clear()
        key = (city_code, day)
        if last is None:
            _last_seen.pop(key, None)
        else:
            _last_seen[key] = max(last, _last_seen.get(key, 0))
        if advance is None:
            _window = min(NUMBER_WINDOW_MAX, _window * 2)
        else:  # room for twice the latest advance; shrinks slowly when intakes are fewer
            wanted = max(2 * advance + 8, _window - max(1, _window // 64))
            _window = max(NUMBER_WINDOW_MIN, min(NUMBER_WINDOW_MAX, wanted))


def _insert_values(obj: Any, skip: set[str]) -> tuple[list[str], list[Any]]:
    """Quoted columns and database values of ``obj`` as ``Model.save`` would insert them (the
    primary key and the ``skip`` attributes left out; ``auto_now`` times set on ``obj``).

    Columns whose value is NULL are left out too (they have no database default, so they
    become NULL all the same): fewer parameters, and the driver keeps the converted statement.
    """
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[Any] = []
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.attname in skip or getattr(field, "generated", False):
            continue
        value = field.get_db_prep_save(field.pre_save(obj, True), connection)
        if value is None and not field.has_db_default():
            continue
        columns.append(quote(field.column))
        values.append(value)
    return columns, values


def _saved(obj: Any, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def _write_numbered(appeal: Appeal, accepted: AppealEvent, query_code: str) -> None:
    """Give ``appeal`` the next number of its city and day and insert it with its accept event,
    nothing else in between: the city-day counter row is locked from taking the number until
    the commit, and every intake of the city waits for it.

    On PostgreSQL one statement takes the number and inserts both rows; outside a caller's
    transaction it is its own transaction, so the counter is locked only while PostgreSQL runs
    it (no round trip to this process in between). The query code hash depends on the number,
    so the statement carries the hashes of the numbers after the last one this process saw (a
    window that widens while concurrent intakes take numbers in between) and takes a number
    only when it is one of them; when the counter has moved further (other processes, a legacy
    import), nothing is written and it tries again from the counter's value. Elsewhere
    (SQLite), and should that keep missing, the counter is locked first and the rows inserted
    after it.
    """
    city_code, day = appeal.admin_unit_code[:4], appeal.accepted_on
    if connection.vendor == "postgresql":
        for _attempt in range(NUMBER_ATTEMPTS):
            if _write_in_one_statement(appeal, accepted, query_code, city_code, day):
                return
    with transaction.atomic():
        appeal.number = _next_number(city_code, day)  # locks the day's counter until commit
        appeal.query_code_hash = querycodes.query_code_hash(appeal.number, query_code)
        appeal.save(force_insert=True)
        accepted.appeal = appeal
        accepted.save(force_insert=True)
    _remember_take(city_code, day, int(appeal.number[-6:]), None)  # as a miss: widen the window


def _write_in_one_statement(
    appeal: Appeal, accepted: AppealEvent, query_code: str, city_code: str, day: dt.date
) -> bool:
    """One try of the PostgreSQL statement of :func:`_write_numbered`; False when the counter
    was not within the window (nothing written)."""
    quote = connection.ops.quote_name
    counter = quote(AppealNumberSequence._meta.db_table)
    last, window = _number_window(city_code, day)
    first = (last or 0) + 1
    sequences = range(first, first + window)
    prefix = f"{city_code}{day:%Y%m%d}"
    numbers = [f"{prefix}{n:06d}" for n in sequences]
    hashes = querycodes.query_code_hashes(prefix, sequences, query_code)
    day_value = connection.ops.adapt_datefield_value(day)
    if last is None:  # the day's counter may not exist yet: create it (its number 1 is offered)
        take = (
            f"INSERT INTO {counter} AS c (city_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            "ON CONFLICT (city_code, day) DO UPDATE SET last = c.last + 1 "
            "WHERE c.last + 1 BETWEEN %s AND %s RETURNING c.last"
        )
    else:
        take = (
            f"UPDATE {counter} AS c SET last = c.last + 1 "  # noqa: S608
            "WHERE c.city_code = %s AND c.day = %s AND c.last + 1 BETWEEN %s AND %s "
            "RETURNING c.last"
        )
    appeal_columns, appeal_values = _insert_values(appeal, {"number", "query_code_hash"})
    event_columns, event_values = _insert_values(accepted, {"appeal_id"})
    appeal_table = quote(Appeal._meta.db_table)
    event_table = quote(AppealEvent._meta.db_table)
    sql = (
        f"WITH taken AS ({take}), "  # noqa: S608 - identifiers of the models
        "chosen AS (SELECT k.number, k.hash FROM taken JOIN "
        "unnest(%s::integer[], %s::varchar[], %s::varchar[]) AS k (seq, number, hash) "
        "ON k.seq = taken.last), "
        f"new_appeal AS (INSERT INTO {appeal_table} "
        f"({quote('number')}, {quote('query_code_hash')}, {', '.join(appeal_columns)}) "
        f"SELECT chosen.number, chosen.hash, {', '.join(['%s'] * len(appeal_values))} "
        "FROM chosen RETURNING id, number), "
        f"new_event AS (INSERT INTO {event_table} "
        f"({quote('appeal_id')}, {', '.join(event_columns)}) "
        f"SELECT new_appeal.id, {', '.join(['%s'] * len(event_values))} "
        "FROM new_appeal RETURNING id) "
        "SELECT new_appeal.id, new_appeal.number, new_event.id, NULL "
        "FROM new_appeal, new_event "
        "UNION ALL "
        f"SELECT NULL, NULL, NULL, c.last FROM {counter} AS c "
        "WHERE c.city_code = %s AND c.day = %s AND NOT EXISTS (SELECT 1 FROM new_appeal)"
    )
    params = [
        city_code,
        day_value,
        first,
        first + window - 1,
        list(sequences),
        numbers,
        hashes,
        *appeal_values,
        *event_values,
        city_code,
        day_value,
    ]
    # Inside a caller's transaction a savepoint keeps a failed INSERT (a concurrent duplicate
    # idempotency key) from spoiling it; outside, the statement is its own transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        # Not taken: the counter moved past the window (row: its value when the statement
        # began, a hint) or the day has no counter row (None).
        _remember_take(city_code, day, None if row is None else int(row[3]), None)
        return False
    appeal_id, number, event_id, _last = row
    sequence = int(number[-6:])
    appeal.number = number
    appeal.query_code_hash = hashes[sequence - first]
    _saved(appeal, appeal_id)
    accepted.appeal = appeal
    _saved(accepted, event_id)
    _remember_take(city_code, day, sequence, sequence - first)
    return True


def _remember_related(appeal: Appeal, **rows: list[Any]) -> None:
    """Fill the related caches of ``appeal`` as ``prefetch_related`` would (``appeal.events.all()``
    then answers without a query; any other queryset method still reads the database)."""
    cache: dict[str, Any] = getattr(appeal, "_prefetched_objects_cache", {})
    for name, known in rows.items():
        manager = getattr(appeal, name)
        queryset = manager.get_queryset()
        queryset._result_cache = list(known)
        queryset._prefetch_done = True
        cache[manager.field.remote_field.cache_name] = queryset
    appeal._prefetched_objects_cache = cache  # type: ignore[attr-defined]  # Django internal


def appeal_accept(
    *,
    actor: Any,
    channel: str,
    appeal_type: str,
    title: str,
    text: str,
    category: Category | None = None,
    lon: Any = None,
    lat: Any = None,
    address: str = "",
    citizen_name: str = "",
    citizen_phone: str = "",
    is_confidential: bool = False,
    is_public_consent: bool = False,
    urgency: str = Urgency.NORMAL,
    idempotency_key: str | None = None,
    citizen: Any = None,
    auto_dispatch: bool = True,
) -> tuple[Appeal, str | None]:
    """受理: register an appeal from any channel. Returns the appeal and the citizen's query
    code (``None`` when an earlier submission with the same idempotency key is returned).

    Staff channels need an intake role; web and Open311 submissions have ``actor=None``.
    The place comes from coordinates (located to the grid) and must lie inside the city.
    Routing suggestions are stored and, unless ``auto_dispatch`` is False or the appeal is a
    legacy import, the appeal may be dispatched automatically (see :mod:`.routing`).
    """
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid", field="channel")
    if channel in {Channel.HOTLINE, Channel.GRID, Channel.IMPORT}:
        require_role(actor, INTAKE_ROLES, _("You may not register appeals."))
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:64]
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, None
    if appeal_type not in AppealType.values:
        raise DomainError(_("Choose the type of the appeal."), code="invalid", field="appeal_type")
    if urgency not in Urgency.values:
        raise DomainError(_("Unknown urgency."), code="invalid", field="urgency")
    title = (title or "").strip()
    text = (text or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), code="invalid", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("The title may have at most %(max)s characters.") % {"max": TITLE_MAX},
            code="invalid",
            field="title",
        )
    if not text:
        raise DomainError(_("Describe the matter."), code="invalid", field="text")
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("The text may have at most %(max)s characters.") % {"max": TEXT_MAX},
            code="invalid",
            field="text",
        )
    if category is not None and not category.is_active:
        raise DomainError(_("This category is no longer used."), code="invalid", field="category")
    phone = ""
    if citizen_phone and citizen_phone.strip():
        try:
            phone = validate_phone(citizen_phone, _("citizen phone"))
        except ValidationError as error:
            raise DomainError(
                " ".join(error.messages), code="invalid", field="citizen_phone"
            ) from error
    unit: AdminUnit | None = None
    x = y = None
    if lon is not None or lat is not None:
        try:
            x, y = validate_coordinates_in_city(lon, lat, _("location"))
        except ValidationError as error:
            raise DomainError(" ".join(error.messages), code="invalid", field="location") from error
        locator = current_locator()
        located = locator.locate(x, y)
        if located is not None:
            unit = _unit_with_code(located.unit.code, locator)
    if unit is None:
        if channel == Channel.GRID and actor is not None and actor.scope_unit_id:
            unit = actor.scope_unit
        else:
            unit = _unit_with_code(settings.CIVICGRID_CITY_CODE, current_locator())
    if unit is None:
        raise DomainError(_("The city's admin units are not loaded."), code="no_territory")
    if channel == Channel.GRID and not scope_of(actor).covers_code(unit.code):
        raise PermissionDeniedError(_("Grid workers report events inside their own grid."))
    today = clock.today()
    _sign_days, handling_days = current_time_limits(appeal_type, category)
    handling_deadline = deadline_after(today, handling_days)
    plan = routing_plan(
        title=title,
        text=text,
        category=category,
        unit=unit,
        is_auto_dispatch_allowed=auto_dispatch and channel != Channel.IMPORT,
    )
    query_code = querycodes.new_query_code()
    staff = actor if getattr(actor, "is_authenticated", False) else None
    appeal = Appeal(
        channel=channel,
        appeal_type=appeal_type,
        category=category,
        urgency=urgency,
        title=title,
        text=text,
        address=(address or "").strip()[:200],
        lon=x,
        lat=y,
        admin_unit=unit,
        admin_unit_code=unit.code,
        citizen_name=(citizen_name or "").strip()[:60],
        citizen_phone=phone,
        is_confidential=is_confidential,
        is_public_consent=bool(is_public_consent),
        citizen=citizen,
        accepted_on=today,
        handling_deadline=handling_deadline,
        idempotency_key=idempotency_key or None,
        routing_suggestions=plan.suggestions,
        created_by=staff,
    )
    accepted = AppealEvent(
        actor=staff,
        kind="accept",
        to_status=AppealStatus.ACCEPTED,
        details={"channel": channel, **provisional_calendar_details(today, handling_deadline)},
    )
    try:
        # Everything above only read: taking the number is the last step before the writes.
        _write_numbered(appeal, accepted, query_code)
    except IntegrityError:
        # A concurrent submission with the same idempotency key won the race.
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, None
        raise
    appeal = route_new_appeal(appeal=appeal, plan=plan)
    if appeal.status == AppealStatus.ACCEPTED and appeal.version == 1:
        # Not dispatched: its whole timeline is the accept event and it has no assignments.
        # Known here, so a caller that shows the new appeal need not read them back.
        _remember_related(appeal, events=[accepted], assignments=[])
    return appeal, query_code
