"""Things that happened, in the past tense. Adapters translate PBX traffic into these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callrouter.domain.model import AttemptResult


@dataclass(frozen=True)
class CallArrived:
    call_id: str  # the PBX's own id of the inbound channel (Asterisk Uniqueid)
    linked_id: str
    channel: str
    entry: str
    caller_number: str
    caller_name: str
    at: datetime


@dataclass(frozen=True)
class RingingStarted:
    """The PBX started ringing a destination for the call (Asterisk DialBegin)."""

    call_id: str
    destination_channel: str
    at: datetime


@dataclass(frozen=True)
class RingingEnded:
    """The PBX stopped ringing: answered or not (Asterisk DialEnd)."""

    call_id: str
    result: AttemptResult
    at: datetime


@dataclass(frozen=True)
class CallTransferred:
    call_id: str
    kind: str  # "blind" or "attended"
    target: str
    at: datetime


@dataclass(frozen=True)
class CallHungUp:
    call_id: str
    cause: int
    cause_text: str
    at: datetime


@dataclass(frozen=True)
class LegHungUp:
    """A destination leg (a telephonist's phone) hung up, e.g. after a transfer."""

    call_id: str
    destination_channel: str
    at: datetime


@dataclass(frozen=True)
class CommandFailed:
    """The PBX refused a command we sent for this call."""

    call_id: str
    command: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ClockTicked:
    at: datetime


@dataclass(frozen=True)
class PbxConnected:
    """(Re)connected; `live_call_ids` are the channels the PBX still has (from a status query)."""

    live_call_ids: frozenset[str]
    at: datetime


@dataclass(frozen=True)
class PbxDisconnected:
    reason: str
    at: datetime


@dataclass(frozen=True)
class TelephonistPresenceChanged:
    telephonist_id: str
    presence: str  # Presence value
    reason: str
    at: datetime


@dataclass(frozen=True)
class FailOpenCallEnded:
    """A call the controller did not take rang the dialplan's fail-open group, and ended.

    From the dialplan's journal (the controller was away) or its hang-up UserEvent. `lost`: the
    PBX lost the call during fail-open (it restarted), so `at` is when the controller found out.
    """

    call_id: str
    linked_id: str
    channel: str
    entry: str
    caller_number: str
    caller_name: str
    arrived_at: datetime
    fail_open_at: datetime
    answered_at: datetime | None
    answered_channel: str  # the phone's channel that answered, "" if nobody did
    cause: int
    lost: bool
    at: datetime


@dataclass(frozen=True)
class FailOpenRecordUnreadable:
    """A fail-open journal entry that cannot be read (kept in the log as text, then dropped)."""

    call_id: str
    detail: str
    at: datetime


@dataclass(frozen=True)
class ClosureRegistered:
    """A supervisor registered a temporary closure ("all at a meeting 13-15") at runtime.

    `scope`: a department id, or "switchboard". Already stored when this event is posted.
    """

    closure_id: str
    scope: str
    start: datetime
    end: datetime
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ClosureCancelled:
    """A runtime closure was withdrawn (e.g. the department is back early)."""

    closure_id: str
    scope: str
    by: str
    at: datetime


Event = (
    CallArrived
    | RingingStarted
    | RingingEnded
    | CallTransferred
    | CallHungUp
    | LegHungUp
    | CommandFailed
    | ClockTicked
    | PbxConnected
    | PbxDisconnected
    | TelephonistPresenceChanged
    | FailOpenCallEnded
    | FailOpenRecordUnreadable
    | ClosureRegistered
    | ClosureCancelled
)
