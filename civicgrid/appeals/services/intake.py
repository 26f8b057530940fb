"""Intake (受理): one appeal record from every channel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.selectors import scope_of
from civicgrid.core.errors import DomainError, PermissionDeniedError
from civicgrid.core.phones import validate_phone
from civicgrid.territory.models import AdminUnit
from civicgrid.territory.selectors import locate_point
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
from ..selectors import time_limits_for
from .common import (
    INTAKE_ROLES,
    TEXT_MAX,
    TITLE_MAX,
    deadline_after,
    provisional_calendar_details,
    require_role,
)
from .routing import route_new_appeal


def query_code_matches(appeal: Appeal, code: str) -> bool:
    """Whether ``code`` is the query code given to the citizen for ``appeal``."""
    return querycodes.query_code_matches(appeal.number, appeal.query_code_hash, code)


def _next_number(city_code: str, day: dt.date) -> str:
    """City code + date + 6-digit daily sequence, e.g. 440420261122000001.

    One ``UPDATE … RETURNING`` of the city-day counter row: the row stays locked until the
    intake transaction commits, so intake calls this right before its INSERT to keep concurrent
    intakes waiting for as short a time as possible. The first appeal of a day creates the row
    (a concurrent first loses on the unique constraint and then counts on the winner's row).
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


@transaction.atomic
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
        located = locate_point(x, y)
        if located is not None:
            # Not the boundary: the appeal needs the unit's id, code and name only.
            unit = AdminUnit.objects.defer("boundary").filter(code=located.unit.code).first()
    if unit is None:
        if channel == Channel.GRID and actor is not None and actor.scope_unit_id:
            unit = actor.scope_unit
        else:
            unit = (
                AdminUnit.objects.defer("boundary")
                .filter(code=settings.CIVICGRID_CITY_CODE)
                .first()
            )
    if unit is None:
        raise DomainError(_("The city's admin units are not loaded."), code="no_territory")
    if channel == Channel.GRID and not scope_of(actor).covers_code(unit.code):
        raise PermissionDeniedError(_("Grid workers report events inside their own grid."))
    today = clock.today()
    _sign_days, handling_days = time_limits_for(appeal_type, category)
    handling_deadline = deadline_after(today, handling_days)
    query_code = querycodes.new_query_code()
    staff = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            number = _next_number(unit.code[:4], today)  # locks the day's counter: last step
            appeal = Appeal.objects.create(
                number=number,
                query_code_hash=querycodes.query_code_hash(number, query_code),
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
                created_by=staff,
            )
    except IntegrityError:
        # A concurrent submission with the same idempotency key won the race.
        existing = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, None
        raise
    accepted = AppealEvent.objects.create(
        appeal=appeal,
        actor=staff,
        kind="accept",
        to_status=AppealStatus.ACCEPTED,
        details={"channel": channel, **provisional_calendar_details(today, handling_deadline)},
    )
    appeal = route_new_appeal(
        appeal=appeal, is_auto_dispatch_allowed=auto_dispatch and channel != Channel.IMPORT
    )
    if appeal.status == AppealStatus.ACCEPTED and appeal.version == 1:
        # Not dispatched: its whole timeline is the accept event and it has no assignments.
        # Known here, so a caller that shows the new appeal need not read them back.
        _remember_related(appeal, events=[accepted], assignments=[])
    return appeal, query_code
