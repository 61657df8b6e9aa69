"""What the router decided, in the imperative. PBX commands go to the PBX port, Record* to the log.

Record* commands are returned before the PBX command they explain, so the call log is written
ahead of the PBX acting on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callrouter.domain.model import AttemptResult, Outcome, OverflowReason, TargetKind

# --- PBX commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldCall:
    """Take the call from the fail-open entry context and let it wait with ringback."""

    call_id: str
    channel: str


@dataclass(frozen=True)
class RingTarget:
    """Ring a telephonist or a function number for `ring_seconds`, then back to waiting."""

    call_id: str
    channel: str
    target_kind: TargetKind
    target: str  # telephonist id, department id or dial-target name
    dial: str
    ring_seconds: int


@dataclass(frozen=True)
class PlayAnnouncementAndHangUp:
    call_id: str
    channel: str
    announcement: str | None


@dataclass(frozen=True)
class ForgetFailOpenRecord:
    """The fail-open journal's entry for this call is in the call log: delete it from the PBX."""

    call_id: str


PbxCommand = HoldCall | RingTarget | PlayAnnouncementAndHangUp | ForgetFailOpenRecord

# PBX commands that drop the PBX's own copy of what the call log now holds: sent only once the
# log has committed the event's steps (routing commands go out even if the log write failed).
AFTER_COMMIT_ONLY = (ForgetFailOpenRecord,)

# --- call-log commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordArrival:
    call_id: str
    linked_id: str
    channel: str
    entry: str
    department: str | None
    language: str | None
    caller_number: str
    caller_name: str
    at: datetime


@dataclass(frozen=True)
class RecordAttemptStarted:
    call_id: str
    attempt_no: int  # 1, 2, ... per call
    target_kind: TargetKind
    target: str
    dial: str
    at: datetime


@dataclass(frozen=True)
class RecordAttemptEnded:
    call_id: str
    attempt_no: int
    result: AttemptResult
    rings: int
    at: datetime


@dataclass(frozen=True)
class RecordAnswer:
    call_id: str
    answered_by: str  # telephonist id, or "department:<id>" / "dial:<name>"
    wait_seconds: float
    rings_heard: int
    at: datetime


@dataclass(frozen=True)
class RecordOverflow:
    call_id: str
    target_kind: TargetKind
    target: str
    reason: OverflowReason
    at: datetime


@dataclass(frozen=True)
class RecordTransfer:
    call_id: str
    kind: str
    target: str
    at: datetime


@dataclass(frozen=True)
class RecordCallEnded:
    call_id: str
    outcome: Outcome
    hangup_cause: str
    at: datetime


@dataclass(frozen=True)
class RecordControllerEvent:
    """Something supervisors must see that is not a call step: pauses, PBX up/down."""

    kind: str  # telephonist_paused, telephonist_presence, pbx_connected, pbx_disconnected
    subject: str
    detail: str
    at: datetime


LogCommand = (
    RecordArrival
    | RecordAttemptStarted
    | RecordAttemptEnded
    | RecordAnswer
    | RecordOverflow
    | RecordTransfer
    | RecordCallEnded
    | RecordControllerEvent
)

Command = PbxCommand | LogCommand
