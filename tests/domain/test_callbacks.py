"""Callback worklist rules: promises kept, one entry per number, closed when they get through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callrouter.domain.callbacks import (
    Callback,
    CallbackRefused,
    CallbackResult,
    CallbackSettings,
    CallbackSource,
    EndedCall,
    NewCallback,
    callable_number,
    callback_for_abandoned,
    claimed,
    closed,
    closed_by_answered_call,
    merged,
)
from callrouter.domain.model import Outcome

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SETTINGS = CallbackSettings(abandoned_after_seconds=20, due_within_minutes=30)


def ended(
    outcome: Outcome = Outcome.ABANDONED, waited: float = 45, number: str = "+4512345678"
) -> EndedCall:
    return EndedCall("c1", number, "Søren Ærø", outcome, waited, T0)


def entry(**changes: object) -> Callback:
    base = Callback(7, "+4512345678", "Søren", CallbackSource.ABANDONED, "c1", None, 1, T0,
                    T0 + timedelta(minutes=30))  # fmt: skip
    return Callback(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_a_caller_who_gave_up_after_waiting_too_long_gets_a_callback_due_in_30_minutes() -> None:
    new = callback_for_abandoned(ended(), SETTINGS)
    expected = NewCallback(
        "+4512345678", "Søren Ærø", CallbackSource.ABANDONED, T0, T0 + timedelta(minutes=30), "c1"
    )
    assert expected == new


@pytest.mark.parametrize(
    ("call", "why"),
    [
        (ended(waited=20), "waited exactly the limit"),
        (ended(waited=5), "a short abandon"),
        (ended(Outcome.ANSWERED), "answered"),
        (ended(Outcome.OVERFLOWED), "handed to a department"),
        (ended(number="anonymous"), "no number to call back"),
        (ended(number=""), "no number at all"),
    ],
)
def test_no_callback_for_calls_that_do_not_need_one(call: EndedCall, why: str) -> None:
    assert None is callback_for_abandoned(call, SETTINGS), why


def test_numbers_are_cleaned_of_spaces_and_dashes_before_they_are_compared() -> None:
    assert "+4512345678" == callable_number("+45 12 34-56 78")
    assert None is callable_number("12")


def test_a_second_missed_call_from_the_same_number_updates_the_open_entry() -> None:
    later = NewCallback("+4512345678", "", CallbackSource.ABANDONED, T0, T0 + timedelta(hours=1))
    updated = merged(entry(), later)
    assert (2, T0 + timedelta(minutes=30), "Søren") == (
        updated.missed_calls,
        updated.due_at,
        updated.name,
    )


def test_a_promise_for_an_earlier_time_brings_the_due_time_forward() -> None:
    promise = NewCallback(
        "+4512345678", "Søren", CallbackSource.PROMISE, T0, T0 + timedelta(minutes=10),
        message_id=3,
    )  # fmt: skip
    updated = merged(entry(), promise)
    assert (1, T0 + timedelta(minutes=10), 3) == (
        updated.missed_calls,
        updated.due_at,
        updated.message_id,
    )


def test_a_claimed_entry_is_closed_with_a_result_by_whoever_claimed_it() -> None:
    mine = claimed(entry(), "tel1", T0 + timedelta(minutes=1))
    done = closed(mine, CallbackResult.REACHED, "tel1", T0 + timedelta(minutes=5))
    assert ("tel1", CallbackResult.REACHED, T0 + timedelta(minutes=5)) == (
        done.claimed_by,
        done.result,
        done.closed_at,
    )
    assert not done.is_open


def test_another_telephonist_cannot_claim_or_close_an_entry_someone_claimed() -> None:
    mine = claimed(entry(), "tel1", T0)
    with pytest.raises(CallbackRefused, match="claimed by tel1"):
        claimed(mine, "tel2", T0)
    with pytest.raises(CallbackRefused, match="claimed by tel1"):
        closed(mine, CallbackResult.REACHED, "tel2", T0)


def test_a_closed_entry_cannot_be_claimed_or_closed_again() -> None:
    done = closed(entry(), CallbackResult.NO_ANSWER, "tel1", T0)
    with pytest.raises(CallbackRefused, match="already closed"):
        claimed(done, "tel1", T0)
    with pytest.raises(CallbackRefused, match="already closed"):
        closed(done, CallbackResult.REACHED, "tel1", T0)


def test_caller_got_through_is_not_a_result_a_telephonist_can_choose() -> None:
    with pytest.raises(CallbackRefused, match="only when"):
        closed(entry(), CallbackResult.CALLER_GOT_THROUGH, "tel1", T0)


def test_the_entry_closes_itself_when_the_caller_gets_through() -> None:
    done = closed_by_answered_call(entry(), T0 + timedelta(minutes=3))
    assert done is not None
    assert CallbackResult.CALLER_GOT_THROUGH == done.result
    assert None is closed_by_answered_call(done, T0 + timedelta(minutes=4))


def test_an_open_entry_past_its_due_time_is_overdue_a_closed_one_never() -> None:
    due = T0 + timedelta(minutes=30)
    assert not entry().overdue(due)
    assert entry().overdue(due + timedelta(seconds=1))
    done = closed(entry(), CallbackResult.REACHED, "tel1", due + timedelta(hours=1))
    assert not done.overdue(due + timedelta(hours=2))


def test_a_supervisor_can_take_over_a_claimed_entry() -> None:
    mine = claimed(entry(), "tel1", T0)
    assert "tel2" == claimed(mine, "tel2", T0, override=True).claimed_by
    done = closed(mine, CallbackResult.NO_ANSWER, "tel2", T0, override=True)
    assert ("tel2", CallbackResult.NO_ANSWER) == (done.closed_by, done.result)
