"""Opening hours: weekly wall-clock ranges in a time zone, holidays and temporary closures.

A range belongs to the day it starts on. `22:00-02:00` on Friday is open from Friday 22:00 to
Saturday 02:00, and a holiday on Friday closes that whole range (a holiday on Saturday does not).
Times are compared on the local wall clock, so ranges keep their meaning across DST changes: on the
spring-forward day 02:00-03:00 does not exist and on the fall-back day 02:00-03:00 happens twice.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class TimeRange:
    """Open from `start` until just before `end`; `end <= start` means it runs past midnight.

    `end` of 24:00 is written as END_OF_DAY and includes the last microsecond of the day.
    """

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def covers_same_day(self, at: time) -> bool:
        if self.crosses_midnight:
            return at >= self.start
        if self.end == END_OF_DAY:
            return self.start <= at
        return self.start <= at < self.end

    def covers_next_day(self, at: time) -> bool:
        return self.crosses_midnight and at < self.end

    def __str__(self) -> str:
        end = "24:00" if self.end == END_OF_DAY else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


@dataclass(frozen=True)
class Closure:
    """A temporary closure, e.g. "everyone at an off-site meeting 13-15". [start, end)."""

    start: datetime
    end: datetime
    note: str = ""
    id: str = ""  # set for closures registered at runtime, so they can be cancelled

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class OpeningHours:
    weekly: Mapping[int, tuple[TimeRange, ...]]  # 0 = Monday
    tz: ZoneInfo
    holidays: Container[date] = field(default_factory=frozenset)
    closed_dates: frozenset[date] = frozenset()
    closures: tuple[Closure, ...] = ()

    def is_open(self, at: datetime) -> bool:
        if any(closure.covers(at) for closure in self.closures):
            return False
        local = at.astimezone(self.tz)
        today, now = local.date(), local.time().replace(tzinfo=None)
        yesterday = today - timedelta(days=1)
        if self._is_working_day(today) and any(
            r.covers_same_day(now) for r in self.ranges_on(today)
        ):
            return True
        return self._is_working_day(yesterday) and any(
            r.covers_next_day(now) for r in self.ranges_on(yesterday)
        )

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        return self.weekly.get(day.weekday(), ())

    def is_closed_day(self, day: date) -> bool:
        return not self._is_working_day(day)

    def _is_working_day(self, day: date) -> bool:
        return day not in self.holidays and day not in self.closed_dates

    def with_closure(self, closure: Closure) -> OpeningHours:
        return OpeningHours(
            self.weekly, self.tz, self.holidays, self.closed_dates, (*self.closures, closure)
        )

    def without_closure(self, closure_id: str) -> OpeningHours:
        kept = tuple(c for c in self.closures if not (closure_id and c.id == closure_id))
        return OpeningHours(self.weekly, self.tz, self.holidays, self.closed_dates, kept)

    def closures_from(self, at: datetime) -> tuple[Closure, ...]:
        """Closures in force at `at` or still to come, by start."""
        return tuple(sorted((c for c in self.closures if c.end > at), key=lambda c: c.start))

    def next_opening(self, at: datetime, horizon_days: int = 14) -> datetime | None:
        """The first moment after `at` at which it is open (None: open now or not within horizon).

        Candidates are the starts of the weekly ranges and the ends of closures; the first one
        that is open (no holiday, no closure) wins.
        """
        if self.is_open(at):
            return None
        today = at.astimezone(self.tz).date()
        candidates = [c.end for c in self.closures if c.end > at]
        for offset in range(-1, horizon_days + 1):
            day = today + timedelta(days=offset)
            for r in self.ranges_on(day):
                start = datetime.combine(day, r.start, self.tz)
                if start > at:
                    candidates.append(start)
        return next((c for c in sorted(candidates) if self.is_open(c)), None)

    def describe_day(self, day: date) -> str:
        """Today's hours for people: '09:00-15:00', or 'closed'."""
        if not self._is_working_day(day) or not self.ranges_on(day):
            return "closed"
        return ", ".join(str(r) for r in self.ranges_on(day))


ALWAYS_OPEN_RANGE = TimeRange(time(0, 0), END_OF_DAY)
