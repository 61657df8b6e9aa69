"""Calls the dialplan put through by itself (fail-open) while the controller was away.

A mixin of Router, kept apart so each module stays readable. Such a call is logged like any other:
its arrival (if the controller never saw it), one attempt to the fail-open group, the answer and
the end. The telephonist who answered is named when their phone's channel matches their dial
string. Then the PBX is told to drop its journal entry, after the log has it.
"""

from __future__ import annotations

import re
from datetime import datetime

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    Command,
    ForgetFailOpenRecord,
    RecordControllerEvent,
)
from callrouter.domain.leaving import lost_outcome, outcome_of
from callrouter.domain.model import AttemptResult, Outcome, RoutingPolicy, TargetKind
from callrouter.domain.state import Attempt, CallState, Floor

FAIL_OPEN_TARGET = "failopen"
FAIL_OPEN_DIAL = "the dialplan's fail-open group"
LOST_IN_FAIL_OPEN = "lost: the PBX lost the call while it rang the fail-open group"
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-f]+(;[0-9]+)?$")  # PJSIP/1001-0000000a, Local/x@y-0002;1


class FailOpenCalls:
    floor: Floor
    policy: RoutingPolicy

    def _new_call(
        self,
        call_id: str,
        linked_id: str,
        channel: str,
        entry: str,
        number: str,
        name: str,
        at: datetime,
    ) -> CallState:
        raise NotImplementedError

    def _start_attempt(
        self,
        call: CallState,
        kind: TargetKind,
        target: str,
        dial: str,
        at: datetime,
        out: list[Command],
    ) -> None:
        raise NotImplementedError

    def _end_attempt(
        self, call: CallState, result: AttemptResult, at: datetime, out: list[Command]
    ) -> Attempt | None:
        raise NotImplementedError

    def _answered(
        self, call: CallState, answered_by: str, at: datetime, out: list[Command]
    ) -> None:
        raise NotImplementedError

    def _close(
        self, call: CallState, outcome: Outcome, cause: str, at: datetime, out: list[Command]
    ) -> None:
        raise NotImplementedError

    def _fail_open_ended(self, e: ev.FailOpenCallEnded, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id) or self._adopt_fail_open_call(e, out)
        if call.attempt is not None:  # a ring the controller started before it went away
            self._end_attempt(call, AttemptResult.FAILED, e.fail_open_at, out)
        self._start_attempt(
            call, TargetKind.DIAL, FAIL_OPEN_TARGET, FAIL_OPEN_DIAL, e.fail_open_at, out
        )
        if e.answered_at is not None:
            self._end_attempt(call, AttemptResult.ANSWERED, e.answered_at, out)
            self._answered(call, self._answerer(e.answered_channel), e.answered_at, out)
        if e.lost:
            self._close(call, lost_outcome(call), LOST_IN_FAIL_OPEN, e.at, out)
        else:
            self._close(call, outcome_of(call), str(e.cause), e.at, out)
        out.append(ForgetFailOpenRecord(e.call_id))

    def _adopt_fail_open_call(self, e: ev.FailOpenCallEnded, out: list[Command]) -> CallState:
        call = self._new_call(
            e.call_id, e.linked_id, e.channel, e.entry, e.caller_number, e.caller_name, e.arrived_at
        )
        out.append(call.arrival_record())
        return call

    def _answerer(self, channel: str) -> str:
        """The telephonist whose dial string rang this channel, else `failopen:<channel>`."""
        base = _CHANNEL_SUFFIX.sub("", channel)
        for phone in self.floor.phones.values():
            dial = phone.telephonist.dial
            if base and (dial == base or dial.startswith(base + "/")):
                return phone.id
        return f"{FAIL_OPEN_TARGET}:{channel}"

    def _fail_open_unreadable(self, e: ev.FailOpenRecordUnreadable, out: list[Command]) -> None:
        out.append(RecordControllerEvent("fail_open_record_unreadable", e.call_id, e.detail, e.at))
        out.append(ForgetFailOpenRecord(e.call_id))
