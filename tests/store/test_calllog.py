"""The call log keeps every step of every call, committed as it happens, and survives restarts."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from callrouter.domain.commands import (
    LogCommand,
    RecordAnswer,
    RecordAttemptEnded,
    RecordAttemptStarted,
    RecordCallEnded,
    RecordControllerEvent,
    RecordOverflow,
    RecordTransfer,
)
from callrouter.domain.model import AttemptResult, Outcome, OverflowReason, TargetKind
from callrouter.ports import OpenCall
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.schema import SCHEMA_VERSION, migration_script
from tests.store.steps import (
    T0,
    answered_lifecycle,
    arrival,
    at,
    ended,
    other_connection,
    overflowed_lifecycle,
    query,
)

CALL = "1795424401.17"

# What a second connection must see right after each step of answered_lifecycle().
WITNESSES = [
    ("SELECT caller_name, arrived_at FROM calls", [("Søren Ærø", T0.timestamp())]),
    ("SELECT attempt_no, target, result FROM attempts", [(1, "tel3", None)]),
    ("SELECT attempt_no, result, rings FROM attempts", [(1, "no_answer", 4)]),
    ("SELECT count(*) FROM attempts WHERE ended_at IS NULL", [(1,)]),
    ("SELECT attempt_no, result, rings FROM attempts WHERE attempt_no = 2", [(2, "answered", 1)]),
    ("SELECT answered_by, wait_seconds, rings_heard FROM calls", [("tel1", 23.0, 5)]),
    ("SELECT kind, target FROM transfers", [("blind", "dept-jobcenter@departments")]),
    ("SELECT outcome, hangup_cause FROM calls", [("answered", "16")]),
]


async def test_every_step_is_committed_and_visible_to_another_connection_at_once(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """A controller crash right after any step loses nothing: another reader already sees it."""
    steps = answered_lifecycle(CALL)
    assert len(WITNESSES) == len(steps)
    for step, (sql, expected) in zip(steps, WITNESSES, strict=True):
        await call_log.record(step)
        assert expected == query(db_path, sql), type(step).__name__


async def test_a_step_written_before_the_controller_is_killed_is_there_after_restart(
    db_path: Path,
) -> None:
    """SIGKILL the controller process after record() returns: the arrival is on disk."""
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from callrouter.store.calllog import SqliteCallLog\n"
        "from tests.store.steps import arrival\n"
        "async def main():\n"
        "    log = await SqliteCallLog.open(Path(sys.argv[1]))\n"
        "    await log.record(arrival('killed.1'))\n"
        "    print('recorded', flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    root = Path(__file__).parents[2]
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(db_path), cwd=root, stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    output = await asyncio.wait_for(_read_until(child.stdout, b"recorded\n"), timeout=30)
    child.send_signal(signal.SIGKILL)
    await child.wait()
    assert -signal.SIGKILL == child.returncode
    assert output.endswith(b"recorded\n")
    log = await SqliteCallLog.open(db_path)
    try:
        assert ["killed.1"] == [call.call_id for call in await log.open_calls()]
    finally:
        await log.close()


async def _read_until(stream: asyncio.StreamReader, last_line: bytes) -> bytes:
    output = b""
    while not output.endswith(last_line):
        line = await stream.readline()
        assert line, f"the child exited early: {output!r}"
        output += line
    return output


async def test_open_calls_lists_calls_that_arrived_or_were_answered_but_never_ended(
    call_log: SqliteCallLog,
) -> None:
    """After a crash the controller recovers exactly the calls still in progress."""
    for step in answered_lifecycle("done.1")[:-1]:  # answered, transferred, not ended
        await call_log.record(step)
    for step in overflowed_lifecycle("over.1", at(10))[:-1]:
        await call_log.record(step)
    await call_log.record(arrival("waiting.1", at(20)))
    for step in overflowed_lifecycle("ended.1", at(30)):
        await call_log.record(step)

    expected = [
        OpenCall(
            call_id="done.1",
            linked_id="done.1-linked",
            channel="PJSIP/trunk-done.1",
            entry="4589151515",
            department=None,
            language="da",
            caller_number="+4512345678",
            caller_name="Søren Ærø",
            arrived_at=T0,
            answered_at=datetime(2026, 11, 23, 9, 0, 24, 250000, tzinfo=UTC),
            answered_by="tel1",
            attempts=2,
            overflowed=False,
        ),
        OpenCall(
            call_id="over.1",
            linked_id="over.1-linked",
            channel="PJSIP/trunk-over.1",
            entry="4589151515",
            department="borgerservice",
            language="da",
            caller_number="+4512345678",
            caller_name="Anna Öberg",
            arrived_at=datetime(2026, 11, 23, 9, 0, 11, 250000, tzinfo=UTC),
            answered_at=datetime(2026, 11, 23, 9, 0, 18, 250000, tzinfo=UTC),
            answered_by="department:borgerservice",
            attempts=1,
            overflowed=True,
        ),
        OpenCall(
            call_id="waiting.1",
            linked_id="waiting.1-linked",
            channel="PJSIP/trunk-waiting.1",
            entry="4589151515",
            department=None,
            language="da",
            caller_number="+4512345678",
            caller_name="Søren Ærø",
            arrived_at=datetime(2026, 11, 23, 9, 0, 21, 250000, tzinfo=UTC),
            answered_at=None,
            answered_by=None,
            attempts=0,
            overflowed=False,
        ),
    ]
    assert expected == await call_log.open_calls()


async def test_an_after_hours_hand_off_does_not_count_as_an_overflow_for_recovery(
    call_log: SqliteCallLog,
) -> None:
    """Only wait_limit / no_telephonist_logged_in overflows mark an open call as overflowed."""
    await call_log.record(arrival("night.1"))
    after_hours = OverflowReason.AFTER_HOURS
    await call_log.record(RecordOverflow("night.1", TargetKind.DIAL, "duty", after_hours, at(1)))
    assert [False] == [call.overflowed for call in await call_log.open_calls()]


async def test_a_second_end_of_a_call_keeps_the_first_and_warns(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """A late duplicate hang-up must not rewrite how the call ended in the statistics."""
    await call_log.record(arrival(CALL))
    await call_log.record(ended(CALL, 30, Outcome.ABANDONED))
    with structlog.testing.capture_logs() as logs:
        await call_log.record(RecordCallEnded(CALL, Outcome.FAILED, "PBX restart", at(99)))

    first_end = (T0.timestamp() + 30, "abandoned", "16")
    assert [first_end] == query(db_path, "SELECT ended_at, outcome, hangup_cause FROM calls")
    assert [("RecordCallEnded", CALL, "call_already_ended", "warning")] == [
        (e["step"], e["call_id"], e["reason"], e["log_level"]) for e in logs
    ]
    assert [("RecordCallEnded", CALL, "call_already_ended")] == query(
        db_path, "SELECT step, call_id, reason FROM orphan_steps"
    )
    assert [] == await call_log.open_calls()


async def test_a_second_answer_keeps_the_first(call_log: SqliteCallLog, db_path: Path) -> None:
    """Service level is measured from the first answer; a repeated answer step cannot move it."""
    await call_log.record(arrival(CALL))
    await call_log.record(RecordAnswer(CALL, "tel1", 3.0, 1, at(3)))
    await call_log.record(RecordAnswer(CALL, "tel2", 50.0, 10, at(50)))
    assert [("tel1", 3.0, 1)] == query(
        db_path, "SELECT answered_by, wait_seconds, rings_heard FROM calls"
    )
    assert [("call_already_answered",)] == query(db_path, "SELECT reason FROM orphan_steps")


async def test_steps_for_an_unknown_call_do_not_raise_and_are_kept_aside(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """Bad data never stops the controller; the steps are kept in orphan_steps, not lost."""
    ghost, tel = "never-arrived", TargetKind.TELEPHONIST
    steps: list[LogCommand] = [
        RecordAttemptStarted(ghost, 1, tel, "tel1", "PJSIP/1001", at(1)),
        RecordAttemptEnded(ghost, 1, AttemptResult.NO_ANSWER, 4, at(21)),
        RecordAnswer(ghost, "tel1", 3.0, 1, at(3)),
        RecordOverflow(ghost, TargetKind.DIAL, "duty", OverflowReason.WAIT_LIMIT, at(4)),
        RecordTransfer(ghost, "blind", "100@phones", at(5)),
        RecordCallEnded(ghost, Outcome.ABANDONED, "16", at(6)),
    ]
    with structlog.testing.capture_logs() as logs:
        for step in steps:
            await call_log.record(step)

    assert ["warning"] * 6 == [e["log_level"] for e in logs]
    assert [(type(s).__name__, ghost, "unknown_call") for s in steps] == query(
        db_path, "SELECT step, call_id, reason FROM orphan_steps ORDER BY id"
    )
    for table in ("calls", "attempts", "overflows", "transfers"):
        assert [(0,)] == query(db_path, f"SELECT count(*) FROM {table}")  # noqa: S608
    await call_log.record(arrival(CALL))  # and the log carries on
    assert [(CALL,)] == query(db_path, "SELECT call_id FROM calls")


async def test_repeated_or_impossible_steps_of_a_known_call_are_kept_aside(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """A duplicate arrival or attempt, or an end of an attempt never started, changes nothing."""
    tel = TargetKind.TELEPHONIST
    await call_log.record(arrival(CALL))
    await call_log.record(RecordAttemptStarted(CALL, 1, tel, "tel1", "PJSIP/1001", at(1)))
    await call_log.record(RecordAttemptEnded(CALL, 1, AttemptResult.BUSY, 0, at(2)))
    await call_log.record(arrival(CALL, at(5), caller_name="Someone Else"))
    await call_log.record(RecordAttemptStarted(CALL, 1, tel, "tel2", "PJSIP/1002", at(6)))
    await call_log.record(RecordAttemptEnded(CALL, 1, AttemptResult.ANSWERED, 1, at(7)))
    await call_log.record(RecordAttemptEnded(CALL, 9, AttemptResult.ANSWERED, 1, at(8)))

    assert [("Søren Ærø",)] == query(db_path, "SELECT caller_name FROM calls")
    assert [("tel1", "busy")] == query(db_path, "SELECT target, result FROM attempts")
    expected = ["duplicate_arrival", "duplicate_attempt", "attempt_already_ended"]
    expected.append("unknown_attempt")
    assert expected == [r for (r,) in query(db_path, "SELECT reason FROM orphan_steps")]


async def test_controller_events_are_kept_for_the_downtime_report(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """PBX up/down and telephonist pauses are logged with their exact UTC time."""
    await call_log.record(RecordControllerEvent("pbx_disconnected", "pbx", "EOF", at(0)))
    paused = "paused after 3 missed calls in a row"
    await call_log.record(RecordControllerEvent("telephonist_paused", "tel3", paused, at(1)))
    await call_log.record(RecordControllerEvent("pbx_connected", "pbx", "2 live", at(42.5)))
    assert [
        (T0.timestamp(), "pbx_disconnected", "pbx", "EOF"),
        (T0.timestamp() + 1, "telephonist_paused", "tel3", paused),
        (T0.timestamp() + 42.5, "pbx_connected", "pbx", "2 live"),
    ] == query(db_path, "SELECT at, kind, subject, detail FROM controller_events ORDER BY id")


async def test_times_are_stored_as_utc_epoch_seconds_and_come_back_exact(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """A Copenhagen-time step comes back as the same instant in UTC, to the microsecond."""
    moment = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC)  # the night DST starts
    await call_log.record(arrival(CALL, moment.astimezone(at(0).tzinfo)))
    (call,) = await call_log.open_calls()
    assert moment == call.arrived_at
    assert UTC == call.arrived_at.tzinfo
    assert [(moment.timestamp(),)] == query(db_path, "SELECT arrived_at FROM calls")


async def test_reopening_an_existing_log_keeps_its_data_and_schema(db_path: Path) -> None:
    """A controller restart must not recreate (and so wipe) the call log."""
    log = await SqliteCallLog.open(db_path)
    await log.record(arrival(CALL))
    await log.close()
    with other_connection(db_path) as connection:
        tables = connection.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()

    log = await SqliteCallLog.open(db_path)
    try:
        assert [CALL] == [call.call_id for call in await log.open_calls()]
        await log.record(ended(CALL, 10))
    finally:
        await log.close()
    with other_connection(db_path) as connection:
        assert (
            tables
            == connection.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
        )
        assert [(SCHEMA_VERSION,)] == connection.execute("PRAGMA user_version").fetchall()
        assert [("wal",)] == connection.execute("PRAGMA journal_mode").fetchall()


async def test_a_version_1_log_is_upgraded_and_its_calls_count_as_routed_here(
    db_path: Path,
) -> None:
    """Upgrading callrouter keeps last month's calls, marked as this controller's own."""
    with other_connection(db_path) as connection:
        connection.executescript(migration_script(0))
        connection.execute(
            "INSERT INTO calls (call_id, linked_id, channel, entry, caller_number, caller_name,"
            " arrived_at) VALUES (?, ?, 'PJSIP/x-1', '4589151515', '+4511', 'Åse', 1.5)",
            (CALL, CALL),
        )
        connection.commit()
    log = await SqliteCallLog.open(db_path)
    await log.close()
    with other_connection(db_path) as connection:
        assert [(SCHEMA_VERSION,)] == connection.execute("PRAGMA user_version").fetchall()
        rows = connection.execute("SELECT call_id, source FROM calls").fetchall()
    assert [(CALL, "callrouter")] == rows


async def test_a_log_from_a_newer_callrouter_is_refused(db_path: Path) -> None:
    """An old controller must not write into a schema it does not understand."""
    with other_connection(db_path) as connection:
        connection.execute("PRAGMA user_version = 99")
    with pytest.raises(RuntimeError, match="schema version 99"):
        await SqliteCallLog.open(db_path)


async def test_a_full_disk_raises_so_the_controller_knows_the_step_is_not_written(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """Real I/O failures are not swallowed; the failed step leaves no half-written call behind.

    SQLite's max_page_count makes the next page allocation fail with SQLITE_FULL, the very error
    a full disk gives.
    """
    await call_log.record(arrival(CALL))
    db = call_log._db  # private, but the only way to cap this connection's file size
    async with db.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {row[0]}")

    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        await call_log.record(arrival("big.1", caller_name="x" * 1_000_000))

    assert [(CALL,)] == query(db_path, "SELECT call_id FROM calls")
    await call_log.record(ended(CALL, 5))  # still usable once there is room
    assert [("answered",)] == query(db_path, "SELECT outcome FROM calls")


async def test_the_steps_of_one_event_are_written_together_in_order(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """An arrival and its first ring attempt land in one commit; a bad step among them is kept
    aside without losing the good ones."""
    tel = TargetKind.TELEPHONIST
    await call_log.record_all(
        [
            arrival(CALL),
            RecordAttemptStarted(CALL, 1, tel, "tel1", "PJSIP/1001", at(0)),
            RecordAttemptEnded(CALL, 7, AttemptResult.NO_ANSWER, 1, at(1)),
            RecordAttemptStarted(CALL, 2, tel, "tel2", "PJSIP/1002", at(1)),
        ]
    )
    assert [(1, "tel1"), (2, "tel2")] == query(
        db_path, "SELECT attempt_no, target FROM attempts ORDER BY attempt_no"
    )
    assert [("unknown_attempt",)] == query(db_path, "SELECT reason FROM orphan_steps")


async def test_a_batch_that_cannot_be_written_leaves_nothing_half_written(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """A full disk mid-batch rolls the whole event back and raises, so the controller logs it."""
    await call_log.record(arrival(CALL))
    db = call_log._db  # private, but the only way to cap this connection's file size
    async with db.execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {row[0]}")
    batch = [ended(CALL, 5), arrival("big.1", caller_name="x" * 1_000_000)]

    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        await call_log.record_all(batch)

    assert [(CALL, None)] == query(db_path, "SELECT call_id, outcome FROM calls")
