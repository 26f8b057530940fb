"""Set-based SQL for imports: rows go in by COPY (PostgreSQL) or one ``executemany`` (SQLite).

* :func:`insert_rows` — plain insert of many rows (the caller knows they are new).
* :func:`insert_missing` — ``INSERT … ON CONFLICT DO NOTHING`` of many rows: on PostgreSQL
  the rows are COPied into a temporary staging table (emptied at commit) and moved with one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING``; on SQLite one ``executemany``.
* :func:`update_rows` — ``UPDATE … FROM`` a staging table (PostgreSQL) or ``executemany``.
* :func:`select_in` — ``WHERE column = ANY(%s)`` (PostgreSQL) or ``IN`` lists of at most
  900 parameters (SQLite).
Values are prepared by :func:`db_value` (dates and times for SQLite, JSON as text).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_SQLITE_IN = 900


class Json(str):
    """A JSON document already serialised (kept as text; jsonb on PostgreSQL parses it)."""


def dumps(value: Any) -> Json:
    """Compact JSON with sorted keys and characters unescaped — the text fingerprints are taken
    of, so it must not change: orjson writes exactly what ``json.dumps(value,
    ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` writes for strings, booleans,
    None, 64-bit integers and floats from 1e-4 to 1e16 in dicts and lists, in a seventh of the
    time. It writes other floats differently (``1e-05`` / ``0.00001``, ``NaN`` / ``null``) and
    refuses lone surrogates: such values go to ``json``."""
    if _orjson_writes_it(value):
        try:
            return Json(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
        except (TypeError, orjson.JSONEncodeError):
            pass
    return Json(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def _orjson_writes_it(value: Any) -> bool:
    """Whether orjson writes ``value`` as ``json`` does (see :func:`dumps`)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is dict:
        for key, item in value.items():  # a loop: most values are text, checked inline
            if type(key) is not str or (type(item) is not str and not _orjson_writes_it(item)):
                return False
        return True
    if kind is float:
        return value == 0 or 1e-4 <= abs(value) < 1e16  # False for NaN and infinities
    if kind is int:
        return -(2**63) <= value < 2**64
    if kind is list or kind is tuple:
        return all(_orjson_writes_it(item) for item in value)
    return False


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def db_value(value: Any) -> Any:
    """A Python value as the driver of the current database takes it."""
    if connection.vendor == "postgresql":
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


_TIMES: dict[Any, str] = {}


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str or kind is Json:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is float:
        return str(value)
    if isinstance(value, dt.date):  # dates and times repeat a lot (the import's own time)
        text = _TIMES.get(value)
        if text is None:
            if len(_TIMES) > 100_000:
                _TIMES.clear()
            text = _TIMES[value] = value.isoformat()
        return text
    return _copy_text(str(value))


_TEXT = frozenset({str, Json})


def copy_line(row: Sequence[Any], tabs: int) -> str:
    """One row in COPY's text format (``tabs`` = number of columns - 1).

    Most values are plain text needing no escapes: they are joined as they are and the line is
    checked once (each None is one ``\\N``, the only backslash allowed); a line with a tab,
    newline, carriage return or backslash inside a value is formatted value by value instead.
    """
    line = "\t".join([value if type(value) in _TEXT else _copy_text(value) for value in row])
    if (
        line.count("\t") != tabs
        or line.count("\\") != row.count(None)
        or "\n" in line
        or "\r" in line
    ):
        line = "\t".join([_copy_text(value) for value in row])
    return line


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY ``rows`` into ``table`` (PostgreSQL), formatted as text here: much faster than the
    driver's row-by-row adaptation."""
    names = ", ".join(_quote(column) for column in columns)
    tabs = len(columns) - 1
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_quote(table)} ({names}) FROM STDIN") as copy,
    ):
        lines = []
        for row in rows:
            line = copy_line(row, tabs)
            lines.append(line)
            if len(lines) >= 1000:
                copy.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in ``columns`` order)."""
    rows = list(rows)
    if not rows:
        return
    if is_postgres():
        copy_rows(table, columns, rows)
        return
    names = ", ".join(_quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    prepared = [[db_value(value) for value in row] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
            prepared,
        )


def _stage(cursor: Any, table: str, columns: Sequence[str], rows: list[Sequence[Any]]) -> str:
    """COPY ``rows`` into a temporary copy of ``table``'s ``columns``; its name."""
    stage = f"stage_{table}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {_quote(stage)} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT * FROM {_quote(table)} WITH NO DATA"
    )
    cursor.execute(f"TRUNCATE {_quote(stage)}")
    copy_rows(stage, columns, rows)
    return stage


def insert_missing(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], conflict: Sequence[str]
) -> None:
    """Insert the ``rows`` whose ``conflict`` columns are not in ``table`` yet."""
    rows = list(rows)
    if not rows:
        return
    names = ", ".join(_quote(column) for column in columns)
    target = ", ".join(_quote(column) for column in conflict)
    with connection.cursor() as cursor:
        if is_postgres():
            stage = _stage(cursor, table, columns, rows)
            cursor.execute(
                f"INSERT INTO {_quote(table)} ({names}) SELECT {names} "  # noqa: S608
                f"FROM {_quote(stage)} ON CONFLICT ({target}) DO NOTHING"
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            prepared = [[db_value(value) for value in row] for row in rows]
            cursor.executemany(
                f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks}) "  # noqa: S608
                f"ON CONFLICT ({target}) DO NOTHING",
                prepared,
            )


def update_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, extra: str = ""
) -> None:
    """Set ``columns[1:]`` of the rows whose ``columns[0]`` (the key) matches; ``extra`` is
    more ``SET`` SQL (e.g. ``version = version + 1``)."""
    rows = list(rows)
    if not rows:
        return
    key, *rest = columns
    with connection.cursor() as cursor:
        if is_postgres():
            stage = _stage(cursor, table, columns, rows)
            sets = ", ".join(f"{_quote(column)} = s.{_quote(column)}" for column in rest)
            cursor.execute(
                f"UPDATE {_quote(table)} AS t SET {sets}{', ' + extra if extra else ''} "  # noqa: S608
                f"FROM {_quote(stage)} AS s WHERE t.{_quote(key)} = s.{_quote(key)}"
            )
        else:
            sets = ", ".join(f"{_quote(column)} = %s" for column in rest)
            prepared = [[db_value(value) for value in (*row[1:], row[0])] for row in rows]
            cursor.executemany(
                f"UPDATE {_quote(table)} SET {sets}{', ' + extra if extra else ''} "  # noqa: S608
                f"WHERE {_quote(key)} = %s",
                prepared,
            )


def select_in(sql: str, values: Sequence[Any], params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` whose last condition is ``{column} IN %(in)s`` — written as the marker
    ``IN_VALUES`` — for all ``values``; ``params`` come before the values."""
    values = list(dict.fromkeys(values))
    if not values:
        return []
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(sql.replace("IN_VALUES", "= ANY(%s)"), [*params, values])
            out.extend(cursor.fetchall())
        else:
            for start in range(0, len(values), _SQLITE_IN):
                part = values[start : start + _SQLITE_IN]
                marks = "IN (" + ", ".join(["%s"] * len(part)) + ")"
                cursor.execute(sql.replace("IN_VALUES", marks), [*params, *part])
                out.extend(cursor.fetchall())
    return out


def advisory_lock(key: int) -> None:
    """Serialise writers of the same key until the transaction ends (PostgreSQL; SQLite
    serialises all writers anyway)."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@contextmanager
def session_advisory_lock(key: int) -> Iterator[None]:
    """Hold the lock :func:`advisory_lock` takes, on this connection and outside any
    transaction, until the block ends (PostgreSQL): for work spread over several
    transactions and connections. A process that dies releases it with its connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:  # the connection is gone, and the lock with it
            logger.warning("advisory lock %s: could not unlock", key, exc_info=True)


def relax_commit() -> None:
    """Let this transaction's commit return before its WAL reaches the disk (PostgreSQL).

    Safe for import chunks: a chunk's rows and the run's ``committed_lines`` are in the same
    transaction, so a server crash loses both together (at most the last few chunks), and a
    resume simply writes them again; the database stays consistent either way."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def can_pipeline() -> bool:
    """Whether a second connection sees what this one sees: not inside a transaction (whose
    uncommitted rows it would miss), not an in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    if connection.vendor != "sqlite":
        return True
    name = str(connection.settings_dict.get("NAME") or "")
    return bool(name) and ":memory:" not in name and "mode=memory" not in name
