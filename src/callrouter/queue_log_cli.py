"""`callrouter import-queue-log FILE --queue NAME --config FILE [--department ID]`.

Reads an Asterisk queue_log line by line (a 10-million-line file is never held in memory: only
the calls still in the queue are), turns the calls of queue NAME into call-log steps
(`callrouter.pbx.queue_log`), stores them in the config's call log in batches
(`callrouter.store.queue_log_import`), and prints what it did. Bad lines are counted and shown,
never fatal: exit 0. Exit 2 when the arguments, the config or the file cannot be used.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from callrouter.config import AppConfig, ConfigError, load_config
from callrouter.domain.model import Outcome
from callrouter.logs import configure_logging
from callrouter.pbx.queue_log import ImportedCall, QueueLogCalls
from callrouter.store.queue_log_import import QueueLogStore

BATCH_CALLS = 500
SHOWN_UNFINISHED = 5


def add_parser(sub: Any) -> None:  # argparse's _SubParsersAction is private
    command = sub.add_parser(
        "import-queue-log", help="import the calls of one queue from an Asterisk queue_log"
    )
    command.add_argument("file", type=Path, help="the queue_log file")
    command.add_argument("--queue", required=True, help="the queue's name in the queue_log")
    command.add_argument("--config", type=Path, required=True)
    command.add_argument(
        "--department", help="file the calls as this department's (default: switchboard)"
    )


@dataclass
class Tally:
    """What the file held, for the summary."""

    outcomes: Counter[Outcome] = field(default_factory=Counter)
    unfinished: list[str] = field(default_factory=list)

    def add(self, calls: Iterable[ImportedCall]) -> None:
        for call in calls:
            if call.unfinished:
                self.unfinished.append(call.call_id)
            else:
                self.outcomes[call.outcome] += 1


def run(args: argparse.Namespace) -> int:
    problem = _argument_problem(args)
    if problem is not None:
        return _refused(problem)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        for config_problem in error.problems:
            print(config_problem, file=sys.stderr)
        return 2
    configure_logging(config.log_format, config.log_level)  # log lines to stderr, not stdout
    problem = _department_problem(args, config)
    if problem is not None:
        return _refused(problem)
    try:
        lines = args.file.open("rb")
    except OSError as error:
        return _refused(f"{args.file}: {error.strerror}")
    with lines:
        return _import_into(config, args, lines)


def _import_into(config: AppConfig, args: argparse.Namespace, lines: BinaryIO) -> int:
    parser = QueueLogCalls(args.queue, config.switchboard.policy, args.department)
    try:
        store = QueueLogStore.open(config.database, f"queue_log:{args.queue}")
    except (sqlite3.Error, RuntimeError) as error:
        return _refused(f"call log {config.database}: {error}")
    try:
        tally = _import(lines, parser, store)
    except OSError as error:
        return _refused(f"reading {args.file} (the calls before are stored): {error}")
    except sqlite3.Error as error:
        return _refused(f"call log {config.database} (the calls before are stored): {error}")
    finally:
        store.close()
    print(summary(args.file, parser, store, tally))
    return 0


def _refused(problem: str) -> int:
    print(f"import-queue-log: {problem}", file=sys.stderr)
    return 2


def _argument_problem(args: argparse.Namespace) -> str | None:
    queue: str = args.queue
    if not queue or any(char in queue for char in "|\r\n"):
        return f"--queue {queue!r}: a queue name is not empty and has no | or line break"
    if not args.file.exists():
        return f"{args.file}: no such file"
    if not args.file.is_file():
        return f"{args.file}: not a file"
    return None


def _department_problem(args: argparse.Namespace, config: AppConfig) -> str | None:
    known = [department.id for department in config.switchboard.departments]
    if args.department is None or args.department in known:
        return None
    listed = ", ".join(known) or "none"
    return f"--department {args.department}: no such department in {args.config} ({listed})"


def _import(lines: Iterable[bytes], parser: QueueLogCalls, store: QueueLogStore) -> Tally:
    tally = Tally()
    batch: list[ImportedCall] = []
    for raw in lines:
        batch.extend(parser.feed(raw))
        if len(batch) >= BATCH_CALLS:
            tally.add(batch)
            store.store(batch)
            batch = []
    batch.extend(parser.finish())
    tally.add(batch)
    store.store(batch)
    return tally


def summary(file: Path, parser: QueueLogCalls, store: QueueLogStore, tally: Tally) -> str:
    counts = store.counts
    calls = sum(tally.outcomes.values()) + len(tally.unfinished)
    figures = [f"{tally.outcomes[o]} {o.value}" for o in Outcome if tally.outcomes[o]]
    if tally.unfinished:
        figures.append(f"{len(tally.unfinished)} unfinished")
    outcomes = ", ".join(figures)
    text = [
        f"{file}: {parser.lines_read} lines read, {parser.lines_used} of queue {parser.queue} used",
        f"calls: {calls} ({outcomes or 'none'})",
        f"  {counts.new} new, {counts.already_imported} already imported, "
        f"{counts.completed} completed since an earlier import (stored as {store.source})",
    ]
    if tally.unfinished:
        shown = ", ".join(tally.unfinished[:SHOWN_UNFINISHED])
        more = " ..." if len(tally.unfinished) > SHOWN_UNFINISHED else ""
        text.append(
            f"  {len(tally.unfinished)} unfinished: still in the queue when the file ended, "
            "stored as failed (answered if answered) until a longer copy is imported:\n"
            f"    {shown}{more}"
        )
    if counts.steps_not_applied:
        text.append(f"  {counts.steps_not_applied} steps not applied (kept in orphan_steps)")
    text.append(_problems(parser))
    return "\n".join(text)


def _problems(parser: QueueLogCalls) -> str:
    problems = parser.problems
    if not problems.total:
        return "problems: none"
    text = [f"problems: {problems.total}"]
    text += [f"  {count} {kind.value}" for kind, count in problems.counts.most_common()]
    text.append("  first of each kind:")
    for example in sorted(problems.examples, key=lambda p: p.line_no):
        text.append(f"    line {example.line_no}: {example.kind.value}: {example.detail}")
    return "\n".join(text)
