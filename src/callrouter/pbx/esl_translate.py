"""ESL events -> domain events (the same ones the Asterisk adapter gives). Pure and stateful.

A call is ours from the moment the dialplan offers it: an inbound channel in the inbound context
(`callrouter-inbound`) with a number as destination completes `ring_ready` or parks. Its id is
the channel's Unique-ID, which survives transfers. A ring is an `originate` we sent with our own
`origination_uuid` (the leg) and Job-UUID (`ringing` registers both):

- the leg's CHANNEL_CREATE            -> RingingStarted (Asterisk: DialBegin)
- its job's BACKGROUND_JOB `-ERR X`   -> RingingEnded(result of X) (Asterisk: DialEnd)
- its job's `+OK`                     -> the reaction `Bridge` (answer the caller, uuid_bridge)
- the call's CHANNEL_BRIDGE to the leg -> RingingEnded(ANSWERED) at the leg's CHANNEL_ANSWER
  (`+OK` from uuid_bridge does not mean a bridge happened: see the captures' README)
- the leg's CHANNEL_HANGUP            -> LegHungUp
- a new `bl_xfer` Caller-Transfer-Source on a bridged call -> CallTransferred("blind")
- the call's CHANNEL_HANGUP_COMPLETE  -> CallHungUp (q850 cause) and `KillLeg` for legs still up

Everything else (other channels, the loopback partners, HEARTBEAT) gives nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from callrouter.pbx.esl_wire import EslEvent

log = structlog.get_logger(__name__)

INBOUND_CONTEXT = "callrouter-inbound"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ENTRY = re.compile(r"\+?[0-9]{1,40}")
_OFFER_APPS = ("ring_ready", "park")

# originate's `-ERR <cause>` -> how the ring ended
ORIGINATE_RESULT: Mapping[str, AttemptResult] = {
    "NO_ANSWER": AttemptResult.NO_ANSWER,
    "NO_USER_RESPONSE": AttemptResult.NO_ANSWER,
    "USER_BUSY": AttemptResult.BUSY,
    "CALL_REJECTED": AttemptResult.BUSY,
    "ORIGINATOR_CANCEL": AttemptResult.CALLER_HUNG_UP,
    "USER_NOT_REGISTERED": AttemptResult.UNAVAILABLE,
    "SUBSCRIBER_ABSENT": AttemptResult.UNAVAILABLE,
    "UNALLOCATED_NUMBER": AttemptResult.UNAVAILABLE,
    "NO_ROUTE_DESTINATION": AttemptResult.UNAVAILABLE,
    "DESTINATION_OUT_OF_ORDER": AttemptResult.UNAVAILABLE,
    "NORMAL_TEMPORARY_FAILURE": AttemptResult.UNAVAILABLE,
    "NETWORK_OUT_OF_ORDER": AttemptResult.UNAVAILABLE,
    "RECOVERY_ON_TIMER_EXPIRE": AttemptResult.UNAVAILABLE,
    "NORMAL_CIRCUIT_CONGESTION": AttemptResult.UNAVAILABLE,
}
# when the hang-up event carries no variable_hangup_cause_q850
Q850: Mapping[str, int] = {
    "NORMAL_CLEARING": 16,
    "ORIGINATOR_CANCEL": 16,
    "USER_BUSY": 17,
    "NO_USER_RESPONSE": 18,
    "NO_ANSWER": 19,
    "CALL_REJECTED": 21,
    "DESTINATION_OUT_OF_ORDER": 27,
    "NORMAL_TEMPORARY_FAILURE": 41,
}


@dataclass(frozen=True)
class Bridge:
    """The leg answered (its originate job said +OK): answer the caller and bridge the two."""

    call_id: str
    leg_uuid: str


@dataclass(frozen=True)
class KillLeg:
    """A leg we originated is up but its caller is gone: hang it up."""

    leg_uuid: str


Reaction = Bridge | KillLeg


@dataclass
class Translation:
    events: list[ev.Event] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class _Leg:
    call_id: str
    job_uuid: str
    channel: str = ""
    answered_at: datetime | None = None
    up: bool = False  # created and not hung up
    job_done: bool = False


@dataclass
class _Call:
    bridged_leg: str | None = None
    transfer_source: str = ""


class EslTranslator:
    def __init__(self, inbound_context: str = INBOUND_CONTEXT) -> None:
        self._inbound_context = inbound_context
        self._calls: dict[str, _Call] = {}
        self._legs: dict[str, _Leg] = {}
        self._jobs: dict[str, str] = {}  # Job-UUID of an originate -> leg uuid

    def tracked_call_ids(self) -> frozenset[str]:
        return frozenset(self._calls)

    def track(self, call_id: str) -> None:
        """Follow a call adopted from the call log after a controller restart."""
        self._calls.setdefault(call_id, _Call())

    def ringing(self, call_id: str, leg_uuid: str, job_uuid: str) -> None:
        """An originate for this call is about to be sent with these ids."""
        self._legs[leg_uuid] = _Leg(call_id, job_uuid)
        self._jobs[job_uuid] = leg_uuid

    def retain(self, live_ids: Iterable[str]) -> None:
        """After a resync: forget calls and legs the PBX no longer has."""
        live = set(live_ids)
        self._calls = {uid: call for uid, call in self._calls.items() if uid in live}
        self._legs = {
            uid: leg for uid, leg in self._legs.items() if uid in live and leg.call_id in live
        }
        self._jobs = {job: leg for job, leg in self._jobs.items() if leg in self._legs}

    def translate(self, event: EslEvent, received_at: datetime) -> Translation:
        """Never raises: an odd event is logged and gives nothing."""
        try:
            return self._translate(event, event_time(event, received_at))
        except Exception as exc:
            log.warning("esl_event_not_understood", error=repr(exc), event=event.name)
            return Translation()

    def _translate(self, e: EslEvent, at: datetime) -> Translation:
        out = Translation()
        uid = e.get("Unique-ID")
        if e.name == "BACKGROUND_JOB":
            self._job_done(e, at, out)
        elif uid in self._legs:
            self._leg_event(e, self._legs[uid], at, out)
        elif uid in self._calls:
            self._call_event(e, uid, at, out)
        elif self._is_offer(e):
            self._calls[uid] = _Call()
            out.events.append(_arrived(e, at))
        return out

    def _is_offer(self, e: EslEvent) -> bool:
        offered = e.name == "CHANNEL_PARK" or (
            e.name == "CHANNEL_EXECUTE_COMPLETE" and e.get("Application") in _OFFER_APPS
        )
        return (
            offered
            and e.get("Call-Direction") == "inbound"
            and e.get("Caller-Context") == self._inbound_context
            and e.get("Answer-State") != "hangup"
            and _ENTRY.fullmatch(e.get("Caller-Destination-Number")) is not None
            and e.get("variable_origination_uuid") not in self._legs  # a loopback partner
        )

    def _leg_event(self, e: EslEvent, leg: _Leg, at: datetime, out: Translation) -> None:
        match e.name:
            case "CHANNEL_CREATE":
                leg.channel, leg.up = e.get("Channel-Name"), True
                if leg.call_id in self._calls:
                    out.events.append(ev.RingingStarted(leg.call_id, leg.channel, at))
            case "CHANNEL_ANSWER":
                leg.answered_at = leg.answered_at or at
            case "CHANNEL_HANGUP":
                leg.up = False
                if leg.call_id in self._calls:
                    out.events.append(ev.LegHungUp(leg.call_id, leg.channel, at))
                self._forget_leg_when_done(e.get("Unique-ID"), leg)

    def _job_done(self, e: EslEvent, at: datetime, out: Translation) -> None:
        leg_uuid = self._jobs.pop(e.get("Job-UUID"), None)
        if leg_uuid is None:
            return
        leg = self._legs[leg_uuid]
        leg.job_done = True
        result = e.body.strip()
        call_alive = leg.call_id in self._calls
        if result.startswith("+OK"):
            reaction: Reaction = Bridge(leg.call_id, leg_uuid) if call_alive else KillLeg(leg_uuid)
            out.reactions.append(reaction)
        elif call_alive:
            cause = result.removeprefix("-ERR").strip()
            outcome = ORIGINATE_RESULT.get(cause, AttemptResult.FAILED)
            out.events.append(ev.RingingEnded(leg.call_id, outcome, at))
        self._forget_leg_when_done(leg_uuid, leg)

    def _forget_leg_when_done(self, leg_uuid: str, leg: _Leg) -> None:
        if leg.job_done and not leg.up:
            self._legs.pop(leg_uuid, None)

    def _call_event(self, e: EslEvent, call_id: str, at: datetime, out: Translation) -> None:
        call = self._calls[call_id]
        if e.name == "CHANNEL_BRIDGE":
            leg_uuid = e.get("Other-Leg-Unique-ID") or e.get("Bridge-B-Unique-ID")
            leg = self._legs.get(leg_uuid)
            if leg is not None and leg.call_id == call_id:
                call.bridged_leg = leg_uuid
                answered = leg.answered_at or at
                out.events.append(ev.RingingEnded(call_id, AttemptResult.ANSWERED, answered))
        elif e.name == "CHANNEL_HANGUP_COMPLETE":
            self._hung_up(e, call_id, at, out)
            return
        self._follow_transfer(e, call, call_id, at, out)

    def _follow_transfer(
        self, e: EslEvent, call: _Call, call_id: str, at: datetime, out: Translation
    ) -> None:
        source = e.get("Caller-Transfer-Source")
        if not source or source == call.transfer_source:
            return
        call.transfer_source = source
        _, _, kind_and_target = source.partition(":")
        parts = kind_and_target.split(":", 2)  # <uuid>:bl_xfer:<exten>/<context>/<dialplan>
        if call.bridged_leg is None or len(parts) != 3 or parts[1] != "bl_xfer":
            return
        exten, _, rest = parts[2].partition("/")
        context = rest.partition("/")[0]
        target = f"{exten}@{context}" if context else exten
        out.events.append(ev.CallTransferred(call_id, "blind", target, at))

    def _hung_up(self, e: EslEvent, call_id: str, at: datetime, out: Translation) -> None:
        bridged_leg = self._calls.pop(call_id).bridged_leg  # FreeSWITCH hangs that one up
        cause_text = e.get("Hangup-Cause")
        q850 = e.get("variable_hangup_cause_q850")
        cause = int(q850) if q850.isdigit() else Q850.get(cause_text, 0)
        out.events.append(ev.CallHungUp(call_id, cause, cause_text, at))
        for leg_uuid, leg in list(self._legs.items()):
            if leg.call_id != call_id:
                continue
            if leg.up and leg_uuid != bridged_leg:
                out.reactions.append(KillLeg(leg_uuid))
            if not leg.up and leg.job_done:
                del self._legs[leg_uuid]


def _arrived(e: EslEvent, at: datetime) -> ev.CallArrived:
    call_id = e.get("Unique-ID")
    return ev.CallArrived(
        call_id=call_id,
        linked_id=e.get("Channel-Call-UUID") or call_id,
        channel=e.get("Channel-Name"),
        entry=e.get("Caller-Destination-Number"),
        caller_number=e.get("Caller-Caller-ID-Number"),
        caller_name=e.get("Caller-Caller-ID-Name"),
        at=at,
    )


def event_time(e: EslEvent, received_at: datetime) -> datetime:
    """FreeSWITCH's own clock (Event-Date-Timestamp, microseconds since the epoch), else ours."""
    stamp = e.get("Event-Date-Timestamp")
    if stamp.isdigit() and len(stamp) <= 18:
        return _EPOCH + timedelta(microseconds=int(stamp))
    if stamp:
        log.warning("esl_bad_timestamp", timestamp=stamp[:40])
    return received_at
