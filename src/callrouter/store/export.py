"""Export the call log as CSV or JSON Lines: one row per call, arrived_at in [start, end).

Rows are streamed in arrival order (ties by call id) from one read snapshot, so a month of
100k calls is never held in memory and a controller writing at the same time does not tear a
row. Times are ISO 8601 in UTC with the offset and microseconds,
e.g. ``2026-11-23T09:00:01.250000+00:00``. An empty CSV cell / JSON ``null`` means "none
(yet)": a call that is still open is exported with an empty outcome.

Fields, in column order:

- ``call_id``: the PBX's own id for the call (Asterisk: the caller channel's Uniqueid).
- ``linked_id``: the PBX's id linking all channels of the call (Asterisk: Linkedid).
- ``entry``: the number the caller dialled.
- ``route``: ``switchboard``, or the department id for a department's own number.
- ``caller_number``: the caller's number (caller id) as the PBX gave it.
- ``caller_name``: the caller's name (caller id name), UTF-8 exactly as the PBX gave it.
- ``language``: the language of the entry number, if it has one.
- ``arrived_at``: when the call reached the controller.
- ``answered_at``: when a telephonist (or the function number / dial target) answered.
- ``answered_by``: the telephonist id, or ``department:<id>`` / ``dial:<name>``.
- ``wait_seconds``: seconds from arrival to the answer.
- ``rings_heard``: rings the caller heard before the answer (from the ring cadence).
- ``attempts``: every ring, in order. JSONL: a list of objects ``{no, target_kind, target,
  started_at, ended_at, result, rings}``. CSV: ``no:target_kind:target:result:rings`` joined
  by ``|``, e.g. ``1:telephonist:tel3:no_answer:4|2:telephonist:tel1:answered:1``; an attempt
  that never ended has empty result and rings (``3:telephonist:tel2::``).
- ``attempt_count``: the number of attempts.
- ``overflow_target``: the function number / dial target the call was first overflowed to.
- ``overflow_reason``: why: ``wait_limit``, ``no_telephonist_logged_in`` or ``after_hours``.
- ``transfers``: transfers seen on the call, in order. JSONL: a list of objects ``{at, kind,
  target}``. CSV: ``kind:target`` joined by ``|``, e.g. ``blind:dept-jobcenter@departments``.
- ``outcome``: ``answered``, ``abandoned``, ``overflowed``, ``closed`` or ``failed``; empty
  while the call is open.
- ``hangup_cause``: the PBX's hang-up cause for the call.
- ``ended_at``: when the call ended.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO

import aiosqlite

from callrouter.store.schema import maybe_from_epoch, to_epoch

EXPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("call_id", "the PBX's own id for the call (Asterisk: the caller channel's Uniqueid)"),
    ("linked_id", "the PBX's id linking all channels of the call (Asterisk: Linkedid)"),
    ("entry", "the number the caller dialled"),
    ("route", "`switchboard`, or the department id for a department's own number"),
    ("caller_number", "the caller's number (caller id) as the PBX gave it"),
    ("caller_name", "the caller's name (caller id name), UTF-8 exactly as the PBX gave it"),
    ("language", "the language of the entry number, if it has one"),
    ("arrived_at", "when the call reached the controller"),
    ("answered_at", "when a telephonist (or the function number / dial target) answered"),
    ("answered_by", "the telephonist id, or `department:<id>` / `dial:<name>`"),
    ("wait_seconds", "seconds from arrival to the answer"),
    ("rings_heard", "rings the caller heard before the answer (from the ring cadence)"),
    (
        "attempts",
        "every ring, in order; JSONL: list of {no, target_kind, target, started_at, ended_at, "
        "result, rings}; CSV: `no:target_kind:target:result:rings` joined by vertical bars",
    ),
    ("attempt_count", "the number of attempts"),
    ("overflow_target", "the function number / dial target the call was first overflowed to"),
    ("overflow_reason", "why: `wait_limit`, `no_telephonist_logged_in` or `after_hours`"),
    (
        "transfers",
        "transfers seen on the call, in order; JSONL: list of {at, kind, target}; "
        "CSV: `kind:target` joined by vertical bars",
    ),
    ("outcome", "`answered`, `abandoned`, `overflowed`, `closed` or `failed`; empty while open"),
    ("hangup_cause", "the PBX's hang-up cause for the call"),
    ("ended_at", "when the call ended"),
)

FIELD_NAMES = tuple(name for name, _ in EXPORT_FIELDS)

# SQLite's JSON writes REALs with 15 significant digits (10 µs for today's epoch seconds), so
# times inside the JSON aggregates travel as integer microseconds.
EXPORT_SQL = """
SELECT c.call_id, c.linked_id, c.entry, c.department, c.caller_number, c.caller_name,
       c.language, c.arrived_at, c.answered_at, c.answered_by, c.wait_seconds, c.rings_heard,
       (SELECT json_group_array(json_array(
                   a.attempt_no, a.target_kind, a.target,
                   CAST(round(a.started_at * 1e6) AS INTEGER),
                   CAST(round(a.ended_at * 1e6) AS INTEGER),
                   a.result, a.rings))
          FROM attempts a WHERE a.call_id = c.call_id) AS attempts,
       (SELECT json_array(o.target, o.reason) FROM overflows o
          WHERE o.call_id = c.call_id ORDER BY o.at, o.id LIMIT 1) AS overflow,
       (SELECT json_group_array(json_array(
                   CAST(round(t.at * 1e6) AS INTEGER), t.id, t.kind, t.target))
          FROM transfers t WHERE t.call_id = c.call_id) AS transfers,
       c.outcome, c.hangup_cause, c.ended_at
FROM calls c
WHERE c.arrived_at >= ? AND c.arrived_at < ?
ORDER BY c.arrived_at, c.call_id
"""

CHUNK_ROWS = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Row = dict[str, Any]


async def export_calls(
    log_path: Path,
    out: TextIO,
    fmt: Literal["csv", "jsonl"],
    start: datetime | None,
    end: datetime | None,
) -> int:
    """Write the calls that arrived in [start, end) to `out`; the number of calls written.

    `None` leaves that side open. The database is opened read-only; it must exist.
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r}: use csv or jsonl")
    async with contextlib.aclosing(_rows(log_path, start, end)) as rows:
        if fmt == "csv":
            return await _write_csv(rows, out)
        return await _write_jsonl(rows, out)


async def _write_csv(rows: AsyncIterator[Row], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(FIELD_NAMES)
    count = 0
    async for row in rows:
        row["attempts"] = "|".join(_compact_attempt(a) for a in row["attempts"])
        row["transfers"] = "|".join(f"{t['kind']}:{t['target']}" for t in row["transfers"])
        writer.writerow("" if row[name] is None else row[name] for name in FIELD_NAMES)
        count += 1
    return count


async def _write_jsonl(rows: AsyncIterator[Row], out: TextIO) -> int:
    count = 0
    async for row in rows:
        out.write(json.dumps({name: row[name] for name in FIELD_NAMES}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _compact_attempt(attempt: Row) -> str:
    parts = (attempt["no"], attempt["target_kind"], attempt["target"])
    ending = (attempt["result"], attempt["rings"])
    return ":".join("" if part is None else str(part) for part in (*parts, *ending))


async def _rows(
    log_path: Path, start: datetime | None, end: datetime | None
) -> AsyncGenerator[Row, None]:
    """The calls in [start, end) as export rows (times as ISO strings), streamed."""
    low = float("-inf") if start is None else to_epoch(start)
    high = float("inf") if end is None else to_epoch(end)
    async with aiosqlite.connect(_read_only_uri(log_path), uri=True) as db:
        db.row_factory = sqlite3.Row
        async with db.execute(EXPORT_SQL, (low, high)) as cursor:
            cursor.arraysize = CHUNK_ROWS
            async for record in cursor:
                yield _export_row(record)


def _read_only_uri(path: Path) -> str:
    return f"{path.absolute().as_uri()}?mode=ro"


def _export_row(record: sqlite3.Row) -> Row:
    row: Row = dict(record)
    for name in ("arrived_at", "answered_at", "ended_at"):
        row[name] = _iso(maybe_from_epoch(row[name]))
    row["route"] = row.pop("department") or "switchboard"
    attempts = sorted(json.loads(row["attempts"]), key=lambda a: a[0])
    row["attempts"] = [_attempt(a) for a in attempts]
    row["attempt_count"] = len(attempts)
    overflow = row.pop("overflow")
    row["overflow_target"], row["overflow_reason"] = (
        json.loads(overflow) if overflow else (None, None)
    )
    transfers = sorted(json.loads(row["transfers"]), key=lambda t: (t[0], t[1]))
    row["transfers"] = [{"at": _iso_us(at), "kind": k, "target": t} for at, _, k, t in transfers]
    return row


def _attempt(values: list[Any]) -> Row:
    no, target_kind, target, started_us, ended_us, result, rings = values
    return {
        "no": no,
        "target_kind": target_kind,
        "target": target,
        "started_at": _iso_us(started_us),
        "ended_at": _iso_us(ended_us),
        "result": result,
        "rings": rings,
    }


def _iso_us(microseconds: int | None) -> str | None:
    """Integer epoch microseconds (from the JSON aggregates) -> ISO 8601 UTC."""
    return None if microseconds is None else _iso(EPOCH + timedelta(microseconds=microseconds))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="microseconds")
