"""`callrouter import-queue-log`: a site still on app_queue gets its calls into the call log,
in the same tables and columns as live calls, once, however often it imports."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from callrouter.cli import main
from callrouter.pbx.queue_log import UNFINISHED_CAUSE
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.export import export_calls

REPO = Path(__file__).parent.parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "asterisk" / "queue_log.app_queue-40-calls"
EXAMPLE_CONFIG = REPO / "configs" / "callrouter.example.yaml"


@pytest.fixture(autouse=True)
def _default_logging() -> Iterator[None]:
    """The command configures structlog to the (captured) stderr; put it back afterwards."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example config; its call log is `callrouter.sqlite3` next to it, in tmp_path."""
    path = tmp_path / "callrouter.yaml"
    shutil.copy(EXAMPLE_CONFIG, path)
    return path


def db_of(config: Path) -> Path:
    return config.parent / "callrouter.sqlite3"


def rows(config: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_of(config)) as conn:
        return conn.execute(sql, params).fetchall()


def run_import(
    capsys: pytest.CaptureFixture[str], config: Path, file: Path, *more: str
) -> tuple[int, str, str]:
    code = main(
        ["import-queue-log", str(file), "--queue", "switchboard", "--config", str(config), *more]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_the_real_sample_is_imported_with_a_summary_of_what_it_held(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, _ = run_import(capsys, config, SAMPLE)
    assert 0 == code
    assert (
        f"{SAMPLE}: 110 lines read, 109 of queue switchboard used\n"
        "calls: 40 (16 answered, 24 abandoned)\n"
        "  40 new, 0 already imported, 0 completed since an earlier import "
        "(stored as queue_log:switchboard)\n"
        "problems: none\n"
    ) == out
    # counted by hand in tests/adapters/test_queue_log.py
    assert [("abandoned", 24), ("answered", 16)] == rows(
        config, "SELECT outcome, count(*) FROM calls GROUP BY outcome ORDER BY outcome"
    )
    assert [("queue_log:switchboard", None, 40)] == rows(
        config, "SELECT source, department, count(*) FROM calls GROUP BY source, department"
    )
    assert [("answered", 16), ("caller_hung_up", 8), ("no_answer", 5)] == rows(
        config, "SELECT result, count(*) FROM attempts GROUP BY result ORDER BY result"
    )
    assert [(5,)] == rows(config, "SELECT count(*) FROM calls WHERE rings_heard <= 3")
    assert [(0,)] == rows(config, "SELECT count(*) FROM orphan_steps")


def test_a_stored_call_reads_column_by_column_like_a_live_one(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """1795392755.249: tel3 rings 15 s unanswered (RINGNOANSWER at ...778), then tel1 answers
    (CONNECT at ...792: holdtime 37, rang 8 s); COMPLETEAGENT at ...798."""
    run_import(capsys, config, SAMPLE)
    call_id = "queue_log:switchboard:1795392755.249@1795392755"
    columns = "linked_id, channel, entry, department, language, caller_number, caller_name, "
    columns += "arrived_at, answered_at, answered_by, wait_seconds, rings_heard, outcome, "
    columns += "hangup_cause, ended_at, source"
    assert [
        (
            "queue_log:1795392755.249",
            "",
            "switchboard",
            None,
            None,
            "004510000009",
            "",
            1795392755.0,
            1795392792.0,
            "tel1",
            37.0,
            8,  # ceil(37 / 5)
            "answered",
            "queue_log COMPLETEAGENT",
            1795392798.0,
            "queue_log:switchboard",
        )
    ] == rows(config, f"SELECT {columns} FROM calls WHERE call_id = ?", call_id)  # noqa: S608
    assert [
        (1, "telephonist", "tel3", "", 1795392763.0, 1795392778.0, "no_answer", 3),
        (2, "telephonist", "tel1", "", 1795392784.0, 1795392792.0, "answered", 2),
    ] == rows(
        config,
        "SELECT attempt_no, target_kind, target, dial, started_at, ended_at, result, rings "
        "FROM attempts WHERE call_id = ? ORDER BY attempt_no",
        call_id,
    )


def test_importing_the_same_file_again_adds_nothing(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run_import(capsys, config, SAMPLE)
    code, out, _ = run_import(capsys, config, SAMPLE)
    assert 0 == code
    assert "  0 new, 40 already imported, 0 completed" in out
    assert [(40, 29)] == rows(
        config, "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM attempts)"
    )


def test_a_longer_copy_of_a_growing_queue_log_adds_the_new_calls_and_completes_open_ones(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """The first 60 lines end while 1795392755.249 is waiting (it is answered at line 75)."""
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    early = tmp_path / "queue_log.early"
    early.write_bytes(b"".join(lines[:60]))
    call_id = "queue_log:switchboard:1795392755.249@1795392755"
    code, out, _ = run_import(capsys, config, early)
    assert 0 == code
    unfinished = rows(config, "SELECT call_id FROM calls WHERE hangup_cause = ?", UNFINISHED_CAUSE)
    assert (call_id,) in unfinished
    assert f"{len(unfinished)} unfinished: still in the queue when the file ended" in out
    assert f", {len(unfinished)} unfinished)\n" in out
    assert [("failed", None)] == rows(
        config, "SELECT outcome, answered_by FROM calls WHERE call_id = ?", call_id
    )

    stored = rows(config, "SELECT count(*) FROM calls")[0][0]
    code, out, _ = run_import(capsys, config, SAMPLE)
    assert 0 == code
    expected = f"  {40 - stored} new, {stored - len(unfinished)} already imported, "
    assert expected + f"{len(unfinished)} completed since an earlier import" in out
    assert [(40, 29, 0)] == rows(
        config,
        "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM attempts), "
        "(SELECT count(*) FROM calls WHERE hangup_cause LIKE 'lost:%')",
    )
    assert [("answered", "tel1", 37.0)] == rows(
        config, "SELECT outcome, answered_by, wait_seconds FROM calls WHERE call_id = ?", call_id
    )


def test_department_files_the_calls_as_that_departments(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, _, _ = run_import(capsys, config, SAMPLE, "--department", "jobcenter")
    assert 0 == code
    assert [("jobcenter", 40)] == rows(
        config, "SELECT department, count(*) FROM calls GROUP BY department"
    )


def test_an_unknown_department_is_refused_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    code, out, err = run_import(capsys, config, SAMPLE, "--department", "jobcentre")
    assert (2, "") == (code, out)
    assert err.startswith("import-queue-log: --department jobcentre: no such department in ")
    assert "jobcenter" in err
    assert not db_of(config).exists()


def test_unusable_arguments_exit_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    code, _, err = run_import(capsys, config, tmp_path / "missing")
    assert (2, f"import-queue-log: {tmp_path / 'missing'}: no such file\n") == (code, err)
    code, _, err = run_import(capsys, config, tmp_path)
    assert (2, f"import-queue-log: {tmp_path}: not a file\n") == (code, err)
    bad_queue = ["import-queue-log", str(SAMPLE), "--queue", "a|b", "--config", str(config)]
    assert 2 == main(bad_queue)
    assert "a queue name is not empty and has no |" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    code, _, err = run_import(capsys, broken, SAMPLE)
    assert 2 == code
    assert str(broken) in err
    assert not db_of(config).exists()


def test_a_call_log_that_cannot_be_opened_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("database: callrouter.sqlite3", "database: nowhere/x.db"))
    code, out, err = run_import(capsys, config, SAMPLE)
    assert (2, "") == (code, out)
    database = config.parent / "nowhere" / "x.db"
    assert f"import-queue-log: call log {database}: unable to open database file\n" == err


def test_bad_lines_are_reported_with_their_line_numbers_and_the_import_goes_on(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    lines[5] = b"1795392750|1795392748.213|switchboard|tel1|RINGCANCELED\n"  # line 6
    lines.insert(10, b"\xff\xfe\x00garbage\n")  # line 11
    damaged = tmp_path / "queue_log"
    damaged.write_bytes(b"".join([*lines, b"1795392845|1795392845.420|switchboard|NONE|ENTE"]))
    code, out, _ = run_import(capsys, config, damaged)
    assert 0 == code
    assert "calls: 40 (16 answered, 24 abandoned)" in out
    assert "problems: 3\n" in out
    assert "line 6: wrong field count: RINGCANCELED has 0 data fields, 1 expected" in out
    assert "line 11: not UTF-8: byte 0: \\xff\\xfe\\x00garbage" in out
    assert "line 112: truncated last line (no line end): 1795392845|" in out


async def test_imported_calls_are_never_adopted_as_open_calls_by_the_controller(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    early = tmp_path / "queue_log.early"
    early.write_bytes(b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:60]))
    await asyncio.to_thread(run_import, capsys, config, early)  # the command runs its own loop
    assert rows(config, "SELECT count(*) FROM calls WHERE hangup_cause = ?", UNFINISHED_CAUSE)[0][0]
    call_log = await SqliteCallLog.open(db_of(config))
    try:
        assert [] == await call_log.open_calls()
    finally:
        await call_log.close()


async def test_the_export_gives_sensible_rows_for_imported_calls(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    await asyncio.to_thread(run_import, capsys, config, SAMPLE, "--department", "jobcenter")
    out = io.StringIO()
    assert 40 == await export_calls(db_of(config), out, "jsonl", None, None)
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    row = next(
        r for r in exported if r["call_id"].startswith("queue_log:switchboard:1795392755.249")
    )
    assert {
        "route": "jobcenter",
        "arrived_at": "2026-11-23T00:12:35.000000+00:00",
        "answered_at": "2026-11-23T00:13:12.000000+00:00",
        "answered_by": "tel1",
        "wait_seconds": 37.0,
        "rings_heard": 8,
        "attempt_count": 2,
        "outcome": "answered",
        "ended_at": "2026-11-23T00:13:18.000000+00:00",
    } == {
        key: row[key]
        for key in (
            "route",
            "arrived_at",
            "answered_at",
            "answered_by",
            "wait_seconds",
            "rings_heard",
            "attempt_count",
            "outcome",
            "ended_at",
        )
    }
    assert [("tel3", "no_answer", 3), ("tel1", "answered", 2)] == [
        (a["target"], a["result"], a["rings"]) for a in row["attempts"]
    ]
    assert sorted(r["arrived_at"] for r in exported) == [r["arrived_at"] for r in exported]
    csv_out = io.StringIO()
    assert 40 == await export_calls(db_of(config), csv_out, "csv", None, None)
    assert "1:telephonist:tel3:no_answer:3|2:telephonist:tel1:answered:2" in csv_out.getvalue()


def test_a_call_log_from_a_newer_callrouter_is_refused(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    with sqlite3.connect(db_of(config)) as conn:
        conn.execute("PRAGMA user_version = 999")
    code, out, err = run_import(capsys, config, SAMPLE)
    assert (2, "") == (code, out)
    assert "has call-log schema version 999" in err
    assert [] == rows(config, "SELECT name FROM sqlite_master")
