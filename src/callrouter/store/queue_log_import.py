"""Storing calls imported from an Asterisk queue_log in the call log: idempotent, in batches.

The calls come from `callrouter.pbx.queue_log` as the same steps the router writes, and are
written by the same `StepWriter`, into the same tables, with ``calls.source`` set to
``queue_log:<queue>``. Each batch of calls is one transaction.

Idempotent: a call whose id is already in the log is skipped (counted as already imported), so
importing the same file twice, or a longer copy of a growing queue_log, adds only the calls not
seen before. One exception: a call an earlier import stored as unfinished (the file ended while
it was in the queue, hang-up cause `UNFINISHED_CAUSE`) is replaced, with its attempts, overflows
and transfers, when this import has it ended (counted as completed).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from callrouter.pbx.queue_log import UNFINISHED_CAUSE, ImportedCall
from callrouter.store.calllog import PRAGMAS, SqliteCallLog
from callrouter.store.writer import StepWriter

CALL_TABLES = ("attempts", "overflows", "transfers", "calls")  # children before the call


@dataclass
class StoredCounts:
    new: int = 0
    already_imported: int = 0
    completed: int = 0  # stored unfinished by an earlier import, ended in this one
    steps_not_applied: int = 0  # kept in orphan_steps by the writer (see store.writer)


class QueueLogStore:
    """Writes imported calls to the call log at `path` (created or migrated on open)."""

    def __init__(self, conn: sqlite3.Connection, source: str) -> None:
        self._conn = conn
        self._writer = StepWriter(conn)
        self.source = source
        self.counts = StoredCounts()

    @classmethod
    def open(cls, path: Path, source: str) -> QueueLogStore:
        conn = sqlite3.connect(path, isolation_level=None)  # fails at once on a bad path
        try:
            asyncio.run(_create_or_migrate(path))
            for pragma in PRAGMAS:
                conn.execute(pragma)
        except BaseException:
            conn.close()
            raise
        return cls(conn, source)

    def store(self, calls: Sequence[ImportedCall]) -> None:
        """Write the calls not yet in the log, in one transaction."""
        if not calls:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._store(calls)
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()

    def _store(self, calls: Sequence[ImportedCall]) -> None:
        stored = self._stored_causes([call.call_id for call in calls])
        for call in calls:
            if call.call_id not in stored:
                self.counts.new += 1
            elif stored[call.call_id] == UNFINISHED_CAUSE and not call.unfinished:
                self._delete(call.call_id)
                self.counts.completed += 1
            else:
                self.counts.already_imported += 1
                continue
            self._write(call)
            stored[call.call_id] = "written"  # the same id twice in one file: keep the first

    def _write(self, call: ImportedCall) -> None:
        for step in call.steps:
            if self._writer.write(step) is not None:
                self.counts.steps_not_applied += 1
        sql = "UPDATE calls SET source = ? WHERE call_id = ?"
        self._conn.execute(sql, (self.source, call.call_id))

    def _stored_causes(self, call_ids: list[str]) -> dict[str, str | None]:
        marks = ",".join("?" * len(call_ids))
        sql = f"SELECT call_id, hangup_cause FROM calls WHERE call_id IN ({marks})"  # noqa: S608
        return dict(self._conn.execute(sql, call_ids).fetchall())

    def _delete(self, call_id: str) -> None:
        for table in CALL_TABLES:
            self._conn.execute(f"DELETE FROM {table} WHERE call_id = ?", (call_id,))  # noqa: S608


async def _create_or_migrate(path: Path) -> None:
    """The schema, exactly as the controller makes it (one place owns the migrations)."""
    call_log = await SqliteCallLog.open(path)
    await call_log.close()
