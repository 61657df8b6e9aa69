"""Build a `Report` from the call log: read-only connections, a handful of queries."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from callrouter.domain.kpis import KpiSettings
from callrouter.domain.model import Department
from callrouter.reports import queries as q
from callrouter.reports.callers import RETURN_WINDOW_SECONDS, CallerPass, Handoff
from callrouter.reports.downtime import (
    DOWNTIME_GRACE_SECONDS,
    DOWNTIME_KINDS,
    Interval,
    downtime_intervals,
    reclassify_windows,
    summarize,
)
from callrouter.reports.figures import ScopeTallies, buckets, figures, tally_rows
from callrouter.reports.model import (
    ALL_CALLS,
    SWITCHBOARD,
    Method,
    Report,
    ReportPeriod,
    ScopeReport,
)
from callrouter.reports.period import hour_aligned_cuts, local_seconds_sql, offset_spans
from callrouter.reports.sections import (
    overflow_rows,
    reachability,
    target_results,
    telephonist_rows,
    transfer_rows,
)

T = TypeVar("T")
SOURCE_COLUMN_VERSION = 2  # the call-log schema version that added calls.source
LONGEST_CALL_SECONDS = q.LONGEST_CALL_SECONDS


class ReportError(Exception):
    """The report cannot be made (e.g. the file is not a call log); the message says why."""


@dataclass(frozen=True)
class ReportRequest:
    database: Path
    period: ReportPeriod
    settings: KpiSettings
    departments: tuple[Department, ...]
    source: str = "callrouter"  # "callrouter", "all" or "queue_log:<queue>"
    return_window_seconds: float = RETURN_WINDOW_SECONDS


def build_report(request: ReportRequest, now: datetime | None = None) -> Report:
    """The report for `request`; raises ReportError when the database is not a usable call log."""
    uri = f"{request.database.absolute().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise ReportError(f"cannot open the call log {request.database}: {error}") from None
    try:
        _check_schema(conn, request.database)
        return _build(conn, request, now or datetime.now(UTC))
    except sqlite3.DatabaseError as error:
        raise ReportError(f"cannot read the call log {request.database}: {error}") from None
    finally:
        conn.close()


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version < SOURCE_COLUMN_VERSION:
        raise ReportError(
            f"{path} is not a call log of this callrouter (schema version {version}); "
            "start the controller on it once to upgrade it"
        )


@dataclass(frozen=True)
class _Read:
    """Everything read from the log for one report."""

    scan: q.Scan
    days: list[int]
    tallies: tuple[dict[str, ScopeTallies], ScopeTallies]  # per scope, and of all calls
    intervals: list[tuple[Interval, float | None]]  # with their end (None: not in the log)
    handoffs: list[Handoff]
    callers: CallerPass
    attempts: list[q.AttemptCount]
    answer_waits: list[tuple[str, float]]
    pauses: list[tuple[str, str, int]]
    still_open: int  # calls of the period with no outcome yet


def _read(conn: sqlite3.Connection, request: ReportRequest) -> _Read:
    """The queries. The two big grouped scans (calls, attempts) and the hand-offs run on
    connections of their own in worker threads (SQLite releases the GIL while it works), while
    this thread makes the ordered pass over the callers."""
    period = request.period
    low, high = period.start.timestamp(), period.end.timestamp()
    scan = q.make_scan(conn, request.source, low, high)
    events = q.downtime_events(conn, DOWNTIME_KINDS, float("inf"))
    intervals = downtime_intervals(events, lambda at: q.last_arrival_before(conn, at))
    windows = [
        w
        for w in reclassify_windows(intervals)
        if w[2] >= low and w[0] < high + LONGEST_CALL_SECONDS
    ]
    spans = offset_spans(low, high, ZoneInfo(period.timezone))
    local_sql = local_seconds_sql("arrived_at", spans)
    downtimes = (windows, hour_aligned_cuts(low, high, spans))
    with ThreadPoolExecutor(max_workers=3) as pool:
        grouped = pool.submit(
            _on_own_connection,
            request.database,
            lambda c: tally_rows(q.grouped_calls(c, scan, request.settings, local_sql, downtimes)),
        )
        attempts = pool.submit(
            _on_own_connection, request.database, lambda c: q.attempt_counts(c, scan)
        )
        handoffs_read = pool.submit(
            _on_own_connection,
            request.database,
            lambda c: [Handoff.of(row) for row in q.handoffs(c, scan)],
        )
        callers = _follow_callers(conn, scan, request, handoffs_read)
        handoffs = callers.handoffs
        callers.sort_waits()  # while the workers still run
        pauses, still_open = q.pauses(conn, scan), q.still_open(conn, scan)
        counts, answer_waits = attempts.result()
        tallies = grouped.result()
    days = _local_days(low, high, spans[0].offset, spans[-1].offset)
    return _Read(
        scan, days, tallies, intervals, handoffs, callers, counts, answer_waits, pauses, still_open
    )


def _on_own_connection(database: Path, query: Callable[[sqlite3.Connection], T]) -> T:
    """Run `query` on a read-only connection of its own (for a worker thread)."""
    conn = sqlite3.connect(f"{database.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return query(conn)
    finally:
        conn.close()


def _build(conn: sqlite3.Connection, request: ReportRequest, now: datetime) -> Report:
    settings, read = request.settings, _read(conn, request)
    scopes, everything = read.tallies
    callers = read.callers

    def scope_report(scope: str, name: str, key: str | None) -> ScopeReport:
        """`key`: the scope's key in `scopes` ("" = switchboard); None = all calls."""
        tallies = everything if key is None else scopes.get(key, ScopeTallies())
        found = callers.all_figures() if key is None else callers.figures(key or None)
        hours, weekdays, dated = buckets(tallies, read.days, settings)
        total = figures(tallies.total, found, settings)
        return ScopeReport(scope, name, total, hours, weekdays, dated)

    switchboard = scope_report(SWITCHBOARD, "Switchboard", "")
    departments = tuple(
        scope_report(scope, name, scope)
        for scope, name in _department_scopes(request.departments, scopes)
    )
    all_calls = scope_report(ALL_CALLS, "All calls", None)
    span = (read.scan.low, read.scan.high)
    downtime = summarize(read.intervals, span, now.timestamp(), everything.total.downtime_failed)
    handoffs = read.handoffs
    return Report(
        period=request.period,
        method=_method(request),
        generated_at=now,
        switchboard=switchboard,
        departments=departments,
        all_calls=all_calls,
        overflows=overflow_rows(handoffs),
        transfers=transfer_rows(handoffs, request.departments),
        returned_to_switchboard=sum(h.returned for h in handoffs),
        reachability=reachability(read.attempts, read.answer_waits, handoffs, request.departments),
        telephonists=telephonist_rows(read.attempts, read.pauses, settings.telephonist_names),
        downtime=downtime,
        targets=target_results(settings.targets, switchboard, departments, all_calls),
        notes=_notes(read.still_open, downtime.intervals_with_unknown_bounds),
    )


def _follow_callers(
    conn: sqlite3.Connection,
    scan: q.Scan,
    request: ReportRequest,
    handoffs: Future[list[Handoff]],
) -> CallerPass:
    """The ordered pass; the period's first rows are read while the hand-offs are still coming."""
    repeat_window = request.settings.repeat_window_seconds
    callers = CallerPass(repeat_window, request.return_window_seconds)
    callers.remember(q.caller_rows(conn, scan, scan.low - repeat_window, scan.low))
    rows = q.caller_rows(conn, scan, scan.low, scan.high)
    early: list[q.CallerRow] = []
    while not handoffs.done() and (chunk := rows.fetchmany()):
        early += chunk
    callers.handoffs = handoffs.result()
    callers.count(itertools.chain(early, rows))
    after = scan.high + request.return_window_seconds
    callers.returns_after(q.caller_rows(conn, scan, scan.high, after))
    return callers


def _local_days(low: float, high: float, first_offset: int, last_offset: int) -> list[int]:
    """Local day numbers of every date in the period (see `period.local_date`)."""
    first = int((low + first_offset) // 86400)
    last = int((high - 1e-6 + last_offset) // 86400)
    return list(range(first, last + 1))


def _department_scopes(
    departments: Sequence[Department], scopes: dict[str, ScopeTallies]
) -> list[tuple[str, str]]:
    """Every configured department, then departments found in the log but not configured."""
    configured = [(d.id, d.name) for d in departments]
    known = {d.id for d in departments}
    extra = sorted(scope for scope in scopes if scope and scope not in known)
    return configured + [(scope, f"{scope} (not in the config)") for scope in extra]


def _method(request: ReportRequest) -> Method:
    settings = request.settings
    return Method(
        source=request.source,
        formula=settings.formula.value,
        formula_text=settings.formula.explanation,
        answer_within_rings=settings.answer_within_rings,
        ring_cadence_seconds=settings.ring_cadence_seconds,
        answer_within_seconds=settings.answer_within_seconds,
        short_abandon_seconds=settings.short_abandon_seconds,
        repeat_window_seconds=settings.repeat_window_seconds,
        return_window_seconds=request.return_window_seconds,
        downtime_grace_seconds=DOWNTIME_GRACE_SECONDS,
        telephonist_names=settings.telephonist_names,
        percentile="nearest rank",
    )


def _notes(still_open: int, unknown_intervals: int) -> tuple[str, ...]:
    notes = []
    if still_open:
        notes.append(f"{still_open} call(s) of the period had no outcome yet and are not counted")
    if unknown_intervals:
        notes.append(
            f"{unknown_intervals} downtime interval(s) have a start or end the log does not show"
        )
    notes.append(
        "transfers: the call log does not see the department's leg after a PBX transfer, so "
        "their answered share and wait are not reported (overflows and reachability are)"
    )
    return tuple(notes)
