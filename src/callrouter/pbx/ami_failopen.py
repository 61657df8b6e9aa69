"""The dialplan's fail-open journal -> domain events. Pure: no asyncio, no I/O.

The dialplan (`callrouter-failopen`) writes three values per call, each `|`-separated:
- offer:  arrived | fail-open at | entry | linkedid | b64 caller number | b64 caller name |
          b64 channel
- answer: answered at | b64 answering channel      (only if a phone answered)
- end:    ended at | hang-up cause                  (written by the hang-up handler)

They come in two ways: the hang-up handler's `UserEvent: CallrouterFailOpenEnded` (headers Offer,
Answer, End) while the controller is connected, and AMI `DBGetTree` of family
`callrouter_failopen` (keys `/callrouter_failopen/<uniqueid>/<part>`) after every (re)connect.
Anything that does not parse becomes `FailOpenRecordUnreadable` with the raw text, never an error.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from callrouter.domain import events as ev

FAMILY = "callrouter_failopen"
ENDED_USER_EVENT = "CallrouterFailOpenEnded"
_PARTS = ("offer", "answer", "end")


class Unreadable(ValueError):
    pass


def from_user_event(m: Mapping[str, str], received_at: datetime) -> list[ev.Event]:
    """The hang-up handler's report of a fail-open call that just ended."""
    call_id = m.get("Uniqueid", "")
    parts = {"offer": m.get("Offer", ""), "answer": m.get("Answer", ""), "end": m.get("End", "")}
    return [_event(call_id, parts, live=True, now=received_at)]


def from_journal(
    entries: Iterable[tuple[str, str]], live_ids: frozenset[str], now: datetime
) -> list[ev.Event]:
    """One event per journalled call that has ended, or that the PBX no longer has (lost).

    A call still live in fail-open is left alone: its hang-up handler reports it. Calls come in
    the order they arrived.
    """
    calls: dict[str, dict[str, str]] = {}
    for key, value in entries:
        match key.split("/"):
            case ["", family, call_id, part] if family == FAMILY and call_id and part in _PARTS:
                calls.setdefault(call_id, {})[part] = value
    found = [
        _event(call_id, parts, live=call_id in live_ids, now=now)
        for call_id, parts in calls.items()
        if "end" in parts or call_id not in live_ids
    ]
    return sorted(found, key=_arrival_order)


def journal_entries(messages: Iterable[Mapping[str, str]]) -> list[tuple[str, str]]:
    """(Key, Val) of the DBGetTreeResponse events in a DBGetTree reply."""
    return [
        (str(m.get("Key", "")), str(m.get("Val", "")))
        for m in messages
        if m.get("Event") == "DBGetTreeResponse"
    ]


def _event(call_id: str, parts: Mapping[str, str], *, live: bool, now: datetime) -> ev.Event:
    try:
        return _parse(call_id, parts, live=live, now=now)
    except Unreadable as exc:
        raw = "; ".join(f"{part}={parts.get(part, '')!r}" for part in _PARTS)
        return ev.FailOpenRecordUnreadable(call_id, f"{exc}: {raw}"[:1000], now)


def _parse(call_id: str, parts: Mapping[str, str], *, live: bool, now: datetime) -> ev.Event:
    if not call_id:
        raise Unreadable("no Uniqueid")
    offer = _fields(parts.get("offer", ""), 7, "offer")
    answer = _fields(parts["answer"], 2, "answer") if parts.get("answer") else None
    end = _fields(parts["end"], 2, "end") if parts.get("end") else None
    lost = end is None and not live
    if end is None and not lost:
        raise Unreadable("no end")
    return ev.FailOpenCallEnded(
        call_id=call_id,
        linked_id=offer[3] or call_id,
        channel=_text(offer[6]),
        entry=offer[2],
        caller_number=_text(offer[4]),
        caller_name=_text(offer[5]),
        arrived_at=_time(offer[0]),
        fail_open_at=_time(offer[1]),
        answered_at=None if answer is None else _time(answer[0]),
        answered_channel="" if answer is None else _text(answer[1]),
        cause=0 if end is None else _cause(end[1]),
        lost=lost,
        at=now if end is None else _time(end[0]),
    )


def _fields(value: str, count: int, part: str) -> list[str]:
    fields = value.split("|")
    if len(fields) != count:
        raise Unreadable(f"{part}: expected {count} fields, got {len(fields)}")
    return fields


def _time(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        raise Unreadable(f"not an epoch time: {value!r}") from None


def _text(value: str) -> str:
    """Caller ids and channel names are base64 in the journal: UTF-8 exactly as the PBX had it."""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unreadable(f"not base64 of UTF-8 text: {value!r}") from None


def _cause(value: str) -> int:
    if not value.isdigit():
        raise Unreadable(f"not a hang-up cause: {value!r}")
    return int(value)


def _arrival_order(event: ev.Event) -> tuple[int, datetime]:
    if isinstance(event, ev.FailOpenCallEnded):
        return (0, event.arrived_at)
    return (1, event.at)
