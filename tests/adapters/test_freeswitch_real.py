"""Against a real, running FreeSWITCH, named by CALLROUTER_TEST_FREESWITCH=host:port:password.

Skipped when the variable is not set (FreeSWITCH cannot be installed in this sandbox). The call
test needs dialplan/freeswitch/callrouter.xml loaded and mod_loopback: the caller is
`loopback/4589151515/callrouter-inbound`, the phone `loopback/answer/default/inline` (answers at
once, then hangs up).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from callrouter.domain import events as ev
from callrouter.domain.commands import HoldCall, RingTarget
from callrouter.domain.model import AttemptResult, TargetKind
from callrouter.pbx import esl_commands as esl
from callrouter.pbx.esl_session import EslSession
from callrouter.pbx.freeswitch import FreeSwitchPbx

TARGET = os.environ.get("CALLROUTER_TEST_FREESWITCH", "")
pytestmark = pytest.mark.skipif(
    not TARGET,
    reason="no real FreeSWITCH: set CALLROUTER_TEST_FREESWITCH=host:port:password to run",
)


def target() -> tuple[str, int, str]:
    host, port, password = TARGET.split(":", 2)
    return host, int(port), password


class Recorder(list[ev.Event]):
    def __call__(self, event: ev.Event) -> None:
        self.append(event)

    async def first(self, kind: type, within: float = 10.0, what: str = "") -> ev.Event:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = [e for e in self if isinstance(e, kind)]
            if found:
                return found[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind.__name__} within {within} s {what}")


@pytest.fixture
async def pbx() -> AsyncIterator[tuple[FreeSwitchPbx, Recorder]]:
    host, port, password = target()
    sink = Recorder()
    connection = FreeSwitchPbx(host, port, password, sink)
    await connection.start()
    await sink.first(ev.PbxConnected, what="(is the Event Socket reachable, the password right?)")
    yield connection, sink
    await connection.stop()


async def raw_session() -> EslSession:
    host, port, password = target()
    session = EslSession(lambda _: None, lambda _: None)
    await session.open(host, port, esl.auth(password))
    return session


async def test_connects_resyncs_and_sets_the_fail_open_heartbeat(
    pbx: tuple[FreeSwitchPbx, Recorder],
) -> None:
    session = await raw_session()
    try:
        value = await session.send(esl.EslCommand(f"global_getvar {esl.ALIVE_VARIABLE}"))
    finally:
        session.close()
    assert int(value) > time.time()


async def test_a_call_is_offered_rung_answered_and_logged_as_events(
    pbx: tuple[FreeSwitchPbx, Recorder],
) -> None:
    connection, sink = pbx
    session = await raw_session()
    try:
        caller = (
            "originate {origination_caller_id_number=004512345678,"
            "origination_caller_id_name='Søren Ærø'}loopback/4589151515/callrouter-inbound &park"
        )
        session.send(esl.EslCommand(caller, str(uuid.uuid4())))
        arrived = await sink.first(ev.CallArrived, what="(is callrouter.xml loaded?)")
        assert isinstance(arrived, ev.CallArrived)
        assert ("4589151515", "Søren Ærø") == (arrived.entry, arrived.caller_name)
        await connection.execute(HoldCall(arrived.call_id, arrived.channel))
        ring = RingTarget(
            arrived.call_id,
            arrived.channel,
            TargetKind.TELEPHONIST,
            "tel1",
            "loopback/answer/default/inline",
            10,
        )
        await connection.execute(ring)
        ended = await sink.first(ev.RingingEnded)
        assert AttemptResult.ANSWERED == ended.result  # type: ignore[union-attr]
        await sink.first(ev.CallHungUp)
    finally:
        session.close()
    assert [] == [e for e in sink if isinstance(e, ev.CommandFailed)]
