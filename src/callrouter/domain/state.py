"""The router's mutable view of calls and telephonists. Pure data, no decisions."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from callrouter.domain.commands import RecordArrival
from callrouter.domain.model import EntryNumber, Presence, Target, TargetKind, Telephonist


class Phase(enum.Enum):
    WAITING = "waiting"  # in the switchboard queue, hearing ringback
    RINGING = "ringing"  # a telephonist's phone is ringing
    CONNECTED = "connected"  # somebody answered
    HANDED_OFF = "handed_off"  # ringing a function number or another hand-off target
    ANNOUNCING = "announcing"  # hearing a closed-hours announcement before hang-up
    LEAVING = "leaving"  # the caller gave up; the hang-up is on its way


@dataclass
class Attempt:
    no: int
    kind: TargetKind
    target: str
    dial: str
    started_at: datetime  # when the controller decided to ring (the log's attempt start)
    destination_channel: str | None = None
    ringing_at: datetime | None = None  # when the PBX began ringing the phone (DialBegin)


@dataclass
class CallState:
    call_id: str
    linked_id: str
    channel: str
    entry: EntryNumber
    caller_number: str
    caller_name: str
    arrived_at: datetime
    phase: Phase = Phase.WAITING
    attempts: int = 0
    attempt: Attempt | None = None
    last_missed_by: str | None = None
    answered_by: str | None = None
    overflowed: bool = False
    after_hours: bool = False
    handoff_failed: str | None = None  # why the hand-off target did not take the call
    overflow_blocked_logged: bool = False

    def wait_at(self, at: datetime) -> float:
        return (at - self.arrived_at).total_seconds()

    def arrival_record(self) -> RecordArrival:
        """The call log's first step for this call."""
        return RecordArrival(
            self.call_id,
            self.linked_id,
            self.channel,
            self.entry.number,
            self.entry.department,
            self.entry.language,
            self.caller_number,
            self.caller_name,
            self.arrived_at,
        )


@dataclass
class PhoneState:
    """A telephonist as the router sees them now."""

    telephonist: Telephonist
    presence: Presence
    idle_since: datetime
    busy_with: str | None = None  # the call ringing or talking on this phone
    leg_channel: str | None = None
    consecutive_misses: int = 0

    @property
    def id(self) -> str:
        return self.telephonist.id

    @property
    def is_free(self) -> bool:
        return self.presence is Presence.AVAILABLE and self.busy_with is None


@dataclass
class Floor:
    """All calls and phones, plus the arrival-ordered queue of waiting call ids."""

    calls: dict[str, CallState] = field(default_factory=dict)
    phones: dict[str, PhoneState] = field(default_factory=dict)
    queue: list[str] = field(default_factory=list)

    def enqueue(self, call: CallState) -> None:
        """Into the queue at its arrival position: a missed ring never costs a caller's place."""
        if call.call_id in self.queue:
            return
        position = len(self.queue)
        for index, call_id in enumerate(self.queue):
            if self.calls[call_id].arrived_at > call.arrived_at:
                position = index
                break
        self.queue.insert(position, call.call_id)
        call.phase = Phase.WAITING

    def dequeue(self, call_id: str) -> None:
        if call_id in self.queue:
            self.queue.remove(call_id)

    def free_phones(self) -> list[PhoneState]:
        return [p for p in self.phones.values() if p.is_free]

    def anyone_logged_in(self) -> bool:
        return any(p.presence is not Presence.LOGGED_OUT for p in self.phones.values())

    def phone_for_call(self, call_id: str) -> PhoneState | None:
        return next((p for p in self.phones.values() if p.busy_with == call_id), None)


def choose_telephonist(call: CallState, free: list[PhoneState]) -> PhoneState | None:
    """The free telephonist idle longest, preferring the caller's language.

    The one who just missed this call is rung again only when nobody else is free.
    """
    if not free:
        return None
    candidates = [p for p in free if p.id != call.last_missed_by] or free
    language = call.entry.language
    if language:
        speakers = [p for p in candidates if language in p.telephonist.languages]
        candidates = speakers or candidates
    return min(candidates, key=lambda p: (p.idle_since, p.id))


def handoff_name(target: Target) -> str:
    return f"{target.kind.value}:{target.name}"
