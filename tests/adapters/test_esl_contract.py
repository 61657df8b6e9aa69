"""Contract: the real FreeSWITCH 1.10.12 captures, replayed through the parser and the translator,
give the same domain events the Asterisk captures give (tests/adapters/test_ami_contract.py).

Nothing is injected: the captures' dialplan parks the inbound call in `callrouter-sim` after
`ring_ready`, which is what the production dialplan does in `callrouter-inbound`. The only thing
replayed from the `.sent` side is which originates were ours (their origination_uuid and the
Job-UUID FreeSWITCH acknowledged), as the adapter registers them before sending.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from callrouter.pbx.esl_translate import Bridge, EslTranslator, KillLeg, Translation
from callrouter.pbx.esl_wire import decode_events, parse_event

from .fs_captures import capture_bytes, sent_commands

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # never used: every captured event carries its own time
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SIM = "callrouter-sim"


def fs_time(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def replay(name: str, translator: EslTranslator | None = None) -> Translation:
    """Every event and reaction of a capture, in order."""
    translator = translator or EslTranslator(SIM)
    frames = decode_events([capture_bytes(name)])
    replies = [f for f in frames if f.content_type in ("command/reply", "api/response")]
    ours = {}
    for command, reply in zip(sent_commands(name), replies, strict=False):
        leg = re.search(r"origination_uuid=([0-9a-f-]+)", command)
        if leg:
            ours[reply.headers["Job-UUID"]] = leg.group(1)
    out, call_id = Translation(), ""
    for frame in frames:
        job = frame.headers.get("Job-UUID", "")
        if frame.content_type == "command/reply" and job in ours:
            translator.ringing(call_id, ours[job], job)
        event = parse_event(frame)
        if event is None:
            continue
        result = translator.translate(event, NOW)
        call_id = next((e.call_id for e in result.events if isinstance(e, ev.CallArrived)), call_id)
        out.events.extend(result.events)
        out.reactions.extend(result.reactions)
    return out


def arrived(call_id: str, name: str, at: int) -> ev.CallArrived:
    return ev.CallArrived(
        call_id=call_id,
        linked_id=call_id,
        channel="loopback/4589151515-b",
        entry="4589151515",
        caller_number="004512345678",
        caller_name=name,
        at=fs_time(at),
    )


def test_answered_call_arrives_rings_one_telephonist_is_answered_and_hangs_up() -> None:
    call, tel = "35bffdca-25ba-4746-90c4-d2b101cc4e1c", "9967b0c1-0b6b-4dc1-b6e6-e1a42860cb78"
    expected = [
        arrived(call, "Søren Ærø", 1795395244253070),
        ev.RingingStarted(call, "loopback/tel1-a", fs_time(1795395244273061)),
        # answered when tel1-a answered, reported once the bridge really happened
        ev.RingingEnded(call, AttemptResult.ANSWERED, fs_time(1795395247273056)),
        ev.LegHungUp(call, "loopback/tel1-a", fs_time(1795395252273095)),
        ev.CallHungUp(call, 16, "NORMAL_CLEARING", fs_time(1795395252293098)),
    ]
    result = replay("answered")
    assert expected == result.events
    assert [Bridge(call, tel)] == result.reactions


def test_the_json_capture_gives_the_same_events_as_plain() -> None:
    answered, json = replay("answered").events, replay("json").events
    assert [type(e) for e in answered] == [type(e) for e in json]
    assert "Søren Ærø" == json[0].caller_name  # type: ignore[union-attr]


def test_abandoned_call_is_reported_hung_up_while_nobody_was_rung() -> None:
    call = "d43cde66-54d4-42f1-8e11-0470548271ff"
    expected = [
        arrived(call, "Åse Lykkegård", 1795395269353088),
        ev.CallHungUp(call, 16, "ORIGINATOR_CANCEL", fs_time(1795395273393095)),
    ]
    assert expected == replay("abandoned").events


def test_ring_no_answer_then_a_second_telephonist_answers() -> None:
    call = "06b586af-b800-4285-ae4a-4619beeb675b"
    expected = [
        arrived(call, "Bjørn Kærgaard", 1795395289373085),
        ev.RingingStarted(call, "loopback/tel3-a", fs_time(1795395289393088)),
        ev.LegHungUp(call, "loopback/tel3-a", fs_time(1795395295013095)),
        ev.RingingEnded(call, AttemptResult.NO_ANSWER, fs_time(1795395295013095)),
        ev.RingingStarted(call, "loopback/tel1-a", fs_time(1795395295013095)),
        ev.RingingEnded(call, AttemptResult.ANSWERED, fs_time(1795395298033100)),
        ev.LegHungUp(call, "loopback/tel1-a", fs_time(1795395303053087)),
        ev.CallHungUp(call, 16, "NORMAL_CLEARING", fs_time(1795395303073078)),
    ]
    assert expected == replay("ring-no-answer").events


def test_blind_transfer_keeps_the_call_id_and_frees_the_telephonist() -> None:
    call = "c2dd84e7-584a-4f87-b1eb-1fc38110af8a"
    expected = [
        arrived(call, "Mette Østergård", 1795395329353090),
        ev.RingingStarted(call, "loopback/tel1-a", fs_time(1795395329373066)),
        ev.RingingEnded(call, AttemptResult.ANSWERED, fs_time(1795395332373062)),
        ev.LegHungUp(call, "loopback/tel1-a", fs_time(1795395333433086)),
        ev.CallTransferred(call, "blind", f"tel2@{SIM}", fs_time(1795395333433086)),
        ev.CallHungUp(call, 16, "NORMAL_CLEARING", fs_time(1795395339453084)),
    ]
    assert expected == replay("transfer-out").events


def test_a_bridge_that_fails_is_not_an_answer() -> None:
    """uuid_bridge said +OK but no CHANNEL_BRIDGE came: the caller was never connected."""
    events = replay("bridge-unanswered").events
    assert not any(isinstance(e, ev.RingingEnded) for e in events)
    last = events[-1]
    assert isinstance(last, ev.CallHungUp)
    assert (27, "DESTINATION_OUT_OF_ORDER") == (last.cause, last.cause_text)


def test_a_call_that_hangs_up_while_its_leg_rings_gets_the_leg_killed() -> None:
    """Asterisk's Dial cancels the ring itself; with originate it is ours to hang up."""
    translator = EslTranslator(SIM)
    frames = decode_events([capture_bytes("ring-no-answer")])
    events = [e for e in map(parse_event, frames) if e is not None]
    for event in events[:6]:  # up to the inbound leg's park
        translator.translate(event, NOW)
    call = "06b586af-b800-4285-ae4a-4619beeb675b"
    assert frozenset({call}) == translator.tracked_call_ids()
    translator.ringing(call, "7cc9f77d-6077-4a7b-80a0-ad6153d0d71e", "job-1")
    created = next(e for e in events if e.get("Channel-Name") == "loopback/tel3-a")
    translator.translate(created, NOW)
    hung_up = dict(events[5].headers) | {"Event-Name": "CHANNEL_HANGUP_COMPLETE"}
    result = translator.translate(type(events[5])(hung_up), NOW)

    assert [KillLeg("7cc9f77d-6077-4a7b-80a0-ad6153d0d71e")] == result.reactions


def test_every_call_is_forgotten_once_it_hung_up() -> None:
    """No state is left behind per call: the translator does not grow with traffic."""
    translator = EslTranslator(SIM)
    for name in ("answered", "abandoned", "ring-no-answer", "transfer-out", "bridge-unanswered"):
        replay(name, translator)
    assert frozenset() == translator.tracked_call_ids()
    assert {} == translator._legs  # the legs too


def test_the_telephonists_loopback_partner_in_the_same_context_is_not_a_call() -> None:
    """tel1-b is an inbound channel in callrouter-sim that runs ring_ready: not an offer."""
    arrivals = [e for e in replay("ring-no-answer").events if isinstance(e, ev.CallArrived)]
    assert 1 == len(arrivals)
