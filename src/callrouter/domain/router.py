"""The router: applies one event at a time and returns the commands that follow from it.

Pure: no I/O, no clock. Every event carries its own time. Log commands come before the PBX
command they explain, so the call log is written ahead of the PBX acting.
"""

from __future__ import annotations

from datetime import datetime

from callrouter.domain import events as ev
from callrouter.domain.closures import RuntimeClosures
from callrouter.domain.commands import (
    Command,
    HoldCall,
    PlayAnnouncementAndHangUp,
    RecordControllerEvent,
    RecordOverflow,
    RingTarget,
)
from callrouter.domain.fail_open import FailOpenCalls
from callrouter.domain.hours import Closure
from callrouter.domain.leaving import CallLeaving
from callrouter.domain.model import (
    OverflowReason,
    Presence,
    Switchboard,
    Target,
    TargetKind,
)
from callrouter.domain.ring_results import RingResults
from callrouter.domain.state import (
    CallState,
    Floor,
    Phase,
    PhoneState,
    choose_telephonist,
)
from callrouter.ports import OpenCall


class Router(RingResults, CallLeaving, FailOpenCalls, RuntimeClosures):
    def __init__(self, switchboard: Switchboard, now: datetime, *, pbx_up: bool = True) -> None:
        """`pbx_up=False` when the PBX link is not there yet: nobody is rung until PbxConnected."""
        self.switchboard = switchboard
        self.pbx_up = pbx_up
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
                self.pbx_up = True
                self._reconnected(event, out)
            case ev.PbxDisconnected():
                self.pbx_up = False
                out.append(RecordControllerEvent("pbx_disconnected", "pbx", event.reason, event.at))
            case ev.TelephonistPresenceChanged():
                self._presence_changed(event, out)
            case ev.FailOpenCallEnded():
                self._fail_open_ended(event, out)
            case ev.FailOpenRecordUnreadable():
                self._fail_open_unreadable(event, out)
            case ev.ClosureRegistered() | ev.ClosureCancelled():
                self._closure_changed(event, out)
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

    def restore(self, open_calls: list[OpenCall]) -> None:
        """After a controller restart: adopt the calls the log holds as still open.

        Waiting callers are queued in arrival order and rung once the PBX link is up; the first
        PbxConnected closes those the PBX no longer has."""
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
        out.append(call.arrival_record())
        if not self.switchboard.knows_entry(e.entry):
            detail = f"entry number {e.entry!r} is not configured; routed as the switchboard"
            out.append(RecordControllerEvent("unknown_entry", e.call_id, detail, e.at))
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
        """Ring free telephonists for waiting callers, first come first served.

        Not while the PBX link is down: every ring would fail at once and be retried on the next
        phone, round and round. The callers stay queued in order until the link is back.
        """
        while self.pbx_up and self.floor.queue:
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
