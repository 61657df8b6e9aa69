"""Small call logs written by hand for report tests: the real schema, rows as the log has them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callrouter.domain.kpis import KpiSettings
from callrouter.reports.compute import ReportRequest, build_report
from callrouter.reports.model import Report
from callrouter.reports.period import named_period
from callrouter.store.schema import SCHEMA_VERSION, migration_script, to_epoch
from tests.domain.builders import always_open, department

CPH = ZoneInfo("Europe/Copenhagen")
DEPARTMENTS = (department("jobcenter", always_open()), department("family", always_open()))


def local(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: float = 0
) -> datetime:
    whole = int(second)
    return datetime(year, month, day, hour, minute, whole, round((second - whole) * 1e6), CPH)


def create_log(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for version in range(SCHEMA_VERSION):
        conn.executescript(migration_script(version))
    return conn


@dataclass
class Log:
    path: Path
    conn: sqlite3.Connection
    count: int = 0
    ids: list[str] = field(default_factory=list)

    def call(
        self,
        arrived: datetime,
        outcome: str | None,
        *,
        department: str | None = None,
        wait: float | None = None,
        rings: int | None = None,
        held: float | None = None,
        number: str = "004512345678",
        answered_by: str | None = "tel1",
        cause: str = "16 Normal Clearing",
        linked_id: str | None = None,
        source: str = "callrouter",
        call_id: str | None = None,
    ) -> str:
        """One call; `wait` (answered) or `held` (seconds until it ended) as the log has them."""
        self.count += 1
        call_id = call_id or f"c{self.count}"
        answered_at = to_epoch(arrived + timedelta(seconds=wait)) if wait is not None else None
        length = held if held is not None else (wait or 0) + 60
        ended = to_epoch(arrived + timedelta(seconds=length)) if outcome else None
        self.conn.execute(
            """INSERT INTO calls (call_id, linked_id, channel, entry, department, language,
                   caller_number, caller_name, arrived_at, answered_at, answered_by, wait_seconds,
                   rings_heard, outcome, hangup_cause, ended_at, source)
               VALUES (?, ?, 'PJSIP/x', '70000000', ?, NULL, ?, 'Caller', ?, ?, ?, ?, ?, ?, ?, ?,
                   ?)""",
            (
                call_id,
                linked_id or call_id,
                department,
                number,
                to_epoch(arrived),
                answered_at,
                answered_by if wait is not None else None,
                wait,
                rings,
                outcome,
                cause if outcome else None,
                ended,
                source,
            ),
        )
        self.ids.append(call_id)
        return call_id

    def attempt(
        self,
        call_id: str,
        no: int,
        kind: str,
        target: str,
        started: datetime,
        seconds: float,
        result: str,
    ) -> None:
        self.conn.execute(
            """INSERT INTO attempts (call_id, attempt_no, target_kind, target, dial, started_at,
                   ended_at, result, rings) VALUES (?, ?, ?, ?, 'Local/x', ?, ?, ?, 1)""",
            (
                call_id,
                no,
                kind,
                target,
                to_epoch(started),
                to_epoch(started + timedelta(seconds=seconds)),
                result,
            ),
        )

    def overflow(self, call_id: str, at: datetime, target: str, reason: str = "wait_limit") -> None:
        self.conn.execute(
            """INSERT INTO overflows (call_id, at, target_kind, target, reason)
               VALUES (?, ?, ?, ?, ?)""",
            (call_id, to_epoch(at), "department", target, reason),
        )

    def transfer(self, call_id: str, at: datetime, target: str, kind: str = "blind") -> None:
        self.conn.execute(
            "INSERT INTO transfers (call_id, at, kind, target) VALUES (?, ?, ?, ?)",
            (call_id, to_epoch(at), kind, target),
        )

    def event(self, at: datetime, kind: str, subject: str = "pbx", detail: str = "") -> None:
        self.conn.execute(
            "INSERT INTO controller_events (at, kind, subject, detail) VALUES (?, ?, ?, ?)",
            (to_epoch(at), kind, subject, detail),
        )

    def report(
        self,
        period: str = "2026-11",
        settings: KpiSettings | None = None,
        source: str = "callrouter",
        now: datetime | None = None,
    ) -> Report:
        request = ReportRequest(
            self.path, named_period(period, CPH), settings or KpiSettings(), DEPARTMENTS, source
        )
        return build_report(request, now or datetime(2027, 1, 1, tzinfo=CPH))


def new_log(tmp_path: Path) -> Log:
    path = tmp_path / "calls.sqlite3"
    return Log(path, create_log(path))
