"""The panel's JSON shapes, built from the router's live state and the desk's store. Pure.

Times are ISO 8601 with their UTC offset. Caller data goes out as JSON strings exactly as the PBX
gave it; the page puts it into the DOM as text, never as HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callrouter.config.panel import PanelSettings
from callrouter.domain.callbacks import RESULTS_BY_HAND, Callback
from callrouter.domain.directory import DirectoryEntry
from callrouter.domain.hours import Closure
from callrouter.domain.model import Switchboard
from callrouter.domain.state import CallState, Phase, PhoneState
from callrouter.store.desk import CallFacts, Message, ReasonCode, StoredClosure

Json = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def settings_view(settings: PanelSettings, switchboard: Switchboard) -> Json:
    return {
        "reason_codes": [{"code": o.code, "label": o.label} for o in settings.reason_codes],
        "callback_results": [r.value for r in RESULTS_BY_HAND],
        "telephonists": [{"id": t.id, "name": t.name} for t in switchboard.telephonists],
        "departments": [{"id": d.id, "name": d.name} for d in switchboard.departments],
        "callbacks": {
            "abandoned_after_seconds": settings.callbacks.abandoned_after_seconds,
            "due_within_minutes": settings.callbacks.due_within_minutes,
        },
    }


def telephonist_view(
    phone: PhoneState,
    live: CallState | None,
    last: CallFacts | None,
    reasons: list[ReasonCode],
    dialled: dict[str, str],
    now: datetime,
) -> Json:
    """Presence, the call ringing or connected now (live), and the last answered call."""
    return {
        "id": phone.id,
        "name": phone.telephonist.name,
        "presence": phone.presence.value,
        "ringing": None if live is None or live.phase is not Phase.RINGING else _live(live, now),
        "call": None if last is None else call_view(last, reasons, dialled, live, now),
    }


def _live(call: CallState, now: datetime) -> Json:
    return {
        "call_id": call.call_id,
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "entry": call.entry.number,
        "waiting_seconds": round(call.wait_at(now), 1),
    }


def call_view(
    call: CallFacts,
    reasons: list[ReasonCode],
    dialled: dict[str, str],
    live: CallState | None,
    now: datetime,
) -> Json:
    connected = live is not None and live.call_id == call.call_id and live.phase is Phase.CONNECTED
    return {
        "call_id": call.call_id,
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "entry": call.entry,
        "dialled": dialled.get(call.entry, "switchboard"),
        "arrived_at": iso(call.arrived_at),
        "answered_at": iso(call.answered_at),
        "waited_seconds": call.wait_seconds,
        "in_progress": connected and call.ended_at is None,
        "talking_seconds": None
        if call.answered_at is None
        else round(((call.ended_at or now) - call.answered_at).total_seconds(), 1),
        "ended_at": iso(call.ended_at),
        "reasons": [reason_view(r) for r in reasons],
    }


def reason_view(reason: ReasonCode) -> Json:
    return {"code": reason.code, "by": reason.by, "at": iso(reason.at)}


def message_view(message: Message) -> Json:
    return {
        "id": message.id,
        "call_id": message.call_id,
        "caller_number": message.caller_number,
        "caller_name": message.caller_name,
        "note": message.note,
        "callback_due": iso(message.due_at),
        "created_at": iso(message.created_at),
        "created_by": message.created_by,
    }


def callback_view(entry: Callback, now: datetime) -> Json:
    return {
        "id": entry.id,
        "number": entry.number,
        "name": entry.name,
        "source": entry.source.value,
        "call_id": entry.call_id,
        "message_id": entry.message_id,
        "missed_calls": entry.missed_calls,
        "created_at": iso(entry.created_at),
        "due_at": iso(entry.due_at),
        "overdue": entry.overdue(now),
        "claimed_by": entry.claimed_by,
        "claimed_at": iso(entry.claimed_at),
        "closed_at": iso(entry.closed_at),
        "closed_by": entry.closed_by,
        "result": None if entry.result is None else entry.result.value,
    }


def directory_view(entry: DirectoryEntry) -> Json:
    return {
        "id": entry.id,
        "name": entry.name,
        "function_number": entry.function_number,
        "tasks": list(entry.tasks),
        "open_now": entry.open_now,
        "today_hours": entry.today_hours,
        "next_opening": iso(entry.next_opening),
        "closures": [_closure(c) for c in entry.closures],
    }


def _closure(closure: Closure) -> Json:
    return {"start": iso(closure.start), "end": iso(closure.end), "note": closure.note}


def closure_view(closure: StoredClosure) -> Json:
    return {
        "id": closure.id,
        "scope": closure.scope,
        "start": iso(closure.start),
        "end": iso(closure.end),
        "note": closure.note,
        "created_by": closure.created_by,
        "created_at": iso(closure.created_at),
        "cancelled_at": iso(closure.cancelled_at),
        "cancelled_by": closure.cancelled_by,
    }
