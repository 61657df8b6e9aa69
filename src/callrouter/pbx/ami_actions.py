"""PbxCommand -> AMI actions (plain dicts). Pure: no I/O.

Every value that goes into an action is checked with `callrouter.pbx.safe` first: a value that
could change the meaning of the action (CR/LF, comma, `$`, space ...) is refused with
`UnsafeValue`, never escaped. The contexts and variable names are the dialplan's conventions
(see dialplan/asterisk/callrouter-dialplan.conf).
"""

from __future__ import annotations

import re

from callrouter.domain.commands import (
    ForgetFailOpenRecord,
    HoldCall,
    PbxCommand,
    PlayAnnouncementAndHangUp,
    RingTarget,
)
from callrouter.pbx import ami_failopen, safe

AmiAction = dict[str, str]

WAIT_CONTEXT = "callrouter-wait"
DIAL_CONTEXT = "callrouter-dial"
CLOSED_CONTEXT = "callrouter-closed"
DIAL_VARIABLE = "CALLROUTER_DIAL"  # global per dial slot: "<dial string>,<ring seconds>"
ANNOUNCEMENT_VARIABLE = "CALLROUTER_ANNOUNCEMENT"
HEARTBEAT_VARIABLE = "CALLROUTER_HEARTBEAT"
# Login `Events:` mask: call = DialBegin/DialEnd/Hangup/BlindTransfer/AttendedTransfer,
# user = UserEvent (CallrouterOffered). Responses to our own actions (CoreShowChannels) are
# always delivered. dialplan (Newexten, VarSet) is most of the traffic and left out.
EVENT_MASK = "call,user"

_EVENT_MASK = re.compile(r"[a-z]+(,[a-z]+)*|on|off")
_MAX_RING_SECONDS = 3600


class DialSlots:
    """Numbered dial targets, kept in Asterisk globals for the life of one AMI connection.

    Ringing a target is then one Redirect to `callrouter-dial,<slot>,1`; the dialplan dials
    ${CALLROUTER_DIAL_<slot>} ("<dial string>,<ring seconds>"). The global is set (Setvar, written
    just before the Redirect on the same connection, so Asterisk has it first) only the first
    time a target is rung. Dial strings come from the configuration, so there are few slots.
    """

    def __init__(self) -> None:
        self._slots: dict[str, int] = {}

    def actions_for_ring(self, command: RingTarget) -> list[AmiAction]:
        seconds = command.ring_seconds
        if type(seconds) is not int or not 0 < seconds <= _MAX_RING_SECONDS:
            raise safe.UnsafeValue(f"unsafe ring time {seconds!r}: expected 1..{_MAX_RING_SECONDS}")
        target = f"{safe.dial_string(command.dial)},{seconds}"
        channel = safe.channel_name(command.channel)
        redirect = _redirect(channel, DIAL_CONTEXT, "")
        slot = self._slots.get(target)
        if slot is not None:
            return [redirect | {"Exten": str(slot)}]
        slot = self._slots[target] = len(self._slots) + 1
        define = {"Action": "Setvar", "Variable": f"{DIAL_VARIABLE}_{slot}", "Value": target}
        return [define, redirect | {"Exten": str(slot)}]

    def forget(self, action: AmiAction) -> None:
        """A slot's Setvar was refused: define it again on the next ring."""
        if action.get("Action") == "Setvar" and "Channel" not in action:
            self._slots.pop(action.get("Value", ""), None)


def actions_for(command: PbxCommand, slots: DialSlots) -> list[AmiAction]:
    """The AMI actions for one command, in the order they must be written."""
    match command:
        case HoldCall():
            return [_redirect(command.channel, WAIT_CONTEXT, "s")]
        case RingTarget():
            return slots.actions_for_ring(command)
        case PlayAnnouncementAndHangUp():
            return play_announcement_and_hang_up(command)
        case ForgetFailOpenRecord():
            family = f"{ami_failopen.FAMILY}/{safe.token(command.call_id)}"
            return [{"Action": "DBDelTree", "Family": family}]
    raise safe.UnsafeValue(f"unknown PBX command {type(command).__name__}")


def play_announcement_and_hang_up(command: PlayAnnouncementAndHangUp) -> list[AmiAction]:
    announcement = command.announcement
    value = "" if announcement is None else safe.sound_name(announcement)
    return [
        _setvar(command.channel, ANNOUNCEMENT_VARIABLE, value),
        _redirect(command.channel, CLOSED_CONTEXT, "s"),
    ]


def heartbeat(epoch_seconds: int) -> AmiAction:
    """The global variable the dialplan checks to fail open when the controller is gone."""
    value = safe.token(str(int(epoch_seconds)))
    return {"Action": "Setvar", "Variable": HEARTBEAT_VARIABLE, "Value": value}


def login(username: str, secret: str, events: str = EVENT_MASK) -> AmiAction:
    if not isinstance(secret, str) or not secret or any(c in secret for c in "\r\n\0"):
        raise safe.UnsafeValue("unsafe AMI secret: empty or contains a line break")
    if not _EVENT_MASK.fullmatch(events):
        raise safe.UnsafeValue(f"unsafe event mask {events!r}: expected something like call,user")
    return {
        "Action": "Login",
        "Username": safe.token(username),
        "Secret": secret,
        "Events": events,
    }


def ping() -> AmiAction:
    return {"Action": "Ping"}


def core_show_channels() -> AmiAction:
    return {"Action": "CoreShowChannels"}


def read_fail_open_journal() -> AmiAction:
    return {"Action": "DBGetTree", "Family": ami_failopen.FAMILY}


def _setvar(channel: str, variable: str, value: str) -> AmiAction:
    return {
        "Action": "Setvar",
        "Channel": safe.channel_name(channel),
        "Variable": variable,
        "Value": value,
    }


def _redirect(channel: str, context: str, exten: str) -> AmiAction:
    return {
        "Action": "Redirect",
        "Channel": safe.channel_name(channel),
        "Context": context,
        "Exten": exten,
        "Priority": "1",
    }
