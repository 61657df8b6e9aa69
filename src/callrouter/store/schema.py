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
- ``attempts_kind_target`` (version 4): a covering index for the reports' attempt counts.
- ``orphan_steps``: steps that could not be applied (unknown call id, a second end of a call,
  an attempt that never started...). They are kept, not dropped, with the reason and the whole
  step as JSON, so nothing the controller sent is lost and a defect can be investigated.
- The telephonist desk (`store.desk`): ``call_reasons`` (reason codes on a call, who, when),
  ``messages`` (messages / callback promises), ``callbacks`` (the callback worklist: at most one
  open entry per number) and ``closures`` (temporary closures registered at runtime).
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

SCHEMA_DESK = """
CREATE TABLE call_reasons (
    id      INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls (call_id),
    code    TEXT NOT NULL,
    by      TEXT NOT NULL,
    at      REAL NOT NULL,
    UNIQUE (call_id, code)
);
CREATE INDEX call_reasons_at ON call_reasons (at);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    call_id       TEXT REFERENCES calls (call_id),
    caller_number TEXT NOT NULL,
    caller_name   TEXT NOT NULL,
    note          TEXT NOT NULL,
    due_at        REAL,
    created_at    REAL NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX messages_created_at ON messages (created_at);

CREATE TABLE callbacks (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL,
    name         TEXT NOT NULL,
    source       TEXT NOT NULL,
    call_id      TEXT,
    message_id   INTEGER REFERENCES messages (id),
    missed_calls INTEGER NOT NULL DEFAULT 0,
    created_at   REAL NOT NULL,
    due_at       REAL NOT NULL,
    claimed_by   TEXT,
    claimed_at   REAL,
    closed_at    REAL,
    closed_by    TEXT,
    result       TEXT
);
CREATE UNIQUE INDEX callbacks_one_open_per_number ON callbacks (number) WHERE closed_at IS NULL;
CREATE INDEX callbacks_created_at ON callbacks (created_at);

CREATE TABLE closures (
    id           INTEGER PRIMARY KEY,
    scope        TEXT NOT NULL,
    start_at     REAL NOT NULL,
    end_at       REAL NOT NULL,
    note         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    cancelled_at REAL,
    cancelled_by TEXT
);
CREATE INDEX closures_end_at ON closures (end_at);

CREATE INDEX calls_answered_by ON calls (answered_by, answered_at);
"""

# Version 4: reports count ring attempts per target and result (reports/queries.attempt_counts);
# with this covering index SQLite reads them in group order instead of sorting every attempt.
# Cost: one more b-tree entry per attempt row (written at its start, moved once at its end).
SCHEMA_V4 = """
CREATE INDEX attempts_kind_target ON attempts (target_kind, target, result, started_at, ended_at);
"""

MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2, SCHEMA_DESK, SCHEMA_V4)
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
