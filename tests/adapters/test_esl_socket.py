"""The Event Socket connection over a real socket, against the fake FreeSWITCH (fake_freeswitch)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from callrouter.domain import events as ev
from callrouter.domain.commands import HoldCall, PlayAnnouncementAndHangUp, RingTarget
from callrouter.domain.model import TargetKind
from callrouter.pbx.freeswitch import FreeSwitchPbx

from .fake_freeswitch import PASSWORD, FakeFreeSwitch, VirtualClock, until
from .fs_harness import CONTEXT, FAST

CALL = "35bffdca-25ba-4746-90c4-d2b101cc4e1c"


class Recorder:
    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def __call__(self, event: ev.Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[ev.Event]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, kind: type, count: int = 1) -> None:
        await until(lambda: len(self.of(kind)) >= count)


@pytest.fixture
async def fake() -> AsyncIterator[FakeFreeSwitch]:
    clock = VirtualClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    async with FakeFreeSwitch(clock, {"loopback/tel1/phones": "tel1"}) as server:
        yield server


@contextlib.asynccontextmanager
async def connected(
    fake: FakeFreeSwitch, sink: Recorder, password: str = PASSWORD
) -> AsyncIterator[FreeSwitchPbx]:
    pbx = FreeSwitchPbx(
        "127.0.0.1", fake.port, password, sink, fake.clock, timings=FAST, inbound_context=CONTEXT
    )
    await pbx.start()
    try:
        yield pbx
    finally:
        await pbx.stop()


async def test_connects_authenticates_subscribes_filters_and_resyncs(fake: FakeFreeSwitch) -> None:
    sink = Recorder()
    async with connected(fake, sink):
        await sink.wait_for(ev.PbxConnected)
    commands = fake.connections[0].commands
    assert f"auth {PASSWORD}" == commands[0]
    assert commands[1].startswith("event plain CHANNEL_CREATE ")
    assert "BACKGROUND_JOB" in commands[1].split()
    expected_filters = [
        "filter Event-Name BACKGROUND_JOB",
        "filter variable_callrouter inbound",
        "filter variable_callrouter leg",
    ]
    assert expected_filters == commands[2:5]
    assert "api show channels as json" == commands[5]


async def test_a_wrong_password_is_refused_and_retried_without_ever_connecting(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    async with connected(fake, sink, password="wrong"):
        await until(lambda: len(fake.connections) >= 2)
    assert [] == sink.of(ev.PbxConnected)


async def test_a_rude_rejection_is_a_failed_connect_not_a_crash(fake: FakeFreeSwitch) -> None:
    fake.reject = True
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await until(lambda: len(fake.connections) >= 2)
        assert not pbx.connected
    assert [] == sink.of(ev.PbxConnected)


async def test_a_disconnect_notice_reports_the_loss_with_its_text_and_reconnects(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    async with connected(fake, sink):
        await sink.wait_for(ev.PbxConnected)
        notice = b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
        await fake.push(
            b"Content-Type: text/disconnect-notice\nContent-Length: %d\n\n" % len(notice) + notice
        )
        await fake.drop()
        await sink.wait_for(ev.PbxConnected, 2)
    [down] = sink.of(ev.PbxDisconnected)
    assert down.reason.startswith("FreeSWITCH disconnected: Disconnected, goodbye.")  # type: ignore[union-attr]


async def test_the_resync_after_a_reconnect_names_the_calls_freeswitch_still_has(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        call = await fake.place_call("abandoned")
        await sink.wait_for(ev.CallArrived)
        await fake.drop()
        await sink.wait_for(ev.PbxConnected, 2)
        assert frozenset({call.call_id}) == pbx.tracked_call_ids()
    first, second = sink.of(ev.PbxConnected)
    assert frozenset() == first.live_call_ids  # type: ignore[union-attr]
    assert call.call_id in second.live_call_ids  # type: ignore[union-attr]
    assert 1 == len(sink.of(ev.PbxDisconnected))


async def test_a_call_gone_while_disconnected_is_forgotten_after_the_resync(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        call = await fake.place_call("abandoned")
        await sink.wait_for(ev.CallArrived)
        await fake.drop()
        fake.live.clear()  # FreeSWITCH restarted meanwhile
        await sink.wait_for(ev.PbxConnected, 2)
        assert frozenset() == pbx.tracked_call_ids()
    assert call.call_id not in sink.of(ev.PbxConnected)[1].live_call_ids  # type: ignore[union-attr]


async def test_hold_and_ring_go_out_as_transfer_and_originate_with_our_ids(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        call = await fake.place_call("answered", finish_at_once=False)
        await sink.wait_for(ev.CallArrived)
        await pbx.execute(HoldCall(call.call_id, "loopback/4589151515-b"))
        ring = RingTarget(
            call.call_id, "x", TargetKind.TELEPHONIST, "t1", "loopback/tel1/phones", 20
        )
        await pbx.execute(ring)
        await sink.wait_for(ev.RingingEnded)
    assert 2 == len(fake.sent(f"bgapi uuid_transfer {call.call_id} wait XML callrouter-wait"))
    [originate] = fake.sent("bgapi originate")
    assert f"callrouter_call={call.call_id}," in originate
    assert originate.endswith("originate_timeout=20}loopback/tel1/phones &park")
    assert [f"api uuid_answer {call.call_id}"] == fake.sent("api uuid_answer")
    assert [] == sink.of(ev.CommandFailed)


async def test_a_failed_bridge_ends_the_ring_and_hangs_up_the_answered_phone(
    fake: FakeFreeSwitch,
) -> None:
    """The telephonist answered but could not be connected: never leave them on a parked line."""
    fake.refuse = {"uuid_bridge"}
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        call = await fake.place_call("answered", finish_at_once=False)
        await sink.wait_for(ev.CallArrived)
        ring = RingTarget(
            call.call_id, "x", TargetKind.TELEPHONIST, "t1", "loopback/tel1/phones", 20
        )
        await pbx.execute(ring)
        await sink.wait_for(ev.CommandFailed)
        await until(lambda: bool(fake.sent("bgapi uuid_kill")))
    [originate] = fake.sent("bgapi originate")
    leg = originate.split("origination_uuid=")[1].split(",")[0]
    assert [f"bgapi uuid_kill {leg} ORIGINATOR_CANCEL"] == fake.sent("bgapi uuid_kill")
    [failed] = sink.of(ev.CommandFailed)
    expected = (call.call_id, "RingTarget", "-ERR uuid_bridge refused by the test")
    assert expected == (failed.call_id, failed.command, failed.reason)  # type: ignore[union-attr]
    assert [] == sink.of(ev.RingingEnded)


async def test_a_refused_transfer_comes_back_as_one_command_failed(fake: FakeFreeSwitch) -> None:
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(PlayAnnouncementAndHangUp(CALL, "x", "closed-hours"))
        await sink.wait_for(ev.CommandFailed)
    [failed] = sink.of(ev.CommandFailed)
    assert (CALL, "PlayAnnouncementAndHangUp") == (failed.call_id, failed.command)  # type: ignore[union-attr]
    assert "-ERR No such channel!" == failed.reason  # type: ignore[union-attr]
    assert fake.connections[0].writer.transport.is_closing() is False


async def test_an_unsafe_value_is_refused_before_anything_is_sent(fake: FakeFreeSwitch) -> None:
    sink = Recorder()
    async with connected(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        sent_before = list(fake.connections[0].commands)
        evil = RingTarget(CALL, "x", TargetKind.DIAL, "d", "user/1001 &hangup", 20)
        await pbx.execute(evil)
        await pbx.execute(HoldCall(f"{CALL}\nevent plain ALL", "x"))
        await sink.wait_for(ev.CommandFailed, 2)
        await asyncio.sleep(0.05)
        sent_after = [c for c in fake.connections[0].commands if not c.startswith("api global")]
    assert [c for c in sent_before if not c.startswith("api global")] == sent_after
    reasons = [e.reason for e in sink.of(ev.CommandFailed)]  # type: ignore[union-attr]
    assert all(r.startswith("refused before sending: unsafe") for r in reasons)


async def test_commands_while_disconnected_fail_at_once(fake: FakeFreeSwitch) -> None:
    sink = Recorder()
    pbx = FreeSwitchPbx("127.0.0.1", 1, PASSWORD, sink, fake.clock, timings=FAST)
    await pbx.execute(HoldCall(CALL, "x"))
    [failed] = sink.of(ev.CommandFailed)
    assert "not connected to the PBX" == failed.reason  # type: ignore[union-attr]


async def test_the_heartbeat_tells_the_dialplan_how_long_the_controller_is_alive(
    fake: FakeFreeSwitch,
) -> None:
    sink = Recorder()
    pbx = FreeSwitchPbx(
        "127.0.0.1", fake.port, PASSWORD, sink, fake.clock, timings=FAST, wall_clock=lambda: 1000.0
    )
    await pbx.start()
    try:
        await until(lambda: bool(fake.sent("api global_setvar")))
    finally:
        await pbx.stop()
    assert "api global_setvar callrouter_alive_until=1010" == fake.sent("api global_setvar")[0]


def test_the_password_is_never_shown() -> None:
    pbx = FreeSwitchPbx("127.0.0.1", 8021, "hunter2", Recorder())
    assert "hunter2" not in repr(pbx)
