"""Calls the dialplan put through by itself (fail-open) while the controller was away are logged
like any other call, and the PBX's journal entry is dropped only after the log has them."""

from __future__ import annotations

from dataclasses import replace

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    ForgetFailOpenRecord,
    RecordAnswer,
    RecordArrival,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordCallEnded,
    RecordControllerEvent,
)
from callrouter.domain.fail_open import FAIL_OPEN_TARGET, LOST_IN_FAIL_OPEN
from callrouter.domain.model import AttemptResult, Outcome, TargetKind
from tests.domain.builders import Scenario, switchboard, telephonist


def fail_open(s: Scenario, call_id: str, answered_after: float | None, ended: float) -> ev.Event:
    return ev.FailOpenCallEnded(
        call_id=call_id,
        linked_id=f"{call_id}-linked",
        channel=f"Local/4589151515@callrouter-inbound-{call_id};2",
        entry="4589151515",
        caller_number="+4512345678",
        caller_name="Søren Ærø",
        arrived_at=s.at(0),
        fail_open_at=s.at(0.1),
        answered_at=None if answered_after is None else s.at(0.1 + answered_after),
        answered_channel="" if answered_after is None else "Local/tel2@phones-00000009;1",
        cause=16,
        lost=False,
        at=s.at(ended),
    )


def test_an_unseen_call_answered_in_fail_open_is_logged_whole_and_then_forgotten() -> None:
    s = Scenario(switchboard())
    out = s.send(fail_open(s, "f1", answered_after=10, ended=60))
    expected = [
        RecordArrival(
            "f1",
            "f1-linked",
            "Local/4589151515@callrouter-inbound-f1;2",
            "4589151515",
            None,
            "da",
            "+4512345678",
            "Søren Ærø",
            s.at(0),
        ),
        RecordAttemptStarted(
            "f1", 1, TargetKind.DIAL, FAIL_OPEN_TARGET, "the dialplan's fail-open group", s.at(0.1)
        ),
        RecordAttemptEnded("f1", 1, AttemptResult.ANSWERED, 2, s.at(10.1)),
        RecordAnswer("f1", "tel2", 10.1, 3, s.at(10.1)),
        RecordCallEnded("f1", Outcome.ANSWERED, "16", s.at(60)),
        ForgetFailOpenRecord("f1"),
    ]
    assert expected == out


def test_a_fail_open_caller_who_gave_up_is_abandoned() -> None:
    s = Scenario(switchboard())
    s.send(fail_open(s, "f1", answered_after=None, ended=20))
    assert [Outcome.ABANDONED] == [e.outcome for e in s.of_type(RecordCallEnded)]
    assert [AttemptResult.CALLER_HUNG_UP] == [a.result for a in s.of_type(RecordAttemptEnded)]
    assert [] == s.of_type(RecordAnswer)


def test_a_waiting_call_the_controller_knew_is_closed_from_the_fail_open_facts() -> None:
    """It arrived, waited (tel1 busy), the controller died, the dialplan put it through."""
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.ring_ended("c1", 2, "answered")
    s.arrive("f1", 3)
    out = s.send(replace(fail_open(s, "f1", answered_after=30, ended=90), arrived_at=s.at(99)))
    assert [] == [c for c in out if isinstance(c, RecordArrival)]
    assert [("f1", 1)] == [
        (a.call_id, a.attempt_no) for a in out if isinstance(a, RecordAttemptStarted)
    ]
    answer = next(c for c in out if isinstance(c, RecordAnswer))
    assert (27.1, 6) == (answer.wait_seconds, answer.rings_heard)  # from the logged arrival at 3 s
    assert [Outcome.ANSWERED] == [e.outcome for e in out if isinstance(e, RecordCallEnded)]
    assert [] == s.router.floor.queue  # it no longer waits for a telephonist


def test_a_phone_that_is_no_telephonists_dial_string_is_named_by_its_channel() -> None:
    s = Scenario(switchboard())
    event = replace(fail_open(s, "f1", 5, 30), answered_channel="PJSIP/reception-0000002a")
    s.send(event)
    assert ["failopen:PJSIP/reception-0000002a"] == [a.answered_by for a in s.of_type(RecordAnswer)]


def test_a_call_the_pbx_lost_during_fail_open_is_closed_as_lost() -> None:
    s = Scenario(switchboard())
    s.send(replace(fail_open(s, "f1", None, 50), lost=True))
    ended = s.of_type(RecordCallEnded)
    assert [(Outcome.FAILED, LOST_IN_FAIL_OPEN)] == [(e.outcome, e.hangup_cause) for e in ended]


def test_an_unreadable_journal_entry_is_kept_in_the_log_then_dropped_from_the_pbx() -> None:
    s = Scenario(switchboard())
    out = s.send(ev.FailOpenRecordUnreadable("f9", "offer: expected 7 fields", s.at(1)))
    expected = [
        RecordControllerEvent(
            "fail_open_record_unreadable", "f9", "offer: expected 7 fields", s.at(1)
        ),
        ForgetFailOpenRecord("f9"),
    ]
    assert expected == out
