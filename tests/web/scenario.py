"""One scripted morning on the switchboard, driven through the real Controller (fakes for the
PBX and the call log): six calls with every kind of ending the live figures count."""

from __future__ import annotations

from datetime import datetime, timedelta

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from tests.domain.builders import MONDAY_10
from tests.web.conftest import Server

T0 = MONDAY_10
END = 170.0  # the scenario's last second; the clock stands here afterwards


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def arrived(call_id: str, seconds: float, name: str = "Søren <b>Ærø</b>") -> ev.CallArrived:
    number = f"+45{call_id[1:]:0>8}"
    return ev.CallArrived(call_id, call_id, f"PJSIP/t-{call_id}", "4589151515", number, name,
                          at(seconds))  # fmt: skip


def answered(call_id: str, seconds: float) -> ev.RingingEnded:
    return ev.RingingEnded(call_id, AttemptResult.ANSWERED, at(seconds))


def hung_up(call_id: str, seconds: float) -> ev.CallHungUp:
    return ev.CallHungUp(call_id, 16, "Normal Clearing", at(seconds))


SCRIPT: tuple[ev.Event, ...] = (
    ev.PbxConnected(frozenset(), at(0)),
    arrived("c1", 0),  # tel1 rings at once
    arrived("c2", 1),  # tel2 rings at once
    answered("c1", 7),  # waited 7 s: 2 rings (within 3)
    answered("c2", 17),  # waited 16 s: 4 rings (not within 3)
    arrived("c3", 20),  # nobody free: waits
    arrived("c4", 21),
    hung_up("c4", 23),  # gave up after 2 s: a short abandon
    hung_up("c3", 50),  # gave up after 30 s: lost
    arrived("c5", 60),
    arrived("c6", 100),
    ev.ClockTicked(at(125)),  # c5 has waited 65 s > 60: overflows to Borgerservice
    answered("c5", 130),  # Borgerservice answers: 70 s, 14 rings
    hung_up("c1", 140),  # tel1 is free: c6 rings tel1
    ev.TelephonistPresenceChanged("tel2", "paused", "lunch", at(145)),  # still on c2
    hung_up("c2", 150),  # tel2 is now paused
    hung_up("c5", 160),
)


async def play(server: Server) -> None:
    server.pbx.connected = True
    for event in SCRIPT:
        server.clock.now = event.at
        await server.controller.apply(event)
    server.clock.now = at(END)
