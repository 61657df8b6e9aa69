"""PbxCommand -> Event Socket commands. Pure: no I/O; ids are passed in.

The dialplan's conventions (dialplan/freeswitch/callrouter.xml):
- a waiting caller is transferred to `wait XML callrouter-wait` (ringback, heartbeat check);
- a ring is `originate {...}<dial> &park` with our own origination_uuid (the leg) and Job-UUID;
  when its job says +OK the caller is answered (`uuid_answer`) and bridged (`uuid_bridge`);
- closed hours: `uuid_setvar <call> callrouter_announcement <sound>`, then a transfer to
  `closed XML callrouter-closed` (answer, play, hang up).

Every outside value is checked (`callrouter.pbx.safe` and the patterns below) and refused with
`UnsafeValue`, never escaped: ESL is a line protocol, and originate splits its arguments on
spaces, its variables on commas, and takes `{}` `&` `'` as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callrouter.domain.commands import (
    ForgetFailOpenRecord,
    HoldCall,
    PbxCommand,
    PlayAnnouncementAndHangUp,
    RingTarget,
)
from callrouter.pbx import safe
from callrouter.pbx.esl_translate import Bridge, KillLeg, Reaction

EVENTS = (
    "CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_PARK "
    "CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB"
)
MARK_VARIABLE = "callrouter"  # set on every channel we follow, so the filters below match
FILTERS = (
    ("Event-Name", "BACKGROUND_JOB"),
    (f"variable_{MARK_VARIABLE}", "inbound"),  # set by the dialplan on the inbound call
    (f"variable_{MARK_VARIABLE}", "leg"),  # set by us on every leg we originate
)
WAIT = "wait XML callrouter-wait"
CLOSED = "closed XML callrouter-closed"
ANNOUNCEMENT_VARIABLE = "callrouter_announcement"
ALIVE_VARIABLE = "callrouter_alive_until"  # epoch seconds; the dialplan fails open after it
ALIVE_FOR_SECONDS = 10
MAX_RING_SECONDS = 3600

_UUID = re.compile(r"[A-Za-z0-9-]{1,64}")
_PASSWORD_FORBIDDEN = re.compile(r"[\s\x00]")


@dataclass(frozen=True)
class EslCommand:
    text: str
    job_uuid: str = ""  # set: sent as `bgapi` with this Job-UUID; empty: `api`

    def wire(self) -> bytes:
        if any(c in self.text for c in "\r\n\0") or any(c in self.job_uuid for c in "\r\n\0"):
            raise safe.UnsafeValue(f"line break in an ESL command {self.text[:60]!r}")
        if self.job_uuid:
            return f"bgapi {self.text}\nJob-UUID: {self.job_uuid}\n\n".encode()
        return f"api {self.text}\n\n".encode()


@dataclass(frozen=True)
class Ring:
    """The ids of an originate, registered with the translator before it is sent."""

    call_id: str
    leg_uuid: str
    job_uuid: str


@dataclass(frozen=True)
class Plan:
    commands: list[EslCommand]
    ring: Ring | None = None


def uuid(value: str) -> str:
    return safe._check("channel uuid", _UUID, value, "35bffdca-25ba-4746-90c4-d2b101cc4e1c")


def fs_dial_string(value: str) -> str:
    """`user/1001`, `sofia/gateway/trunk/4512345678`: one endpoint, no `&`, `,`, space or `{}`."""
    checked = safe.dial_string(value)
    if "&" in checked:
        raise safe.UnsafeValue(f"unsafe dial string {value!r}: `&` is not a FreeSWITCH endpoint")
    return checked


def plan(command: PbxCommand, new_uuid: str, new_job: str) -> Plan:
    """The commands for one PbxCommand, in the order they must be written."""
    match command:
        case HoldCall():
            return Plan([hold(command.call_id, new_job)])
        case RingTarget():
            return ring(command, new_uuid, new_job)
        case PlayAnnouncementAndHangUp():
            return Plan(announce(command, new_job))
        case ForgetFailOpenRecord():
            return Plan([])  # FreeSWITCH keeps no fail-open journal (dialplan/freeswitch/README)
    raise safe.UnsafeValue(f"unknown PBX command {type(command).__name__}")


def hold(call_id: str, job: str) -> EslCommand:
    return EslCommand(f"uuid_transfer {uuid(call_id)} {WAIT}", uuid(job))


def ring(command: RingTarget, leg: str, job: str) -> Plan:
    seconds = command.ring_seconds
    if type(seconds) is not int or not 0 < seconds <= MAX_RING_SECONDS:
        raise safe.UnsafeValue(f"unsafe ring time {seconds!r}: expected 1..{MAX_RING_SECONDS}")
    call, leg = uuid(command.call_id), uuid(leg)
    variables = ",".join(
        [
            f"{MARK_VARIABLE}=leg",
            f"callrouter_call={call}",
            f"origination_uuid={leg}",
            f"originate_timeout={seconds}",
        ]
    )
    originate = EslCommand(
        f"originate {{{variables}}}{fs_dial_string(command.dial)} &park", uuid(job)
    )
    # the caller waits with ringback meanwhile (and leaves the 5 s offer window of the dialplan)
    hold_meanwhile = hold(call, f"{job}-hold")
    return Plan([hold_meanwhile, originate], Ring(call, leg, job))


def announce(command: PlayAnnouncementAndHangUp, job: str) -> list[EslCommand]:
    call = uuid(command.call_id)
    commands = []
    if command.announcement is not None:
        sound = safe.sound_name(command.announcement)
        commands.append(EslCommand(f"uuid_setvar {call} {ANNOUNCEMENT_VARIABLE} {sound}"))
    return [*commands, EslCommand(f"uuid_transfer {call} {CLOSED}", uuid(job))]


def reaction(r: Reaction, job: str) -> list[EslCommand]:
    match r:
        case Bridge():
            call, leg = uuid(r.call_id), uuid(r.leg_uuid)
            # answered first: bridging a caller who is only ringing fails (see the captures)
            return [EslCommand(f"uuid_answer {call}"), EslCommand(f"uuid_bridge {call} {leg}", job)]
        case KillLeg():
            return [EslCommand(f"uuid_kill {uuid(r.leg_uuid)} ORIGINATOR_CANCEL", job)]


def auth(password: str) -> bytes:
    if not isinstance(password, str) or not password or _PASSWORD_FORBIDDEN.search(password):
        raise safe.UnsafeValue("unsafe ESL password: empty, or contains a space or line break")
    return f"auth {password}\n\n".encode()


def subscribe() -> bytes:
    return f"event plain {EVENTS}\n\n".encode()


def filters() -> list[bytes]:
    return [f"filter {header} {value}\n\n".encode() for header, value in FILTERS]


def show_channels() -> EslCommand:
    return EslCommand("show channels as json")


def keepalive() -> EslCommand:
    return EslCommand("strepoch")


def alive_until(epoch_seconds: int) -> EslCommand:
    value = int(epoch_seconds) + ALIVE_FOR_SECONDS
    return EslCommand(f"global_setvar {ALIVE_VARIABLE}={value}")
