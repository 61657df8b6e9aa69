"""Reason codes and callbacks for a period, for the KPI reports (plain sqlite3, read only).

`desk_figures(conn, start, end)`:

- reason codes: the codes on calls that *arrived* in [start, end) (the same calls the call
  report counts), as calls per code, and how many of those calls had at least one code;
- callbacks: the entries *created* in [start, end) and what became of them by the time of the
  report: `done` = closed by a telephonist with a result (reached, left_voicemail, no_answer,
  wrong_number), `done_in_time` = of those, closed at or before their due time,
  `caller_got_through` = closed by themselves because the caller's own call was answered,
  `open` = not closed yet (`overdue` = open and past due at `now`), and every result's count.

The connection may be the controller's database opened read only; run it in a thread from async
code (`asyncio.to_thread`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from callrouter.domain.callbacks import RESULTS_BY_HAND, CallbackResult
from callrouter.store.schema import to_epoch

# `?3 IS NULL OR c.source = ?3`: all calls, or only those of one source (e.g. `callrouter`)
REASONS_SQL = """
SELECT r.code, count(DISTINCT r.call_id)
FROM call_reasons r JOIN calls c ON c.call_id = r.call_id
WHERE c.arrived_at >= ?1 AND c.arrived_at < ?2 AND (?3 IS NULL OR c.source = ?3)
GROUP BY r.code ORDER BY r.code
"""

CODED_CALLS_SQL = """
SELECT count(DISTINCT r.call_id)
FROM call_reasons r JOIN calls c ON c.call_id = r.call_id
WHERE c.arrived_at >= ?1 AND c.arrived_at < ?2 AND (?3 IS NULL OR c.source = ?3)
"""

CALLBACKS_SQL = """
SELECT coalesce(result, ''), closed_at IS NOT NULL AND closed_at <= due_at, due_at < ?, count(*)
FROM callbacks
WHERE created_at >= ? AND created_at < ?
GROUP BY 1, 2, 3
"""


@dataclass(frozen=True)
class DeskFigures:
    calls_per_reason: dict[str, int]  # code -> calls that arrived in the period with that code
    calls_coded: int  # calls that arrived in the period with at least one code
    callbacks_created: int
    callbacks_done: int  # closed by a telephonist with a result
    callbacks_done_in_time: int  # ... at or before the due time
    callbacks_caller_got_through: int  # closed by themselves: the caller's own call was answered
    callbacks_open: int
    callbacks_overdue: int  # open and past due at `now`
    callbacks_per_result: dict[str, int]


def desk_figures(
    conn: sqlite3.Connection,
    start: datetime,
    end: datetime,
    now: datetime,
    source: str | None = None,
) -> DeskFigures:
    """Reason codes (calls of `source`, None: every source) and callbacks of [start, end)."""
    period = (to_epoch(start), to_epoch(end))
    per_reason = {code: int(n) for code, n in conn.execute(REASONS_SQL, (*period, source))}
    coded_row = conn.execute(CODED_CALLS_SQL, (*period, source)).fetchone()
    per_result: dict[str, int] = {}
    created = in_time = open_now = overdue = 0
    for result, on_time, past_due, count in conn.execute(CALLBACKS_SQL, (to_epoch(now), *period)):
        created += count
        if not result:
            open_now += count
            overdue += count if past_due else 0
            continue
        per_result[result] = per_result.get(result, 0) + count
        if result in RESULTS_BY_HAND and on_time:
            in_time += count
    done = sum(n for r, n in per_result.items() if r in RESULTS_BY_HAND)
    return DeskFigures(
        calls_per_reason=per_reason,
        calls_coded=int(coded_row[0]) if coded_row else 0,
        callbacks_created=created,
        callbacks_done=done,
        callbacks_done_in_time=in_time,
        callbacks_caller_got_through=per_result.get(CallbackResult.CALLER_GOT_THROUGH, 0),
        callbacks_open=open_now,
        callbacks_overdue=overdue,
        callbacks_per_result=per_result,
    )
