"""The desk's own connection to the call-log database, and the errors its stores raise."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from callrouter.store.calllog import open_database


class UnknownCall(LookupError):
    """The call id is not in the call log."""


class UnknownId(LookupError):
    """No such row (callback, closure), or not in a state the request needs."""


class Database:
    """One aiosqlite connection (autocommit); `transaction` for read-modify-write."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: Path) -> aiosqlite.Connection:
        """Open the call-log database (creating or migrating the schema if needed)."""
        return await open_database(path)

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def run(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, int]:
        """One statement in its own transaction: (rows changed, last row id)."""
        async with self._lock, self._db.execute(sql, params) as cursor:
            return cursor.rowcount, int(cursor.lastrowid or 0)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error), holding the connection's lock."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def close(self) -> None:
        async with self._lock:
            await self._db.close()
