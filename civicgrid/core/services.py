"""Write services of the core app: the holiday calendar (节假日安排) import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from .audit import audit_record
from .errors import DomainError
from .models import CalendarDay, CalendarYear
from .workdays import invalidate_calendar

TRUE_WORDS = frozenset({"1", "true", "是"})
FALSE_WORDS = frozenset({"0", "false", "否"})
HEADER_WORDS = frozenset({"date", "日期"})
NAME_MAX_LENGTH = 60
FIRST_SUPPORTED_YEAR = 1949
LAST_SUPPORTED_YEAR = 2200


@dataclass(frozen=True)
class CalendarEntry:
    """One validated row of a holiday arrangement file."""

    line: int
    date: dt.date
    is_working_day: bool
    name: str


@dataclass(frozen=True)
class CalendarImportResult:
    year: int
    created: int
    updated: int
    unchanged: int
    removed: int
    is_published: bool


class CalendarImportError(DomainError):
    """The file has bad rows; nothing was written. ``errors`` lists ``(line, message)``."""

    code = "calendar_import_invalid"

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        lines = "\n".join(
            gettext("Line %(line)s: %(message)s") % {"line": line, "message": message}
            for line, message in errors
        )
        summary = gettext("The holiday file has %(count)s bad row(s); nothing was imported.") % {
            "count": len(errors)
        }
        super().__init__(f"{summary}\n{lines}", details={"errors": errors})
        self.errors = errors


def _parse_boolean(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_calendar_rows(
    *, year: int, rows: Iterable[Sequence[str]], first_line: int = 1
) -> list[CalendarEntry]:
    """Validate every row (``date,is_working_day[,name]``) and return them, or raise all errors.

    Blank rows are skipped; a first row whose first cell is ``date`` or ``日期`` is a header.
    ``first_line`` is the line number of the first row, used in the messages.
    """
    entries: list[CalendarEntry] = []
    errors: list[tuple[int, str]] = []
    first_line_of_date: dict[dt.date, int] = {}
    seen_content = False
    for index, raw_row in enumerate(rows):
        line = first_line + index
        row = [cell.strip() for cell in raw_row]
        if not any(row):
            continue
        if not seen_content and row[0].lstrip("\ufeff").lower() in HEADER_WORDS:
            seen_content = True
            continue
        seen_content = True
        if len(row) < 2 or len(row) > 3:
            errors.append(
                (
                    line,
                    gettext(
                        "expected 2 or 3 columns (date, is_working_day, name), found %(count)s."
                    )
                    % {"count": len(row)},
                )
            )
            continue
        date_text, working_text = row[0], row[1]
        name = row[2] if len(row) == 3 else ""
        try:
            day = dt.date.fromisoformat(date_text.replace("/", "-"))
            if len(date_text) != 10:
                raise ValueError(date_text)
        except ValueError:
            errors.append(
                (
                    line,
                    gettext("date: “%(value)s” is not a date in the form YYYY-MM-DD.")
                    % {"value": date_text},
                )
            )
            continue
        if day.year != year:
            errors.append(
                (
                    line,
                    gettext("date: %(date)s is not in the year %(year)s.")
                    % {"date": day.isoformat(), "year": year},
                )
            )
            continue
        is_working = _parse_boolean(working_text)
        if is_working is None:
            errors.append(
                (
                    line,
                    gettext("is_working_day: “%(value)s” is not one of 1, 0, true, false, 是, 否.")
                    % {"value": working_text},
                )
            )
            continue
        if len(name) > NAME_MAX_LENGTH:
            errors.append(
                (
                    line,
                    gettext("name: at most %(limit)s characters are allowed, found %(count)s.")
                    % {"limit": NAME_MAX_LENGTH, "count": len(name)},
                )
            )
            continue
        if day in first_line_of_date:
            errors.append(
                (
                    line,
                    gettext("date: %(date)s already appears on line %(other)s.")
                    % {"date": day.isoformat(), "other": first_line_of_date[day]},
                )
            )
            continue
        first_line_of_date[day] = line
        entries.append(CalendarEntry(line=line, date=day, is_working_day=is_working, name=name))
    if not errors and not entries:
        errors.append((first_line, gettext("the file contains no calendar rows.")))
    if errors:
        raise CalendarImportError(errors)
    return entries


def calendar_year_import(
    *,
    actor: Any,
    year: int,
    rows: Iterable[Sequence[str]],
    publish: bool = True,
    notice: str = "",
    first_line: int = 1,
) -> CalendarImportResult:
    """导入节假日安排: replace the holiday/adjusted-workday rows of ``year`` with ``rows``.

    All or nothing: every row is validated first and any bad row aborts the import with the
    line numbers (:class:`CalendarImportError`). The file is the year's complete arrangement,
    so rows of that year missing from it are removed; importing the same file again changes
    nothing. With ``publish`` the year is marked complete and working-day arithmetic accepts it;
    without it, the year's publication state is left as it was. One audit row is written.
    """
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise DomainError(
            gettext("year: %(year)s is outside %(first)s-%(last)s.")
            % {"year": year, "first": FIRST_SUPPORTED_YEAR, "last": LAST_SUPPORTED_YEAR},
            code="calendar_year_invalid",
            field="year",
        )
    entries = parse_calendar_rows(year=year, rows=rows, first_line=first_line)
    wanted = {entry.date: entry for entry in entries}
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            day.date: day for day in CalendarDay.objects.select_for_update().filter(date__year=year)
        }
        removed_dates = sorted(set(existing) - set(wanted))
        if removed_dates:
            CalendarDay.objects.filter(date__in=removed_dates).delete()
        for day, entry in sorted(wanted.items()):
            current = existing.get(day)
            if current is None:
                CalendarDay.objects.create(
                    date=day, is_working_day=entry.is_working_day, name=entry.name
                )
                created += 1
            elif current.is_working_day != entry.is_working_day or current.name != entry.name:
                current.is_working_day = entry.is_working_day
                current.name = entry.name
                current.save(update_fields=["is_working_day", "name", "updated_at"])
                updated += 1
            else:
                unchanged += 1
        calendar_year: CalendarYear | None
        if publish:
            calendar_year, _ = CalendarYear.objects.update_or_create(
                year=year,
                defaults={"is_published": True, **({"notice": notice[:200]} if notice else {})},
            )
        else:
            calendar_year = CalendarYear.objects.filter(year=year).first()
            if calendar_year is not None and notice:
                calendar_year.notice = notice[:200]
                calendar_year.save(update_fields=["notice", "updated_at"])
        invalidate_calendar()  # now and again at commit (workday caches of this process)
        result = CalendarImportResult(
            year=year,
            created=created,
            updated=updated,
            unchanged=unchanged,
            removed=len(removed_dates),
            is_published=bool(calendar_year and calendar_year.is_published),
        )
        audit_record(
            actor=actor,
            action="calendar.year_import",
            target=calendar_year,
            target_type="core.calendaryear",
            target_id=str(year),
            target_repr=str(year),
            details={
                "year": year,
                "rows": len(entries),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "removed": [day.isoformat() for day in removed_dates],
                "published": result.is_published,
            },
        )
    return result
