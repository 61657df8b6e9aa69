"""An Asterisk queue_log read as calls: the real Asterisk 22 sample against hand counts, every
event app_queue writes, and every kind of bad line (counted with its line number, never fatal)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from callrouter.domain.commands import (
    LogCommand,
    RecordAnswer,
    RecordArrival,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordCallEnded,
    RecordOverflow,
    RecordTransfer,
)
from callrouter.domain.model import AttemptResult, Outcome, OverflowReason, RoutingPolicy
from callrouter.pbx.queue_log import RESTART_CAUSE, UNFINISHED_CAUSE, ImportedCall, QueueLogCalls
from callrouter.pbx.queue_log_lines import ProblemKind

SAMPLE = Path(__file__).parent.parent / "fixtures" / "asterisk" / "queue_log.app_queue-40-calls"
POLICY = RoutingPolicy(ring_cadence_seconds=5.0)
T = TypeVar("T", bound=LogCommand)


def read(lines: list[bytes], queue: str = "q") -> tuple[list[ImportedCall], QueueLogCalls]:
    parser = QueueLogCalls(queue, POLICY, None)
    calls = [call for raw in lines for call in parser.feed(raw)]
    return [*calls, *parser.finish()], parser


def read_text(text: str, queue: str = "q") -> tuple[list[ImportedCall], QueueLogCalls]:
    return read(text.encode().splitlines(keepends=True), queue)


def sample() -> tuple[list[ImportedCall], QueueLogCalls]:
    return read(SAMPLE.read_bytes().splitlines(keepends=True), "switchboard")


def by_uniqueid(calls: list[ImportedCall], uniqueid: str) -> ImportedCall:
    return next(call for call in calls if f":{uniqueid}@" in call.call_id)


def steps_of(call: ImportedCall, kind: type[T]) -> list[T]:
    return [step for step in call.steps if isinstance(step, kind)]


def end_of(call: ImportedCall) -> RecordCallEnded:
    (end,) = steps_of(call, RecordCallEnded)
    return end


def epoch(moment: datetime) -> float:
    return moment.timestamp()


# --- the real sample, against counts made by hand -------------------------------------------
# F=tests/fixtures/asterisk/queue_log.app_queue-40-calls
#   awk -F'|' '$3=="switchboard" && $5=="ENTERQUEUE"' $F | wc -l       -> 40 calls
#   awk -F'|' '$5=="CONNECT"' $F | wc -l                                -> 16 answered
#   awk -F'|' '$5=="COMPLETEAGENT"' $F | wc -l                          -> 13 (COMPLETECALLER: 3)
#   awk -F'|' '$5=="ABANDON"' $F | wc -l                                -> 24 abandoned
#   EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY, *TRANSFER: 0 lines each    -> 0 overflowed
#   awk -F'|' '$5=="RINGNOANSWER"' $F | wc -l                           -> 5 ring-no-answers (tel3)
#   awk -F'|' '$5=="RINGCANCELED"' $F | wc -l                           -> 8 rings cut short
#   awk -F'|' '$5=="CONNECT"{print $4}' $F | sort | uniq -c             -> tel1 8, tel2 8
#   awk -F'|' '$5=="CONNECT" && $6<=15' $F | wc -l                      -> 5 within 15 s (3 rings)
#   awk -F'|' '$5=="CONNECT"{s+=$6} END{print s}' $F                    -> 488 s of waiting
#   grep -c '' $F                                                       -> 110 lines; line 1 is
#   CONFIGRELOAD of queue NONE, so 109 lines are the switchboard's.
SAMPLE_CALLS = 40
SAMPLE_OUTCOMES = {Outcome.ANSWERED: 16, Outcome.ABANDONED: 24}
SAMPLE_ATTEMPTS = {
    AttemptResult.ANSWERED: 16,
    AttemptResult.NO_ANSWER: 5,
    AttemptResult.CALLER_HUNG_UP: 8,
}


def test_the_real_sample_gives_the_hand_counted_calls_and_outcomes() -> None:
    calls, parser = sample()
    assert SAMPLE_CALLS == len(calls)
    assert SAMPLE_CALLS == len({call.call_id for call in calls})
    assert SAMPLE_OUTCOMES == dict(Counter(call.outcome for call in calls))
    assert (110, 109, 0) == (parser.lines_read, parser.lines_used, parser.problems.total)
    assert [] == [call.call_id for call in calls if call.unfinished]


def test_the_real_sample_gives_the_hand_counted_rings_and_answers() -> None:
    calls, _ = sample()
    ends = [e for call in calls for e in steps_of(call, RecordAttemptEnded)]
    assert SAMPLE_ATTEMPTS == dict(Counter(end.result for end in ends))
    answers = [a for call in calls for a in steps_of(call, RecordAnswer)]
    assert {"tel1": 8, "tel2": 8} == dict(Counter(a.answered_by for a in answers))
    assert 5 == sum(1 for a in answers if a.rings_heard <= 3)
    assert 488.0 == sum(a.wait_seconds for a in answers)
    started = [s for call in calls for s in steps_of(call, RecordAttemptStarted)]
    no_answer_targets = {
        s.target
        for call in calls
        for s, e in zip(
            steps_of(call, RecordAttemptStarted), steps_of(call, RecordAttemptEnded), strict=True
        )
        if e.result is AttemptResult.NO_ANSWER
    }
    assert {"tel3"} == no_answer_targets
    assert 29 == len(started)


def test_an_answered_call_of_the_sample_column_by_column() -> None:
    """1795392754.235: ENTERQUEUE at ...754, CONNECT tel2 at ...779 (holdtime 25, rang 6 s),
    COMPLETEAGENT at ...785."""
    call = by_uniqueid(sample()[0], "1795392754.235")
    arrival = steps_of(call, RecordArrival)[0]
    assert "queue_log:switchboard:1795392754.235@1795392754" == call.call_id
    assert "queue_log:1795392754.235" == arrival.linked_id
    assert ("switchboard", None, "004510000006") == (
        arrival.entry,
        arrival.department,
        arrival.caller_number,
    )
    assert 1795392754.0 == epoch(arrival.at)
    answer = steps_of(call, RecordAnswer)[0]
    assert ("tel2", 25.0, 5, 1795392779.0) == (
        answer.answered_by,
        answer.wait_seconds,
        answer.rings_heard,
        epoch(answer.at),
    )
    started, ended = steps_of(call, RecordAttemptStarted), steps_of(call, RecordAttemptEnded)
    assert [("tel2", 1795392773.0)] == [(s.target, epoch(s.at)) for s in started]
    assert [(AttemptResult.ANSWERED, 2, 1795392779.0)] == [
        (e.result, e.rings, epoch(e.at)) for e in ended
    ]
    end = end_of(call)
    assert (Outcome.ANSWERED, "queue_log COMPLETEAGENT", 1795392785.0) == (
        end.outcome,
        end.hangup_cause,
        epoch(end.at),
    )


def test_an_abandoned_call_of_the_sample_keeps_every_ring() -> None:
    """1795392756.255: tel3 rings 15 s twice (RINGNOANSWER 15000 at ...793 and ...809), then tel2
    rings 0.445 s (RINGCANCELED at ...816) when the caller hangs up: ABANDON waittime 60."""
    call = by_uniqueid(sample()[0], "1795392756.255")
    started, ended = steps_of(call, RecordAttemptStarted), steps_of(call, RecordAttemptEnded)
    assert [("tel3", 1795392778.0), ("tel3", 1795392794.0), ("tel2", 1795392815.555)] == [
        (s.target, round(epoch(s.at), 3)) for s in started
    ]
    assert [
        (AttemptResult.NO_ANSWER, 3),
        (AttemptResult.NO_ANSWER, 3),
        (AttemptResult.CALLER_HUNG_UP, 1),
    ] == [(e.result, e.rings) for e in ended]
    assert [] == steps_of(call, RecordAnswer)
    end = end_of(call)
    assert (Outcome.ABANDONED, 60.0) == (end.outcome, epoch(end.at) - 1795392756.0)


def test_a_call_abandoned_before_any_ring_has_no_attempts() -> None:
    """1795392750.219: ENTERQUEUE at ...750, ABANDON at ...753 (waittime 3), never rung."""
    call = by_uniqueid(sample()[0], "1795392750.219")
    assert [RecordArrival, RecordCallEnded] == [type(step) for step in call.steps]
    assert 3.0 == epoch(call.steps[-1].at) - epoch(call.steps[0].at)


# --- every call event ---------------------------------------------------------------------

ENTER = "100|c1|q|NONE|ENTERQUEUE||4512345678|1\n"


def one_call(*lines: str) -> ImportedCall:
    calls, parser = read_text(ENTER + "".join(lines))
    assert 0 == parser.problems.total, parser.problems
    assert 1 == len(calls)
    return calls[0]


def test_a_queue_timeout_is_an_overflow_for_the_wait_limit() -> None:
    call = one_call("160|c1|q|NONE|EXITWITHTIMEOUT|1|1|60\n")
    overflow = steps_of(call, RecordOverflow)[0]
    assert (Outcome.OVERFLOWED, OverflowReason.WAIT_LIMIT, "dialplan") == (
        call.outcome,
        overflow.reason,
        overflow.target,
    )


def test_leaving_an_empty_queue_is_an_overflow_for_nobody_logged_in() -> None:
    call = one_call("103|c1|q|NONE|EXITEMPTY|1|1|3\n")
    assert OverflowReason.NO_TELEPHONIST == steps_of(call, RecordOverflow)[0].reason
    assert Outcome.OVERFLOWED == call.outcome


def test_leaving_with_a_key_is_an_abandon_that_names_the_key() -> None:
    call = one_call("110|c1|q|NONE|EXITWITHKEY|5|1|1|10\n")
    assert (Outcome.ABANDONED, "queue_log EXITWITHKEY 5") == (
        call.outcome,
        end_of(call).hangup_cause,
    )


def test_a_withdrawn_caller_is_a_failed_call() -> None:
    assert Outcome.FAILED == one_call("110|c1|q|NONE|WITHDRAW|1|1|10|moved\n").outcome


def test_transfers_are_answered_calls_with_the_transfer_and_its_target() -> None:
    connect = "105|c1|q|tel1|CONNECT|5|c2|2\n"
    cases = {
        "120|c1|q|tel1|BLINDTRANSFER|dept-jobcenter|departments|5|15|1\n": (
            "blind",
            "dept-jobcenter@departments",
        ),
        "120|c1|q|tel1|ATTENDEDTRANSFER|BRIDGE|b7f1|5|15|1\n": ("attended", "bridge:b7f1"),
        "120|c1|q|tel1|ATTENDEDTRANSFER|LINK|PJSIP/a-1|PJSIP/b-2|5|15|1\n": (
            "attended",
            "link:PJSIP/a-1,PJSIP/b-2",
        ),
        "120|c1|q|tel1|TRANSFER|2001|internal|5|15|1\n": ("transfer", "2001@internal"),
    }
    for line, (kind, target) in cases.items():
        call = one_call(connect, line)
        transfer = steps_of(call, RecordTransfer)[0]
        assert (Outcome.ANSWERED, kind, target, 120.0) == (
            call.outcome,
            transfer.kind,
            transfer.target,
            epoch(transfer.at),
        )


def test_a_complete_whose_connect_line_was_lost_is_still_answered_after_its_holdtime() -> None:
    call = one_call("150|c1|q|tel2|COMPLETECALLER|12|38|1\n")
    answer = steps_of(call, RecordAnswer)[0]
    assert ("tel2", 12.0, 3, 112.0) == (
        answer.answered_by,
        answer.wait_seconds,
        answer.rings_heard,
        epoch(answer.at),
    )


def test_a_member_who_drops_the_call_in_the_announcement_is_a_failed_attempt() -> None:
    call = one_call("104|c1|q|tel1|AGENTDUMP|\n", "106|c1|q|NONE|ABANDON|1|1|6\n")
    ended = steps_of(call, RecordAttemptEnded)
    assert [(AttemptResult.FAILED, 0)] == [(e.result, e.rings) for e in ended]


def test_rings_heard_follow_the_configured_cadence_of_the_answered_call() -> None:
    parser = QueueLogCalls("q", RoutingPolicy(ring_cadence_seconds=3.0), None)
    lines = (ENTER, "112|c1|q|tel1|CONNECT|12|c2|4\n", "130|c1|q|tel1|COMPLETEAGENT|12|18|1\n")
    calls = [call for line in lines for call in parser.feed(line.encode())]
    answer = steps_of(calls[0], RecordAnswer)[0]
    assert (12.0, 4) == (answer.wait_seconds, answer.rings_heard)
    assert [2] == [e.rings for e in steps_of(calls[0], RecordAttemptEnded)]


def test_department_is_written_on_every_call() -> None:
    parser = QueueLogCalls("q", POLICY, "jobcenter")
    parser.feed(ENTER.encode())
    (call,) = parser.feed(b"103|c1|q|NONE|ABANDON|1|1|3\n")
    assert "jobcenter" == steps_of(call, RecordArrival)[0].department


def test_only_the_named_queue_is_read() -> None:
    calls, parser = read_text(
        ENTER
        + "101|c9|other|NONE|ENTERQUEUE||4599|1\n"
        + "103|c9|other|NONE|ABANDON|1|1|2\n"
        + "104|c1|q|NONE|ABANDON|1|1|4\n"
    )
    assert ["queue_log:q:c1@100"] == [call.call_id for call in calls]
    assert (4, 2, 0) == (parser.lines_read, parser.lines_used, parser.problems.total)


def test_member_and_queue_lines_are_not_calls_and_not_problems() -> None:
    calls, parser = read_text(
        "90|NONE|q|tel1|ADDMEMBER|\n"
        "91|NONE|q|tel1|PAUSE|lunch\n"
        "92|NONE|q|tel1|UNPAUSE|\n"
        "93|NONE|NONE|NONE|CONFIGRELOAD|\n" + ENTER + "104|c1|q|NONE|ABANDON|1|1|4\n"
    )
    assert (1, 0) == (len(calls), parser.problems.total)


def test_a_restart_ends_every_waiting_call_as_lost_and_answered_ones_as_answered() -> None:
    calls, _ = read_text(
        ENTER
        + "101|c2|q|NONE|ENTERQUEUE||4599|2\n"
        + "105|c1|q|tel1|CONNECT|5|c3|2\n"
        + "130|NONE|NONE|NONE|QUEUESTART|\n"
        + "140|d1|q|NONE|ENTERQUEUE||4598|1\n"
        + "150|d1|q|NONE|ABANDON|1|1|10\n"
    )
    assert [
        ("queue_log:q:d1@140", Outcome.ABANDONED, "queue_log ABANDON", 150.0, False),
        ("queue_log:q:c1@100", Outcome.ANSWERED, RESTART_CAUSE, 130.0, False),
        ("queue_log:q:c2@101", Outcome.FAILED, RESTART_CAUSE, 130.0, False),
    ] == [
        (c.call_id, c.outcome, end_of(c).hangup_cause, epoch(end_of(c).at), c.unfinished)
        for c in calls
    ]


def test_a_call_with_lines_after_a_queuestart_goes_on_as_usual() -> None:
    """QUEUESTART is written when the queue_log is opened; a reopened log must not lose calls."""
    calls, parser = read_text(
        ENTER + "130|NONE|NONE|NONE|QUEUESTART|\n" + "135|c1|q|tel1|CONNECT|35|c3|2\n"
    )
    assert [(Outcome.ANSWERED, UNFINISHED_CAUSE, True)] == [
        (c.outcome, end_of(c).hangup_cause, c.unfinished) for c in calls
    ]
    assert 0 == parser.problems.total


def test_a_call_still_in_the_queue_at_the_end_of_the_file_is_reported_unfinished() -> None:
    calls, parser = read_text(ENTER + "120|c2|q|NONE|ENTERQUEUE||4599|2\n")
    assert [(True, Outcome.FAILED, UNFINISHED_CAUSE, 120.0)] * 2 == [
        (c.unfinished, c.outcome, end_of(c).hangup_cause, epoch(end_of(c).at)) for c in calls
    ]
    assert 0 == parser.waiting


def test_crlf_line_ends_and_padded_data_fields_are_read() -> None:
    calls, parser = read(
        [
            b"100|c1|q|NONE|ENTERQUEUE||4512345678|1\r\n",
            b"104|c1|q|NONE|ABANDON|1|1|4|||\r\n",
        ]
    )
    assert ([Outcome.ABANDONED], 0) == ([c.outcome for c in calls], parser.problems.total)


# --- bad lines: counted with their line numbers, never fatal ----------------------------------


def test_every_kind_of_bad_line_is_counted_with_its_line_number_and_the_rest_is_read() -> None:
    lines = [
        ENTER.encode(),  # 1
        b"101|c1|q|NONE\n",  # 2: 4 fields
        b"1o2|c2|q|NONE|ENTERQUEUE||45|1\n",  # 3: time not a number
        b"103|c1|q|NONE|SOMETHING|1\n",  # 4: unknown event
        b"104|c7|q|tel1|CONNECT|3|c8|1\n",  # 5: a call never entered
        b"105|c1|q|tel1|RINGNOANSWER|fifteen\n",  # 6: not a number
        b"106|c1|q|tel1|RINGNOANSWER|15000|9\n",  # 7: too many data fields
        b"107|c1|q|NONE|ENTERQUEUE||\xff\xfe45|1\n",  # 8: not UTF-8
        b"108|c1|q|NONE|ABANDON|1|1|8\n",  # 9: good
        b"109|c3|q|NONE|ENTERQUEUE||45",  # 10: truncated (no line end)
    ]
    calls, parser = read(lines)
    assert [("queue_log:q:c1@100", Outcome.ABANDONED)] == [(c.call_id, c.outcome) for c in calls]
    expected = {
        ProblemKind.FIELD_COUNT: [2, 7],
        ProblemKind.BAD_TIME: [3],
        ProblemKind.UNKNOWN_EVENT: [4],
        ProblemKind.NO_SUCH_CALL: [5],
        ProblemKind.BAD_NUMBER: [6],
        ProblemKind.NOT_UTF8: [8],
        ProblemKind.TRUNCATED: [10],
    }
    shown: dict[ProblemKind, list[int]] = {}
    for example in parser.problems.examples:
        shown.setdefault(example.kind, []).append(example.line_no)
    assert expected == shown
    assert 8 == parser.problems.total
    assert (10, 2) == (parser.lines_read, parser.lines_used)


def test_garbage_bytes_are_reported_printably() -> None:
    _, parser = read([b"\x00\x01\xff garbage\n", b"\n"])
    details = [(e.line_no, e.kind, e.detail) for e in parser.problems.examples]
    assert [
        (1, ProblemKind.NOT_UTF8, "byte 2: \\x00\\x01\\xff garbage"),
        (2, ProblemKind.FIELD_COUNT, "1 fields, at least 5 needed: "),
    ] == details


def test_only_the_first_few_problems_of_a_kind_are_kept_but_all_are_counted() -> None:
    _, parser = read([b"x\n"] * 1000)
    assert (1000, 5) == (parser.problems.total, len(parser.problems.examples))


def test_a_second_enterqueue_for_a_waiting_call_ends_the_first_as_lost() -> None:
    calls, parser = read_text(ENTER + "150|c1|q|NONE|ENTERQUEUE||4512345678|1\n")
    assert [
        ("queue_log:q:c1@100", Outcome.FAILED, False),
        ("queue_log:q:c1@150", Outcome.FAILED, True),
    ] == [(c.call_id, c.outcome, c.unfinished) for c in calls]
    assert {ProblemKind.ENTERED_TWICE: 1} == dict(parser.problems.counts)


def test_only_the_calls_still_in_the_queue_are_held_while_reading() -> None:
    """A 10-million-line file is streamed: ended calls are handed back and forgotten."""
    parser = QueueLogCalls("q", POLICY, None)
    most_waiting, ended = 0, 0
    for n in range(20_000):
        parser.feed(f"{1000 + n}|c{n}|q|NONE|ENTERQUEUE||45|1\n".encode())
        most_waiting = max(most_waiting, parser.waiting)
        ended += len(parser.feed(f"{1001 + n}|c{n}|q|NONE|ABANDON|1|1|1\n".encode()))
    assert (1, 20_000, 0) == (most_waiting, ended, parser.waiting)


def test_times_are_utc() -> None:
    call = one_call("104|c1|q|NONE|ABANDON|1|1|4\n")
    assert datetime(1970, 1, 1, 0, 1, 40, tzinfo=UTC) == call.steps[0].at


def test_a_time_with_a_fraction_is_read_and_a_signed_or_empty_one_is_not() -> None:
    calls, parser = read_text(
        "100.25|c1|q|NONE|ENTERQUEUE||45|1\n"
        "-104|c1|q|NONE|ABANDON|1|1|4\n"
        "|c1|q|NONE|ABANDON|1|1|4\n"
        "104.75|c1|q|NONE|ABANDON|1|1|4\n"
    )
    assert [4.5] == [epoch(end_of(c).at) - epoch(c.steps[0].at) for c in calls]
    assert {ProblemKind.BAD_TIME: 2} == dict(parser.problems.counts)
