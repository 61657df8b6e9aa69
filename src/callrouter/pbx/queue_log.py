"""Asterisk queue_log -> the call log's steps, one call at a time. Pure: lines in, calls out.

`QueueLogCalls` is fed the file's lines in order and hands back each call of one queue when
the queue_log shows it leaving, as the same `Record*` steps the router writes for a live call,
so every column means what it means there (see README "The call log"):

- ``call_id`` ``queue_log:<queue>:<uniqueid>@<ENTERQUEUE epoch>`` (a channel can enter the
  queue twice), ``linked_id`` ``queue_log:<uniqueid>`` (one caller's entries, followed across
  queues), ``channel`` and ``caller_name`` empty (not in the queue_log), ``entry`` the queue
  name, ``caller_number`` ENTERQUEUE's caller id, ``arrived_at`` ENTERQUEUE's time.
- each ring of a member is an attempt on target ``<member name>`` (``dial`` empty: the
  queue_log has no interface): RINGNOANSWER -> ``no_answer`` (app_queue also writes it for a
  busy or congested member), RINGCANCELED -> ``caller_hung_up`` (as the live Dial status CANCEL:
  the ring was stopped, not missed; also when another member answered first under ringall),
  CONNECT -> ``answered``, AGENTDUMP and SYSCOMPAT -> ``failed``. An attempt ends at its
  line's time and started its ring time before (never before the arrival); its rings are
  ``rings_for(ring time)``.
- CONNECT is the answer: ``answered_by`` the member, ``wait_seconds`` CONNECT's time minus
  the arrival, ``rings_heard`` ``RoutingPolicy.rings_for(wait)``.
- the end: COMPLETECALLER / COMPLETEAGENT -> ``answered``; BLINDTRANSFER / ATTENDEDTRANSFER /
  TRANSFER -> ``answered`` plus a transfer (kind ``blind`` / ``attended`` / ``transfer``);
  ABANDON and EXITWITHKEY (the caller chose to leave, unanswered) -> ``abandoned``;
  EXITWITHTIMEOUT -> ``overflowed`` with reason ``wait_limit``, EXITEMPTY -> ``overflowed``
  with ``no_telephonist_logged_in``, both to target ``dial:dialplan`` (where the dialplan took
  the call after Queue() is not in the queue_log); WITHDRAW -> ``failed``. ``hangup_cause`` is
  ``queue_log <EVENT>``, ``ended_at`` the time of that line: the queue_log does not see the
  caller hang up after leaving the queue.
- a QUEUESTART line (the queue_log opened: Asterisk started) marks the calls still waiting. A
  marked call that the file never mentions again is ended as the live controller ends calls the
  PBX lost: ``failed`` (``answered`` if answered), cause `RESTART_CAUSE`, at the QUEUESTART's
  time. A marked call that has further lines (the log was only reopened) goes on as usual.
- a call still open at the end of the file is handed back by `finish` with ``unfinished``
  set: ``failed`` (``answered`` if answered), cause `UNFINISHED_CAUSE`, ``ended_at`` the time
  of the file's last line (it was still in the queue then). The store replaces such a call
  when a later, longer copy of the file shows how it ended.

Times in the queue_log are whole seconds, so waits and rings are exact to the second only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
from callrouter.domain.model import TargetKind as Kind
from callrouter.pbx.queue_log_lines import (
    NON_CALL_EVENTS,
    Entry,
    LineProblem,
    ProblemKind,
    parse_line,
)

UNFINISHED_CAUSE = "lost: the queue_log ended before the call left the queue"
RESTART_CAUSE = "lost: Asterisk restarted (queue_log QUEUESTART) while the call was in the queue"
OVERFLOW_TARGET = "dialplan"
EXAMPLES_PER_KIND = 5

RING_RESULTS = {
    "RINGNOANSWER": AttemptResult.NO_ANSWER,
    "RINGCANCELED": AttemptResult.CALLER_HUNG_UP,
    "AGENTDUMP": AttemptResult.FAILED,
    "SYSCOMPAT": AttemptResult.FAILED,
}
ANSWERED_ENDS = {
    "COMPLETECALLER": None,
    "COMPLETEAGENT": None,
    "BLINDTRANSFER": "blind",
    "ATTENDEDTRANSFER": "attended",
    "TRANSFER": "transfer",
}
UNANSWERED_ENDS = {
    "ABANDON": Outcome.ABANDONED,
    "EXITWITHKEY": Outcome.ABANDONED,
    "EXITWITHTIMEOUT": Outcome.OVERFLOWED,
    "EXITEMPTY": Outcome.OVERFLOWED,
    "WITHDRAW": Outcome.FAILED,
}
OVERFLOW_REASONS = {
    "EXITWITHTIMEOUT": OverflowReason.WAIT_LIMIT,
    "EXITEMPTY": OverflowReason.NO_TELEPHONIST,
}


@dataclass(frozen=True)
class ImportedCall:
    call_id: str
    outcome: Outcome
    unfinished: bool  # still in the queue at the end of the file
    steps: tuple[LogCommand, ...]


@dataclass
class Problems:
    """Every unusable line counted by kind; the first few of each kind kept to show."""

    counts: Counter[ProblemKind] = field(default_factory=Counter)
    examples: list[LineProblem] = field(default_factory=list)

    def add(self, problem: LineProblem) -> None:
        self.counts[problem.kind] += 1
        if self.counts[problem.kind] <= EXAMPLES_PER_KIND:
            self.examples.append(problem)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Waiting:
    """A call in the queue: its arrival step, and the steps since."""

    uniqueid: str
    arrived: RecordArrival
    steps: list[LogCommand]
    attempts: int = 0
    answered: bool = False
    restarted_at: float | None = None  # a QUEUESTART came, and no line for this call since


class QueueLogCalls:
    """Feed it the lines of one queue_log in order; it hands back each call as it ends."""

    def __init__(self, queue: str, policy: RoutingPolicy, department: str | None) -> None:
        self.queue = queue
        self.policy = policy
        self.department = department
        self.problems = Problems()
        self.lines_read = 0
        self.lines_used = 0  # lines of this queue (and QUEUESTART) read without a problem
        self._waiting: dict[str, _Waiting] = {}
        self._last_at = 0.0  # the time of the latest well-formed line

    def feed(self, raw: bytes) -> list[ImportedCall]:
        """One line of the file, with its line end; the calls it ended (usually none or one)."""
        self.lines_read += 1
        parsed = parse_line(self.lines_read, raw, self.queue)
        if isinstance(parsed, LineProblem):
            self.problems.add(parsed)
            return []
        if parsed is None:
            return []
        self._last_at = max(self._last_at, parsed.at)
        problems_before = self.problems.total
        ended = self._apply(parsed)
        if self.problems.total == problems_before:
            self.lines_used += 1
        return ended

    def _apply(self, entry: Entry) -> list[ImportedCall]:
        if entry.event == "QUEUESTART":
            for call in self._waiting.values():
                call.restarted_at = call.restarted_at or entry.at
            return []
        if entry.event in NON_CALL_EVENTS:
            return []
        if entry.event == "ENTERQUEUE":
            return self._entered(entry)
        return self._step(entry)

    def finish(self) -> list[ImportedCall]:
        """The calls still in the queue when the file ended (see the module docstring)."""
        ended = []
        for call in list(self._waiting.values()):
            if call.restarted_at is not None:
                ended.append(self._lost(call, RESTART_CAUSE, call.restarted_at))
            else:
                lost = self._lost(call, UNFINISHED_CAUSE, self._last_at)
                ended.append(ImportedCall(lost.call_id, lost.outcome, True, lost.steps))
        return ended

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _entered(self, entry: Entry) -> list[ImportedCall]:
        ended: list[ImportedCall] = []
        if entry.uniqueid in self._waiting:
            self.problems.add(LineProblem(entry.line_no, ProblemKind.ENTERED_TWICE, entry.uniqueid))
            earlier = self._waiting.pop(entry.uniqueid)
            cause = "lost: the call entered the queue again before the queue_log showed it leave"
            ended.append(self._lost(earlier, cause, entry.at))
        epoch = int(entry.at)
        arrival = RecordArrival(
            call_id=f"queue_log:{self.queue}:{entry.uniqueid}@{epoch}",
            linked_id=f"queue_log:{entry.uniqueid}",
            channel="",
            entry=self.queue,
            department=self.department,
            language=None,
            caller_number=entry.data[1],
            caller_name="",
            at=_time(entry.at),
        )
        self._waiting[entry.uniqueid] = _Waiting(entry.uniqueid, arrival, [arrival])
        return ended

    def _step(self, entry: Entry) -> list[ImportedCall]:
        call = self._waiting.get(entry.uniqueid)
        if call is None:
            detail = f"{entry.event} for {entry.uniqueid[:40]}"
            self.problems.add(LineProblem(entry.line_no, ProblemKind.NO_SUCH_CALL, detail))
            return []
        call.restarted_at = None
        if entry.event in RING_RESULTS:
            ring_ms = entry.number(0) if entry.data else 0
            self._attempt(call, entry, RING_RESULTS[entry.event], ring_ms / 1000)
        elif entry.event == "CONNECT":
            self._connect(call, entry)
        elif entry.event in ANSWERED_ENDS:
            return [self._answered_end(call, entry)]
        else:
            return [self._unanswered_end(call, entry)]
        return []

    def _attempt(
        self, call: _Waiting, entry: Entry, result: AttemptResult, ring_seconds: float
    ) -> None:
        call.attempts += 1
        end = _time(entry.at)
        start = _time(max(call.arrived.at.timestamp(), entry.at - ring_seconds))
        no, cid = call.attempts, call.arrived.call_id
        rings = self.policy.rings_for((end - start).total_seconds())
        call.steps.append(RecordAttemptStarted(cid, no, Kind.TELEPHONIST, entry.agent, "", start))
        call.steps.append(RecordAttemptEnded(cid, no, result, rings, end))

    def _connect(self, call: _Waiting, entry: Entry) -> None:
        self._attempt(call, entry, AttemptResult.ANSWERED, entry.number(2))
        self._answer(call, entry.agent, entry.at)

    def _answer(self, call: _Waiting, agent: str, at: float) -> None:
        if call.answered:
            return
        call.answered = True
        wait = at - call.arrived.at.timestamp()
        rings = self.policy.rings_for(wait)
        call.steps.append(RecordAnswer(call.arrived.call_id, agent, wait, rings, _time(at)))

    def _answered_end(self, call: _Waiting, entry: Entry) -> ImportedCall:
        """COMPLETE* or a transfer; without a CONNECT line its holdtime still gives the answer."""
        if not call.answered:
            holdtime = entry.number(0 if entry.event.startswith("COMPLETE") else -3)
            self._answer(call, entry.agent, call.arrived.at.timestamp() + holdtime)
        kind = ANSWERED_ENDS[entry.event]
        if kind is not None:
            target = _transfer_target(entry)
            call.steps.append(RecordTransfer(call.arrived.call_id, kind, target, _time(entry.at)))
        return self._ended(call, Outcome.ANSWERED, f"queue_log {entry.event}", entry.at)

    def _unanswered_end(self, call: _Waiting, entry: Entry) -> ImportedCall:
        reason = OVERFLOW_REASONS.get(entry.event)
        if reason is not None:
            overflow = RecordOverflow(
                call.arrived.call_id, Kind.DIAL, OVERFLOW_TARGET, reason, _time(entry.at)
            )
            call.steps.append(overflow)
        cause = f"queue_log {entry.event}"
        if entry.event == "EXITWITHKEY":
            cause = f"{cause} {entry.data[0][:20]}"
        outcome = Outcome.ANSWERED if call.answered else UNANSWERED_ENDS[entry.event]
        return self._ended(call, outcome, cause, entry.at)

    def _lost(self, call: _Waiting, cause: str, at: float) -> ImportedCall:
        outcome = Outcome.ANSWERED if call.answered else Outcome.FAILED
        return self._ended(call, outcome, cause, at)

    def _ended(self, call: _Waiting, outcome: Outcome, cause: str, at: float) -> ImportedCall:
        self._waiting.pop(call.uniqueid, None)
        call_id = call.arrived.call_id
        ended = RecordCallEnded(call_id, outcome, cause, _time(at))
        return ImportedCall(call_id, outcome, False, (*call.steps, ended))


def _transfer_target(entry: Entry) -> str:
    if entry.event != "ATTENDEDTRANSFER":
        return f"{entry.data[0]}@{entry.data[1]}"
    method, *where = entry.data[:-3]
    return f"{method.lower()}:{','.join(where)}"


def _time(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
