"""How long a quarterly KPI report takes over a million calls (target: JSON under 2 s).

Generates N synthetic calls (default 1,000,000) over 2026-Q3 into a fresh call log with the real
schema: a realistic mix of switchboard and direct-line calls and outcomes, ring attempts, overflows,
transfers, returns, repeat callers, telephonist pauses and PBX outages. Rows go in with executemany
in one transaction. Then it times the whole report (query + build + render) for each format.

Run by hand:  .venv/bin/python bench/report_speed.py [--calls 1000000] [--db PATH] [--runs 5]
              [--format json --format html ...]  (default: json and html)
A --db file that already exists is reused as is (generation takes a while); default: a temp file.

Hook for more formats: every `--format` name is looked up in `callrouter.reports.formats.RENDERERS`
and timed the same way (`time_format`), so once `html` is registered, `--format html` times it.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import time as clock_time
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from callrouter.domain.hours import END_OF_DAY, OpeningHours, TimeRange
from callrouter.domain.kpis import KpiSettings
from callrouter.domain.model import Department, RoutingPolicy
from callrouter.reports.compute import ReportRequest, build_report
from callrouter.reports.formats import RENDERERS
from callrouter.reports.period import named_period
from callrouter.store.schema import SCHEMA_VERSION, migration_script

CPH = ZoneInfo("Europe/Copenhagen")
QUARTER = "2026-Q3"
ALWAYS_OPEN = OpeningHours(dict.fromkeys(range(7), (TimeRange(clock_time(0), END_OF_DAY),)), CPH)
DEPARTMENTS = tuple(
    Department(d, d.title(), f"Local/dept-{d}@departments/n", ALWAYS_OPEN)
    for d in ("jobcenter", "family", "payments", "daycare", "benefits", "visitation", "schools")
)
TELEPHONISTS = [f"tel{n}" for n in range(1, 13)]
POLICY = RoutingPolicy()
CHUNK = 100_000


def generate(path: Path, calls: int, seed: int = 7) -> None:
    """`calls` synthetic calls over the quarter, with their attempts, overflows and transfers."""
    rng = random.Random(seed)
    period = named_period(QUARTER, CPH)
    low, high = period.start.timestamp(), period.end.timestamp()
    conn = sqlite3.connect(path, isolation_level=None)
    for version in range(SCHEMA_VERSION):
        conn.executescript(migration_script(version))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    arrivals = sorted(rng.uniform(low, high) for _ in range(calls))
    for start in range(0, calls, CHUNK):
        rows = [_call(rng, n, arrivals[n]) for n in range(start, min(start + CHUNK, calls))]
        _insert(conn, rows)
    _controller_events(conn, rng, low, high)
    conn.execute("COMMIT")
    conn.close()


class Synthetic(NamedTuple):
    call_id: str
    arrived: float
    department: str | None
    number: str
    outcome: str
    wait: float | None
    held: float
    luck: float  # one more random draw: telephonist, transfer


def _call(rng: random.Random, n: int, arrived: float) -> Synthetic:
    department = rng.choice(DEPARTMENTS).id if rng.random() < 0.25 else None
    number = f"45{rng.randrange(150_000):08d}" if rng.random() > 0.03 else ""
    roll = rng.random()
    if roll < 0.74:
        outcome = "answered"
    elif roll < 0.86:
        outcome = "abandoned"
    elif roll < 0.91 and department is None:
        outcome = "overflowed"
    else:
        outcome = "closed" if roll < 0.97 else "failed"
    wait = rng.expovariate(1 / 25) if outcome in ("answered", "overflowed") else None
    held = rng.expovariate(1 / 40) if wait is None else wait + 120
    call_id = f"{1_700_000_000 + n}.{n % 997}"
    return Synthetic(call_id, arrived, department, number, outcome, wait, held, rng.random())


def _insert(conn: sqlite3.Connection, rows: list[Synthetic]) -> None:
    calls, attempts, overflows, transfers = [], [], [], []
    for r in rows:
        answered_at = r.arrived + r.wait if r.wait is not None else None
        ended = r.arrived + r.held
        who = (
            f"department:{r.department}"
            if r.department
            else TELEPHONISTS[int(r.luck * 1e6) % len(TELEPHONISTS)]
        )
        rings = POLICY.rings_for(r.wait) if r.wait is not None else None
        answered_by = who if answered_at else None
        call = (r.call_id, r.call_id, "PJSIP/trunk", "70000000", r.department, r.number)
        calls.append((*call, r.arrived, answered_at, answered_by, r.wait, rings, r.outcome, ended))
        kind = "department" if r.department else "telephonist"
        target = r.department or who
        result = "answered" if r.outcome == "answered" else "no_answer"
        attempts.append((r.call_id, 1, kind, target, r.arrived, answered_at or ended, result))
        if r.outcome == "overflowed":
            at = r.arrived + 120
            overflows.append((r.call_id, at, "jobcenter", "wait_limit"))
            attempts.append((r.call_id, 2, "department", "jobcenter", at, ended, "answered"))
        if answered_at and r.outcome == "answered" and r.department is None and r.luck < 0.08:
            transfers.append((r.call_id, answered_at + 60, "blind", "dept-family@departments"))
    conn.executemany(
        """INSERT INTO calls (call_id, linked_id, channel, entry, department, caller_number,
               arrived_at, answered_at, answered_by, wait_seconds, rings_heard, outcome,
               ended_at, hangup_cause, caller_name)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '16 Normal Clearing', 'Caller')""",
        calls,
    )
    conn.executemany(
        """INSERT INTO attempts (call_id, attempt_no, target_kind, target, dial, started_at,
               ended_at, result, rings) VALUES (?, ?, ?, ?, 'Local/x', ?, ?, ?, 1)""",
        attempts,
    )
    conn.executemany(
        """INSERT INTO overflows (call_id, at, target_kind, target, reason)
           VALUES (?, ?, 'department', ?, ?)""",
        overflows,
    )
    conn.executemany(
        "INSERT INTO transfers (call_id, at, kind, target) VALUES (?, ?, ?, ?)", transfers
    )


def _controller_events(
    conn: sqlite3.Connection, rng: random.Random, low: float, high: float
) -> None:
    events = [
        (low - 86400, "controller_started", "controller", ""),
        (low - 86399, "pbx_connected", "pbx", ""),
    ]
    for _ in range(30):
        at = rng.uniform(low, high)
        events += [
            (at, "pbx_disconnected", "pbx", "EOF"),
            (at + rng.uniform(5, 300), "pbx_connected", "pbx", ""),
        ]
    for _ in range(2000):
        at = rng.uniform(low, high)
        events.append((at, "telephonist_presence", rng.choice(TELEPHONISTS), "paused: lunch"))
    conn.executemany(
        "INSERT INTO controller_events (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
        sorted(events),
    )


def time_format(name: str, request: ReportRequest, runs: int) -> list[float]:
    """Seconds for each run of the whole report in format `name`: read, compute, render."""
    renderer = RENDERERS[name]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        text = renderer(build_report(request))
        timings.append(time.perf_counter() - started)
    print(f"  {name}: {len(text):,} characters")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", action="append", dest="formats", choices=sorted(RENDERERS))
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="report-bench-")) / "calls.sqlite3"
    if not path.exists():
        started = time.perf_counter()
        generate(path, args.calls)
        print(
            f"generated {args.calls:,} calls into {path} in {time.perf_counter() - started:.1f} s"
        )
    conn = sqlite3.connect(path)
    stored = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    conn.close()
    request = ReportRequest(path, named_period(QUARTER, CPH), KpiSettings(), DEPARTMENTS)
    print(f"{QUARTER} report over {stored:,} calls, {args.runs} runs each (target: json < 2 s)")
    for name in args.formats or ["json", "html"]:
        timings = time_format(name, request, args.runs)
        best, median = min(timings), statistics.median(timings)
        print(
            f"  {name}: best {best:.3f} s, median {median:.3f} s, "
            f"{stored / median / 1e6:.2f} M calls/s, {median / 2.0:.0%} of the 2 s target"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
