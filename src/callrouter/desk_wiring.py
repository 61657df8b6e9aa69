"""Wiring the telephonist desk to the controller: the worklist fed from call-log steps, and the
runtime closures put back into the router at start.

`WorklistFeedingLog` is the `CallLog` port around the real call log: it writes the steps first
(committed, exactly as before), then lets the callback worklist see the ends and answers among
them. A worklist failure is logged and never stops the controller or loses a step.
"""

from __future__ import annotations

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

    async def record_all(self, commands: Sequence[LogCommand]) -> None:
        await self.inner.record_all(commands)
        for command in commands:
            if isinstance(command, RecordCallEnded | RecordAnswer):
                try:
                    await self._feed(command)
                except Exception:
                    log.exception("callback_worklist_not_updated", call_id=command.call_id)

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
        """Close the desk's connection, then the call log."""
        try:
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
