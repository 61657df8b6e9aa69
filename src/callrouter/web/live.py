"""What the server knows live, fed by the controller after each applied event: each call's
route, the ended calls for the service figures, and how long each telephonist has been in their
state. The router itself (same event loop) is read for everything else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, get_args

from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from callrouter.domain.kpis import KpiSettings
from callrouter.domain.live_kpis import FinishedCall, LiveKpis
from callrouter.domain.router import Router
from callrouter.domain.state import Floor, Phase, PhoneState
from callrouter.panel.api import LiveController

SWITCHBOARD = "switchboard"


class LiveSource(LiveController, Protocol):
    """The controller as the server sees it: the router, events in, applied events out."""

    def pbx_connected(self) -> bool: ...

    def subscribe(self, subscriber: Callable[[ev.Event, Sequence[cmd.Command]], None]) -> None: ...


def phone_state(phone: PhoneState, floor: Floor) -> str:
    """available, ringing, on_call, paused or logged_out."""
    if phone.busy_with is not None:
        call = floor.calls.get(phone.busy_with)
        return "ringing" if call is not None and call.phase is Phase.RINGING else "on_call"
    return phone.presence.value


CallStep = (
    cmd.RecordArrival
    | cmd.RecordAttemptStarted
    | cmd.RecordAttemptEnded
    | cmd.RecordAnswer
    | cmd.RecordOverflow
    | cmd.RecordTransfer
    | cmd.RecordCallEnded
)


CALL_STEPS: tuple[type[CallStep], ...] = get_args(CallStep)


class StepListener(Protocol):
    def step(self, step: CallStep, route: str) -> None:
        """One call-log step, with the route of its call (switchboard or a department id)."""

    def applied(self, event: ev.Event) -> None: ...


@dataclass(frozen=True)
class _Open:
    route: str | None
    arrived_at: datetime


class LiveFeed:
    def __init__(self, router: Callable[[], Router], kpis: KpiSettings, now: datetime) -> None:
        self._router = router
        self.kpis = LiveKpis(kpis)
        self.listeners: list[StepListener] = []
        self.changed: list[Callable[[], None]] = []  # woken after each event but clock ticks
        self._open: dict[str, _Open] = {}
        self._answers: dict[str, cmd.RecordAnswer] = {}
        self.phone_since: dict[str, tuple[str, datetime]] = {}
        self._note_phones(now)

    def _call(self, call_id: str, at: datetime) -> _Open:
        if call_id not in self._open:
            live = self._router().floor.calls.get(call_id)  # adopted after a restart
            route = None if live is None else live.entry.department
            self._open[call_id] = _Open(route, at if live is None else live.arrived_at)
        return self._open[call_id]

    def observe(self, event: ev.Event, commands: Sequence[cmd.Command]) -> None:
        for command in commands:
            if isinstance(command, cmd.RecordArrival):
                self._open[command.call_id] = _Open(command.department, command.at)
            if isinstance(command, CALL_STEPS):
                route = self._call(command.call_id, command.at).route or SWITCHBOARD
                for listener in self.listeners:
                    listener.step(command, route)
            if isinstance(command, cmd.RecordAnswer):
                self._answers[command.call_id] = command
            elif isinstance(command, cmd.RecordCallEnded):
                self._ended(command)
        for listener in self.listeners:
            listener.applied(event)
        self._note_phones(event.at)
        if not isinstance(event, ev.ClockTicked):
            for wake in self.changed:
                wake()

    def _ended(self, end: cmd.RecordCallEnded) -> None:
        call = self._open.pop(end.call_id, _Open(None, end.at))
        answer = self._answers.pop(end.call_id, None)
        if answer is not None:
            waited, rings = answer.wait_seconds, answer.rings_heard
            self.kpis.add(FinishedCall(end.at, call.route, end.outcome, waited, rings))
        else:
            waited = (end.at - call.arrived_at).total_seconds()
            self.kpis.add(FinishedCall(end.at, call.route, end.outcome, waited))

    def _note_phones(self, at: datetime) -> None:
        floor = self._router().floor
        for phone in floor.phones.values():
            state = phone_state(phone, floor)
            known = self.phone_since.get(phone.id)
            if known is None or known[0] != state:
                self.phone_since[phone.id] = (state, at)
