"""The call log's SQLite schema, its migrations, and how values are stored.

Times are REAL seconds since the Unix epoch (UTC). A double holds today's epoch seconds to
about 0.2 µs, so a microsecond-precision datetime comes back exactly. Enums are stored as their
string values. The schema version lives in ``PRAGMA user_version``: ``MIGRATIONS[n]`` takes a
database from version ``n`` to ``n + 1``, each in one transaction, so a crash half way through a
migration leaves the previous version intact.

Tables (version 1):

- ``calls``: one row per call, keyed by the PBX's own call id. Written at arrival; the answer
  and the end fill in their columns later. ``outcome IS NULL`` means the call is still open.
- ``attempts``: each ring of a telephonist / function number / dial target, unique per
  ``(call_id, attempt_no)``; that unique index also serves lookups by ``call_id``.
- ``overflows`` and ``transfers``: zero or more per call.
- ``controller_events``: not call steps (telephonist pauses, PBX connected/disconnected);
  the downtime report is computed from these.
- ``calls.source`` (version 2): where the row came from: ``callrouter`` for calls this
  controller routed, ``queue_log:<queue>`` for calls imported from an Asterisk queue_log, so a
  report can be run on either and the two compared.
- ``attempts_kind_target`` (version 3): a covering index for the reports' attempt counts.
- ``orphan_steps``: steps that could not be applied (unknown call id, a second end of a call,
  an attempt that never started...). They are kept, not dropped, with the reason and the whole
  step as JSON, so nothing the controller sent is lost and a defect can be investigated.
"""

from __future__ import annotations

from datetime import UTC, datetime

SCHEMA_V1 = """
CREATE TABLE calls (
    call_id       TEXT PRIMARY KEY,
    linked_id     TEXT NOT NULL,
    channel       TEXT NOT NULL,
    entry         TEXT NOT NULL,
    department    TEXT,
    language      TEXT,
    caller_number TEXT NOT NULL,
    caller_name   TEXT NOT NULL,
    arrived_at    REAL NOT NULL,
    answered_at   REAL,
    answered_by   TEXT,
    wait_seconds  REAL,
    rings_heard   INTEGER,
    outcome       TEXT,
    hangup_cause  TEXT,
    ended_at      REAL
);
CREATE INDEX calls_arrived_at ON calls (arrived_at);
CREATE INDEX calls_outcome ON calls (outcome);

CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    call_id     TEXT NOT NULL REFERENCES calls (call_id),
    attempt_no  INTEGER NOT NULL,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    dial        TEXT NOT NULL,
    started_at  REAL NOT NULL,
    ended_at    REAL,
    result      TEXT,
    rings       INTEGER,
    UNIQUE (call_id, attempt_no)
);

CREATE TABLE overflows (
    id          INTEGER PRIMARY KEY,
    call_id     TEXT NOT NULL REFERENCES calls (call_id),
    at          REAL NOT NULL,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    reason      TEXT NOT NULL
);
CREATE INDEX overflows_call_id ON overflows (call_id);

CREATE TABLE transfers (
    id      INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls (call_id),
    at      REAL NOT NULL,
    kind    TEXT NOT NULL,
    target  TEXT NOT NULL
);
CREATE INDEX transfers_call_id ON transfers (call_id);

CREATE TABLE controller_events (
    id      INTEGER PRIMARY KEY,
    at      REAL NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX controller_events_at ON controller_events (at);

CREATE TABLE orphan_steps (
    id          INTEGER PRIMARY KEY,
    recorded_at REAL NOT NULL,
    step        TEXT NOT NULL,
    call_id     TEXT,
    at          REAL,
    reason      TEXT NOT NULL,
    payload     TEXT NOT NULL
);
"""

SCHEMA_V2 = """
ALTER TABLE calls ADD COLUMN source TEXT NOT NULL DEFAULT 'callrouter';
CREATE INDEX calls_source_arrived_at ON calls (source, arrived_at);
"""

# Version 3: reports count ring attempts per target and result (reports/queries.attempt_counts);
# with this covering index SQLite reads them in group order instead of sorting every attempt.
# Cost: one more b-tree entry per attempt row (written at its start, moved once at its end).
SCHEMA_V3 = """
CREATE INDEX attempts_kind_target ON attempts (target_kind, target, result, started_at, ended_at);
"""

MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2, SCHEMA_V3)
"""``MIGRATIONS[n]`` upgrades user_version ``n`` to ``n + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


def migration_script(version: int) -> str:
    """The script that upgrades `version` to `version + 1` atomically, bumping user_version."""
    return f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"


def to_epoch(moment: datetime) -> float:
    """Aware datetime -> REAL epoch seconds. Naive datetimes are read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    """REAL epoch seconds -> aware UTC datetime (exact to the microsecond)."""
    return datetime.fromtimestamp(seconds, UTC)


def maybe_from_epoch(seconds: float | None) -> datetime | None:
    return None if seconds is None else from_epoch(seconds)
