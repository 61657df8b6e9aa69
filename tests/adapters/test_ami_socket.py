"""The AMI connection over a real socket, against a fake Asterisk (tests/adapters/fake_ami.py)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import structlog

from callrouter.domain import events as ev
from callrouter.domain.commands import ForgetFailOpenRecord, HoldCall, RingTarget
from callrouter.domain.model import AttemptResult, TargetKind
from callrouter.pbx.ami import AmiPbx, AmiTimings
from callrouter.ports import EventSink

from .fake_ami import SECRET, FakeAmi, message, until

T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FAST = AmiTimings(
    connect_timeout=1.0,
    reply_timeout=1.0,
    ping_interval=30.0,
    ping_timeout=1.0,
    heartbeat_interval=0.2,
    backoff_initial=0.05,
    backoff_max=0.2,
)
TRUNK = "PJSIP/trunk-0000002a"
CALL = "1795392405.180"


def offered(name: str = "Søren Ærø", call_id: str = CALL) -> dict[str, str]:
    return {
        "Event": "UserEvent",
        "Privilege": "user,all",
        "Channel": TRUNK,
        "CallerIDNum": "004512345678",
        "CallerIDName": name,
        "Uniqueid": call_id,
        "Linkedid": call_id,
        "UserEvent": "CallrouterOffered",
        "Entry": "4589151515",
    }


def arrived(name: str = "Søren Ærø") -> ev.CallArrived:
    return ev.CallArrived(CALL, CALL, TRUNK, "4589151515", "004512345678", name, T)


def ring(dial: str = "PJSIP/1001") -> RingTarget:
    return RingTarget("c1", TRUNK, TargetKind.TELEPHONIST, "t1", dial, 20)


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
async def fake() -> AsyncIterator[FakeAmi]:
    async with FakeAmi() as server:
        yield server


@contextlib.asynccontextmanager
async def running(
    fake: FakeAmi, sink: EventSink, timings: AmiTimings = FAST, secret: str = SECRET
) -> AsyncIterator[AmiPbx]:
    pbx = AmiPbx(
        "127.0.0.1", fake.port, "callrouter", secret, sink, lambda: T,
        timings=timings, wall_clock=lambda: 1795392405.7,
    )  # fmt: skip
    await pbx.start()
    try:
        yield pbx
    finally:
        await pbx.stop()


def without_id(action: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in action.items() if k != "ActionID"}


async def test_connect_logs_in_for_call_and_user_events_and_reports_the_live_calls(
    fake: FakeAmi,
) -> None:
    fake.live_ids = ["1795392405.180", "1795392405.181"]
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        login = await fake.wait_for_action("Login")
        assert pbx.connected
    expected_login = {
        "Action": "Login",
        "Username": "callrouter",
        "Secret": "s3cr3t",
        "Events": "call,user",
    }
    assert expected_login == without_id(login)
    assert [ev.PbxConnected(frozenset(fake.live_ids), T)] == sink.events


async def test_heartbeat_sets_the_global_variable_every_interval(fake: FakeAmi) -> None:
    """The dialplan fails open when this goes stale: the controller being down strands nobody."""
    sink = Recorder()
    async with running(fake, sink):
        await fake.wait_for_action("Setvar", count=2)
    expected = {"Action": "Setvar", "Variable": "CALLROUTER_HEARTBEAT", "Value": "1795392405"}
    assert [expected, expected] == [without_id(a) for a in fake.current.named("Setvar")[:2]]


async def test_reconnects_after_the_pbx_drops_and_resynchronises_the_live_calls(
    fake: FakeAmi,
) -> None:
    fake.live_ids = ["1.1"]
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        fake.live_ids = ["2.2"]
        await fake.drop()
        await sink.wait_for(ev.PbxConnected, count=2)
        assert pbx.connected
    expected = [
        ev.PbxConnected(frozenset({"1.1"}), T),
        ev.PbxDisconnected("connection closed by the PBX", T),
        ev.PbxConnected(frozenset({"2.2"}), T),
    ]
    assert expected == sink.events
    expected_connections = 2
    assert expected_connections == len(fake.connections)


async def test_a_redirect_without_reply_is_not_resent_after_reconnect_and_fails(
    fake: FakeAmi,
) -> None:
    """At most once: a caller must never be redirected by a stale command after a reconnect."""
    fake.replies["Redirect"] = "silent"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(HoldCall("c1", "PJSIP/trunk-00000001"))
        await fake.wait_for_action("Redirect")
        fake.replies["Redirect"] = "success"
        await fake.drop()
        await sink.wait_for(ev.PbxConnected, count=2)
        await fake.wait_for_action("Setvar", connection=1, count=2)  # after FullyBooted
        await pbx.execute(HoldCall("c2", "PJSIP/trunk-00000002"))
        await fake.wait_for_action("Redirect", connection=1)
    expected_redirects = ["PJSIP/trunk-00000002"]  # only the new command, nothing re-sent
    assert expected_redirects == [a["Channel"] for a in fake.connections[1].named("Redirect")]
    failed = ev.CommandFailed(
        "c1", "HoldCall", "no reply from the PBX: connection closed by the PBX", T
    )
    expected = [
        ev.PbxConnected(frozenset(), T),
        failed,
        ev.PbxDisconnected("connection closed by the PBX", T),
        ev.PbxConnected(frozenset(), T),
    ]
    assert expected == sink.events


async def test_no_pong_closes_the_connection_and_reconnects(fake: FakeAmi) -> None:
    """A PBX that accepts bytes but no longer answers is treated as gone."""
    fake.silent_pings_on = {0}
    sink = Recorder()
    timings = AmiTimings(
        connect_timeout=1.0, reply_timeout=1.0, ping_interval=0.05, ping_timeout=0.1,
        heartbeat_interval=1.0, backoff_initial=0.05, backoff_max=0.2,
    )  # fmt: skip
    async with running(fake, sink, timings):
        await sink.wait_for(ev.PbxConnected, count=2)
        await until(lambda: fake.connections[0].closed)
    expected = [
        ev.PbxConnected(frozenset(), T),
        ev.PbxDisconnected("no reply to Ping within 0.1 s", T),
        ev.PbxConnected(frozenset(), T),
    ]
    assert expected == sink.events


async def test_successfully_queued_reply_without_async_keeps_the_connection(
    fake: FakeAmi,
) -> None:
    fake.replies["Redirect"] = "queued"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(HoldCall("c1", TRUNK))
        await fake.wait_for_action("Redirect")
        await fake.push(message(offered()))
        await sink.wait_for(ev.CallArrived)
        assert pbx.connected
    expected = [ev.PbxConnected(frozenset(), T), arrived()]
    assert expected == sink.events
    assert fake.connections[0] is fake.current  # never reconnected


async def test_utf8_name_split_across_tcp_writes_arrives_intact(fake: FakeAmi) -> None:
    sink = Recorder()
    data = message(offered())
    cut_in_o_slash = data.index("ø".encode()) + 1
    cut_in_ae = data.index("Æ".encode()) + 1
    async with running(fake, sink):
        await sink.wait_for(ev.PbxConnected)
        for piece in (data[:cut_in_o_slash], data[cut_in_o_slash:cut_in_ae], data[cut_in_ae:]):
            await fake.push(piece)
            await asyncio.sleep(0.02)  # separate TCP reads
        await sink.wait_for(ev.CallArrived)
    assert [arrived("Søren Ærø")] == sink.of(ev.CallArrived)


async def test_an_error_reply_becomes_one_command_failed(fake: FakeAmi) -> None:
    fake.replies["Setvar"] = "error:No such channel"
    fake.replies["Redirect"] = "error:No such channel"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(ring())
        await sink.wait_for(ev.CommandFailed)
        await fake.wait_for_action("Redirect")
        await asyncio.sleep(0.05)  # both replies are in
    assert [ev.CommandFailed("c1", "RingTarget", "No such channel", T)] == sink.of(ev.CommandFailed)


async def test_ring_target_writes_the_slot_and_redirect_without_waiting_for_a_reply(
    fake: FakeAmi,
) -> None:
    """Latency: the Redirect follows the slot's Setvar at once, before Asterisk has answered;
    the second ring of the same target is a Redirect alone."""
    fake.replies["Setvar"] = "silent"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await asyncio.wait_for(pbx.execute(ring()), 0.05)
        await asyncio.wait_for(pbx.execute(ring()), 0.05)
        await fake.wait_for_action("Redirect", count=2)
    redirect = {
        "Action": "Redirect",
        "Channel": TRUNK,
        "Context": "callrouter-dial",
        "Exten": "1",
        "Priority": "1",
    }
    define = {"Action": "Setvar", "Variable": "CALLROUTER_DIAL_1", "Value": "PJSIP/1001,20"}
    sent = [without_id(a) for a in fake.current.actions if a["Action"] in ("Setvar", "Redirect")]
    assert [define, redirect, redirect] == [a for a in sent if "HEARTBEAT" not in str(a)]


async def test_a_dial_slot_asterisk_refused_is_defined_again_on_the_next_ring(
    fake: FakeAmi,
) -> None:
    """A refused global must not leave later rings pointing at an empty slot."""
    fake.replies["Setvar"] = "error:Permission denied"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(ring())
        await sink.wait_for(ev.CommandFailed)
        fake.replies["Setvar"] = "success"
        await pbx.execute(ring())
        await fake.wait_for_action("Redirect", count=2)
    defined = [a["Value"] for a in fake.current.named("Setvar") if "DIAL" in a["Variable"]]
    assert ["PJSIP/1001,20", "PJSIP/1001,20"] == defined


async def test_an_unsafe_command_is_refused_and_nothing_is_sent(fake: FakeAmi) -> None:
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(ring(dial="PJSIP/1001\r\nAction: Originate"))
        await pbx.execute(HoldCall("c2", TRUNK))
        await fake.wait_for_action("Redirect")
    expected_sent = [("Redirect", TRUNK, "callrouter-wait")]  # the HoldCall only
    sent = [(a["Action"], a["Channel"], a["Context"]) for a in fake.current.on_channel()]
    assert expected_sent == sent
    assert not fake.current.named("Originate")
    [failed] = sink.of(ev.CommandFailed)
    assert isinstance(failed, ev.CommandFailed)
    expected_failure = ("c1", "RingTarget")
    assert expected_failure == (failed.call_id, failed.command)
    assert failed.reason.startswith("refused before sending: unsafe dial string")


async def test_a_command_while_disconnected_fails_at_once(fake: FakeAmi) -> None:
    sink = Recorder()
    pbx = AmiPbx("127.0.0.1", fake.port, "callrouter", "s3cr3t", sink, lambda: T, timings=FAST)
    await pbx.execute(HoldCall("c1", TRUNK))
    assert [ev.CommandFailed("c1", "HoldCall", "not connected to the PBX", T)] == sink.events


async def test_events_of_a_tracked_call_reach_the_sink_in_order(fake: FakeAmi) -> None:
    leg = {"DestChannel": "PJSIP/1001-00000002", "DestUniqueid": "1795392405.182"}
    stream = [
        {"Event": "Newexten", "Uniqueid": CALL, "Context": "callrouter-inbound"},  # not asked for
        offered(),
        {"Event": "DialBegin", "Uniqueid": CALL, **leg, "Timestamp": "1795392410.000000"},
        {"Event": "DialBegin", "Uniqueid": "someone-else.1", **leg},
        {"Event": "DialEnd", "Uniqueid": CALL, **leg, "DialStatus": "ANSWER"},
        {"Event": "Hangup", "Uniqueid": CALL, "Cause": "16", "Cause-txt": "Normal Clearing"},
    ]
    sink = Recorder()
    async with running(fake, sink):
        await sink.wait_for(ev.PbxConnected)
        await fake.push(b"".join(message(m) for m in stream))
        await sink.wait_for(ev.CallHungUp)
    expected = [
        ev.PbxConnected(frozenset(), T),
        arrived(),
        ev.RingingStarted(
            CALL, "PJSIP/1001-00000002", datetime(2026, 11, 23, 0, 6, 50, tzinfo=UTC)
        ),
        ev.RingingEnded(CALL, AttemptResult.ANSWERED, T),
        ev.CallHungUp(CALL, 16, "Normal Clearing", T),
    ]
    assert expected == sink.events


async def test_a_failing_sink_or_garbage_does_not_break_the_connection(fake: FakeAmi) -> None:
    attempted: list[ev.Event] = []

    def broken_sink(event: ev.Event) -> None:
        attempted.append(event)
        raise RuntimeError("consumer bug")

    async with running(fake, broken_sink) as pbx:
        await until(lambda: len(attempted) == 1)
        await fake.push(b"\x00\xff garbage without colon\r\nEvent: Hangup\r\nCause: x\r\n\r\n")
        await fake.push(message(offered()))
        await until(lambda: len(attempted) == 2)
        assert pbx.connected
    expected = [ev.PbxConnected(frozenset(), T), arrived()]
    assert expected == attempted
    assert fake.connections[0] is fake.current  # never reconnected


async def test_a_call_offered_during_the_resync_is_not_taken_for_gone(fake: FakeAmi) -> None:
    """Asterisk's channel list can be older than an event that arrives with it."""
    fake.before_channels_reply = message(offered())
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        assert frozenset({CALL}) == pbx.tracked_call_ids()
    assert [arrived(), ev.PbxConnected(frozenset({CALL}), T)] == sink.events


async def test_calls_adopted_after_a_restart_are_dropped_when_the_pbx_no_longer_has_them(
    fake: FakeAmi,
) -> None:
    fake.live_ids = ["still.here"]
    sink = Recorder()
    pbx = AmiPbx("127.0.0.1", fake.port, "callrouter", "s3cr3t", sink, lambda: T, timings=FAST)
    pbx.track("still.here")
    pbx.track("gone.away")
    await pbx.start()
    try:
        await sink.wait_for(ev.PbxConnected)
    finally:
        await pbx.stop()
    assert frozenset({"still.here"}) == pbx.tracked_call_ids()


async def test_a_refused_login_is_retried_with_backoff_and_the_secret_never_logged(
    fake: FakeAmi,
) -> None:
    sink = Recorder()
    with structlog.testing.capture_logs() as logs:
        async with running(fake, sink, secret="wrong-Secret-42") as pbx:
            await until(lambda: len(fake.connections) >= 4)
            assert not pbx.connected
            assert "wrong-Secret-42" not in repr(pbx)
    assert not sink.events
    assert all("wrong-Secret-42" not in repr(entry) for entry in logs)
    assert "ami_connect_failed" in [entry["event"] for entry in logs]
    opened = [c.opened_at for c in fake.connections[:4]]
    gaps = [later - earlier for earlier, later in itertools.pairwise(opened)]
    assert all(gap >= delay - 0.01 for gap, delay in zip(gaps, [0.05, 0.1, 0.2], strict=True))


async def test_asterisk_shutdown_event_is_a_disconnect(fake: FakeAmi) -> None:
    sink = Recorder()
    async with running(fake, sink):
        await sink.wait_for(ev.PbxConnected)
        await fake.push(message({"Event": "Shutdown", "Shutdown": "Cleanly", "Restart": "True"}))
        await sink.wait_for(ev.PbxConnected, count=2)
    assert ev.PbxDisconnected("Asterisk sent Shutdown", T) == sink.events[1]


async def test_stop_closes_the_connection_without_reporting_a_loss(fake: FakeAmi) -> None:
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
    await until(lambda: fake.current.closed)
    assert not pbx.connected
    assert [ev.PbxConnected(frozenset(), T)] == sink.events


JOURNAL = [
    ("/callrouter_failopen/1795422402.31/end", "1795422404.188137|16"),
    (
        "/callrouter_failopen/1795422402.31/offer",
        "1795422402.685685|1795422402.685830|4589151601|1795422402.28|KzQ1ODc2NTQzMjE="
        "|w4VzZSDDmGJlcmc=|TG9jYWwvNDU4OTE1MTYwMUBjYWxscm91dGVyLWluYm91bmQtMDAwMDAwMGY7Mg==",
    ),
]


async def test_calls_that_failed_open_meanwhile_are_reported_before_the_link_is_up(
    fake: FakeAmi,
) -> None:
    """Journalled calls first: an adopted call they settle is not then taken for lost."""
    fake.journal = JOURNAL
    sink = Recorder()
    async with running(fake, sink):
        await sink.wait_for(ev.PbxConnected)
        sent = [a["Action"] for a in fake.current.actions]
    expected_order = [ev.FailOpenCallEnded, ev.PbxConnected]
    assert expected_order == [type(e) for e in sink.events]
    fell_open = sink.events[0]
    assert isinstance(fell_open, ev.FailOpenCallEnded)
    assert ("1795422402.31", "Åse Øberg") == (fell_open.call_id, fell_open.caller_name)
    assert ["Login", "DBGetTree", "CoreShowChannels"] == sent[:3]


async def test_an_unreadable_journal_does_not_keep_the_controller_off_the_pbx(
    fake: FakeAmi,
) -> None:
    fake.replies["DBGetTree"] = "error:Permission denied"
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        assert pbx.connected
    assert [ev.PbxConnected(frozenset(), T)] == sink.events


async def test_forgetting_a_journalled_call_deletes_exactly_its_tree(fake: FakeAmi) -> None:
    sink = Recorder()
    async with running(fake, sink) as pbx:
        await sink.wait_for(ev.PbxConnected)
        await pbx.execute(ForgetFailOpenRecord("1795422402.31"))
        deleted = await fake.wait_for_action("DBDelTree")
    assert {"Action": "DBDelTree", "Family": "callrouter_failopen/1795422402.31"} == without_id(
        deleted
    )
    assert [] == sink.of(ev.CommandFailed)
