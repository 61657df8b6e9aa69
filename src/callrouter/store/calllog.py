"""The SQLite call log: every step of every call, committed as it happens.

Durability: ``journal_mode=WAL``. The rule is "no call record is ever lost", and
``record()``/``record_all()`` return only after their steps are committed to the WAL file, so a
crash or SIGKILL of the controller right after loses nothing (tested by killing a child process).
With ``synchronous=NORMAL`` the fsync is not inside the commit; `durability.WalSyncer` fsyncs the
WAL within a second of each write, so a power cut can take back at most the last second. The
module docstring of `durability` gives the measured reason (FULL put ~0.9 ms of fsync on every
arrival -> ringing path).

Steps that cannot be applied (bad data, not I/O failures) never raise out of ``record()``:
a step for an unknown call id, a second arrival for the same call, an attempt number used
twice, an end of an attempt that never started or already ended, a second answer or a second
end of a call, and a step SQLite rejects as invalid (a constraint).
Such steps are logged as a structlog warning and kept whole in the ``orphan_steps`` table with
the reason. The first answer and the first end of a call are the ones that count. Real I/O
failures (disk full, a broken or locked file) do raise, so the caller knows the step was not
written.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite
import structlog

from callrouter.domain.commands import LogCommand
from callrouter.domain.model import OverflowReason
from callrouter.ports import OpenCall
from callrouter.store.durability import WalSyncer
from callrouter.store.schema import SCHEMA_VERSION, from_epoch, maybe_from_epoch, migration_script
from callrouter.store.writer import NotApplied, write_batch

log = structlog.get_logger(__name__)

# NORMAL: durable against a controller crash at commit; WalSyncer bounds a power cut to 1 s.
PRAGMAS = ("PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 5000")

# The call was handed off because the switchboard could not take it (not an after-hours route).
OVERFLOW_REASONS = (OverflowReason.WAIT_LIMIT.value, OverflowReason.NO_TELEPHONIST.value)

OPEN_CALLS_SQL = """
SELECT c.call_id, c.linked_id, c.channel, c.entry, c.department, c.language,
       c.caller_number, c.caller_name, c.arrived_at, c.answered_at, c.answered_by,
       (SELECT count(*) FROM attempts a WHERE a.call_id = c.call_id) AS attempts,
       EXISTS (SELECT 1 FROM overflows o WHERE o.call_id = c.call_id AND o.reason IN (?, ?))
           AS overflowed
FROM calls c
WHERE c.outcome IS NULL
ORDER BY c.arrived_at, c.call_id
"""


class SqliteCallLog:
    """The `CallLog` port on SQLite (WAL, synchronous=NORMAL + WalSyncer); see the docstrings."""

    def __init__(self, db: aiosqlite.Connection, path: Path, syncer: WalSyncer) -> None:
        self._db = db
        self._syncer = syncer
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    @classmethod
    async def open(cls, path: Path, sync_interval: float = 1.0) -> SqliteCallLog:
        """Open (creating or migrating the schema if needed) the call log at `path`."""
        db = await open_database(path)
        syncer = WalSyncer(path, sync_interval)
        syncer.start()
        return cls(db, path, syncer)

    async def record(self, command: LogCommand) -> None:
        """Write one step and commit it before returning (see the module docstring)."""
        await self.record_all((command,))

    async def record_all(self, commands: Sequence[LogCommand]) -> None:
        """Write the steps of one event in order, in one transaction, committed before returning.

        One trip to the database thread for all the steps an event caused (e.g. arrival and first
        ring attempt). Steps that cannot be applied are kept aside, not raised.
        """
        async with self._lock:
            kept_aside = await self._on_db_thread(list(commands))
        self._syncer.written()
        for command, reason in kept_aside:
            call_id = getattr(command, "call_id", None)
            step = type(command).__name__
            log.warning("call_log_step_not_applied", step=step, call_id=call_id, reason=reason)

    async def _on_db_thread(self, commands: list[LogCommand]) -> list[NotApplied]:
        """`write_batch` with the raw connection on aiosqlite's own thread, in one hop.

        aiosqlite has no public call for this; `_execute` is what all its own methods use
        (unchanged since 0.11). The raw connection is only ever touched on that thread.
        """
        db = self._db
        kept_aside: list[NotApplied] = await db._execute(  # type: ignore[no-untyped-call]
            write_batch, db._conn, commands
        )
        return kept_aside

    async def open_calls(self) -> list[OpenCall]:
        """Calls with no outcome yet: what the controller must recover after a crash."""
        async with self._lock, self._db.execute(OPEN_CALLS_SQL, OVERFLOW_REASONS) as cursor:
            rows = await cursor.fetchall()
        return [_open_call(row) for row in rows]

    async def close(self) -> None:
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self._db.close()
                await self._syncer.stop()


async def open_database(path: Path) -> aiosqlite.Connection:
    """A connection to the call-log database, its schema created or migrated if needed."""
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await _configure(db)
        await _migrate(db, path)
    except BaseException:
        await db.close()
        raise
    return db


async def _configure(db: aiosqlite.Connection) -> None:
    async with db.execute("PRAGMA journal_mode = WAL") as cursor:
        row = await cursor.fetchone()
    if row is None or str(row[0]).lower() != "wal":
        raise RuntimeError(f"the call log needs WAL journaling, SQLite gave {row}")
    for pragma in PRAGMAS:
        await db.execute(pragma)


async def _migrate(db: aiosqlite.Connection, path: Path) -> None:
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"{path} has call-log schema version {version}; this callrouter knows up to "
            f"{SCHEMA_VERSION}. Upgrade callrouter."
        )
    for step in range(version, SCHEMA_VERSION):
        await db.executescript(migration_script(step))
        log.info("call_log_schema_migrated", path=str(path), version=step + 1)


def _open_call(row: sqlite3.Row | tuple[Any, ...]) -> OpenCall:
    (call_id, linked_id, channel, entry, department, language) = row[:6]
    (number, name, arrived_at, answered_at, answered_by, attempts, overflowed) = row[6:]
    return OpenCall(
        call_id=call_id,
        linked_id=linked_id,
        channel=channel,
        entry=entry,
        department=department,
        language=language,
        caller_number=number,
        caller_name=name,
        arrived_at=from_epoch(arrived_at),
        answered_at=maybe_from_epoch(answered_at),
        answered_by=answered_by,
        attempts=int(attempts),
        overflowed=bool(overflowed),
    )
