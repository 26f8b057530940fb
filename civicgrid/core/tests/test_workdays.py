"""Working days on the official calendar (工作日, 调休), with database overrides and new years."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.core.errors import DomainError
from civicgrid.core.models import CalendarDay, CalendarYear
from civicgrid.core.workdays import (
    CalendarUnknownYearError,
    add_working_days,
    bundled_years,
    is_working_day,
    unknown_years,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date
DB_HYPOTHESIS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_bundled_years_come_from_the_package_data() -> None:
    assert bundled_years() == range(2004, 2027)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day + Mid-autumn run 10-01..10-07
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Saturday 02-14 is an adjusted working day
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # Spring Festival 02-15..02-23
        (D(2026, 10, 8), 1, D(2026, 10, 9)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Saturday 10-10 is an adjusted working day
        (D(2026, 10, 10), 1, D(2026, 10, 12)),
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 2, 24), -2, D(2026, 2, 13)),
        (D(2026, 10, 3), -1, D(2026, 9, 30)),  # from a holiday backwards
        (D(2026, 10, 3), 1, D(2026, 10, 8)),  # from a holiday forwards
    ],
)
def test_add_working_days_real_2026_cases(start: dt.date, count: int, expected: dt.date) -> None:
    assert add_working_days(start, count) == expected


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert add_working_days(D(2026, 9, 30), 0) == D(2026, 9, 30)
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 8)
    assert add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 14)  # adjusted Saturday
    assert add_working_days(D(2026, 11, 21), 0) == D(2026, 11, 23)  # plain Saturday


def test_spring_festival_2026_holidays_and_adjusted_saturdays() -> None:
    holidays = [D(2026, 2, 15) + dt.timedelta(days=offset) for offset in range(9)]
    assert [is_working_day(day) for day in holidays] == [False] * 9
    assert is_working_day(D(2026, 2, 13)) is True  # Friday before
    assert is_working_day(D(2026, 2, 14)) is True  # adjusted Saturday
    assert is_working_day(D(2026, 2, 24)) is True  # Tuesday after
    assert is_working_day(D(2026, 2, 28)) is True  # adjusted Saturday
    assert is_working_day(D(2026, 3, 7)) is False  # plain Saturday


def test_national_day_2026_span() -> None:
    span = [D(2026, 10, 1) + dt.timedelta(days=offset) for offset in range(7)]
    assert not any(is_working_day(day) for day in span)
    assert is_working_day(D(2026, 9, 20)) is True  # adjusted Sunday
    assert is_working_day(D(2026, 10, 10)) is True  # adjusted Saturday
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (D(2026, 9, 30), D(2026, 10, 8), 1),
        (D(2026, 10, 8), D(2026, 9, 30), -1),
        (D(2026, 2, 13), D(2026, 2, 24), 2),  # 02-14 and 02-24
        (D(2026, 1, 1), D(2026, 1, 1), 0),
        (D(2026, 1, 1), D(2026, 1, 4), 1),  # 01-04 Sunday is an adjusted working day
        (D(2025, 12, 31), D(2026, 12, 31), 248),
        (D(2026, 11, 20), D(2026, 11, 22), 0),  # Friday to Sunday
    ],
)
def test_working_days_between(first: dt.date, last: dt.date, expected: int) -> None:
    assert working_days_between(first, last) == expected


def test_2026_has_the_official_number_of_working_days() -> None:
    expected = len(chinese_calendar.get_workdays(D(2026, 1, 1), D(2026, 12, 31)))
    assert working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == expected == 248


working_day_strategy = st.dates(min_value=D(2010, 1, 1), max_value=D(2024, 12, 31)).filter(
    chinese_calendar.is_workday
)


@DB_HYPOTHESIS
@given(start=working_day_strategy, count=st.integers(min_value=-250, max_value=250))
def test_round_trip_and_package_oracle(start: dt.date, count: int) -> None:
    end = add_working_days(start, count)
    assert working_days_between(start, end) == count
    assert end == chinese_calendar.find_workday(count, start)
    assert is_working_day(end)


@DB_HYPOTHESIS
@given(
    first=st.dates(min_value=D(2005, 1, 1), max_value=D(2025, 12, 31)),
    last=st.dates(min_value=D(2005, 1, 1), max_value=D(2025, 12, 31)),
)
def test_between_counts_like_the_package(first: dt.date, last: dt.date) -> None:
    low, high = min(first, last), max(first, last)
    expected = len(chinese_calendar.get_workdays(low, high)) - chinese_calendar.is_workday(low)
    assert working_days_between(low, high) == expected
    assert working_days_between(high, low) == -expected


def test_datetime_values_are_refused() -> None:
    with pytest.raises(TypeError):
        add_working_days(dt.datetime(2026, 9, 30, 12, 0), 1)  # type: ignore[arg-type]


def test_unknown_year_raises_with_the_year_in_the_message() -> None:
    with translation.override("en"), pytest.raises(CalendarUnknownYearError) as caught:
        add_working_days(D(2026, 12, 31), 1)
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "calendar_unknown_year"
    assert caught.value.year == 2027
    assert str(caught.value) == (
        "The official holiday arrangement for 2027 has not been entered yet; "
        "an administrator must add it under Holidays."
    )
    with pytest.raises(CalendarUnknownYearError):
        is_working_day(D(2027, 1, 4))
    with pytest.raises(CalendarUnknownYearError):
        working_days_between(D(2026, 12, 1), D(2027, 1, 10))
    with pytest.raises(CalendarUnknownYearError) as before:
        is_working_day(D(2003, 6, 2))
    assert before.value.year == 2003


def test_last_known_day_needs_no_next_year() -> None:
    assert add_working_days(D(2026, 12, 31), 0) == D(2026, 12, 31)
    assert add_working_days(D(2026, 12, 31), -1) == D(2026, 12, 30)


def test_unpublished_year_stays_unknown_even_with_rows() -> None:
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarYear.objects.create(year=2027, is_published=False)
    with pytest.raises(CalendarUnknownYearError):
        add_working_days(D(2026, 12, 31), 1)


def test_published_year_uses_rows_and_defaults_to_monday_to_friday() -> None:
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarDay.objects.create(date=D(2027, 2, 20), is_working_day=True, name="春节")
    CalendarYear.objects.create(year=2027, is_published=True)
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # Fri holiday, then weekend
    assert is_working_day(D(2027, 2, 20)) is True  # an adjusted Saturday
    assert is_working_day(D(2027, 2, 21)) is False  # a plain Sunday
    assert is_working_day(D(2027, 3, 3)) is True  # a plain Wednesday
    assert working_days_between(D(2026, 12, 30), D(2027, 1, 8)) == 6
    with pytest.raises(CalendarUnknownYearError) as caught:
        add_working_days(D(2027, 12, 31), 1)
    assert caught.value.year == 2028


def test_database_row_overrides_the_package_on_a_2026_date() -> None:
    CalendarDay.objects.create(date=D(2026, 10, 8), is_working_day=False, name="临时调整")
    CalendarDay.objects.create(date=D(2026, 10, 3), is_working_day=True, name="临时调整")
    assert is_working_day(D(2026, 10, 8)) is False
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 3)
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2


def test_query_count_is_bounded(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(1):
        assert add_working_days(D(2026, 1, 5), 200) == chinese_calendar.find_workday(
            200, D(2026, 1, 5)
        )
    with django_assert_max_num_queries(1):
        working_days_between(D(2025, 1, 1), D(2026, 12, 31))
    with django_assert_max_num_queries(1):
        is_working_day(D(2026, 5, 1))


def test_a_thousand_working_days_with_bounded_queries(  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,
) -> None:
    with django_assert_max_num_queries(2):
        end = add_working_days(D(2010, 1, 4), 1000)
        back = add_working_days(end, -1000)
    assert end == chinese_calendar.find_workday(1000, D(2010, 1, 4))
    assert back == D(2010, 1, 4)
    assert working_days_between(D(2010, 1, 4), end) == 1000


def test_long_holiday_runs_extend_the_window_with_few_queries(  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,
) -> None:
    # 40 consecutive override holidays make the first window (1 * 3 // 2 + 30 days) too short.
    CalendarDay.objects.bulk_create(
        CalendarDay(date=D(2026, 3, 2) + dt.timedelta(days=offset), is_working_day=False)
        for offset in range(40)
    )
    with django_assert_max_num_queries(2):
        assert add_working_days(D(2026, 3, 1), 1) == D(2026, 4, 13)


def test_dates_at_the_ends_of_the_range_are_unknown_years_not_crashes() -> None:
    with pytest.raises(CalendarUnknownYearError) as caught:
        add_working_days(D(1, 1, 2), -5)
    assert caught.value.year == 1
    with pytest.raises(CalendarUnknownYearError) as late:
        add_working_days(D(9999, 12, 30), 5)
    assert late.value.year == 9999


def test_provisional_counts_monday_to_friday_in_an_unknown_year() -> None:
    # 2026-12-31 is a Thursday; 2027 is unknown: Fri 1 Jan, Mon 4 Jan, Tue 5 Jan.
    assert add_working_days(D(2026, 12, 31), 3, provisional=True) == D(2027, 1, 5)
    assert unknown_years(D(2026, 12, 31), D(2027, 1, 5)) == [2027]
    assert unknown_years(D(2026, 12, 1), D(2026, 12, 31)) == []
    # An administrator's override still counts in a provisional year …
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    assert add_working_days(D(2026, 12, 31), 3, provisional=True) == D(2027, 1, 6)
    # … and once the year is published it is no longer a guess.
    CalendarYear.objects.create(year=2027, is_published=True)
    assert unknown_years(D(2026, 12, 31), D(2027, 1, 5)) == []
    assert add_working_days(D(2026, 12, 31), 3) == D(2027, 1, 6)
