"""Wiring the telephonist desk to the controller: the worklist fed from call-log steps, and the
runtime closures put back into the router at start.

`WorklistFeedingLog` is the `CallLog` port around the real call log: it writes the steps first
(committed, exactly as before), then hands the ends and answers among them to the callback
worklist. The worklist's reads and writes run in order on a task of their own, so they never sit
between a committed step and the PBX command that follows it (after a hang-up, the next caller is
rung without waiting for the worklist). A worklist failure is logged and never stops the
controller or loses a step; `close` lets the worklist catch up first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime

import structlog

from callrouter.domain import events as ev
from callrouter.domain.callbacks import (
    CallbackSettings,
    EndedCall,
    callable_number,
    callback_for_abandoned,
)
from callrouter.domain.commands import LogCommand, RecordAnswer, RecordCallEnded
from callrouter.ports import CallLog, EventSink, OpenCall
from callrouter.store.desk import DeskStore, StoredClosure

log = structlog.get_logger(__name__)


class WorklistFeedingLog:
    def __init__(self, inner: CallLog, desk: DeskStore, settings: CallbackSettings) -> None:
        self.inner = inner
        self.desk = desk
        self.settings = settings
        self._to_feed: asyncio.Queue[RecordCallEnded | RecordAnswer] = asyncio.Queue()
        self._feeder: asyncio.Task[None] | None = None

    async def record_all(self, commands: Sequence[LogCommand]) -> None:
        await self.inner.record_all(commands)
        for command in commands:
            if isinstance(command, RecordCallEnded | RecordAnswer):
                self._to_feed.put_nowait(command)
        if self._feeder is None and not self._to_feed.empty():
            self._feeder = asyncio.create_task(self._feed_in_order(), name="callrouter-worklist")

    async def settled(self) -> None:
        """Wait until the worklist has seen every step written so far."""
        await self._to_feed.join()

    async def _feed_in_order(self) -> None:
        while True:
            step = await self._to_feed.get()
            try:
                await self._feed(step)
            except Exception:
                log.exception("callback_worklist_not_updated", call_id=step.call_id)
            finally:
                self._to_feed.task_done()

    async def _feed(self, step: RecordCallEnded | RecordAnswer) -> None:
        call = await self.desk.call(step.call_id)
        if call is None:
            return
        if isinstance(step, RecordAnswer):
            number = callable_number(call.caller_number)
            entry = None if number is None else await self.desk.number_got_through(number, step.at)
            if entry is not None:
                log.info("callback_closed_caller_got_through", callback=entry.id, call=call.call_id)
            return
        waited = (step.at - call.arrived_at).total_seconds()
        ended = EndedCall(
            call.call_id, call.caller_number, call.caller_name, step.outcome, waited, step.at
        )
        new = callback_for_abandoned(ended, self.settings)
        if new is not None:
            entry = await self.desk.add_callback(new)
            log.info("callback_from_abandoned_call", callback=entry.id, call=call.call_id)

    async def open_calls(self) -> list[OpenCall]:
        return await self.inner.open_calls()

    async def close(self) -> None:
        """Let the worklist catch up, then close the desk's connection and the call log."""
        try:
            await self.settled()
            if self._feeder is not None:
                self._feeder.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._feeder
            await self.desk.close()
        finally:
            await self.inner.close()


def closure_event(closure: StoredClosure, at: datetime) -> ev.ClosureRegistered:
    """The router event for a stored runtime closure."""
    return ev.ClosureRegistered(
        closure.closure_id,
        closure.scope,
        closure.start,
        closure.end,
        closure.note,
        closure.created_by,
        at,
    )


async def restore_closures(desk: DeskStore, post: EventSink, now: datetime) -> int:
    """Post the stored closures not yet over, so routing honours them after a restart."""
    closures = await desk.closures_in_force(now)
    for closure in closures:
        post(closure_event(closure, now))
    return len(closures)
