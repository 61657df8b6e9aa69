"""The callback worklist in SQLite, applying the pure rules of `domain.callbacks`.

Each change reads the entry and writes the rule's result in one IMMEDIATE transaction, so two
telephonists claiming the same entry at once cannot both win. A partial unique index keeps at
most one open entry per number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from callrouter.domain.callbacks import (
    Callback,
    CallbackResult,
    CallbackSource,
    NewCallback,
    claimed,
    closed,
    closed_by_answered_call,
    merged,
)
from callrouter.store.desk_base import Database, UnknownId
from callrouter.store.schema import from_epoch, maybe_from_epoch, to_epoch

COLUMNS = """id, number, name, source, call_id, message_id, missed_calls, created_at, due_at,
             claimed_by, claimed_at, closed_at, closed_by, result"""

_UPDATE = """UPDATE callbacks SET name = ?, missed_calls = ?, due_at = ?, message_id = ?,
                 claimed_by = ?, claimed_at = ?, closed_at = ?, closed_by = ?, result = ?
             WHERE id = ?"""


class Worklist(Database):
    async def add_callback(self, new: NewCallback) -> Callback:
        """A new entry, or the number's open entry updated (one open entry per number)."""
        async with self.transaction() as db:
            entry = await _one(db, "WHERE number = ? AND closed_at IS NULL", (new.number,))
            if entry is not None:
                updated = merged(entry, new)
                await _save(db, updated)
                return updated
            sql = """INSERT INTO callbacks (number, name, source, call_id, message_id,
                         missed_calls, created_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"""
            missed = 1 if new.source is CallbackSource.ABANDONED else 0
            params = (
                new.number, new.name, new.source.value, new.call_id, new.message_id, missed,
                to_epoch(new.created_at), to_epoch(new.due_at),
            )  # fmt: skip
            async with db.execute(sql, params) as cursor:
                entry_id = int(cursor.lastrowid or 0)
            found = await _one(db, "WHERE id = ?", (entry_id,))
        assert found is not None
        return found

    async def callback(self, entry_id: int) -> Callback | None:
        found = await self.rows(f"SELECT {COLUMNS} FROM callbacks WHERE id = ?", (entry_id,))  # noqa: S608
        return _entry(found[0]) if found else None

    async def callbacks(self, closed_since: datetime) -> list[Callback]:
        """Every open entry (by due time), then those closed since `closed_since`."""
        sql = f"""SELECT {COLUMNS} FROM callbacks
                  WHERE closed_at IS NULL OR closed_at >= ?
                  ORDER BY closed_at IS NOT NULL, due_at, id"""  # noqa: S608
        return [_entry(r) for r in await self.rows(sql, (to_epoch(closed_since),))]

    async def claim_callback(
        self, entry_id: int, by: str, at: datetime, *, override: bool = False
    ) -> Callback:
        """UnknownId if there is no such entry; CallbackRefused if the rules say no."""
        async with self.transaction() as db:
            entry = await _one(db, "WHERE id = ?", (entry_id,))
            if entry is None:
                raise UnknownId(f"no callback {entry_id}")
            updated = claimed(entry, by, at, override=override)
            await _save(db, updated)
        return updated

    async def close_callback(
        self,
        entry_id: int,
        result: CallbackResult,
        by: str,
        at: datetime,
        *,
        override: bool = False,
    ) -> Callback:
        async with self.transaction() as db:
            entry = await _one(db, "WHERE id = ?", (entry_id,))
            if entry is None:
                raise UnknownId(f"no callback {entry_id}")
            updated = closed(entry, result, by, at, override=override)
            await _save(db, updated)
        return updated

    async def number_got_through(self, number: str, at: datetime) -> Callback | None:
        """The number's call was answered: close its open entry, if it has one."""
        async with self.transaction() as db:
            entry = await _one(db, "WHERE number = ? AND closed_at IS NULL", (number,))
            updated = None if entry is None else closed_by_answered_call(entry, at)
            if updated is not None:
                await _save(db, updated)
        return updated


async def _one(db: aiosqlite.Connection, where: str, params: Sequence[Any]) -> Callback | None:
    async with db.execute(f"SELECT {COLUMNS} FROM callbacks {where}", params) as cursor:  # noqa: S608
        row = await cursor.fetchone()
    return None if row is None else _entry(row)


async def _save(db: aiosqlite.Connection, e: Callback) -> None:
    params = (
        e.name, e.missed_calls, to_epoch(e.due_at), e.message_id, e.claimed_by,
        _epoch(e.claimed_at), _epoch(e.closed_at), e.closed_by,
        None if e.result is None else e.result.value, e.id,
    )  # fmt: skip
    await db.execute(_UPDATE, params)


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else to_epoch(moment)


def _entry(r: sqlite3.Row | tuple[Any, ...]) -> Callback:
    return Callback(
        id=r[0],
        number=r[1],
        name=r[2],
        source=CallbackSource(r[3]),
        call_id=r[4],
        message_id=r[5],
        missed_calls=r[6],
        created_at=from_epoch(r[7]),
        due_at=from_epoch(r[8]),
        claimed_by=r[9],
        claimed_at=maybe_from_epoch(r[10]),
        closed_at=maybe_from_epoch(r[11]),
        closed_by=r[12],
        result=None if r[13] is None else CallbackResult(r[13]),
    )
