"""Routing behaviour a caller and a telephonist can observe, driven through the pure Router."""

from __future__ import annotations

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    HoldCall,
    PlayAnnouncementAndHangUp,
    RecordAnswer,
    RecordArrival,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordCallEnded,
    RecordControllerEvent,
    RecordOverflow,
    RecordTransfer,
    RingTarget,
)
from callrouter.domain.model import AttemptResult, Outcome, OverflowReason, TargetKind
from tests.domain.builders import Scenario, always_open, department, hours, switchboard, telephonist


def rung(commands: list) -> list[str]:
    return [c.target for c in commands if isinstance(c, RingTarget)]


def test_a_free_telephonist_is_rung_at_once_without_a_hold_redirect_first() -> None:
    s = Scenario(switchboard())
    out = s.arrive("c1")
    assert [RecordArrival, RecordAttemptStarted, RingTarget] == [type(c) for c in out]
    assert ["tel1"] == rung(out)
    ring = out[-1]
    assert isinstance(ring, RingTarget)
    assert (TargetKind.TELEPHONIST, "Local/tel1@phones/n", 20) == (
        ring.target_kind,
        ring.dial,
        ring.ring_seconds,
    )


def test_answered_call_logs_who_answered_the_wait_and_the_rings_heard() -> None:
    s = Scenario(switchboard())
    s.arrive("c1")
    s.ringing("c1", 0.01)
    s.ring_ended("c1", 11.0, "answered")
    s.hangup("c1", 60)
    answer = s.of_type(RecordAnswer)[0]
    assert ("tel1", 11.0, 3) == (answer.answered_by, answer.wait_seconds, answer.rings_heard)
    ended = s.of_type(RecordCallEnded)[0]
    assert (Outcome.ANSWERED, "16 Normal Clearing") == (ended.outcome, ended.hangup_cause)
    assert [AttemptResult.ANSWERED] == [a.result for a in s.of_type(RecordAttemptEnded)]


def test_rings_heard_is_the_wait_divided_by_the_cadence_rounded_up() -> None:
    policy = switchboard().policy
    assert [0, 1, 1, 3, 4] == [policy.rings_for(w) for w in (0, 0.2, 5.0, 15.0, 15.1)]


def test_the_longest_idle_telephonist_is_rung_first() -> None:
    s = Scenario(switchboard((telephonist("tel1"), telephonist("tel2"), telephonist("tel3"))))
    s.arrive("c1")
    s.ring_ended("c1", 5, "answered")
    s.hangup("c1", 10)  # tel1 is now the most recently busy
    assert ["tel2"] == rung(s.arrive("c2", 20))


def test_a_caller_on_the_english_line_gets_an_english_speaker_when_one_is_free() -> None:
    s = Scenario(switchboard((telephonist("tel1", ("da",)), telephonist("tel2", ("da", "en")))))
    assert ["tel2"] == rung(s.arrive("c1", entry="4589151516"))


def test_language_is_a_preference_not_a_wall() -> None:
    s = Scenario(switchboard((telephonist("tel1", ("da",)),)))
    assert ["tel1"] == rung(s.arrive("c1", entry="4589151516"))


def test_ring_no_answer_moves_on_to_the_next_free_telephonist_not_the_one_who_missed() -> None:
    s = Scenario(switchboard((telephonist("tel1"), telephonist("tel2"), telephonist("tel3"))))
    s.arrive("c1")
    out = s.ring_ended("c1", 20, "no_answer")
    assert ["tel2"] == rung(out)
    assert [4] == [a.rings for a in s.of_type(RecordAttemptEnded)]


def test_a_missed_attempt_counts_the_rings_from_when_the_phone_began_to_ring() -> None:
    """Redirect and channel set-up take time; the PBX timer overshoots by a few ms. Neither is a
    ring: 4 rings at 5 s are 4 rings, not 5."""
    s = Scenario(switchboard((telephonist("tel1"), telephonist("tel2"))))
    s.arrive("c1")
    s.ringing("c1", 0.3)
    s.ring_ended("c1", 20.32, "no_answer")
    s.ringing("c1", 20.5)
    s.ring_ended("c1", 26.5, "answered")
    assert [4, 2] == [a.rings for a in s.of_type(RecordAttemptEnded)]


def test_the_one_who_missed_is_rung_again_only_when_nobody_else_is_free() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    assert ["tel1"] == rung(s.ring_ended("c1", 20, "no_answer"))


def test_a_telephonist_who_misses_k_calls_in_a_row_is_paused_and_it_is_logged() -> None:
    s = Scenario(switchboard((telephonist("tel1"), telephonist("tel2")), pause_after=2))
    s.arrive("c1")  # tel1
    s.ring_ended("c1", 20, "answered")  # tel2 busy? no: c1 rang tel1 and tel1 answered
    s.arrive("c2", 21)  # tel2
    s.ring_ended("c2", 41, "no_answer")  # tel2 miss 1; tel1 busy so tel2 again
    s.ring_ended("c2", 61, "no_answer")  # tel2 miss 2 -> paused
    paused = [c for c in s.of_type(RecordControllerEvent) if c.kind == "telephonist_paused"]
    assert [("tel2", "paused after 2 missed calls in a row")] == [
        (p.subject, p.detail) for p in paused
    ]
    s.hangup("c1", 62)  # tel1 free again: c2 goes to tel1, never to paused tel2
    assert "tel1" == rung(s.log)[-1]


def test_callers_wait_in_arrival_order_while_nobody_is_free() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    assert [HoldCall] == [type(c) for c in s.arrive("c2", 1) if not isinstance(c, RecordArrival)]
    s.arrive("c3", 2)
    s.ring_ended("c1", 5, "answered")
    out = s.hangup("c1", 30)
    assert ["c2"] == [c.call_id for c in out if isinstance(c, RingTarget)]


def test_a_missed_ring_keeps_the_callers_place_in_the_queue() -> None:
    s = Scenario(switchboard((telephonist("tel1"), telephonist("tel2"))))
    s.arrive("c1")  # tel1
    s.arrive("c2", 1)  # tel2
    s.arrive("c3", 2)  # waits
    s.ring_ended("c2", 21, "no_answer")  # c2 back in queue ahead of c3; tel2 free but missed c2
    ringing_now = [c for c in s.log if isinstance(c, RingTarget)][-1]
    assert ("c2", "tel2") == (ringing_now.call_id, ringing_now.target)


def test_a_call_overflows_to_the_function_number_when_the_wait_exceeds_the_limit() -> None:
    s = Scenario(switchboard((telephonist("tel1"),), max_wait=30))
    s.arrive("c1")
    s.ring_ended("c1", 1, "answered")
    s.arrive("c2", 2)
    assert [] == rung(s.tick(31.9))
    out = s.tick(32)
    assert ["borgerservice"] == rung(out)
    overflow = s.of_type(RecordOverflow)[0]
    assert (TargetKind.DEPARTMENT, "borgerservice", OverflowReason.WAIT_LIMIT) == (
        overflow.target_kind,
        overflow.target,
        overflow.reason,
    )
    s.ring_ended("c2", 40, "answered")
    s.hangup("c2", 50)
    assert Outcome.OVERFLOWED == s.of_type(RecordCallEnded)[-1].outcome


def test_a_call_overflows_at_once_when_no_telephonist_is_logged_in() -> None:
    s = Scenario(switchboard((telephonist("tel1", logged_in=False),)))
    out = s.arrive("c1")
    assert ["borgerservice"] == rung(out)
    assert OverflowReason.NO_TELEPHONIST == s.of_type(RecordOverflow)[0].reason


def test_overflow_to_a_closed_department_keeps_the_caller_waiting_and_says_so_once() -> None:
    closed_dept = department("jobcenter", hours(20, 21))
    s = Scenario(
        switchboard(
            (telephonist("tel1"),), departments=(closed_dept,), overflow_to="jobcenter", max_wait=10
        )
    )
    s.arrive("c1")
    s.ring_ended("c1", 1, "answered")
    s.arrive("c2", 2)
    s.tick(20)
    s.tick(21)
    blocked = [c for c in s.of_type(RecordControllerEvent) if c.kind == "overflow_blocked"]
    assert 1 == len(blocked)
    assert [] == s.of_type(RecordOverflow)


def test_after_switchboard_hours_the_caller_hears_the_announcement_and_the_call_is_closed() -> None:
    s = Scenario(switchboard(sb_hours=hours(8, 9)))  # MONDAY_10 is 10:00 local
    out = s.arrive("c1")
    assert [PlayAnnouncementAndHangUp("c1", "PJSIP/trunk-c1", "custom/closed")] == out[1:]
    s.hangup("c1", 8)
    assert Outcome.CLOSED == s.of_type(RecordCallEnded)[0].outcome


def test_a_department_number_rings_the_function_number_while_the_department_is_open() -> None:
    s = Scenario(switchboard(departments=(department("jobcenter", hours(9, 15)),)))
    out = s.arrive("c1", entry="dept-jobcenter")
    assert ["jobcenter"] == rung(out)
    s.ring_ended("c1", 4, "answered")
    s.hangup("c1", 30)
    assert "department:jobcenter" == s.of_type(RecordAnswer)[0].answered_by
    assert Outcome.ANSWERED == s.of_type(RecordCallEnded)[0].outcome


def test_a_closed_department_number_goes_to_the_switchboard_when_it_is_open() -> None:
    s = Scenario(switchboard(departments=(department("jobcenter", hours(13, 15)),)))
    assert ["tel1"] == rung(s.arrive("c1", entry="dept-jobcenter"))


def test_a_closed_department_number_after_switchboard_hours_plays_the_departments_hours() -> None:
    dept = department("jobcenter", hours(13, 15), announcement="custom/jobcenter-hours")
    s = Scenario(switchboard(sb_hours=hours(8, 9), departments=(dept,)))
    out = s.arrive("c1", entry="dept-jobcenter")
    assert [PlayAnnouncementAndHangUp("c1", "PJSIP/trunk-c1", "custom/jobcenter-hours")] == out[1:]


def test_a_holiday_closes_the_department() -> None:
    from datetime import date

    dept = department("jobcenter", hours(9, 15, holidays=frozenset({date(2026, 11, 23)})))
    s = Scenario(switchboard(departments=(dept,)))
    assert ["tel1"] == rung(s.arrive("c1", entry="dept-jobcenter"))


def test_a_temporary_closure_is_honoured_at_once() -> None:
    from callrouter.domain.hours import Closure

    s = Scenario(switchboard(departments=(department("jobcenter", always_open()),)))
    s.router.add_closure("jobcenter", Closure(s.at(-60), s.at(3600), "all at a meeting"))
    assert ["tel1"] == rung(s.arrive("c1", entry="dept-jobcenter"))


def test_caller_hanging_up_while_waiting_is_abandoned() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.ring_ended("c1", 1, "answered")
    s.arrive("c2", 2)
    s.hangup("c2", 9, cause=0)
    assert Outcome.ABANDONED == s.of_type(RecordCallEnded)[0].outcome


def test_caller_hanging_up_while_ringing_frees_the_telephonist_for_the_next_caller() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.arrive("c2", 1)
    out = s.ring_ended("c1", 3, "caller_hung_up")
    assert ["c2"] == [c.call_id for c in out if isinstance(c, RingTarget)]
    s.hangup("c1", 3)
    assert Outcome.ABANDONED == s.of_type(RecordCallEnded)[0].outcome
    assert [AttemptResult.CALLER_HUNG_UP] == [a.result for a in s.of_type(RecordAttemptEnded)]


def test_a_blind_transfer_is_logged_followed_and_frees_the_telephonist() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.ringing("c1", 0.01, leg="tel1")
    s.ring_ended("c1", 3, "answered")
    s.arrive("c2", 4)  # waits: tel1 is talking
    s.send(ev.CallTransferred("c1", "blind", "dept-jobcenter@departments", s.at(5)))
    out = s.send(ev.LegHungUp("c1", "Local/tel1-c1", s.at(5.01)))
    assert ["c2"] == [c.call_id for c in out if isinstance(c, RingTarget)]
    s.ringing("c1", 5.02, leg="jobcenter")
    s.ring_ended("c1", 7, "answered")
    s.hangup("c1", 20)
    assert [("blind", "dept-jobcenter@departments")] == [
        (t.kind, t.target) for t in s.of_type(RecordTransfer)
    ]
    follow = [a for a in s.of_type(RecordAttemptStarted) if a.call_id == "c1"][-1]
    assert (TargetKind.DIAL, "transfer") == (follow.target_kind, follow.target)
    ended = next(e for e in s.of_type(RecordCallEnded) if e.call_id == "c1")
    assert Outcome.ANSWERED == ended.outcome


def test_calls_the_pbx_lost_while_disconnected_are_closed_with_an_explicit_outcome() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.ring_ended("c1", 3, "answered")
    s.arrive("c2", 4)
    s.send(ev.PbxDisconnected("connection lost", s.at(5)))
    s.send(ev.PbxConnected(frozenset(), s.at(20)))
    ended = {e.call_id: e.outcome for e in s.of_type(RecordCallEnded)}
    assert {"c1": Outcome.ANSWERED, "c2": Outcome.FAILED} == ended
    assert ["tel1"] == rung(s.arrive("c3", 21))


def test_a_refused_ring_puts_the_caller_back_and_tries_another_telephonist() -> None:
    s = Scenario(switchboard())
    s.arrive("c1")
    out = s.send(ev.CommandFailed("c1", "RingTarget", "Channel not found", s.at(0.1)))
    assert ["tel2"] == rung(out)
    assert [AttemptResult.FAILED] == [a.result for a in s.of_type(RecordAttemptEnded)]


def test_when_the_last_telephonist_logs_out_waiting_callers_overflow() -> None:
    s = Scenario(switchboard((telephonist("tel1"),)))
    s.arrive("c1")
    s.ring_ended("c1", 2, "answered")
    s.arrive("c2", 3)
    out = s.send(ev.TelephonistPresenceChanged("tel1", "logged_out", "end of shift", s.at(4)))
    assert ["borgerservice"] == rung(out)


def test_the_same_arrival_seen_twice_is_logged_once() -> None:
    s = Scenario(switchboard())
    s.arrive("c1")
    assert [] == s.arrive("c1")


def test_nobody_is_rung_while_the_pbx_link_is_down_and_waiting_callers_keep_their_order() -> None:
    """A lost link must not spin: failed rings are not retried on phone after phone."""
    s = Scenario(switchboard())
    s.send(ev.PbxDisconnected("connection lost", s.at(0)))
    s.arrive("c1", 1)
    s.arrive("c2", 2)
    assert [] == rung(s.send(ev.ClockTicked(s.at(3))))
    out = s.send(ev.PbxConnected(frozenset({"c1", "c2"}), s.at(4)))
    assert [("c1", "tel1"), ("c2", "tel2")] == [
        (c.call_id, c.target) for c in out if isinstance(c, RingTarget)
    ]


def test_a_ring_refused_because_the_link_dropped_is_not_retried_until_it_is_back() -> None:
    s = Scenario(switchboard())
    s.arrive("c1")
    s.send(ev.PbxDisconnected("connection lost", s.at(0.1)))
    out = s.send(ev.CommandFailed("c1", "RingTarget", "not connected to the PBX", s.at(0.1)))
    assert [] == rung(out)
    assert ["tel2"] == rung(s.send(ev.PbxConnected(frozenset({"c1"}), s.at(5))))


def test_an_unconfigured_entry_number_still_reaches_the_switchboard_and_is_flagged() -> None:
    """A number missing from the config must not strand the caller; engineers see it logged."""
    s = Scenario(switchboard())
    assert ["tel1"] == rung(s.arrive("c1", entry="4589159999"))
    flagged = [(c.kind, c.subject) for c in s.of_type(RecordControllerEvent)]
    assert [("unknown_entry", "c1")] == flagged
