"""Plain multi-row INSERTs of model rows for bulk imports (no model instances, no signals).

``bulk_create`` builds a model instance per row and prepares every value of every field
through the field (and, on SQLite, sends at most 999 parameters per INSERT, about 25 appeals).
For hundreds of thousands of imported rows that is most of the time. :class:`RowWriter`
prepares each *kind* of value once: text, numbers, booleans and foreign keys go to the driver as
they are; dates and times are prepared by their field once per distinct value; JSON by its
field once per distinct (flat) mapping. Fields a caller does not give get their default (or
"now" for ``auto_now``/``auto_now_add``), prepared once for all rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models

# Field kinds whose Python values (str, int, float, bool, None) the drivers take as they are.
_AS_IS = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "BooleanField",
        "FloatField",
        "ForeignKey",
    }
)
_MEMO_KINDS = frozenset({"DateTimeField", "DateField"})


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How to prepare a value of ``field`` (None: as it is)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    prepare = field.get_db_prep_save
    if kind == "DateTimeField" and settings.USE_TZ:
        fast = _aware_datetime_preparer()
        if fast is not None:

            def prepare_datetime(value: Any) -> Any:
                if isinstance(value, dt.datetime) and value.utcoffset() is not None:
                    return fast(value)
                return prepare(value, connection)

            return prepare_datetime
    if kind in _MEMO_KINDS:
        memo: dict[Any, Any] = {None: None}

        def prepare_memoised(value: Any) -> Any:
            try:
                return memo[value]
            except KeyError:
                prepared = memo[value] = prepare(value, connection)
                return prepared

        return prepare_memoised
    if kind == "JSONField":
        json_memo: dict[tuple[Any, ...], Any] = {}

        def prepare_json(value: Any) -> Any:
            if isinstance(value, dict):
                try:
                    key = tuple(value.items())
                    return json_memo[key]
                except TypeError:  # an unhashable value inside: prepare it each time
                    return prepare(value, connection)
                except KeyError:
                    prepared = json_memo[key] = prepare(value, connection)
                    return prepared
            return prepare(value, connection)

        return prepare_json
    return lambda value: prepare(value, connection)


def _aware_datetime_preparer() -> Callable[[dt.datetime], Any] | None:
    """What ``DateTimeField.get_db_prep_save`` makes of an aware datetime, without its checks:
    PostgreSQL's driver takes it as it is; SQLite stores the naive text in the connection's
    zone (UTC unless the database has a ``TIME_ZONE``). None for other databases."""
    if connection.vendor == "postgresql":
        return lambda value: value
    if connection.vendor == "sqlite":
        zone = connection.timezone
        return lambda value: str(value.astimezone(zone).replace(tzinfo=None))
    return None


class RowWriter:
    """Insert rows of ``model`` given as sequences of values in the order of ``attnames``.

    Every other concrete field (but the primary key) gets its default, or ``now`` when it is an
    ``auto_now``/``auto_now_add`` time. Callable defaults are called once for all rows, so
    they must be constants (``list``, ``dict``), as they are for the appeal tables.
    """

    def __init__(
        self, model: type[models.Model], attnames: Sequence[str], *, now: dt.datetime
    ) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        given = [fields[name] for name in attnames]
        rest = [f for name, f in fields.items() if name not in set(attnames)]
        self.preparers = [_preparer(f) for f in given]
        self.fixed: list[Any] = []
        for f in rest:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = now if auto else f.get_default()
            self.fixed.append(f.get_db_prep_save(value, connection))
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in given + rest)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - model identifiers
            table, columns, ", ".join(["%s"] * (len(given) + len(rest)))
        )
        # PostgreSQL loads rows fastest with COPY (about four times an executemany's speed);
        # SQLite runs an executemany as one prepared statement.
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.is_copy = connection.vendor == "postgresql"

    def prepare(self, values: Sequence[Any]) -> list[Any]:
        """The row as the database takes it (values in ``attnames`` order)."""
        row = [
            value if prepare is None else prepare(value)
            for prepare, value in zip(self.preparers, values, strict=True)
        ]
        row.extend(self.fixed)
        return row

    def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        """Insert the rows (each given in ``attnames`` order): one ``COPY`` on PostgreSQL, one
        ``executemany`` elsewhere."""
        prepared = [self.prepare(values) for values in rows]
        if not prepared:
            return
        with connection.cursor() as cursor:
            if self.is_copy:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, prepared)
