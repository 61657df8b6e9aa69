"""Today's ended calls from the call log, so the wallboard's "today" survives a restart."""

from __future__ import annotations

from datetime import datetime

from callrouter.domain.live_kpis import FinishedCall
from callrouter.domain.model import Outcome
from callrouter.store.desk_base import Database
from callrouter.store.schema import from_epoch, to_epoch

ENDED_SQL = """
SELECT department, outcome, arrived_at, ended_at, wait_seconds, rings_heard, answered_at
FROM calls WHERE ended_at >= ? AND ended_at < ? AND outcome IS NOT NULL
ORDER BY ended_at
"""


async def ended_calls(db: Database, start: datetime, end: datetime) -> list[FinishedCall]:
    rows = await db.rows(ENDED_SQL, (to_epoch(start), to_epoch(end)))
    out = []
    for department, outcome, arrived_at, ended_at, wait, rings, answered_at in rows:
        answered = answered_at is not None and wait is not None
        waited = wait if answered else ended_at - arrived_at
        out.append(FinishedCall(from_epoch(ended_at), department, Outcome(outcome),
                                float(waited), rings if answered else None))  # fmt: skip
    return out
