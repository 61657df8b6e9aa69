"""Report periods on the switchboard's local clock, and local time as SQL can compute it.

`2026-11` is November, `2026-Q3` July to September, `2026` the year; `--from/--to` take ISO dates
or date-times (a naive value is local time). Every bound is local midnight (or the given local
time) converted with the zone's rules, so a month that contains a DST change is 1 hour shorter or
longer than 30 days x 24 h, and it still starts and ends at local midnight.

SQLite knows no time zones. `local_seconds_sql` builds an expression that adds the zone's UTC
offset to an epoch-seconds column, with one CASE branch per offset change inside the period (found
by bisection to the second), so grouping by local hour and local date happens inside the query.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callrouter.reports.model import ReportPeriod

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
PERIOD_HELP = "a month 2026-11, a quarter 2026-Q3, a year 2026, or --from/--to"


class BadPeriod(ValueError):
    """The period asked for cannot be read; the message says what is accepted."""


def named_period(text: str, zone: ZoneInfo) -> ReportPeriod:
    """`2026-11`, `2026-Q3` or `2026` as [local midnight of the first day, of the day after)."""
    first, after = _first_and_after(text.strip())
    return ReportPeriod(text.strip(), _midnight(first, zone), _midnight(after, zone), zone.key)


def _first_and_after(text: str) -> tuple[date, date]:
    try:
        if match := MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            first = date(year, month, 1)
            return first, _add_months(first, 1)
        if match := QUARTER.match(text):
            first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
            return first, _add_months(first, 3)
        if match := YEAR.match(text):
            return date(int(match[1]), 1, 1), date(int(match[1]) + 1, 1, 1)
    except ValueError as error:
        raise BadPeriod(f"period {text!r}: {error}") from None
    raise BadPeriod(f"period {text!r} is not {PERIOD_HELP}")


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def range_period(start_text: str, end_text: str, zone: ZoneInfo) -> ReportPeriod:
    """--from/--to: ISO dates or date-times; naive values are on the switchboard's clock."""
    start, end = _bound(start_text, "--from", zone), _bound(end_text, "--to", zone)
    if end <= start:
        raise BadPeriod(f"--to {end_text} is not after --from {start_text}")
    return ReportPeriod(f"{start_text} .. {end_text}", start, end, zone.key)


def _bound(text: str, option: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadPeriod(f"{option} {text!r} is not an ISO date or date-time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


@dataclass(frozen=True)
class OffsetSpan:
    """From `since` (epoch seconds; None = the start of the period) the zone is `offset` s ahead."""

    since: float | None
    offset: int


def offset_spans(start: float, end: float, zone: ZoneInfo) -> list[OffsetSpan]:
    """The zone's UTC offsets over [start, end) epoch seconds, with the second each begins."""
    spans = [OffsetSpan(None, _offset(start, zone))]
    day = 86400.0
    probe = start
    while probe < end:
        step_end = min(probe + day, end)
        if _offset(step_end, zone) != spans[-1].offset:
            change = _first_second_with_new_offset(probe, step_end, zone)
            spans.append(OffsetSpan(change, _offset(change, zone)))
        probe = step_end
    return spans


def _first_second_with_new_offset(low: float, high: float, zone: ZoneInfo) -> float:
    old = _offset(low, zone)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, zone) == old:
            low = middle
        else:
            high = middle
    return high


def _offset(epoch: float, zone: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset() or timedelta(0)
    return int(delta.total_seconds())


def hour_aligned_cuts(start: float, end: float, spans: list[OffsetSpan]) -> list[float]:
    """Epoch seconds that split [start, end) into pieces of about a day, each cut on a local
    hour boundary and a day or more away from any offset change, so no (local hour) group of
    `local_seconds_sql` has calls on both sides of a cut. Includes `start` and `end`.

    Grouping each piece on its own sorts many small runs instead of one million-row run."""
    changes = [span.since for span in spans if span.since is not None]
    cuts = [start]
    moment = start + 86400.0
    while moment < end:
        offset = next(s.offset for s in reversed(spans) if s.since is None or s.since <= moment)
        aligned = (moment + offset) % 3600 == 0
        if aligned and all(abs(moment - change) > 86400.0 for change in changes):
            cuts.append(moment)
        moment += 86400.0
    return [*cuts, end]


def local_seconds_sql(column: str, spans: list[OffsetSpan]) -> str:
    """SQL for `column` (epoch seconds) on the local clock, as seconds since 1970-01-01 local."""
    if len(spans) == 1:
        return f"({column} + {spans[0].offset})"
    branches = " ".join(
        f"WHEN {column} < {after.since!r} THEN {before.offset}"
        for before, after in itertools.pairwise(spans)
    )
    return f"({column} + CASE {branches} ELSE {spans[-1].offset} END)"


EPOCH_DAY = date(1970, 1, 1)


def local_date(day_index: int) -> date:
    """Local day number (days since 1970-01-01 on the local clock) -> date."""
    return EPOCH_DAY + timedelta(days=day_index)
