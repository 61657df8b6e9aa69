"""Opening hours as citizens experience them: across midnight, across DST changes, on holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import holidays

from callrouter.domain.hours import END_OF_DAY, Closure, OpeningHours, TimeRange
from tests.domain.builders import CPH


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)


def test_a_range_past_midnight_belongs_to_the_day_it_starts() -> None:
    friday_night = OpeningHours({4: (TimeRange(time(22), time(2)),)}, CPH)
    assert friday_night.is_open(local(2026, 11, 27, 23, 30))  # Fri 23:30
    assert friday_night.is_open(local(2026, 11, 28, 1, 59))  # Sat 01:59
    assert not friday_night.is_open(local(2026, 11, 28, 2, 0))  # Sat 02:00
    assert not friday_night.is_open(local(2026, 11, 28, 23, 0))  # Sat 23:00: no Saturday range


def test_a_holiday_closes_the_night_range_that_starts_on_it_but_not_the_one_before() -> None:
    every_night = OpeningHours(
        {d: (TimeRange(time(22), time(2)),) for d in range(7)}, CPH, frozenset({date(2026, 12, 25)})
    )
    assert every_night.is_open(local(2026, 12, 25, 1, 0))  # started on the 24th
    assert not every_night.is_open(local(2026, 12, 25, 23, 0))  # starts on the holiday
    assert not every_night.is_open(local(2026, 12, 26, 1, 0))  # the holiday's own night range


def test_wall_clock_hours_hold_on_the_spring_forward_day() -> None:
    """2026-03-29: Copenhagen jumps 02:00 -> 03:00. 08:00-15:00 is still 08:00-15:00 local."""
    sunday = OpeningHours({6: (TimeRange(time(8), time(15)),)}, CPH)
    assert not sunday.is_open(datetime(2026, 3, 29, 5, 59, tzinfo=UTC))  # 07:59 CEST
    assert sunday.is_open(datetime(2026, 3, 29, 6, 0, tzinfo=UTC))  # 08:00 CEST
    assert not sunday.is_open(datetime(2026, 3, 29, 13, 0, tzinfo=UTC))  # 15:00 CEST


def test_a_night_range_spanning_the_fall_back_change_is_open_for_both_0230s() -> None:
    """2026-10-25: 02:00-03:00 happens twice; a Saturday 22:00-04:00 range covers both."""
    saturday_night = OpeningHours({5: (TimeRange(time(22), time(4)),)}, CPH)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    after = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 04:00 CET
    assert (True, True, False) == tuple(saturday_night.is_open(t) for t in (first, second, after))


def test_danish_public_holidays_close_everything() -> None:
    weekdays = OpeningHours(
        {d: (TimeRange(time(9), time(15)),) for d in range(5)}, CPH, holidays.country_holidays("DK")
    )
    assert not weekdays.is_open(local(2026, 12, 25, 10, 0))  # Christmas Day, a Friday
    assert not weekdays.is_open(local(2026, 4, 2, 10, 0))  # Maundy Thursday
    assert weekdays.is_open(local(2026, 12, 23, 10, 0))


def test_extra_closed_dates_and_temporary_closures_count_as_closed() -> None:
    base = OpeningHours(
        {0: (TimeRange(time(9), time(15)),)}, CPH, closed_dates=frozenset({date(2026, 11, 30)})
    )
    assert not base.is_open(local(2026, 11, 30, 10, 0))
    meeting = base.with_closure(
        Closure(local(2026, 11, 23, 13, 0), local(2026, 11, 23, 15, 0), "all at a meeting")
    )
    assert meeting.is_open(local(2026, 11, 23, 12, 59))
    assert not meeting.is_open(local(2026, 11, 23, 13, 0))


def test_end_of_day_includes_the_last_minute() -> None:
    late = OpeningHours({0: (TimeRange(time(20), END_OF_DAY),)}, CPH)
    assert late.is_open(local(2026, 11, 23, 23, 59, 59))
    assert "20:00-24:00" == late.describe_day(date(2026, 11, 23))
