"""Controller.subscribe: the web server follows every applied event, and a broken subscriber
never holds up routing or the call log."""

from __future__ import annotations

from collections.abc import Sequence

from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from tests.test_controller import FakeCallLog, arrival, connected, make


async def test_subscribers_see_each_event_with_its_commands_after_they_are_done() -> None:
    call_log = FakeCallLog()
    controller, _ = make(call_log)
    seen: list[tuple[str, list[str], list[str]]] = []

    def subscriber(event: ev.Event, commands: Sequence[cmd.Command]) -> None:
        seen.append((type(event).__name__, [type(c).__name__ for c in commands],
                     list(call_log.journal)))  # fmt: skip

    controller.subscribe(subscriber)
    await connected(controller)
    call_log.journal.clear()
    await controller.apply(arrival())
    name, commands, journal_then = seen[-1]
    assert ("CallArrived", ["RecordArrival", "RecordAttemptStarted", "RingTarget"]) == (
        name, commands)  # fmt: skip
    assert ["log:RecordArrival", "log:RecordAttemptStarted", "pbx:RingTarget"] == journal_then


async def test_a_failing_subscriber_does_not_stop_routing_or_the_next_subscriber() -> None:
    call_log = FakeCallLog()
    controller, pbx = make(call_log)
    later: list[str] = []

    def broken(event: ev.Event, commands: Sequence[cmd.Command]) -> None:
        raise RuntimeError("wallboard bug")

    controller.subscribe(broken)
    controller.subscribe(lambda event, commands: later.append(type(event).__name__))
    await connected(controller)
    await controller.apply(arrival())
    assert [cmd.RingTarget] == [type(c) for c in pbx.sent]
    assert ["PbxConnected", "CallArrived"] == later
    assert 2 == controller.applied
