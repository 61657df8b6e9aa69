"""Writing call-log steps: plain sqlite3, run on the database's own thread in one hop per batch.

`write_batch` is called through aiosqlite's connection thread (see `SqliteCallLog.record_all`):
the whole batch (BEGIN, every step, COMMIT) is one trip to that thread instead of one per
statement, which halves the cost of the arrival -> ringing path.

Each step method returns why the step could not be applied, or None. Such steps are kept whole in
`orphan_steps` with the reason (see the `calllog` module docstring).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, assert_never

from callrouter.domain.commands import (
    LogCommand,
    RecordAnswer,
    RecordArrival,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordCallEnded,
    RecordControllerEvent,
    RecordOverflow,
    RecordTransfer,
)
from callrouter.store.schema import to_epoch

_IF_CALL_EXISTS = "WHERE EXISTS (SELECT 1 FROM calls WHERE call_id = ?)"

NotApplied = tuple[LogCommand, str]  # a step kept aside, and why


def write_batch(conn: sqlite3.Connection, commands: Sequence[LogCommand]) -> list[NotApplied]:
    """All the steps in one transaction, committed on return; what could not be applied.

    Real I/O failures (disk full, a broken or locked file) roll the whole batch back and raise.
    """
    writer = StepWriter(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        kept_aside = [kept for c in commands if (kept := writer.write(c)) is not None]
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return kept_aside


class StepWriter:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def write(self, command: LogCommand) -> NotApplied | None:
        try:
            problem = self._apply(command)
        except sqlite3.IntegrityError as error:
            problem = f"rejected: {error}"
        if problem is None:
            return None
        self._keep_orphan(command, problem)
        return command, problem

    def _apply(self, command: LogCommand) -> str | None:
        match command:
            case RecordArrival():
                return self._arrival(command)
            case RecordAttemptStarted():
                return self._attempt_started(command)
            case RecordAttemptEnded():
                return self._attempt_ended(command)
            case RecordAnswer():
                return self._answer(command)
            case RecordOverflow():
                return self._overflow(command)
            case RecordTransfer():
                return self._transfer(command)
            case RecordCallEnded():
                return self._call_ended(command)
            case RecordControllerEvent():
                return self._controller_event(command)
            case _:
                assert_never(command)

    def _arrival(self, c: RecordArrival) -> str | None:
        sql = """INSERT INTO calls (call_id, linked_id, channel, entry, department, language,
                     caller_number, caller_name, arrived_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING"""
        call = (c.call_id, c.linked_id, c.channel, c.entry, c.department, c.language)
        caller = (c.caller_number, c.caller_name, to_epoch(c.at))
        return None if self._run(sql, (*call, *caller)) else "duplicate_arrival"

    def _attempt_started(self, c: RecordAttemptStarted) -> str | None:
        sql = f"""INSERT INTO attempts (call_id, attempt_no, target_kind, target, dial, started_at)
                  SELECT ?, ?, ?, ?, ?, ? {_IF_CALL_EXISTS}
                  ON CONFLICT (call_id, attempt_no) DO NOTHING"""
        params = (c.call_id, c.attempt_no, c.target_kind.value, c.target, c.dial, to_epoch(c.at))
        if self._run(sql, (*params, c.call_id)):
            return None
        return self._why(c.call_id, "duplicate_attempt")

    def _attempt_ended(self, c: RecordAttemptEnded) -> str | None:
        sql = """UPDATE attempts SET ended_at = ?, result = ?, rings = ?
                 WHERE call_id = ? AND attempt_no = ? AND ended_at IS NULL"""
        params = (to_epoch(c.at), c.result.value, c.rings, c.call_id, c.attempt_no)
        if self._run(sql, params):
            return None
        started = "SELECT count(*) FROM attempts WHERE call_id = ? AND attempt_no = ?"
        if self._count(started, (c.call_id, c.attempt_no)):
            return "attempt_already_ended"
        return self._why(c.call_id, "unknown_attempt")

    def _answer(self, c: RecordAnswer) -> str | None:
        sql = """UPDATE calls SET answered_at = ?, answered_by = ?, wait_seconds = ?,
                     rings_heard = ?
                 WHERE call_id = ? AND answered_at IS NULL"""
        params = (to_epoch(c.at), c.answered_by, c.wait_seconds, c.rings_heard, c.call_id)
        if self._run(sql, params):
            return None
        return self._why(c.call_id, "call_already_answered")

    def _overflow(self, c: RecordOverflow) -> str | None:
        sql = f"""INSERT INTO overflows (call_id, at, target_kind, target, reason)
                  SELECT ?, ?, ?, ?, ? {_IF_CALL_EXISTS}"""
        params = (c.call_id, to_epoch(c.at), c.target_kind.value, c.target, c.reason.value)
        return None if self._run(sql, (*params, c.call_id)) else "unknown_call"

    def _transfer(self, c: RecordTransfer) -> str | None:
        sql = f"""INSERT INTO transfers (call_id, at, kind, target)
                  SELECT ?, ?, ?, ? {_IF_CALL_EXISTS}"""
        params = (c.call_id, to_epoch(c.at), c.kind, c.target, c.call_id)
        return None if self._run(sql, params) else "unknown_call"

    def _call_ended(self, c: RecordCallEnded) -> str | None:
        sql = """UPDATE calls SET outcome = ?, hangup_cause = ?, ended_at = ?
                 WHERE call_id = ? AND outcome IS NULL"""
        params = (c.outcome.value, c.hangup_cause, to_epoch(c.at), c.call_id)
        if self._run(sql, params):
            return None
        return self._why(c.call_id, "call_already_ended")

    def _controller_event(self, c: RecordControllerEvent) -> str | None:
        sql = "INSERT INTO controller_events (at, kind, subject, detail) VALUES (?, ?, ?, ?)"
        self._run(sql, (to_epoch(c.at), c.kind, c.subject, c.detail))
        return None

    # --- helpers ----------------------------------------------------------------------------

    def _run(self, sql: str, params: tuple[Any, ...]) -> int:
        """Execute one statement; the number of rows it changed."""
        return self._conn.execute(sql, params).rowcount

    def _count(self, sql: str, params: tuple[Any, ...]) -> int:
        row = self._conn.execute(sql, params).fetchone()
        return int(row[0]) if row else 0

    def _why(self, call_id: str, otherwise: str) -> str:
        """A step that changed nothing: the call is unknown, or else `otherwise`."""
        known = self._count("SELECT count(*) FROM calls WHERE call_id = ?", (call_id,))
        return otherwise if known else "unknown_call"

    def _keep_orphan(self, command: LogCommand, reason: str) -> None:
        step = type(command).__name__
        call_id: str | None = getattr(command, "call_id", None)
        payload = json.dumps(dataclasses.asdict(command), default=_json_value, ensure_ascii=False)
        sql = """INSERT INTO orphan_steps (recorded_at, step, call_id, at, reason, payload)
                 VALUES (?, ?, ?, ?, ?, ?)"""
        self._run(sql, (time.time(), step, call_id, to_epoch(command.at), reason, payload))


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
