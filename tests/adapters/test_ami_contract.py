"""Contract: the real Asterisk 22 captures, replayed through the parser and the translator, give
exactly the domain events the router relies on (see captures.with_offered_user_event for the one
message injected into each stream)."""

from __future__ import annotations

from datetime import UTC, datetime

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from callrouter.pbx.ami_translate import AmiTranslator

from .captures import capture_messages, with_offered_user_event

T = datetime(2026, 11, 23, 0, 6, 45, tzinfo=UTC)  # the captures carry no Timestamp header


def replay(name: str, translator: AmiTranslator | None = None) -> list[ev.Event]:
    translator = translator or AmiTranslator()
    events: list[ev.Event] = []
    for message in with_offered_user_event(capture_messages(name)):
        events.extend(translator.translate(message, T))
    return events


def arrived(call_id: str, linked_id: str, channel: str, name: str) -> ev.CallArrived:
    return ev.CallArrived(
        call_id=call_id,
        linked_id=linked_id,
        channel=f"Local/4589151515@floor-inbound-{channel};2",
        entry="4589151515",
        caller_number="004512345678",
        caller_name=name,
        at=T,
    )


def test_answered_call_arrives_rings_one_telephonist_is_answered_and_hangs_up() -> None:
    call = "1795392406.183"
    expected = [
        arrived(call, "1795392405.180", "0000005b", "Søren Ærø"),
        ev.RingingStarted(call, "Local/tel1@telephonists-0000005c;1", T),
        ev.RingingEnded(call, AttemptResult.ANSWERED, T),
        ev.CallHungUp(call, 16, "Normal Clearing", T),
    ]
    assert expected == replay("answered")


def test_abandoned_call_is_reported_hung_up_while_nobody_was_rung() -> None:
    call = "1795392413.189"
    expected = [
        arrived(call, "1795392413.186", "0000005e", "Åsa Öberg"),
        ev.CallHungUp(call, 16, "Normal Clearing", T),
    ]
    assert expected == replay("abandoned")


def test_ring_no_answer_then_a_second_telephonist_answers() -> None:
    call = "1795392417.193"
    expected = [
        arrived(call, "1795392417.190", "00000060", "Caller RONA"),
        ev.RingingStarted(call, "Local/tel3@telephonists-00000061;1", T),
        ev.RingingEnded(call, AttemptResult.NO_ANSWER, T),
        ev.LegHungUp(call, "Local/tel3@telephonists-00000061;1", T),
        ev.RingingStarted(call, "Local/tel1@telephonists-00000062;1", T),
        ev.RingingEnded(call, AttemptResult.ANSWERED, T),
        ev.CallHungUp(call, 16, "Normal Clearing", T),
    ]
    assert expected == replay("ring-no-answer")


def test_blind_transfer_keeps_the_call_id_and_follows_the_department_ringing() -> None:
    call = "1795392431.201"
    expected = [
        arrived(call, "1795392430.198", "00000064", "Caller Transfer"),
        ev.RingingStarted(call, "Local/tel1@telephonists-00000065;1", T),
        ev.RingingEnded(call, AttemptResult.ANSWERED, T),
        ev.CallTransferred(call, "blind", "dept-jobcenter@departments", T),
        ev.LegHungUp(call, "Local/tel1@telephonists-00000065;1", T),
        ev.RingingStarted(call, "Local/dept-jobcenter@deptphones-00000066;1", T),
        ev.RingingEnded(call, AttemptResult.ANSWERED, T),
        ev.LegHungUp(call, "Local/dept-jobcenter@deptphones-00000066;1", T),
        ev.CallHungUp(call, 16, "Normal Clearing", T),
    ]
    assert expected == replay("blind-transfer")


def test_pbx_restart_leaves_the_ringing_call_open_until_the_resync_drops_it() -> None:
    call = "1795392442.209"
    translator = AmiTranslator()
    expected = [
        arrived(call, "1795392442.206", "00000068", "Caller Restart"),
        ev.RingingStarted(call, "Local/tel1@telephonists-00000069;1", T),
    ]
    assert expected == replay("pbx-restart", translator)
    assert frozenset({call}) == translator.tracked_call_ids()

    translator.retain(frozenset())  # after the restart Asterisk has no channels
    assert frozenset() == translator.tracked_call_ids()


def test_every_call_is_forgotten_once_it_hung_up() -> None:
    """No state is left behind per call: the translator does not grow with traffic."""
    translator = AmiTranslator()
    for name in ("answered", "abandoned", "ring-no-answer", "blind-transfer"):
        replay(name, translator)
    assert frozenset() == translator.tracked_call_ids()
