"""The desk's tables: reason codes on calls, messages, runtime closures and the callback list.

Written through the real call log (SQLite, WAL) and read back, also from another connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from callrouter.desk_wiring import WorklistFeedingLog, restore_closures
from callrouter.domain import events as ev
from callrouter.domain.callbacks import (
    CallbackRefused,
    CallbackResult,
    CallbackSettings,
    CallbackSource,
    NewCallback,
)
from callrouter.domain.commands import RecordAnswer
from callrouter.domain.model import Outcome
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.desk import DeskStore
from callrouter.store.desk_base import UnknownCall, UnknownId
from callrouter.store.desk_report import desk_figures
from callrouter.store.schema import SCHEMA_VERSION
from tests.store.steps import T0, arrival, at, ended, other_connection, query

SETTINGS = CallbackSettings(abandoned_after_seconds=20, due_within_minutes=30)


@pytest.fixture
async def desk(db_path: Path, call_log: SqliteCallLog) -> AsyncIterator[DeskStore]:
    store = await DeskStore.open(db_path)
    yield store
    await store.close()


def new_callback(number: str = "+4511111111", due_minutes: float = 30) -> NewCallback:
    due = T0 + timedelta(minutes=due_minutes)
    return NewCallback(number, "Åse", CallbackSource.ABANDONED, T0, due, "c1")


async def test_the_desk_migration_brings_the_database_to_the_current_version(
    db_path: Path, desk: DeskStore
) -> None:
    assert [(SCHEMA_VERSION,)] == query(db_path, "PRAGMA user_version")


async def test_reason_codes_are_stored_on_the_call_with_who_and_when(
    call_log: SqliteCallLog, desk: DeskStore, db_path: Path
) -> None:
    await call_log.record(arrival("c1"))
    assert await desk.add_reason("c1", "complaint", "tel1", at(30))
    assert await desk.add_reason("c1", "parking", "tel1", at(31))
    assert not await desk.add_reason("c1", "complaint", "tel2", at(32))  # already coded
    expected = [
        ("c1", "complaint", "tel1", at(30).timestamp()),
        ("c1", "parking", "tel1", at(31).timestamp()),
    ]
    assert expected == query(db_path, "SELECT call_id, code, by, at FROM call_reasons ORDER BY id")
    assert await desk.remove_reason("c1", "parking")
    assert ["complaint"] == [r.code for r in await desk.reasons("c1")]


async def test_a_reason_code_for_an_unknown_call_is_refused_and_nothing_is_stored(
    desk: DeskStore, db_path: Path
) -> None:
    with pytest.raises(UnknownCall):
        await desk.add_reason("nope", "complaint", "tel1", at(1))
    assert [(0,)] == query(db_path, "SELECT count(*) FROM call_reasons")


async def test_a_message_keeps_the_callers_name_exactly_and_its_due_time(
    call_log: SqliteCallLog, desk: DeskStore
) -> None:
    await call_log.record(arrival("c1"))
    message = await desk.add_message(
        "c1", "+4512345678", "Søren Ærø", "About his tax card", at(300), "tel1", at(60)
    )
    [stored] = await desk.messages(since=T0)
    assert message == stored
    assert ("Søren Ærø", at(300)) == (stored.caller_name, stored.due_at)
    with pytest.raises(UnknownCall):
        await desk.add_message("nope", "1234", "", "x", None, "tel1", at(60))


async def test_closures_are_kept_until_they_end_or_are_cancelled(desk: DeskStore) -> None:
    meeting = await desk.add_closure("jobcenter", at(0), at(7200), "all at a meeting", "sup", at(0))
    later = await desk.add_closure("switchboard", at(3600), at(9000), "", "sup", at(0))
    assert [meeting, later] == await desk.closures_in_force(at(10))
    assert [later] == await desk.closures_in_force(at(7200))
    cancelled = await desk.cancel_closure(later.id, "sup2", at(20))
    assert ("sup2", at(20)) == (cancelled.cancelled_by, cancelled.cancelled_at)
    assert [meeting] == await desk.closures_in_force(at(30))
    with pytest.raises(UnknownId):
        await desk.cancel_closure(later.id, "sup2", at(40))
    with pytest.raises(UnknownId):
        await desk.cancel_closure(999, "sup2", at(40))


async def test_stored_closures_are_posted_to_the_router_again_after_a_restart(
    desk: DeskStore,
) -> None:
    meeting = await desk.add_closure("jobcenter", at(0), at(7200), "meeting", "sup", at(0))
    await desk.add_closure("family", at(0), at(60), "over", "sup", at(0))
    posted: list[ev.Event] = []
    assert 1 == await restore_closures(desk, posted.append, at(120))
    expected = ev.ClosureRegistered(
        "closure-1", "jobcenter", meeting.start, meeting.end, "meeting", "sup", at(120)
    )
    assert [expected] == posted


async def test_one_open_callback_per_number_a_second_miss_updates_it(
    desk: DeskStore, db_path: Path
) -> None:
    first = await desk.add_callback(new_callback())
    second = await desk.add_callback(new_callback(due_minutes=60))
    assert (first.id, 2, first.due_at) == (second.id, second.missed_calls, second.due_at)
    assert [(1,)] == query(db_path, "SELECT count(*) FROM callbacks")
    other = await desk.add_callback(new_callback("+4522222222"))
    assert other.id != first.id


async def test_the_database_itself_refuses_a_second_open_entry_for_a_number(
    desk: DeskStore, db_path: Path
) -> None:
    await desk.add_callback(new_callback())
    with other_connection(db_path) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO callbacks (number, name, source, created_at, due_at) "
            "VALUES ('+4511111111', '', 'promise', 0, 0)"
        )


async def test_claim_and_close_are_stored_and_a_new_entry_may_follow_a_closed_one(
    desk: DeskStore,
) -> None:
    entry = await desk.add_callback(new_callback())
    await desk.claim_callback(entry.id, "tel1", at(60))
    with pytest.raises(CallbackRefused):
        await desk.claim_callback(entry.id, "tel2", at(61))
    done = await desk.close_callback(entry.id, CallbackResult.REACHED, "tel1", at(120))
    assert done == await desk.callback(entry.id)
    assert ("tel1", at(60), CallbackResult.REACHED) == (
        done.claimed_by,
        done.claimed_at,
        done.result,
    )
    again = await desk.add_callback(new_callback())
    assert again.id != entry.id
    assert [again.id, entry.id] == [e.id for e in await desk.callbacks(closed_since=T0)]
    assert [again.id] == [e.id for e in await desk.callbacks(closed_since=at(121))]


async def test_unknown_callback_ids_are_reported(desk: DeskStore) -> None:
    with pytest.raises(UnknownId):
        await desk.claim_callback(42, "tel1", at(1))
    with pytest.raises(UnknownId):
        await desk.close_callback(42, CallbackResult.REACHED, "tel1", at(1))
    assert None is await desk.callback(42)


async def test_an_abandoned_long_wait_goes_on_the_list_and_closes_when_the_number_gets_through(
    call_log: SqliteCallLog, desk: DeskStore
) -> None:
    """Through the controller's port: the steps are written, then the worklist follows them."""
    feeding = WorklistFeedingLog(call_log, desk, SETTINGS)
    await feeding.record_all([arrival("c1", at(0))])
    await feeding.record_all([ended("c1", 45, Outcome.ABANDONED)])
    await feeding.settled()
    [entry] = await desk.callbacks(closed_since=T0)
    expected = ("+4512345678", "c1", at(45), at(45) + timedelta(minutes=30))
    assert expected == (entry.number, entry.call_id, entry.created_at, entry.due_at)
    await feeding.record_all([arrival("c2", at(100))])
    await feeding.record_all([RecordAnswer("c2", "tel1", 5.0, 1, at(105))])
    await feeding.settled()
    [done] = await desk.callbacks(closed_since=T0)
    assert (CallbackResult.CALLER_GOT_THROUGH, at(105)) == (done.result, done.closed_at)


async def test_a_short_abandon_does_not_go_on_the_list(
    call_log: SqliteCallLog, desk: DeskStore
) -> None:
    feeding = WorklistFeedingLog(call_log, desk, SETTINGS)
    await feeding.record_all([arrival("c1", at(0)), ended("c1", 20, Outcome.ABANDONED)])
    await feeding.settled()
    assert [] == await desk.callbacks(closed_since=T0)


async def test_the_kpi_figures_count_codes_and_callbacks_of_the_period(
    call_log: SqliteCallLog, desk: DeskStore, db_path: Path
) -> None:
    for call_id, offset in (("c1", 0), ("c2", 10), ("late", 7200)):
        await call_log.record(arrival(call_id, at(offset)))
    await desk.add_reason("c1", "complaint", "tel1", at(30))
    await desk.add_reason("c1", "parking", "tel1", at(30))
    await desk.add_reason("c2", "complaint", "tel1", at(40))
    await desk.add_reason("late", "complaint", "tel1", at(7300))
    in_time = await desk.add_callback(new_callback("+4511111111", due_minutes=30))
    too_late = await desk.add_callback(new_callback("+4522222222", due_minutes=10))
    got_through = await desk.add_callback(new_callback("+4533333333"))
    await desk.add_callback(new_callback("+4544444444", due_minutes=5))  # left open, overdue
    await desk.add_callback(new_callback("+4555555555", due_minutes=500))  # left open
    await desk.close_callback(in_time.id, CallbackResult.REACHED, "tel1", at(600))
    await desk.close_callback(too_late.id, CallbackResult.NO_ANSWER, "tel1", at(1200))
    await desk.number_got_through(got_through.number, at(100))
    with other_connection(db_path) as conn:
        figures = desk_figures(conn, T0, T0 + timedelta(hours=1), now=at(3600))
    assert {"complaint": 2, "parking": 1} == figures.calls_per_reason
    assert 2 == figures.calls_coded
    counts = (
        figures.callbacks_created,
        figures.callbacks_done,
        figures.callbacks_done_in_time,
        figures.callbacks_caller_got_through,
        figures.callbacks_open,
        figures.callbacks_overdue,
    )
    assert (5, 2, 1, 1, 2, 1) == counts
    expected_results = {"reached": 1, "no_answer": 1, "caller_got_through": 1}
    assert expected_results == figures.callbacks_per_result
    with other_connection(db_path) as conn:
        imported = desk_figures(conn, T0, T0 + timedelta(hours=1), at(3600), "queue_log:main")
    assert ({}, 0) == (imported.calls_per_reason, imported.calls_coded)
