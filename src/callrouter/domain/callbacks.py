"""The callback worklist: promises to call a caller back, kept until they are done.

Pure rules; the store (`store.desk`) reads an entry, applies a rule here and writes the result.

- A call abandoned after waiting longer than `abandoned_after_seconds` puts its number on the
  list, due `due_within_minutes` after the call ended. A message taken as a callback promise puts
  the number on the list with the due time the telephonist promised.
- One open entry per number: a further missed call or promise for a number already on the list
  updates that entry (the earlier due time stands, missed calls are counted) instead of adding one.
- When the same number later gets through (an answered call), its open entry closes by itself
  with the result `caller_got_through`.
- An entry can be claimed (by one telephonist at a time) and closed with a result; an open entry
  past its due time is overdue.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from callrouter.domain.model import Outcome

_DIALLABLE = re.compile(r"\+?[0-9]{3,20}")
_SEPARATORS = re.compile(r"[\s().-]")


class CallbackSource(enum.StrEnum):
    ABANDONED = "abandoned"  # a caller gave up after waiting too long
    PROMISE = "promise"  # a telephonist promised to call back


class CallbackResult(enum.StrEnum):
    REACHED = "reached"
    LEFT_VOICEMAIL = "left_voicemail"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    CALLER_GOT_THROUGH = "caller_got_through"  # closed by itself: the caller called again


RESULTS_BY_HAND = tuple(r for r in CallbackResult if r is not CallbackResult.CALLER_GOT_THROUGH)


@dataclass(frozen=True)
class CallbackSettings:
    abandoned_after_seconds: float = 20.0
    due_within_minutes: float = 30.0  # Shepway: call back "e.g. within 30 mins"


class CallbackRefused(Exception):
    """A claim or close that the entry's state does not allow (e.g. already closed)."""


@dataclass(frozen=True)
class NewCallback:
    number: str
    name: str
    source: CallbackSource
    created_at: datetime
    due_at: datetime
    call_id: str | None = None
    message_id: int | None = None


@dataclass(frozen=True)
class Callback:
    id: int
    number: str
    name: str
    source: CallbackSource
    call_id: str | None
    message_id: int | None
    missed_calls: int
    created_at: datetime
    due_at: datetime
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    result: CallbackResult | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def overdue(self, now: datetime) -> bool:
        return self.is_open and now > self.due_at


@dataclass(frozen=True)
class EndedCall:
    """What the worklist needs to know about a call that just ended."""

    call_id: str
    caller_number: str
    caller_name: str
    outcome: Outcome
    waited_seconds: float
    ended_at: datetime


def callable_number(number: str) -> str | None:
    """The number to call back, without spaces or dashes; None if it cannot be dialled back."""
    cleaned = _SEPARATORS.sub("", number)
    return cleaned if _DIALLABLE.fullmatch(cleaned) else None


def callback_for_abandoned(call: EndedCall, settings: CallbackSettings) -> NewCallback | None:
    """A new entry for a caller who gave up after waiting longer than the configured time."""
    if call.outcome is not Outcome.ABANDONED:
        return None
    if call.waited_seconds <= settings.abandoned_after_seconds:
        return None
    number = callable_number(call.caller_number)
    if number is None:
        return None
    due = call.ended_at + timedelta(minutes=settings.due_within_minutes)
    return NewCallback(
        number, call.caller_name, CallbackSource.ABANDONED, call.ended_at, due, call.call_id
    )


def merged(entry: Callback, new: NewCallback) -> Callback:
    """A further missed call or promise for a number that already has an open entry."""
    missed = entry.missed_calls + (1 if new.source is CallbackSource.ABANDONED else 0)
    return dataclasses.replace(
        entry,
        name=entry.name or new.name,
        missed_calls=missed,
        due_at=min(entry.due_at, new.due_at),
        message_id=new.message_id if new.message_id is not None else entry.message_id,
    )


def claimed(entry: Callback, by: str, at: datetime, *, override: bool = False) -> Callback:
    """Claimed by `by`; `override` (a supervisor) takes it over from whoever claimed it."""
    if not entry.is_open:
        raise CallbackRefused(f"callback {entry.id} is already closed")
    if entry.claimed_by is not None and entry.claimed_by != by and not override:
        raise CallbackRefused(f"callback {entry.id} is claimed by {entry.claimed_by}")
    if entry.claimed_by == by:
        return entry
    return dataclasses.replace(entry, claimed_by=by, claimed_at=at)


def closed(
    entry: Callback, result: CallbackResult, by: str, at: datetime, *, override: bool = False
) -> Callback:
    """Closed by hand with a result: by whoever claimed it, anyone if unclaimed, or `override`
    (a supervisor)."""
    if not entry.is_open:
        raise CallbackRefused(f"callback {entry.id} is already closed")
    if entry.claimed_by is not None and entry.claimed_by != by and not override:
        raise CallbackRefused(f"callback {entry.id} is claimed by {entry.claimed_by}")
    if result is CallbackResult.CALLER_GOT_THROUGH:
        raise CallbackRefused("caller_got_through is set only when the caller's call is answered")
    return dataclasses.replace(entry, closed_at=at, closed_by=by, result=result)


def closed_by_answered_call(entry: Callback, at: datetime) -> Callback | None:
    """The same number got through: the open entry is done. None if it was not open."""
    if not entry.is_open:
        return None
    return dataclasses.replace(
        entry, closed_at=at, closed_by="system", result=CallbackResult.CALLER_GOT_THROUGH
    )
