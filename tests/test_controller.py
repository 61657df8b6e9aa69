"""The controller loop with fakes that implement the real ports: order, durability, resilience."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from callrouter.app import Controller
from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult, Outcome
from callrouter.ports import EventSink, OpenCall
from tests.domain.builders import MONDAY_10, switchboard


class FakeCallLog:
    """Keeps steps in memory; can be told to fail like a full disk."""

    def __init__(self, open_calls: list[OpenCall] | None = None, broken: bool = False) -> None:
        self.steps: list[cmd.LogCommand] = []
        self._open = open_calls or []
        self.broken = broken
        self.journal: list[str] = []  # shared order of writes and PBX sends

    async def record_all(self, commands: Sequence[cmd.LogCommand]) -> None:
        if self.broken:
            raise OSError("disk full")
        self.steps.extend(commands)
        self.journal.extend(f"log:{type(c).__name__}" for c in commands)

    async def open_calls(self) -> list[OpenCall]:
        return self._open

    async def close(self) -> None:
        return None


class FakePbx:
    """Like the AMI adapter: reports `PbxConnected` with the PBX's live calls once started."""

    def __init__(self, sink: EventSink, journal: list[str]) -> None:
        self.sink = sink
        self.live_call_ids: frozenset[str] = frozenset()
        self.sent: list[cmd.PbxCommand] = []
        self.tracked: list[str] = []
        self.journal = journal
        self.connected = False

    async def start(self) -> None:
        self.connected = True
        self.sink(ev.PbxConnected(self.live_call_ids, MONDAY_10))

    async def stop(self) -> None:
        self.connected = False

    def track(self, call_id: str) -> None:
        self.tracked.append(call_id)

    async def execute(self, command: cmd.PbxCommand) -> None:
        self.sent.append(command)
        self.journal.append(f"pbx:{type(command).__name__}")


def make(call_log: FakeCallLog) -> tuple[Controller, FakePbx]:
    pbxes: list[FakePbx] = []

    def connect(sink: EventSink) -> FakePbx:
        pbxes.append(FakePbx(sink, call_log.journal))
        return pbxes[0]

    controller = Controller(
        switchboard(), call_log, connect, clock=lambda: MONDAY_10, tick_seconds=0.01
    )
    return controller, pbxes[0]


async def connected(controller: Controller, *live_call_ids: str) -> None:
    await controller.apply(ev.PbxConnected(frozenset(live_call_ids), MONDAY_10))


def arrival(call_id: str = "c1") -> ev.CallArrived:
    return ev.CallArrived(call_id, call_id, "PJSIP/t-1", "4589151515", "1", "Søren Ærø", MONDAY_10)


async def test_each_step_is_written_to_the_log_before_the_pbx_is_told_to_act() -> None:
    call_log = FakeCallLog()
    controller, _ = make(call_log)
    await connected(controller)
    call_log.journal.clear()
    await controller.apply(arrival())
    assert ["log:RecordArrival", "log:RecordAttemptStarted", "pbx:RingTarget"] == call_log.journal


async def test_events_are_applied_in_order_by_the_running_controller_until_stopped() -> None:
    call_log = FakeCallLog()
    controller, pbx = make(call_log)
    stop = asyncio.Event()
    task = asyncio.create_task(controller.run(stop))
    await asyncio.sleep(0.02)
    pbx.sink(arrival("c1"))
    pbx.sink(ev.RingingEnded("c1", AttemptResult.ANSWERED, MONDAY_10 + timedelta(seconds=3)))
    pbx.sink(ev.CallHungUp("c1", 16, "Normal Clearing", MONDAY_10 + timedelta(seconds=9)))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 2)
    ended = [s for s in call_log.steps if isinstance(s, cmd.RecordCallEnded)]
    assert [Outcome.ANSWERED] == [e.outcome for e in ended]
    assert False is pbx.connected


async def test_the_log_shows_when_the_controller_started_and_stopped() -> None:
    """The downtime report needs both ends of every run of the controller."""
    call_log = FakeCallLog()
    controller, _ = make(call_log)
    stop = asyncio.Event()
    stop.set()
    await asyncio.wait_for(controller.run(stop), 2)
    kinds = [s.kind for s in call_log.steps if isinstance(s, cmd.RecordControllerEvent)]
    assert ["controller_started", "pbx_connected", "controller_stopped"] == kinds


async def test_a_broken_database_does_not_stop_callers_being_routed() -> None:
    call_log = FakeCallLog(broken=True)
    controller, pbx = make(call_log)
    await connected(controller)
    await controller.apply(arrival())
    assert [cmd.RingTarget] == [type(c) for c in pbx.sent]


async def test_calls_left_open_by_a_crash_are_adopted_and_tracked_on_start() -> None:
    open_call = OpenCall(
        "c9",
        "c9",
        "PJSIP/t-9",
        "4589151515",
        None,
        "da",
        "1",
        "Åsa",
        MONDAY_10,
        None,
        None,
        1,
        False,
    )
    call_log = FakeCallLog([open_call])
    controller, pbx = make(call_log)
    pbx.live_call_ids = frozenset({"c9"})
    stop = asyncio.Event()
    task = asyncio.create_task(controller.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert ["c9"] == pbx.tracked
    assert ["c9"] == [c.call_id for c in pbx.sent if isinstance(c, cmd.RingTarget)]


async def test_no_telephonist_is_rung_before_the_pbx_link_is_up() -> None:
    """Calls adopted after a crash wait for the PBX link instead of failing ring after ring."""
    call_log = FakeCallLog()
    controller, pbx = make(call_log)
    await controller.apply(arrival())
    assert [cmd.HoldCall] == [type(c) for c in pbx.sent]
    await connected(controller, "c1")
    assert [cmd.HoldCall, cmd.RingTarget] == [type(c) for c in pbx.sent]


def fail_open_call(call_id: str = "f1") -> ev.FailOpenCallEnded:
    return ev.FailOpenCallEnded(
        call_id, call_id, "PJSIP/t-2", "4589151515", "2", "Åse Øberg", MONDAY_10,
        MONDAY_10, None, "", 16, False, MONDAY_10 + timedelta(seconds=20),
    )  # fmt: skip


async def test_the_pbx_keeps_its_fail_open_journal_entry_until_the_log_has_the_call() -> None:
    call_log = FakeCallLog()
    controller, _ = make(call_log)
    await connected(controller)
    call_log.journal.clear()
    await controller.apply(fail_open_call())
    assert "pbx:ForgetFailOpenRecord" == call_log.journal[-1]
    assert all(entry.startswith("log:") for entry in call_log.journal[:-1])


async def test_a_fail_open_call_the_log_could_not_take_stays_in_the_pbx_journal() -> None:
    """A refused write must not delete the only other copy; it is read again on reconnect."""
    call_log = FakeCallLog(broken=True)
    controller, pbx = make(call_log)
    await connected(controller)
    await controller.apply(fail_open_call())
    await controller.apply(arrival())
    assert [cmd.RingTarget] == [type(c) for c in pbx.sent]
