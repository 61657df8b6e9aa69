"""The telephonist desk in the call-log database: reason codes, messages, runtime closures.

Async (aiosqlite), one connection of its own beside the call log's (WAL lets both work on the
same file). Every write is one committed transaction before the method returns. The callback
worklist is in `store.worklist`, on the same connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from callrouter.store.desk_base import UnknownCall, UnknownId
from callrouter.store.schema import from_epoch, maybe_from_epoch, to_epoch
from callrouter.store.worklist import Worklist


@dataclass(frozen=True)
class ReasonCode:
    call_id: str
    code: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Message:
    id: int
    call_id: str | None
    caller_number: str
    caller_name: str
    note: str
    due_at: datetime | None  # set for a callback promise
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class StoredClosure:
    id: int
    scope: str  # a department id or "switchboard"
    start: datetime
    end: datetime
    note: str
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None

    @property
    def closure_id(self) -> str:
        """The id the router knows the closure by."""
        return f"closure-{self.id}"


@dataclass(frozen=True)
class CallFacts:
    """The call-log facts the desk needs about one call."""

    call_id: str
    caller_number: str
    caller_name: str
    entry: str
    arrived_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    answered_by: str | None = None
    wait_seconds: float | None = None


_CALL_COLUMNS = """call_id, caller_number, caller_name, entry, arrived_at, answered_at, ended_at,
                   outcome, answered_by, wait_seconds"""


class DeskStore(Worklist):
    @classmethod
    async def open(cls, path: Path) -> DeskStore:
        return cls(await cls.connect(path))

    # --- calls --------------------------------------------------------------------------------

    async def call(self, call_id: str) -> CallFacts | None:
        sql = f"SELECT {_CALL_COLUMNS} FROM calls WHERE call_id = ?"  # noqa: S608
        found = await self.rows(sql, (call_id,))
        return _call(found[0]) if found else None

    async def last_answered_call(self, telephonist_id: str) -> CallFacts | None:
        """The call the telephonist answered last: the one they are on, or just finished."""
        sql = f"""SELECT {_CALL_COLUMNS} FROM calls WHERE answered_by = ?
                  ORDER BY answered_at DESC LIMIT 1"""  # noqa: S608
        found = await self.rows(sql, (telephonist_id,))
        return _call(found[0]) if found else None

    # --- reason codes -------------------------------------------------------------------------

    async def add_reason(self, call_id: str, code: str, by: str, at: datetime) -> bool:
        """Code the call; False if it already had this code. UnknownCall if no such call."""
        sql = """INSERT INTO call_reasons (call_id, code, by, at)
                 SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM calls WHERE call_id = ?)
                 ON CONFLICT (call_id, code) DO NOTHING"""
        inserted, _ = await self.run(sql, (call_id, code, by, to_epoch(at), call_id))
        if inserted:
            return True
        if await self.call(call_id) is None:
            raise UnknownCall(call_id)
        return False

    async def remove_reason(self, call_id: str, code: str) -> bool:
        sql = "DELETE FROM call_reasons WHERE call_id = ? AND code = ?"
        removed, _ = await self.run(sql, (call_id, code))
        return bool(removed)

    async def reasons(self, call_id: str) -> list[ReasonCode]:
        sql = "SELECT call_id, code, by, at FROM call_reasons WHERE call_id = ? ORDER BY id"
        found = await self.rows(sql, (call_id,))
        return [ReasonCode(r[0], r[1], r[2], from_epoch(r[3])) for r in found]

    # --- messages -----------------------------------------------------------------------------

    async def add_message(
        self,
        call_id: str | None,
        caller_number: str,
        caller_name: str,
        note: str,
        due_at: datetime | None,
        by: str,
        at: datetime,
    ) -> Message:
        if call_id is not None and await self.call(call_id) is None:
            raise UnknownCall(call_id)
        sql = """INSERT INTO messages (call_id, caller_number, caller_name, note, due_at,
                     created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)"""
        due = None if due_at is None else to_epoch(due_at)
        params = (call_id, caller_number, caller_name, note, due, to_epoch(at), by)
        _, message_id = await self.run(sql, params)
        return Message(message_id, call_id, caller_number, caller_name, note, due_at, at, by)

    async def messages(self, since: datetime) -> list[Message]:
        sql = """SELECT id, call_id, caller_number, caller_name, note, due_at, created_at,
                        created_by FROM messages WHERE created_at >= ? ORDER BY id DESC"""
        return [
            Message(r[0], r[1], r[2], r[3], r[4], maybe_from_epoch(r[5]), from_epoch(r[6]), r[7])
            for r in await self.rows(sql, (to_epoch(since),))
        ]

    # --- runtime closures ---------------------------------------------------------------------

    async def add_closure(
        self, scope: str, start: datetime, end: datetime, note: str, by: str, at: datetime
    ) -> StoredClosure:
        sql = """INSERT INTO closures (scope, start_at, end_at, note, created_by, created_at)
                 VALUES (?, ?, ?, ?, ?, ?)"""
        params = (scope, to_epoch(start), to_epoch(end), note, by, to_epoch(at))
        _, closure_id = await self.run(sql, params)
        return StoredClosure(closure_id, scope, start, end, note, by, at)

    async def cancel_closure(self, closure_id: int, by: str, at: datetime) -> StoredClosure:
        """Withdraw a closure; UnknownId if there is none with that id or it is cancelled."""
        sql = """UPDATE closures SET cancelled_at = ?, cancelled_by = ?
                 WHERE id = ? AND cancelled_at IS NULL"""
        changed, _ = await self.run(sql, (to_epoch(at), by, closure_id))
        found = await self._closures("WHERE id = ?", (closure_id,))
        if not changed or not found:
            raise UnknownId(f"no active closure {closure_id}")
        return found[0]

    async def closures_in_force(self, now: datetime) -> list[StoredClosure]:
        """Closures not cancelled that have not ended yet (in force now or to come)."""
        return await self._closures(
            "WHERE cancelled_at IS NULL AND end_at > ? ORDER BY start_at, id", (to_epoch(now),)
        )

    async def _closures(self, where: str, params: Sequence[Any]) -> list[StoredClosure]:
        sql = f"""SELECT id, scope, start_at, end_at, note, created_by, created_at,
                         cancelled_at, cancelled_by FROM closures {where}"""  # noqa: S608
        return [_closure(r) for r in await self.rows(sql, params)]


def _call(r: Sequence[Any]) -> CallFacts:
    arrived, answered, ended = from_epoch(r[4]), maybe_from_epoch(r[5]), maybe_from_epoch(r[6])
    return CallFacts(r[0], r[1], r[2], r[3], arrived, answered, ended, r[7], r[8], r[9])


def _closure(r: Sequence[Any]) -> StoredClosure:
    start, end, created = from_epoch(r[2]), from_epoch(r[3]), from_epoch(r[6])
    return StoredClosure(r[0], r[1], start, end, r[4], r[5], created, maybe_from_epoch(r[7]), r[8])
