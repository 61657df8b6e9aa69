"""A call's log steps as the router writes them, so store tests read like a call's story."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from callrouter.domain.model import AttemptResult, Outcome, OverflowReason, TargetKind

CPH = ZoneInfo("Europe/Copenhagen")
# Monday 2026-11-23 09:00:01.25 UTC (10:00:01.25 in Copenhagen)
T0 = datetime(2026, 11, 23, 9, 0, 1, 250000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """`seconds` after T0, expressed in Copenhagen time (the store must turn it into UTC)."""
    return (T0 + timedelta(seconds=seconds)).astimezone(CPH)


def arrival(
    call_id: str,
    when: datetime = T0,
    caller_name: str = "Søren Ærø",
    department: str | None = None,
) -> RecordArrival:
    return RecordArrival(
        call_id=call_id,
        linked_id=f"{call_id}-linked",
        channel=f"PJSIP/trunk-{call_id}",
        entry="4589151515",
        department=department,
        language="da",
        caller_number="+4512345678",
        caller_name=caller_name,
        at=when,
    )


def ended(call_id: str, seconds: float, outcome: Outcome = Outcome.ANSWERED) -> RecordCallEnded:
    return RecordCallEnded(call_id, outcome, "16", at(seconds))


def answered_lifecycle(call_id: str = "1795424401.17") -> list[LogCommand]:
    """Tel3 doesn't answer (4 rings), tel1 answers, blind-transfers to the jobcenter; hang-up."""
    tel = TargetKind.TELEPHONIST
    return [
        arrival(call_id, at(0)),
        RecordAttemptStarted(call_id, 1, tel, "tel3", "PJSIP/1003", at(0.5)),
        RecordAttemptEnded(call_id, 1, AttemptResult.NO_ANSWER, 4, at(20.5)),
        RecordAttemptStarted(call_id, 2, tel, "tel1", "PJSIP/1001", at(20.6)),
        RecordAttemptEnded(call_id, 2, AttemptResult.ANSWERED, 1, at(23.0)),
        RecordAnswer(call_id, "tel1", 23.0, 5, at(23.0)),
        RecordTransfer(call_id, "blind", "dept-jobcenter@departments", at(95.125)),
        ended(call_id, 300.000001),
    ]


def overflowed_lifecycle(call_id: str, arrived: datetime = T0) -> list[LogCommand]:
    """Nobody logged in: the call overflows to the citizen service number, which answers."""
    offset = (arrived - T0).total_seconds()
    dept = TargetKind.DEPARTMENT
    return [
        arrival(call_id, arrived, caller_name="Anna Öberg", department="borgerservice"),
        RecordOverflow(call_id, dept, "borgerservice", OverflowReason.NO_TELEPHONIST, at(offset)),
        RecordAttemptStarted(call_id, 1, dept, "borgerservice", "PJSIP/2000", at(offset)),
        RecordAttemptEnded(call_id, 1, AttemptResult.ANSWERED, 2, at(offset + 7)),
        RecordAnswer(call_id, "department:borgerservice", 7.0, 2, at(offset + 7)),
        ended(call_id, offset + 60, Outcome.OVERFLOWED),
    ]


@contextlib.contextmanager
def other_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A second, independent connection: what another process (or a restart) would see."""
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with other_connection(path) as connection:
        return connection.execute(sql, params).fetchall()
