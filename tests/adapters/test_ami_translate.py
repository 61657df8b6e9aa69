"""The translator's rules beyond the captures: timestamps, transfers, dial statuses, adoption
after a restart, and odd input that must never take the connection down."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from callrouter.domain import events as ev
from callrouter.domain.model import AttemptResult
from callrouter.pbx.ami_translate import AmiTranslator

T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CALL = "1795392406.183"
CHANNEL = "PJSIP/trunk-00000001"
LEG = "1795392406.184"


def offered(**extra: str) -> dict[str, str]:
    return {
        "Event": "UserEvent",
        "UserEvent": "CallrouterOffered",
        "Channel": CHANNEL,
        "Uniqueid": CALL,
        "Linkedid": CALL,
        "CallerIDNum": "004512345678",
        "CallerIDName": "Søren Ærø",
        "Entry": "4589151515",
        **extra,
    }


def dial_begin() -> dict[str, str]:
    return {
        "Event": "DialBegin",
        "Uniqueid": CALL,
        "DestChannel": "PJSIP/1001-00000002",
        "DestUniqueid": LEG,
    }


def translator_with_call() -> AmiTranslator:
    translator = AmiTranslator()
    translator.translate(offered(), T)
    return translator


def test_offered_user_event_is_a_new_call_and_is_tracked() -> None:
    translator = AmiTranslator()
    expected = [ev.CallArrived(CALL, CALL, CHANNEL, "4589151515", "004512345678", "Søren Ærø", T)]
    assert expected == translator.translate(offered(), T)
    assert frozenset({CALL}) == translator.tracked_call_ids()


def test_unknown_caller_id_becomes_empty() -> None:
    [arrival] = AmiTranslator().translate(
        offered(CallerIDNum="<unknown>", CallerIDName="<unknown>"), T
    )
    assert isinstance(arrival, ev.CallArrived)
    expected = ("", "")
    assert expected == (arrival.caller_number, arrival.caller_name)


def test_the_same_call_offered_twice_arrives_once() -> None:
    translator = translator_with_call()
    assert not translator.translate(offered(), T)


def test_pbx_timestamp_is_used_when_present() -> None:
    """manager.conf timestampevents=yes: wait times are measured on the PBX's clock."""
    [arrival] = AmiTranslator().translate(offered(Timestamp="1795392405.250000"), T)
    assert datetime(2026, 11, 23, 0, 6, 45, 250000, tzinfo=UTC) == arrival.at


def test_a_garbled_timestamp_falls_back_to_the_receive_time() -> None:
    [arrival] = AmiTranslator().translate(offered(Timestamp="yesterday"), T)
    expected = T
    assert expected == arrival.at


def test_other_user_events_and_untracked_channels_are_ignored() -> None:
    translator = AmiTranslator()
    assert not translator.translate(offered(UserEvent="CallrouterFailOpen"), T)
    assert not translator.translate(dial_begin(), T)
    assert not translator.translate({"Event": "Hangup", "Uniqueid": CALL, "Cause": "16"}, T)
    assert frozenset() == translator.tracked_call_ids()


@pytest.mark.parametrize(
    ("status", "result"),
    [
        ("ANSWER", AttemptResult.ANSWERED),
        ("NOANSWER", AttemptResult.NO_ANSWER),
        ("BUSY", AttemptResult.BUSY),
        ("CHANUNAVAIL", AttemptResult.UNAVAILABLE),
        ("CONGESTION", AttemptResult.UNAVAILABLE),
        ("CANCEL", AttemptResult.CALLER_HUNG_UP),
        ("DONTCALL", AttemptResult.FAILED),
        ("", AttemptResult.FAILED),
    ],
)
def test_dial_status_maps_to_the_attempt_result(status: str, result: AttemptResult) -> None:
    translator = translator_with_call()
    message = {"Event": "DialEnd", "Uniqueid": CALL, "DialStatus": status}
    assert [ev.RingingEnded(CALL, result, T)] == translator.translate(message, T)


def test_hangup_with_a_non_numeric_cause_is_cause_zero() -> None:
    translator = translator_with_call()
    message = {"Event": "Hangup", "Uniqueid": CALL, "Cause": "x16", "Cause-txt": "Odd"}
    assert [ev.CallHungUp(CALL, 0, "Odd", T)] == translator.translate(message, T)
    assert frozenset() == translator.tracked_call_ids()


def test_a_call_adopted_after_a_controller_restart_is_followed() -> None:
    translator = AmiTranslator()
    translator.track(CALL)
    hangup = {"Event": "Hangup", "Uniqueid": CALL, "Cause": "16", "Cause-txt": "Normal Clearing"}
    assert [ev.CallHungUp(CALL, 16, "Normal Clearing", T)] == translator.translate(hangup, T)


def test_resync_keeps_only_live_calls_and_their_legs() -> None:
    translator = translator_with_call()
    translator.translate(dial_begin(), T)
    translator.track("gone.1")
    translator.retain({CALL, LEG, "someone-else.7"})
    assert frozenset({CALL}) == translator.tracked_call_ids()
    leg_hangup = {"Event": "Hangup", "Uniqueid": LEG, "Channel": "PJSIP/1001-00000002"}
    assert [ev.LegHungUp(CALL, "PJSIP/1001-00000002", T)] == translator.translate(leg_hangup, T)


def test_blind_transfer_by_the_telephonist_leg_is_the_calls_transfer() -> None:
    translator = translator_with_call()
    translator.translate(dial_begin(), T)
    transfer = {
        "Event": "BlindTransfer",
        "Result": "Success",
        "TransfererUniqueid": LEG,
        "TransfereeUniqueid": "not-ours.9",
        "Extension": "2000",
        "Context": "departments",
    }
    assert [ev.CallTransferred(CALL, "blind", "2000@departments", T)] == translator.translate(
        transfer, T
    )


def test_a_failed_transfer_is_not_a_transfer() -> None:
    translator = translator_with_call()
    transfer = {"Event": "BlindTransfer", "Result": "Fail", "TransfereeUniqueid": CALL}
    assert not translator.translate(transfer, T)


def attended_transfer(**extra: str) -> dict[str, str]:
    """Asterisk 22 AttendedTransfer: the telephonist (OrigTransferer, bridged with the caller)
    consulted someone on a second channel (SecondTransferer), then joined caller and target."""
    return {
        "Event": "AttendedTransfer",
        "Result": "Success",
        "OrigTransfererChannel": "PJSIP/1001-00000002",
        "OrigTransfererUniqueid": LEG,
        "SecondTransfererChannel": "PJSIP/1001-00000003",
        "SecondTransfererUniqueid": "1795392406.190",
        "SecondTransfererConnectedLineNum": "2000",
        "DestType": "Bridge",
        "TransfereeChannel": CHANNEL,
        "TransfereeUniqueid": CALL,
        "TransferTargetChannel": "PJSIP/2000-00000004",
        "TransferTargetUniqueid": "1795392406.191",
        "IsExternal": "No",
        **extra,
    }


def test_attended_transfer_names_the_target_channel() -> None:
    translator = translator_with_call()
    expected = [ev.CallTransferred(CALL, "attended", "PJSIP/2000-00000004", T)]
    assert expected == translator.translate(attended_transfer(), T)


def test_attended_transfer_without_target_channel_names_the_number_consulted() -> None:
    translator = translator_with_call()
    translator.translate(dial_begin(), T)
    message = attended_transfer(TransfereeUniqueid="", TransferTargetChannel="")
    expected = [ev.CallTransferred(CALL, "attended", "2000", T)]
    assert expected == translator.translate(message, T)


GARBAGE: list[Mapping[str, Any]] = [
    {},
    {"Event": ""},
    {"Event": "UserEvent", "UserEvent": "CallrouterOffered"},  # no Uniqueid
    {"Event": "DialBegin"},
    {"Event": "DialEnd", "Uniqueid": CALL},
    {"Event": "Hangup", "Uniqueid": CALL, "Cause": "9" * 5000},
    {"Event": "Hangup", "Uniqueid": None},
    {"Event": "BlindTransfer", "TransfereeUniqueid": ["a", "b"]},
    {"Event": "AttendedTransfer"},
    {"Event": "UserEvent", "UserEvent": "CallrouterOffered", "Uniqueid": ["x"]},
    {"Event": "Hangup", "Uniqueid": CALL, "Timestamp": "nan"},
]


@pytest.mark.parametrize("message", GARBAGE)
def test_odd_messages_never_raise(message: Mapping[str, Any]) -> None:
    translator = translator_with_call()
    with structlog.testing.capture_logs():
        translator.translate(message, T)


def test_a_message_that_breaks_translation_is_logged_and_gives_nothing() -> None:
    translator = AmiTranslator()
    unhashable_id: Any = ["1795392406.183"]
    message = {"Event": "UserEvent", "UserEvent": "CallrouterOffered", "Uniqueid": unhashable_id}
    with structlog.testing.capture_logs() as logs:
        events = translator.translate(message, T)
    assert not events
    expected_logs = ["ami_event_not_understood"]
    assert expected_logs == [entry["event"] for entry in logs]
