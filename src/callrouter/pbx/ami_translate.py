"""AMI event -> domain events. Pure (no asyncio, no I/O) and stateful: it follows our calls.

A call is ours from the moment the dialplan announces it (`UserEvent: CallrouterOffered` in
`callrouter-inbound`) or the controller adopts it after a restart (`track`). A call the dialplan
put through by itself (fail-open) is reported when it ends (see ami_failopen). Its id is the inbound
channel's Uniqueid, which survives redirects and blind transfers. Everything about other channels
is noise (an Asterisk stream carries ~155 events per call) and is ignored, except the destination
legs our calls dialled (DialBegin's DestUniqueid), whose hang-up is reported as LegHungUp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import structlog

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from callrouter.pbx import ami_failopen

log = structlog.get_logger(__name__)

OFFERED_USER_EVENT = "CallrouterOffered"
_UNKNOWN = "<unknown>"

DIAL_STATUS: Mapping[str, AttemptResult] = {
    "ANSWER": AttemptResult.ANSWERED,
    "NOANSWER": AttemptResult.NO_ANSWER,
    "BUSY": AttemptResult.BUSY,
    "CHANUNAVAIL": AttemptResult.UNAVAILABLE,
    "CONGESTION": AttemptResult.UNAVAILABLE,
    "CANCEL": AttemptResult.CALLER_HUNG_UP,
}


class AmiTranslator:
    def __init__(self) -> None:
        self._calls: set[str] = set()
        self._legs: dict[str, str] = {}  # destination leg Uniqueid -> call id

    def tracked_call_ids(self) -> frozenset[str]:
        return frozenset(self._calls)

    def track(self, call_id: str) -> None:
        """Follow a call the controller adopted after a restart (it was offered earlier)."""
        self._calls.add(call_id)

    def retain(self, live_ids: Iterable[str]) -> None:
        """After a resync: forget calls and legs the PBX no longer has."""
        live = set(live_ids)
        self._calls &= live
        self._legs = {
            leg: call for leg, call in self._legs.items() if leg in live and call in self._calls
        }

    def translate(self, message: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        """Never raises: odd or broken messages are logged and give no events."""
        try:
            return self._translate(message, received_at)
        except Exception as exc:
            log.warning("ami_event_not_understood", error=repr(exc), message=_brief(message))
            return []

    def _translate(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        match m.get("Event"):
            case "UserEvent":
                return self._user_event(m, received_at)
            case "DialBegin":
                return self._dial_begin(m, received_at)
            case "DialEnd":
                return self._dial_end(m, received_at)
            case "Hangup":
                return self._hangup(m, received_at)
            case "BlindTransfer":
                return self._blind_transfer(m, received_at)
            case "AttendedTransfer":
                return self._attended_transfer(m, received_at)
        return []

    def _user_event(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        if m.get("UserEvent") == ami_failopen.ENDED_USER_EVENT:
            return ami_failopen.from_user_event(m, event_time(m, received_at))
        if m.get("UserEvent") != OFFERED_USER_EVENT:
            return []
        call_id = m.get("Uniqueid", "")
        if not call_id or call_id in self._calls:
            return []
        self._calls.add(call_id)
        arrived = ev.CallArrived(
            call_id=call_id,
            linked_id=m.get("Linkedid", "") or call_id,
            channel=m.get("Channel", ""),
            entry=m.get("Entry", ""),
            caller_number=_caller_id(m.get("CallerIDNum")),
            caller_name=_caller_id(m.get("CallerIDName")),
            at=event_time(m, received_at),
        )
        return [arrived]

    def _dial_begin(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        call_id = m.get("Uniqueid", "")
        if call_id not in self._calls:
            return []
        leg = m.get("DestUniqueid", "")
        if leg:
            self._legs[leg] = call_id
        return [ev.RingingStarted(call_id, m.get("DestChannel", ""), event_time(m, received_at))]

    def _dial_end(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        call_id = m.get("Uniqueid", "")
        if call_id not in self._calls:
            return []
        result = DIAL_STATUS.get(m.get("DialStatus", ""), AttemptResult.FAILED)
        return [ev.RingingEnded(call_id, result, event_time(m, received_at))]

    def _hangup(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        uniqueid = m.get("Uniqueid", "")
        at = event_time(m, received_at)
        if uniqueid in self._calls:
            self._calls.discard(uniqueid)
            self._legs = {leg: call for leg, call in self._legs.items() if call != uniqueid}
            return [ev.CallHungUp(uniqueid, _cause(m.get("Cause")), m.get("Cause-txt", ""), at)]
        call_id = self._legs.pop(uniqueid, None)
        if call_id is None:
            return []
        return [ev.LegHungUp(call_id, m.get("Channel", ""), at)]

    def _blind_transfer(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        call_id = self._call_of(m, "TransfereeUniqueid", "TransfererUniqueid")
        if call_id is None or not _succeeded(m):
            return []
        target = f"{m.get('Extension', '')}@{m.get('Context', '')}"
        return [ev.CallTransferred(call_id, "blind", target, event_time(m, received_at))]

    def _attended_transfer(self, m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
        call_id = self._call_of(
            m, "TransfereeUniqueid", "OrigTransfererUniqueid", "SecondTransfererUniqueid"
        )
        if call_id is None or not _succeeded(m):
            return []
        target = (
            m.get("TransferTargetChannel")
            or _caller_id(m.get("SecondTransfererConnectedLineNum"))
            or m.get("DestApp", "")
        )
        return [ev.CallTransferred(call_id, "attended", target, event_time(m, received_at))]

    def _call_of(self, m: Mapping[str, str], *headers: str) -> str | None:
        """The tracked call one of these channel ids is, or is a destination leg of."""
        for header in headers:
            uniqueid = m.get(header, "")
            if uniqueid in self._calls:
                return uniqueid
            if uniqueid in self._legs:
                return self._legs[uniqueid]
        return None


def event_time(m: Mapping[str, str], received_at: datetime) -> datetime:
    """The PBX's own clock (`Timestamp`, with manager.conf timestampevents=yes), else ours."""
    stamp = m.get("Timestamp")
    if stamp:
        try:
            return datetime.fromtimestamp(float(stamp), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            log.warning("ami_bad_timestamp", timestamp=repr(stamp)[:40])
    return received_at


def _caller_id(value: str | None) -> str:
    return "" if value is None or value == _UNKNOWN else value


def _cause(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _succeeded(m: Mapping[str, str]) -> bool:
    return m.get("Result", "Success") == "Success"


def _brief(message: object) -> str:
    return repr(message)[:300]
