"""The report reads the log in pieces (calls by hour-aligned day, attempts by id range) only to
be faster: however small the pieces, every figure must be the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from callrouter.reports import queries
from tests.reports.logbuilder import Log, local, new_log
from tests.reports.test_handoffs import handoff_day


def rings_over_the_month(log: Log) -> None:
    for day in range(1, 29, 3):
        for hour, result in ((9, "answered"), (10, "no_answer"), (11, "answered")):
            call = log.call(local(2026, 11, day, hour), "answered", wait=7, rings=2, number="77")
            log.attempt(
                call, 1, "telephonist", f"tel{day % 3}", local(2026, 11, day, hour), 5, result
            )
            log.attempt(call, 2, "department", "family", local(2026, 11, day, hour, 1), day, result)


def test_attempts_read_in_tiny_pieces_give_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telephonist and reachability figures add up across pieces of attempt ids."""
    log = new_log(tmp_path)
    handoff_day(log)
    rings_over_the_month(log)
    whole = log.report()

    monkeypatch.setattr(queries, "ATTEMPT_PIECE", 2)
    pieces = log.report()

    assert whole == pieces
    assert 10 * 3 + 1 == sum(t.rung for t in pieces.reachability if t.department == "family")
