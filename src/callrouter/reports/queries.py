"""The SQL a report runs: few scans, only the columns needed, aggregation inside SQLite.

Speed matters (a quarter of a busy switchboard is a million calls, see bench/report_speed.py):

- `grouped_calls`: one scan of the period's calls through the (source, arrived_at) index, grouped
  by scope x local hour x outcome x "ended in a downtime", with counts, sums and maxima. Every
  count, share, ASA and longest wait in the report comes from its few thousand rows. It runs once
  per piece of about a day (`period.hour_aligned_cuts`): SQLite groups by sorting, and a day's
  calls sort much faster than a quarter's; no group spans two pieces, so no figure changes.
- `caller_rows`: one ordered read of (arrived_at, number, department, answered wait, foreign
  linked id) for the repeat-caller and returned-call rules and the exact wait percentiles.
- attempts: through the covering index (target_kind, target, result, started_at, ended_at),
  already in group order; hand-offs: by call id. The join to `calls` (for the `source` filter)
  is skipped when the log holds only that source.

The per-call rules are the ones in `callrouter.domain.kpis` written as SQL; tests check the
report against those methods call by call.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from callrouter.domain.kpis import KpiSettings

# The f-string SQL below (noqa: S608) is built only from this module's own fragments and from
# numbers (settings, epoch seconds) formatted with repr; every outside value is a bound parameter.

ALL_SOURCES = "all"
LONGEST_CALL_SECONDS = 86400.0  # downtimes this long after the period can still end its calls

# The caller number counts for repeats and returns only if it has a digit (not "", "anonymous").
NUMBER_SQL = "CASE WHEN caller_number GLOB '*[0-9]*' THEN caller_number END"
# The hang-up cause a graceful PBX restart leaves: 0 (stored as "0 <text>") or nothing.
CAUSE_ZERO_SQL = "(hangup_cause IS NULL OR hangup_cause IN ('', '0') OR hangup_cause LIKE '0 %')"
HELD_SQL = "(ended_at - arrived_at)"  # seconds from arrival to the end of the call
# Log times have microsecond resolution, and a difference of two epoch doubles is off by less than
# 0.5 µs, so "held < T" (exactly T is not short) is "ended_at - arrived_at < T - 0.5 µs". Cheaper
# than round(..., 6) on every row.
HALF_MICROSECOND = 5e-7
OUTCOME_CODES = ("answered", "abandoned", "overflowed", "closed", "failed")
OUTCOME_CODE_SQL = (
    "CASE outcome "
    + " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(OUTCOME_CODES))
    + f" ELSE {len(OUTCOME_CODES)} END"
)


@dataclass(frozen=True)
class Scan:
    """What every query filters on: the calls' source and the period in epoch seconds."""

    source: str
    low: float
    high: float
    only_source_in_log: bool  # the log holds no other source: attempts need no join to calls

    def where(self, alias: str = "") -> tuple[str, tuple[object, ...]]:
        """SQL condition (and its parameters) for calls of the source that arrived in the period."""
        prefix = f"{alias}." if alias else ""
        period = f"{prefix}arrived_at >= ? AND {prefix}arrived_at < ?"
        if self.source == ALL_SOURCES:
            return period, (self.low, self.high)
        return f"{prefix}source = ? AND {period}", (self.source, self.low, self.high)


def make_scan(conn: sqlite3.Connection, source: str, low: float, high: float) -> Scan:
    lowest = conn.execute("SELECT min(source) FROM calls").fetchone()[0]
    highest = conn.execute("SELECT max(source) FROM calls").fetchone()[0]
    alone = source == ALL_SOURCES or lowest is None or lowest == highest == source
    return Scan(source, low, high, alone)


def downtime_flag_sql(windows: list[tuple[float, float, float]]) -> str:
    """1 for an abandoned call that ended in a downtime (or cause 0 just before one), else 0."""
    if not windows:
        return "0"
    terms = [
        f"(ended_at >= {_real(grace)} AND ended_at <= {_real(end)}"
        f" AND (ended_at >= {_real(start)} OR {CAUSE_ZERO_SQL}))"
        for grace, start, end in windows
    ]
    return f"CASE WHEN outcome = 'abandoned' AND {_balanced_or(terms)} THEN 1 ELSE 0 END"


def _real(seconds: float) -> str:
    """A float as an SQL literal; no end (infinity) as a time far beyond any call."""
    return repr(min(max(seconds, -1e18), 1e18))


def _balanced_or(terms: list[str]) -> str:
    """OR of the terms as a balanced tree (SQLite limits expression depth to 1000)."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return f"({_balanced_or(terms[:middle])} OR {_balanced_or(terms[middle:])})"


# scope, local hour, outcome, down, calls, within rings, within seconds, short, wait sum,
# longest wait, longest hold (None when no call of the group has the value), calls with a number
GroupedRow = tuple[Any, ...]


def grouped_calls(
    conn: sqlite3.Connection,
    scan: Scan,
    settings: KpiSettings,
    local_sql: str,
    downtimes: tuple[list[tuple[float, float, float]], list[float]],
) -> list[GroupedRow]:
    """(scope, local hour number, outcome, ended_in_downtime, calls, within rings, within seconds,
    short abandons, wait sum, longest wait, longest hold) per group; open calls excluded.

    Hour, outcome and the downtime flag travel as one integer key: SQLite sorts to group, and
    one integer sorts faster than three values. `downtimes`: the reclassify windows (see
    `downtime_flag_sql`) and the pieces' cuts (hour-aligned, see above; the first and last are
    the period's bounds). Each piece tests only the windows its calls can end in."""
    windows, cuts = downtimes
    where, _ = Scan(scan.source, 0.0, 0.0, scan.only_source_in_log).where()
    short = float(settings.short_abandon_seconds) - HALF_MICROSECOND
    pieces = []
    for low, high in itertools.pairwise(cuts):
        near = [w for w in windows if w[2] >= low and w[0] < high + LONGEST_CALL_SECONDS]
        sql = f"""
        SELECT coalesce(department, '') AS scope,
               CAST({local_sql} / 3600 AS INTEGER) * 16 + {OUTCOME_CODE_SQL} * 2
                 + {downtime_flag_sql(near)} AS k,
               count(*) AS calls,
               sum(rings_heard <= {int(settings.answer_within_rings)}) AS within_rings,
               sum(wait_seconds <= {float(settings.answer_within_seconds)!r}) AS within_seconds,
               sum({HELD_SQL} < {short!r}) AS short,
               total(wait_seconds) AS waits, max(wait_seconds) AS longest,
               max({HELD_SQL}) AS held, count({NUMBER_SQL}) AS numbered
        FROM calls WHERE {where} AND outcome IS NOT NULL
        GROUP BY scope, k"""  # noqa: S608
        pieces.append((sql, Scan(scan.source, low, high, True).where()[1]))
    rows = []
    for group in _pieces_in_one_row(conn, pieces):
        scope, key, calls, rings, seconds, short_abandons, waits, longest, held, numbered = group
        hour, code = divmod(key, 16)
        outcome = OUTCOME_CODES[code // 2] if code // 2 < len(OUTCOME_CODES) else "other"
        held = None if held is None else round(held, 6)
        row = (scope, hour, outcome, code % 2, calls, rings, seconds, short_abandons)
        rows.append((*row, waits, longest, held, numbered))
    return rows


MOST_PIECES = 400  # SQLite allows 500 SELECTs in one UNION ALL (SQLITE_MAX_COMPOUND_SELECT)


def _pieces_in_one_row(
    conn: sqlite3.Connection, pieces: list[tuple[str, tuple[object, ...]]]
) -> list[Any]:
    """The rows of every (sql, parameters) piece, all with the same columns, as ONE statement
    (UNION ALL, each piece grouped on its own) returning ONE row: a worker thread that came back
    to Python once per piece would wait for the GIL each time (up to the 5 ms switch interval)."""
    rows: list[Any] = []
    for start in range(0, len(pieces), MOST_PIECES):
        batch = pieces[start : start + MOST_PIECES]
        union = " UNION ALL ".join(f"SELECT * FROM ({sql})" for sql, _ in batch)  # noqa: S608
        params = tuple(itertools.chain.from_iterable(p for _, p in batch))
        rows += _one_json_row(conn, union, params, _column_names(conn, *batch[0]))
    return rows


def _column_names(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> str:
    columns = conn.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description  # noqa: S608
    return ", ".join(f'"{c[0]}"' for c in columns)


def _one_json_row(
    conn: sqlite3.Connection, sql: str, params: tuple[object, ...], names: str = ""
) -> list[Any]:
    """The rows of `sql` fetched as ONE row (a JSON array of arrays); `names`: its columns'.

    The grouping runs on a second thread (see compute._read); one row means one return to Python
    instead of one per group, each of which would wait for the GIL the other thread holds."""
    names = names or _column_names(conn, sql, params)
    wrapped = f"SELECT json_group_array(json_array({names})) FROM ({sql})"  # noqa: S608
    text = conn.execute(wrapped, params).fetchone()[0]
    result: list[Any] = json.loads(text)
    return result


CallerRow = tuple[float, str | None, str | None, float | None, str | None]


def caller_rows(conn: sqlite3.Connection, scan: Scan, low: float, high: float) -> sqlite3.Cursor:
    """Offered calls of the source in [low, high), in arrival order: (arrived_at, number,
    department, wait if answered, linked_id if it differs from the call's own id)."""
    widened = Scan(scan.source, low, high, scan.only_source_in_log)
    where, params = widened.where()
    sql = f"""
    SELECT arrived_at, {NUMBER_SQL}, department,
           CASE WHEN outcome = 'answered' THEN wait_seconds END,
           CASE WHEN linked_id <> call_id THEN linked_id END
    FROM calls WHERE {where} AND outcome <> 'closed'
    ORDER BY arrived_at"""  # noqa: S608
    cursor = conn.execute(sql, params)
    cursor.arraysize = 10000
    return cursor


HandoffRow = tuple[str, str, float, str, str, str, int, str | None, str]


def handoffs(conn: sqlite3.Connection, scan: Scan) -> list[HandoffRow]:
    """Overflows and transfers of the period's calls, in time order: (kind "overflow"/"transfer",
    call_id, at, target_kind or transfer kind, target, reason, answered, number, linked_id)."""
    where, params = scan.where("c")
    number = NUMBER_SQL.replace("caller_number", "c.caller_number")
    columns = f"c.answered_at IS NOT NULL, {number}"
    sql = f"""
    SELECT 'overflow', o.call_id, o.at, o.target_kind, o.target, o.reason, {columns}, c.linked_id
    FROM overflows o CROSS JOIN calls c ON c.call_id = o.call_id WHERE {where}
    UNION ALL
    SELECT 'transfer', t.call_id, t.at, t.kind, t.target, '', {columns}, c.linked_id
    FROM transfers t CROSS JOIN calls c ON c.call_id = t.call_id WHERE {where}
    ORDER BY 3"""  # noqa: S608
    return conn.execute(sql, params + params).fetchall()


AttemptCount = tuple[str, str, str, int]  # target kind, target, result, attempts


def _attempts_in_period(scan: Scan, condition: str) -> tuple[str, tuple[object, ...]]:
    """FROM/WHERE for the attempts that started in the period (of the source's calls)."""
    period = f"a.started_at >= ? AND a.started_at < ? AND {condition}"
    if scan.only_source_in_log:
        return f"FROM attempts a WHERE {period}", (scan.low, scan.high)
    return (
        f"FROM attempts a CROSS JOIN calls c ON c.call_id = a.call_id WHERE {period} "
        "AND c.source = ?",
        (scan.low, scan.high, scan.source),
    )


def attempt_counts(
    conn: sqlite3.Connection, scan: Scan
) -> tuple[list[AttemptCount], list[tuple[str, float]]]:
    """For the ring attempts that started in the period: (target kind, target, result, attempts),
    and (department, ring time until answered) for every answered function-number ring.

    One query per target kind, grouped by the columns themselves so that SQLite walks the
    covering index `attempts_kind_target` (schema version 4) in group order instead of sorting
    a million rows; a missing result (NULL) is added to the '' group here (integers: exact)."""
    counts: dict[tuple[str, str, str], int] = {}
    waits: list[tuple[str, float]] = []
    ring_time = "json_group_array(round(a.ended_at - a.started_at, 6))"
    for kind in ("telephonist", "department"):  # "dial" targets are in neither table
        source, params = _attempts_in_period(scan, f"a.target_kind = '{kind}'")
        times = (
            f"{ring_time} FILTER (WHERE a.result = 'answered')" if kind == "department" else "''"
        )
        sql = f"""SELECT a.target AS target, a.result AS result,
                         count(*) AS attempts, {times} AS times
                  {source} GROUP BY a.target, a.result"""
        for target, result, attempts, ring_times in _one_json_row(conn, sql, params):
            key = (kind, target, result or "")
            counts[key] = counts.get(key, 0) + attempts
            if kind == "department" and result == "answered":
                waits.extend((target, wait) for wait in json.loads(ring_times))
    return [(*key, attempts) for key, attempts in counts.items()], waits


def downtime_events(
    conn: sqlite3.Connection, kinds: tuple[str, ...], before: float
) -> list[tuple[float, str, str]]:
    """Every controller event of `kinds` before `before`, in order."""
    marks = ", ".join("?" for _ in kinds)
    sql = f"""SELECT at, kind, detail FROM controller_events
              WHERE kind IN ({marks}) AND at < ? ORDER BY at, id"""  # noqa: S608
    return conn.execute(sql, (*kinds, before)).fetchall()


def last_arrival_before(conn: sqlite3.Connection, moment: float) -> float | None:
    row = conn.execute(
        "SELECT max(arrived_at) FROM calls WHERE arrived_at < ?", (moment,)
    ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def pauses(conn: sqlite3.Connection, scan: Scan) -> list[tuple[str, str, int]]:
    """(telephonist id, "automatic"/"manual", pauses) in the period."""
    sql = """
    SELECT subject, CASE kind WHEN 'telephonist_paused' THEN 'automatic' ELSE 'manual' END, count(*)
    FROM controller_events
    WHERE at >= ? AND at < ?
      AND (kind = 'telephonist_paused' OR (kind = 'telephonist_presence' AND detail LIKE 'paused%'))
    GROUP BY 1, 2"""
    return conn.execute(sql, (scan.low, scan.high)).fetchall()


def still_open(conn: sqlite3.Connection, scan: Scan) -> int:
    """Calls of the period with no outcome yet (still in progress)."""
    where, params = scan.where()
    # unary + keeps SQLite off the arrival index: the few open calls are found by outcome
    where = where.replace("arrived_at", "+arrived_at").replace("source", "+source")
    sql = f"SELECT count(*) FROM calls WHERE outcome IS NULL AND {where}"  # noqa: S608
    return int(conn.execute(sql, params).fetchone()[0])
