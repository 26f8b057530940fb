"""Small shared pieces of the indicators services: permission checks, value parsing, periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.core.errors import PermissionDeniedError

from ..compute.errors import PeriodError
from ..compute.periods import Period, PeriodType, parse_period
from ..models import DataElement, DataSet
from ..selectors.access import may_define
from .errors import InvalidInput

# Strings people write in a number cell that are read as "no value".
EMPTY_MARKS = frozenset({"", "-", "—", "/", "无"})
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def require_definer(actor: Any) -> None:
    """``actor=None`` is a system job (demo loader, console); users need the definer's rights."""
    if actor is not None and not may_define(actor):
        raise PermissionDeniedError(
            _("Only the programme office or an administrator of the whole city may do this.")
        )


def parse_number(raw: Any, element: DataElement) -> Decimal | None:
    """The value of ``raw`` for ``element`` (``None`` for an empty cell), or ``InvalidInput``
    saying what is wrong: not a number, negative, not whole, below or above the bounds."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise InvalidInput(_("“%(value)s” is not a number.") % {"value": raw}, field=element.code)
    if isinstance(raw, (int, float, Decimal)):
        text = str(raw)
    else:
        text = str(raw).strip().translate(_FULL_WIDTH).replace(",", "").replace(" ", "")
        if text in EMPTY_MARKS:
            return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}, field=element.code
        ) from None
    if not value.is_finite():
        raise InvalidInput(
            _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}, field=element.code
        )
    if value < 0 and (element.min_value is None or element.min_value >= 0):
        raise InvalidInput(
            _("%(element)s cannot be negative (%(value)s).")
            % {"element": element.name, "value": text},
            field=element.code,
        )
    if element.is_integer and value != value.to_integral_value():
        raise InvalidInput(
            _("%(element)s must be a whole number (%(value)s).")
            % {"element": element.name, "value": text},
            field=element.code,
        )
    if element.min_value is not None and value < element.min_value:
        raise InvalidInput(
            _("%(element)s must be at least %(min)s (%(value)s).")
            % {"element": element.name, "min": _plain(element.min_value), "value": text},
            field=element.code,
        )
    if element.max_value is not None and value > element.max_value:
        raise InvalidInput(
            _("%(element)s must be at most %(max)s (%(value)s).")
            % {"element": element.name, "max": _plain(element.max_value), "value": text},
            field=element.code,
        )
    if abs(value) >= Decimal("1e16"):
        raise InvalidInput(
            _("%(element)s is too large (%(value)s).") % {"element": element.name, "value": text},
            field=element.code,
        )
    return value.quantize(Decimal("0.0001"))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def parse_any_period(code: Any, *, field: str = "period") -> Period:
    try:
        return parse_period(str(code or "").strip())
    except PeriodError as error:
        raise InvalidInput(error.message, field=field) from None


def check_period_of_data_set(data_set: DataSet, code: Any, *, today: dt.date) -> Period:
    """The period ``code`` if ``data_set`` accepts it: its period type, inside the data set's
    first/last periods, and already begun; ``InvalidInput`` naming what is wrong otherwise."""
    period = parse_any_period(code)
    if period.period_type != PeriodType(data_set.period_type):
        raise InvalidInput(
            _("Period %(period)s is not a %(type)s period of data set %(set)s.")
            % {
                "period": period.code,
                "type": data_set.get_period_type_display(),
                "set": data_set.name,
            },
            field="period",
        )
    if data_set.first_period and period < parse_period(data_set.first_period):
        raise InvalidInput(
            _("Period %(period)s is before the first period of data set %(set)s (%(first)s).")
            % {"period": period.code, "set": data_set.name, "first": data_set.first_period},
            field="period",
        )
    if data_set.last_period and period > parse_period(data_set.last_period):
        raise InvalidInput(
            _("Period %(period)s is after the last period of data set %(set)s (%(last)s).")
            % {"period": period.code, "set": data_set.name, "last": data_set.last_period},
            field="period",
        )
    if period.start > today:
        raise InvalidInput(
            _("Period %(period)s has not begun yet.") % {"period": period.code}, field="period"
        )
    return period


def due_date(data_set: DataSet, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=data_set.due_days)
