"""How calls leave the switchboard: overflow, hang-up, transfer, and reconciling after reconnect.

A mixin of Router, kept apart so each module stays readable.
"""

from __future__ import annotations

from datetime import datetime

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    Command,
    RecordCallEnded,
    RecordControllerEvent,
    RecordOverflow,
    RecordTransfer,
)
from callrouter.domain.model import (
    AttemptResult,
    Outcome,
    OverflowReason,
    Presence,
    RoutingPolicy,
    Target,
    TargetKind,
)
from callrouter.domain.state import Attempt, CallState, Floor, Phase

LOST_CAUSE = "lost: the channel was gone when the controller reconnected to the PBX"


class CallLeaving:
    floor: Floor
    policy: RoutingPolicy

    def _end_attempt(
        self, call: CallState, result: AttemptResult, at: datetime, out: list[Command]
    ) -> Attempt | None:
        raise NotImplementedError

    def _hand_off(self, call: CallState, target: Target, at: datetime, out: list[Command]) -> None:
        raise NotImplementedError

    def department_open(self, department_id: str, at: datetime) -> bool:
        raise NotImplementedError

    # --- the end of a call ------------------------------------------------------------------

    def _hung_up(self, e: ev.CallHungUp, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id)
        if call is None:
            return
        cause = f"{e.cause} {e.cause_text}".strip()
        self._close(call, outcome_of(call), cause, e.at, out)

    def _close(
        self, call: CallState, outcome: Outcome, cause: str, at: datetime, out: list[Command]
    ) -> None:
        if call.attempt is not None:
            self._end_attempt(call, AttemptResult.CALLER_HUNG_UP, at, out)
        phone = self.floor.phone_for_call(call.call_id)
        if phone is not None:
            phone.busy_with, phone.leg_channel = None, None
            if call.phase is Phase.CONNECTED:
                phone.idle_since = at
        self.floor.dequeue(call.call_id)
        del self.floor.calls[call.call_id]
        out.append(RecordCallEnded(call.call_id, outcome, cause, at))

    def _leg_hung_up(self, e: ev.LegHungUp, out: list[Command]) -> None:
        """A telephonist's leg hung up while the caller stays (after a transfer): they are free."""
        phone = self.floor.phone_for_call(e.call_id)
        call = self.floor.calls.get(e.call_id)
        if phone is None or call is None or call.phase is not Phase.CONNECTED:
            return
        if phone.leg_channel == e.destination_channel:
            phone.busy_with, phone.leg_channel = None, None
            phone.idle_since = e.at

    def _transferred(self, e: ev.CallTransferred, out: list[Command]) -> None:
        if e.call_id in self.floor.calls:
            out.append(RecordTransfer(e.call_id, e.kind, e.target, e.at))

    def _command_failed(self, e: ev.CommandFailed, out: list[Command]) -> None:
        """The PBX refused a command: log it; a refused ring puts the caller back in the queue."""
        call = self.floor.calls.get(e.call_id)
        detail = f"{e.command}: {e.reason}"
        out.append(RecordControllerEvent("command_failed", e.call_id, detail, e.at))
        if call is None or e.command != "RingTarget" or call.attempt is None:
            return
        attempt = self._end_attempt(call, AttemptResult.FAILED, e.at, out)
        phone = self.floor.phone_for_call(call.call_id)
        if phone is not None:
            phone.busy_with = None
        if call.phase is Phase.RINGING and attempt is not None:
            call.last_missed_by = attempt.target
            self._requeue_or_overflow(call, e.at, out)

    # --- the PBX link and presence ----------------------------------------------------------

    def _reconnected(self, e: ev.PbxConnected, out: list[Command]) -> None:
        """Close every call the PBX no longer has, with an explicit outcome: never drop one."""
        live = len(e.live_call_ids)
        out.append(RecordControllerEvent("pbx_connected", "pbx", f"{live} live channels", e.at))
        for call in [c for c in self.floor.calls.values() if c.call_id not in e.live_call_ids]:
            self._close(call, lost_outcome(call), LOST_CAUSE, e.at, out)

    def _presence_changed(self, e: ev.TelephonistPresenceChanged, out: list[Command]) -> None:
        phone = self.floor.phones.get(e.telephonist_id)
        if phone is None:
            return
        phone.presence = Presence(e.presence)
        if phone.presence is Presence.AVAILABLE:
            phone.consecutive_misses = 0
            phone.idle_since = max(phone.idle_since, e.at)
        detail = f"{phone.presence.value}: {e.reason}" if e.reason else phone.presence.value
        out.append(RecordControllerEvent("telephonist_presence", phone.id, detail, e.at))
        if not self.floor.anyone_logged_in():
            for call_id in list(self.floor.queue):
                self._overflow(self.floor.calls[call_id], OverflowReason.NO_TELEPHONIST, e.at, out)

    def _requeue_or_overflow(self, call: CallState, at: datetime, out: list[Command]) -> None:
        if call.wait_at(at) >= self.policy.max_wait_seconds:
            self._overflow(call, OverflowReason.WAIT_LIMIT, at, out)
        elif not self.floor.anyone_logged_in():
            self._overflow(call, OverflowReason.NO_TELEPHONIST, at, out)
        if call.phase is not Phase.HANDED_OFF:
            self.floor.enqueue(call)

    # --- overflow ---------------------------------------------------------------------------

    def _overflow_long_waits(self, at: datetime, out: list[Command]) -> None:
        for call_id in list(self.floor.queue):
            call = self.floor.calls[call_id]
            if call.wait_at(at) >= self.policy.max_wait_seconds:
                self._overflow(call, OverflowReason.WAIT_LIMIT, at, out)

    def _overflow(
        self, call: CallState, reason: OverflowReason, at: datetime, out: list[Command]
    ) -> None:
        """Hand the call to the overflow function number; if that is closed, the call waits on."""
        target = self.policy.overflow_target
        closed = (
            target is not None
            and target.kind is TargetKind.DEPARTMENT
            and not self.department_open(target.name, at)
        )
        if target is None or closed:
            if not call.overflow_blocked_logged:
                call.overflow_blocked_logged = True
                why = "no overflow target configured" if target is None else "target closed"
                detail = f"{reason.value}: {why}; the caller keeps waiting"
                out.append(RecordControllerEvent("overflow_blocked", call.call_id, detail, at))
            return
        call.overflowed = True
        out.append(RecordOverflow(call.call_id, target.kind, target.name, reason, at))
        self._hand_off(call, target, at, out)


def outcome_of(call: CallState) -> Outcome:
    """The final outcome of a call that just hung up, from what happened to it."""
    if call.overflowed:
        return Outcome.OVERFLOWED
    if call.after_hours:
        return Outcome.CLOSED
    if call.phase is Phase.CONNECTED:
        return Outcome.ANSWERED
    if call.handoff_failed is not None:
        return Outcome.FAILED
    return Outcome.ABANDONED


def lost_outcome(call: CallState) -> Outcome:
    """The outcome of a call the PBX lost (restart, lost link): what was reached before."""
    if call.phase is not Phase.CONNECTED:
        return Outcome.FAILED
    return Outcome.OVERFLOWED if call.overflowed else Outcome.ANSWERED
