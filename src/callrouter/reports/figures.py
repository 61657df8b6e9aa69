"""Call figures from the grouped rows of `queries.grouped_calls`: tallies per scope and bucket.

Every count is a sum of whole calls; the shares are computed once at the end from those counts
(never averaged averages), with `KpiSettings.service_level` choosing the denominator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from callrouter.domain.kpis import KpiSettings
from callrouter.reports.model import Bucket, Figures
from callrouter.reports.period import local_date
from callrouter.reports.queries import GroupedRow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
THURSDAY = 3  # 1970-01-01, local day 0, was a Thursday (weekday index 3, Monday = 0)


@dataclass
class Tally:
    """Running sums of whole calls for one scope (or one hour/weekday/date of it)."""

    offered: int = 0
    closed: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    overflowed: int = 0
    failed: int = 0
    downtime_failed: int = 0
    numbered: int = 0  # offered calls with a caller number (one with a digit)
    within_rings: int = 0
    within_seconds: int = 0
    wait_total: float = 0.0
    longest_wait: float | None = None
    longest_abandon: float | None = None

    def add(self, row: GroupedRow) -> None:
        _, _, outcome, down, calls, within_rings, within_seconds, short, waits, longest, held = row[
            :11
        ]
        if outcome == "closed":
            self.closed += calls
            return
        self.offered += calls
        self.numbered += row[11]
        if outcome == "answered":
            self.answered += calls
            self.within_rings += within_rings or 0
            self.within_seconds += within_seconds or 0
            self.wait_total += waits or 0.0
            self.longest_wait = _max(self.longest_wait, longest)
        elif outcome == "abandoned" and down:
            self.failed += calls
            self.downtime_failed += calls
        elif outcome == "abandoned":
            self.abandoned += calls
            self.short_abandoned += short or 0
            self.longest_abandon = _max(self.longest_abandon, held)
        elif outcome == "overflowed":
            self.overflowed += calls
        else:  # failed, or an outcome this version does not know: offered, not answered
            self.failed += calls

    def merge(self, other: Tally) -> None:
        """Add another tally's calls to this one."""
        self.offered += other.offered
        self.closed += other.closed
        self.answered += other.answered
        self.abandoned += other.abandoned
        self.short_abandoned += other.short_abandoned
        self.overflowed += other.overflowed
        self.failed += other.failed
        self.downtime_failed += other.downtime_failed
        self.numbered += other.numbered
        self.within_rings += other.within_rings
        self.within_seconds += other.within_seconds
        self.wait_total += other.wait_total
        self.longest_wait = _max(self.longest_wait, other.longest_wait)
        self.longest_abandon = _max(self.longest_abandon, other.longest_abandon)

    @property
    def long_abandoned(self) -> int:
        return self.abandoned - self.short_abandoned


def _max(current: float | None, value: float | None) -> float | None:
    if value is None:
        return current
    return value if current is None else max(current, value)


@dataclass
class ScopeTallies:
    """A scope's calls per local hour number (hours since 1970-01-01 local); `finish` sums them
    into the total, the hours of the day, the weekdays and the dates."""

    local_hours: dict[int, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    hours: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(24)])
    weekdays: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(7)])
    days: dict[int, Tally] = field(default_factory=dict)

    def add(self, row: GroupedRow) -> None:
        tally = self.local_hours.get(row[1])
        if tally is None:
            tally = self.local_hours[row[1]] = Tally()
        tally.add(row)

    def finish(self) -> ScopeTallies:
        for local_hour, tally in self.local_hours.items():
            day, hour = divmod(local_hour, 24)
            self.total.merge(tally)
            self.hours[hour].merge(tally)
            self.weekdays[(day + THURSDAY) % 7].merge(tally)
            self.days.setdefault(day, Tally()).merge(tally)
        return self


def tally_rows(rows: Sequence[GroupedRow]) -> tuple[dict[str, ScopeTallies], ScopeTallies]:
    """Tallies per scope ('' = the switchboard, else the department id) and for all calls."""
    scopes: dict[str, ScopeTallies] = {}
    everything = ScopeTallies()
    for row in rows:
        scope = scopes.get(row[0])
        if scope is None:
            scope = scopes[row[0]] = ScopeTallies()
        scope.add(row)
        everything.add(row)
    for scope in scopes.values():
        scope.finish()
    return scopes, everything.finish()


def service_levels(tally: Tally, settings: KpiSettings) -> tuple[float | None, float | None]:
    def level(within: int) -> float | None:
        return settings.service_level(within, tally.offered, tally.answered, tally.long_abandoned)

    return level(tally.within_rings), level(tally.within_seconds)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def nearest_rank(ordered: Sequence[float], fraction: float) -> float | None:
    """The nearest-rank percentile of sorted values: the ceil(fraction x n)-th smallest."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(round(fraction * len(ordered), 9))) - 1]


@dataclass(frozen=True)
class CallerFigures:
    """What the ordered pass over the calls gives one scope (see `callers`)."""

    waits: list[float]  # answered waits, sorted
    repeat_calls: int = 0


def figures(tally: Tally, callers: CallerFigures, settings: KpiSettings) -> Figures:
    rings, seconds = service_levels(tally, settings)
    return Figures(
        offered=tally.offered,
        closed=tally.closed,
        answered=tally.answered,
        abandoned=tally.abandoned,
        short_abandoned=tally.short_abandoned,
        long_abandoned=tally.long_abandoned,
        overflowed=tally.overflowed,
        failed=tally.failed,
        downtime_failed=tally.downtime_failed,
        answered_within_rings=tally.within_rings,
        answered_within_seconds=tally.within_seconds,
        service_level_rings=rings,
        service_level_seconds=seconds,
        abandonment_rate=share(tally.long_abandoned, tally.offered),
        asa_seconds=tally.wait_total / tally.answered if tally.answered else None,
        median_wait_seconds=nearest_rank(callers.waits, 0.5),
        p90_wait_seconds=nearest_rank(callers.waits, 0.9),
        longest_wait_seconds=tally.longest_wait,
        longest_abandon_seconds=tally.longest_abandon,
        repeat_calls=callers.repeat_calls,
        repeat_caller_rate=share(callers.repeat_calls, tally.numbered),
    )


def bucket(key: str, tally: Tally, settings: KpiSettings) -> Bucket:
    rings, seconds = service_levels(tally, settings)
    return Bucket(
        key=key,
        offered=tally.offered,
        answered=tally.answered,
        abandoned=tally.abandoned,
        short_abandoned=tally.short_abandoned,
        answered_within_rings=tally.within_rings,
        answered_within_seconds=tally.within_seconds,
        service_level_rings=rings,
        service_level_seconds=seconds,
    )


def buckets(
    scope: ScopeTallies, days: Sequence[int], settings: KpiSettings
) -> tuple[tuple[Bucket, ...], tuple[Bucket, ...], tuple[Bucket, ...]]:
    """By hour of day, by weekday, and by each local date in `days` (empty dates included)."""
    hours = tuple(bucket(f"{h:02d}", t, settings) for h, t in enumerate(scope.hours))
    weekdays = tuple(bucket(WEEKDAYS[d], t, settings) for d, t in enumerate(scope.weekdays))
    dated = tuple(
        bucket(_iso(local_date(day)), scope.days.get(day) or Tally(), settings) for day in days
    )
    return hours, weekdays, dated


def _iso(day: date) -> str:
    return day.isoformat()
