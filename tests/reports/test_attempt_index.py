"""Ring attempts are counted through the covering index of schema version 4 (no sort of every
attempt); an older log without it must give the very same report, only slower."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from callrouter.reports import queries
from callrouter.store.schema import SCHEMA_VERSION
from tests.reports.logbuilder import Log, local, new_log
from tests.reports.test_handoffs import handoff_day

DAY = (2026, 11, 2)


def rings(log: Log) -> None:
    handoff_day(log)
    for minute, result in enumerate(("answered", "no_answer", "", None, "answered")):
        call = log.call(local(*DAY, 15, minute), "answered", wait=9, rings=2, number="66")
        log.attempt(call, 1, "telephonist", "tel2", local(*DAY, 15, minute), 4, result)
        log.attempt(call, 2, "department", "family", local(*DAY, 15, minute, 5), 3, result)


def test_a_migrated_log_has_the_attempts_index(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    indexes = [row[1] for row in log.conn.execute("PRAGMA index_list('attempts')")]
    assert SCHEMA_VERSION == log.conn.execute("PRAGMA user_version").fetchone()[0]
    assert "attempts_kind_target" in indexes


def test_attempts_are_counted_through_the_index_without_sorting(tmp_path: Path) -> None:
    """The reason for the index: SQLite reads the attempts in group order."""
    log = new_log(tmp_path)
    rings(log)
    statements: list[str] = []
    log.conn.set_trace_callback(statements.append)
    scan = queries.make_scan(log.conn, "callrouter", 0.0, 1e10)
    queries.attempt_counts(log.conn, scan)
    log.conn.set_trace_callback(None)
    grouped = [s for s in statements if "GROUP BY a.target" in s and "LIMIT 0" not in s]
    plans = [log.conn.execute(f"EXPLAIN QUERY PLAN {s}").fetchall() for s in grouped]
    details = [" / ".join(str(step[3]) for step in plan) for plan in plans]
    assert 2 == len(details)
    assert all("COVERING INDEX attempts_kind_target" in d for d in details), details
    assert not any("TEMP B-TREE" in d for d in details), details


def test_a_missing_result_and_an_empty_one_are_one_group(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    rings(log)
    scan = queries.make_scan(log.conn, "callrouter", 0.0, 1e10)
    counts, _ = queries.attempt_counts(log.conn, scan)
    assert [("telephonist", "tel2", "", 2)] == [
        c for c in counts if c[:3] == ("telephonist", "tel2", "")
    ]


def test_a_log_without_the_index_gives_the_same_report(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    rings(log)
    log.conn.commit()
    with_index = log.report()
    log.conn.execute("DROP INDEX attempts_kind_target")
    log.conn.commit()
    without = sqlite3.connect(log.path).execute("PRAGMA index_list('attempts')").fetchall()
    assert "attempts_kind_target" not in [row[1] for row in without]
    assert with_index == log.report()
