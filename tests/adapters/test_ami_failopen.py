"""Calls the dialplan put through by itself while the controller was away reach the call log:
the real fail-open journal (DBGetTree) and hang-up UserEvents, parsed into the same facts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callrouter.domain import events as ev
from callrouter.pbx import ami_failopen
from callrouter.pbx.ami_translate import AmiTranslator
from callrouter.pbx.ami_wire import decode_stream

from .captures import capture_bytes, capture_messages

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STILL_RINGING = "1795422407.45"


def at(stamp: str) -> datetime:
    return datetime.fromtimestamp(float(stamp), UTC)


ANSWERED = ev.FailOpenCallEnded(
    call_id="1795422399.17",
    linked_id="1795422398.14",
    channel="Local/4589151515@callrouter-inbound-00000008;2",
    entry="4589151515",
    caller_number="+4512345678",
    caller_name="Søren Ærø",
    arrived_at=at("1795422399.182506"),
    fail_open_at=at("1795422399.182659"),
    answered_at=at("1795422400.185961"),
    answered_channel="Local/tel1@phones-00000009;1",
    cause=16,
    lost=False,
    at=at("1795422401.688033"),
)
ABANDONED = ev.FailOpenCallEnded(
    call_id="1795422402.31",
    linked_id="1795422402.28",
    channel="Local/4589151601@callrouter-inbound-0000000f;2",
    entry="4589151601",
    caller_number="+4587654321",
    caller_name="Åse Øberg",
    arrived_at=at("1795422402.685685"),
    fail_open_at=at("1795422402.685830"),
    answered_at=None,
    answered_channel="",
    cause=16,
    lost=False,
    at=at("1795422404.188137"),
)


def journal(live: frozenset[str] = frozenset({STILL_RINGING})) -> list[ev.Event]:
    entries = ami_failopen.journal_entries(capture_messages("failopen-journal"))
    return ami_failopen.from_journal(entries, live, NOW)


def test_the_journal_gives_every_ended_fail_open_call_with_exact_utf8_names() -> None:
    assert [ANSWERED, ABANDONED] == journal()


def test_a_journalled_call_still_ringing_is_left_to_its_hang_up_handler() -> None:
    assert STILL_RINGING not in {e.call_id for e in journal()}


def test_a_journalled_call_the_pbx_no_longer_has_and_never_ended_is_reported_lost() -> None:
    lost = journal(live=frozenset())[-1]
    assert isinstance(lost, ev.FailOpenCallEnded)
    expected = (STILL_RINGING, "Still Ringing", True, None, NOW)
    assert expected == (lost.call_id, lost.caller_name, lost.lost, lost.answered_at, lost.at)


def test_the_journal_reads_the_same_however_the_bytes_are_split() -> None:
    data = capture_bytes("failopen-journal")
    whole = decode_stream([data])
    for cut in range(1, len(data)):
        assert whole == decode_stream([data[:cut], data[cut:]]), cut


def test_hang_up_user_events_give_the_same_facts_as_the_journal() -> None:
    translator = AmiTranslator()
    found = [
        event
        for message in capture_messages("failopen-live")
        for event in translator.translate(message, NOW)
    ]
    assert [ANSWERED, ABANDONED] == found


@pytest.mark.parametrize(
    ("offer", "answer", "end", "why"),
    [
        ("1|2|4589151515|1.0|MTI=|QQ==", "", "3|16", "offer: expected 7 fields, got 6"),
        (
            "1|2|4589151515|1.0|MTI=|not base64!|QQ==",
            "",
            "3|16",
            "not base64 of UTF-8 text: 'not base64!'",
        ),
        ("1|2|4589151515|1.0|MTI=|/w==|QQ==", "", "3|16", "not base64 of UTF-8 text: '/w=='"),
        ("x|2|4589151515|1.0|MTI=|QQ==|QQ==", "", "3|16", "not an epoch time: 'x'"),
        ("1|2|4589151515|1.0|MTI=|QQ==|QQ==", "", "3|sixteen", "not a hang-up cause: 'sixteen'"),
        ("1|2|4589151515|1.0|MTI=|QQ==|QQ==", "nan|QQ==", "3|16", "not an epoch time: 'nan'"),
    ],
)
def test_an_unreadable_journal_entry_is_reported_with_its_raw_text_and_never_raises(
    offer: str, answer: str, end: str, why: str
) -> None:
    message = {"Event": "UserEvent", "UserEvent": "CallrouterFailOpenEnded", "Uniqueid": "9.9"}
    message |= {"Offer": offer, "Answer": answer, "End": end}
    [event] = AmiTranslator().translate(message, NOW)
    assert isinstance(event, ev.FailOpenRecordUnreadable)
    assert ("9.9", NOW) == (event.call_id, event.at)
    assert why in event.detail
    assert repr(offer) in event.detail


def test_keys_outside_the_journal_family_or_of_another_shape_are_ignored() -> None:
    offer = "1|2|4589151515|1.0|MTI=|QQ==|QQ=="
    entries = [
        ("/other_family/1.1/offer", offer),
        ("/callrouter_failopen/1.2/offer/extra", offer),
        ("/callrouter_failopen/1.3/unknown", offer),
        ("callrouter_failopen/1.4/offer", offer),
    ]
    assert [] == ami_failopen.from_journal(entries, frozenset(), NOW)
