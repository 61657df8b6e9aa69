"""The report's desk section: reason codes on the period's calls, and the callbacks kept.

The figures come from `store.desk_report.desk_figures` (the panel's tables); this module only
shapes them for the report and adds the shares. A call log from before the desk tables existed
gets no desk section rather than zeros that would read as "nobody coded anything".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from callrouter.reports.model import CallbackResultRow, DeskReport, ReasonRow, Report
from callrouter.store.desk_report import DeskFigures, desk_figures


def desk_section(
    database: Path, report: Report, labels: Mapping[str, str], now: datetime
) -> DeskReport | None:
    """The desk figures for `report`'s period; None for imported calls (a queue_log has no
    codes or callbacks) and for a call log without the desk tables."""
    if report.method.source.startswith("queue_log:"):
        return None
    conn = sqlite3.connect(f"{database.absolute().as_uri()}?mode=ro", uri=True)
    try:
        if not _has_desk_tables(conn):
            return None
        source = None if report.method.source == "all" else report.method.source
        found = desk_figures(conn, report.period.start, report.period.end, now, source)
    finally:
        conn.close()
    return shape(found, labels, report.all_calls.figures.answered)


def _has_desk_tables(conn: sqlite3.Connection) -> bool:
    names = {"call_reasons", "callbacks"}
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", tuple(names)
    )
    return names == {name for (name,) in rows}


def shape(found: DeskFigures, labels: Mapping[str, str], answered: int) -> DeskReport:
    coded = found.calls_coded
    reasons = sorted(found.calls_per_reason.items(), key=lambda item: (-item[1], item[0]))
    return DeskReport(
        calls_coded=coded,
        coded_share=_share(coded, answered),
        reasons=tuple(
            ReasonRow(code, labels.get(code, code), calls, _share(calls, coded))
            for code, calls in reasons
        ),
        callbacks_created=found.callbacks_created,
        callbacks_done=found.callbacks_done,
        callbacks_done_in_time=found.callbacks_done_in_time,
        done_in_time_share=_share(found.callbacks_done_in_time, found.callbacks_done),
        callbacks_caller_got_through=found.callbacks_caller_got_through,
        callbacks_open=found.callbacks_open,
        callbacks_overdue=found.callbacks_overdue,
        callbacks_by_result=tuple(
            CallbackResultRow(result, n) for result, n in sorted(found.callbacks_per_result.items())
        ),
    )


def _share(part: int, whole: int) -> float | None:
    return min(1.0, part / whole) if whole else None
