"""Ring attempts and how they end: answered, missed, refused, or followed after a transfer.

A mixin of Router, kept apart so each module stays readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from callrouter.domain import events as ev
from callrouter.domain.commands import (
    Command,
    RecordAnswer,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordControllerEvent,
)
from callrouter.domain.model import AttemptResult, Presence, RoutingPolicy, TargetKind
from callrouter.domain.state import Attempt, CallState, Floor, Phase, PhoneState


class RingResults:
    floor: Floor
    policy: RoutingPolicy

    if TYPE_CHECKING:  # in CallLeaving, after this class in Router's MRO: no stub may shadow it

        def _requeue_or_overflow(
            self, call: CallState, at: datetime, out: list[Command]
        ) -> None: ...

    def _announce(self, call: CallState, out: list[Command]) -> None:
        raise NotImplementedError

    # --- attempts: one ring of one target -----------------------------------------------------

    def _start_attempt(
        self,
        call: CallState,
        kind: TargetKind,
        target: str,
        dial: str,
        at: datetime,
        out: list[Command],
    ) -> None:
        call.attempts += 1
        call.attempt = Attempt(call.attempts, kind, target, dial, at)
        out.append(RecordAttemptStarted(call.call_id, call.attempts, kind, target, dial, at))

    def _end_attempt(
        self, call: CallState, result: AttemptResult, at: datetime, out: list[Command]
    ) -> Attempt | None:
        attempt, call.attempt = call.attempt, None
        if attempt is not None:
            rings = self._rings_of(attempt, result, at)
            out.append(RecordAttemptEnded(call.call_id, attempt.no, result, rings, at))
        return attempt

    def _rings_of(self, attempt: Attempt, result: AttemptResult, at: datetime) -> int:
        """Rings the phone gave, counted from when it began ringing (DialBegin) if known.

        A telephonist not answering is rung for exactly rings_per_attempt x cadence; the few ms
        the PBX's timer overshoots would otherwise count as the start of one more ring.
        """
        ringing_for = at - (attempt.ringing_at or attempt.started_at)
        rings = self.policy.rings_for(ringing_for.total_seconds())
        if result is AttemptResult.NO_ANSWER and attempt.kind is TargetKind.TELEPHONIST:
            return min(rings, self.policy.rings_per_attempt)
        return rings

    def _ringing_started(self, e: ev.RingingStarted, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id)
        if call is None:
            return
        if call.attempt is None and call.phase is Phase.CONNECTED:
            # The call left the switchboard (e.g. a blind transfer): follow where it rings now.
            self._start_attempt(call, TargetKind.DIAL, "transfer", e.destination_channel, e.at, out)
        if call.attempt is not None:
            call.attempt.destination_channel = e.destination_channel
            call.attempt.ringing_at = call.attempt.ringing_at or e.at

    def _ringing_ended(self, e: ev.RingingEnded, out: list[Command]) -> None:
        call = self.floor.calls.get(e.call_id)
        if call is None or call.attempt is None:
            return
        phase = call.phase
        attempt = self._end_attempt(call, e.result, e.at, out)
        assert attempt is not None
        if phase is Phase.RINGING:
            self._telephonist_ring_ended(call, attempt, e.result, e.at, out)
        elif phase is Phase.HANDED_OFF:
            self._handoff_ring_ended(call, attempt, e.result, e.at, out)

    def _telephonist_ring_ended(
        self,
        call: CallState,
        attempt: Attempt,
        result: AttemptResult,
        at: datetime,
        out: list[Command],
    ) -> None:
        phone = self.floor.phones[attempt.target]
        if result is AttemptResult.ANSWERED:
            phone.consecutive_misses = 0
            phone.leg_channel = attempt.destination_channel
            self._answered(call, phone.id, at, out)
            return
        phone.busy_with = None
        if result is AttemptResult.CALLER_HUNG_UP:
            call.phase = Phase.LEAVING
            return
        if result is not AttemptResult.FAILED:
            self._count_miss(phone, at, out)
        call.last_missed_by = phone.id
        self._requeue_or_overflow(call, at, out)

    def _count_miss(self, phone: PhoneState, at: datetime, out: list[Command]) -> None:
        phone.consecutive_misses += 1
        if phone.consecutive_misses >= self.policy.pause_after_misses:
            phone.presence = Presence.PAUSED
            detail = f"paused after {phone.consecutive_misses} missed calls in a row"
            out.append(RecordControllerEvent("telephonist_paused", phone.id, detail, at))

    def _handoff_ring_ended(
        self,
        call: CallState,
        attempt: Attempt,
        result: AttemptResult,
        at: datetime,
        out: list[Command],
    ) -> None:
        if result is AttemptResult.ANSWERED:
            self._answered(call, f"{attempt.kind.value}:{attempt.target}", at, out)
        elif result is AttemptResult.CALLER_HUNG_UP:
            call.phase = Phase.LEAVING
        else:
            call.handoff_failed = f"{attempt.kind.value} {attempt.target} did not answer ({result})"
            self._announce(call, out)

    def _answered(
        self, call: CallState, answered_by: str, at: datetime, out: list[Command]
    ) -> None:
        call.phase, call.answered_by = Phase.CONNECTED, answered_by
        wait = call.wait_at(at)
        out.append(RecordAnswer(call.call_id, answered_by, wait, self.policy.rings_for(wait), at))
