"""The router: applies one event at a time and returns the commands that follow from it.

Pure: no I/O, no clock. Every event carries its own time. Log commands come before the PBX
command they explain, so the call log is written ahead of the PBX acting.
"""

from __future__ import annotations

from datetime import datetime

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    Command,
    HoldCall,
    PlayAnnouncementAndHangUp,
    RecordAnswer,
    RecordArrival,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordControllerEvent,
    RecordOverflow,
    RingTarget,
)
from callrouter.domain.hours import Closure
from callrouter.domain.leaving import CallLeaving
from callrouter.domain.model import (
    AttemptResult,
    OverflowReason,
    Presence,
    Switchboard,
    Target,
    TargetKind,
)
from callrouter.domain.state import (
    Attempt,
    CallState,
    Floor,
    Phase,
    PhoneState,
    choose_telephonist,
)
from callrouter.ports import OpenCall


class Router(CallLeaving):
    def __init__(self, switchboard: Switchboard, now: datetime) -> None:
        self.switchboard = switchboard
        self.policy = switchboard.policy
        self.floor = Floor()
        self._arrivals_to_hold: list[str] = []
        self._department_hours = {d.id: d.hours for d in switchboard.departments}
        for t in switchboard.telephonists:
            presence = Presence.AVAILABLE if t.logged_in_at_start else Presence.LOGGED_OUT
            self.floor.phones[t.id] = PhoneState(t, presence, idle_since=now)

    # --- the one entry point ---------------------------------------------------------------

    def handle(self, event: ev.Event) -> list[Command]:
        out: list[Command] = []
        match event:
            case ev.CallArrived():
                self._arrived(event, out)
            case ev.RingingStarted():
                self._ringing_started(event, out)
            case ev.RingingEnded():
                self._ringing_ended(event, out)
            case ev.CallHungUp():
                self._hung_up(event, out)
            case ev.LegHungUp():
                self._leg_hung_up(event, out)
            case ev.CallTransferred():
                self._transferred(event, out)
            case ev.CommandFailed():
                self._command_failed(event, out)
            case ev.ClockTicked():
                self._overflow_long_waits(event.at, out)
            case ev.PbxConnected():
                self._reconnected(event, out)
            case ev.PbxDisconnected():
                out.append(RecordControllerEvent("pbx_disconnected", "pbx", event.reason, event.at))
            case ev.TelephonistPresenceChanged():
                self._presence_changed(event, out)
        self._dispatch(event.at, out)
        self._hold_new_arrivals_still_waiting(out)
        return out

    def _hold_new_arrivals_still_waiting(self, out: list[Command]) -> None:
        """A new caller nobody can take yet waits with ringback; one rung at once skips that."""
        for call_id in self._arrivals_to_hold:
            call = self.floor.calls.get(call_id)
            if call is not None and call.phase is Phase.WAITING:
                out.append(HoldCall(call.call_id, call.channel))
        self._arrivals_to_hold.clear()

    # --- queries for adapters (web, metrics) ------------------------------------------------

    def department_open(self, department_id: str, at: datetime) -> bool:
        return self._department_hours[department_id].is_open(at)

    def add_closure(self, department_id: str, closure: Closure) -> None:
        """A temporary closure ("all at a meeting 13-15"); routing honours it at once."""
        hours = self._department_hours[department_id]
        self._department_hours[department_id] = hours.with_closure(closure)

    def restore(self, open_calls: list[OpenCall], at: datetime) -> list[Command]:
        """After a controller restart: adopt the calls the log holds as still open."""
        for record in sorted(open_calls, key=lambda c: c.arrived_at):
            call = self._new_call(
                record.call_id,
                record.linked_id,
                record.channel,
                record.entry,
                record.caller_number,
                record.caller_name,
                record.arrived_at,
            )
            call.attempts, call.overflowed = record.attempts, record.overflowed
            call.answered_by = record.answered_by
            if record.answered_at is not None:
                call.phase = Phase.CONNECTED
                phone = self.floor.phones.get(record.answered_by or "")
                if phone is not None:
                    phone.busy_with = call.call_id
            elif record.overflowed:
                call.phase = Phase.HANDED_OFF
            else:
                self.floor.enqueue(call)
        return []

    # --- arrival ----------------------------------------------------------------------------

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
        call = CallState(
            call_id, linked_id, channel, self.switchboard.entry(entry), number, name, at
        )
        self.floor.calls[call_id] = call
        return call

    def _arrived(self, e: ev.CallArrived, out: list[Command]) -> None:
        if e.call_id in self.floor.calls:
            return  # a duplicate offer (e.g. replayed after reconnect) changes nothing
        call = self._new_call(
            e.call_id, e.linked_id, e.channel, e.entry, e.caller_number, e.caller_name, e.at
        )
        out.append(
            RecordArrival(
                e.call_id,
                e.linked_id,
                e.channel,
                e.entry,
                call.entry.department,
                call.entry.language,
                e.caller_number,
                e.caller_name,
                e.at,
            )
        )
        department_id = call.entry.department
        if department_id is not None and self.department_open(department_id, e.at):
            department = self.switchboard.department(department_id)
            target = Target(TargetKind.DEPARTMENT, department.id, department.function_number)
            self._hand_off(call, target, e.at, out)
        elif not self.switchboard.hours.is_open(e.at):
            self._after_hours(call, e.at, out)
        elif not self.floor.anyone_logged_in():
            self._overflow(call, OverflowReason.NO_TELEPHONIST, e.at, out)
        else:
            self.floor.enqueue(call)
            self._arrivals_to_hold.append(call.call_id)

    def _after_hours(self, call: CallState, at: datetime, out: list[Command]) -> None:
        call.after_hours = True
        route = self.policy.after_hours
        if route.target is not None:
            out.append(
                RecordOverflow(
                    call.call_id,
                    route.target.kind,
                    route.target.name,
                    OverflowReason.AFTER_HOURS,
                    at,
                )
            )
            self._hand_off(call, route.target, at, out)
        else:
            self._announce(call, out)

    def _announce(self, call: CallState, out: list[Command]) -> None:
        announcement = self.policy.after_hours.announcement
        if call.entry.department is not None:
            department = self.switchboard.department(call.entry.department)
            announcement = department.closed_announcement or announcement
        call.phase = Phase.ANNOUNCING
        out.append(PlayAnnouncementAndHangUp(call.call_id, call.channel, announcement))

    # --- ringing ----------------------------------------------------------------------------

    def _dispatch(self, at: datetime, out: list[Command]) -> None:
        """Ring free telephonists for waiting callers, first come first served."""
        while self.floor.queue:
            call = self.floor.calls[self.floor.queue[0]]
            phone = choose_telephonist(call, self.floor.free_phones())
            if phone is None:
                return
            self.floor.dequeue(call.call_id)
            phone.busy_with = call.call_id
            t = phone.telephonist
            self._start_attempt(call, TargetKind.TELEPHONIST, t.id, t.dial, at, out)
            call.phase = Phase.RINGING
            out.append(
                RingTarget(
                    call.call_id,
                    call.channel,
                    TargetKind.TELEPHONIST,
                    t.id,
                    t.dial,
                    self.policy.ring_seconds,
                )
            )

    def _start_attempt(
        self,
        call: CallState,
        kind: TargetKind,
        target: str,
        dial: str,
        at: datetime,
        out: list[Command],
    ) -> None:
        call.attempts += 1
        call.attempt = Attempt(call.attempts, kind, target, dial, at)
        out.append(RecordAttemptStarted(call.call_id, call.attempts, kind, target, dial, at))

    def _end_attempt(
        self, call: CallState, result: AttemptResult, at: datetime, out: list[Command]
    ) -> Attempt | None:
        attempt, call.attempt = call.attempt, None
        if attempt is not None:
            rings = self.policy.rings_for((at - attempt.started_at).total_seconds())
            out.append(RecordAttemptEnded(call.call_id, attempt.no, result, rings, at))
        return attempt

    def _hand_off(self, call: CallState, target: Target, at: datetime, out: list[Command]) -> None:
        self.floor.dequeue(call.call_id)
        ring_seconds = 120
        if target.kind is TargetKind.DEPARTMENT:
            ring_seconds = self.switchboard.department(target.name).ring_seconds
        self._start_attempt(call, target.kind, target.name, target.dial, at, out)
        call.phase = Phase.HANDED_OFF
        out.append(
            RingTarget(
                call.call_id, call.channel, target.kind, target.name, target.dial, ring_seconds
            )
        )

    def _ringing_started(self, e: ev.RingingStarted, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id)
        if call is None:
            return
        if call.attempt is None and call.phase is Phase.CONNECTED:
            # The call left the switchboard (e.g. a blind transfer): follow where it rings now.
            self._start_attempt(call, TargetKind.DIAL, "transfer", e.destination_channel, e.at, out)
        if call.attempt is not None:
            call.attempt.destination_channel = e.destination_channel

    def _ringing_ended(self, e: ev.RingingEnded, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id)
        if call is None or call.attempt is None:
            return
        phase = call.phase
        attempt = self._end_attempt(call, e.result, e.at, out)
        assert attempt is not None
        if phase is Phase.RINGING:
            self._telephonist_ring_ended(call, attempt, e.result, e.at, out)
        elif phase is Phase.HANDED_OFF:
            self._handoff_ring_ended(call, attempt, e.result, e.at, out)

    def _telephonist_ring_ended(
        self,
        call: CallState,
        attempt: Attempt,
        result: AttemptResult,
        at: datetime,
        out: list[Command],
    ) -> None:
        phone = self.floor.phones[attempt.target]
        if result is AttemptResult.ANSWERED:
            phone.consecutive_misses = 0
            phone.leg_channel = attempt.destination_channel
            self._answered(call, phone.id, at, out)
            return
        phone.busy_with = None
        if result is AttemptResult.CALLER_HUNG_UP:
            call.phase = Phase.LEAVING
            return
        if result is not AttemptResult.FAILED:
            self._count_miss(phone, at, out)
        call.last_missed_by = phone.id
        self._requeue_or_overflow(call, at, out)

    def _count_miss(self, phone: PhoneState, at: datetime, out: list[Command]) -> None:
        phone.consecutive_misses += 1
        if phone.consecutive_misses >= self.policy.pause_after_misses:
            phone.presence = Presence.PAUSED
            detail = f"paused after {phone.consecutive_misses} missed calls in a row"
            out.append(RecordControllerEvent("telephonist_paused", phone.id, detail, at))

    def _handoff_ring_ended(
        self,
        call: CallState,
        attempt: Attempt,
        result: AttemptResult,
        at: datetime,
        out: list[Command],
    ) -> None:
        if result is AttemptResult.ANSWERED:
            self._answered(call, f"{attempt.kind.value}:{attempt.target}", at, out)
        elif result is AttemptResult.CALLER_HUNG_UP:
            call.phase = Phase.LEAVING
        else:
            call.handoff_failed = f"{attempt.kind.value} {attempt.target} did not answer ({result})"
            self._announce(call, out)

    def _answered(
        self, call: CallState, answered_by: str, at: datetime, out: list[Command]
    ) -> None:
        call.phase, call.answered_by = Phase.CONNECTED, answered_by
        wait = call.wait_at(at)
        out.append(RecordAnswer(call.call_id, answered_by, wait, self.policy.rings_for(wait), at))
