"""What supervisors get out of the call log: one row per call as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from callrouter.domain.commands import RecordAttemptStarted
from callrouter.domain.model import TargetKind
from callrouter.store import export as export_module
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.export import EXPORT_FIELDS, export_calls
from tests.store.steps import CPH, T0, answered_lifecycle, arrival, at, overflowed_lifecycle

CALL = "1795424401.17"

ANSWERED_JSON: dict[str, Any] = {
    "call_id": CALL,
    "linked_id": f"{CALL}-linked",
    "entry": "4589151515",
    "route": "switchboard",
    "caller_number": "+4512345678",
    "caller_name": "Søren Ærø",
    "language": "da",
    "arrived_at": "2026-11-23T09:00:01.250000+00:00",
    "answered_at": "2026-11-23T09:00:24.250000+00:00",
    "answered_by": "tel1",
    "wait_seconds": 23.0,
    "rings_heard": 5,
    "attempts": [
        {
            "no": 1,
            "target_kind": "telephonist",
            "target": "tel3",
            "started_at": "2026-11-23T09:00:01.750000+00:00",
            "ended_at": "2026-11-23T09:00:21.750000+00:00",
            "result": "no_answer",
            "rings": 4,
        },
        {
            "no": 2,
            "target_kind": "telephonist",
            "target": "tel1",
            "started_at": "2026-11-23T09:00:21.850000+00:00",
            "ended_at": "2026-11-23T09:00:24.250000+00:00",
            "result": "answered",
            "rings": 1,
        },
    ],
    "attempt_count": 2,
    "overflow_target": None,
    "overflow_reason": None,
    "transfers": [
        {
            "at": "2026-11-23T09:01:36.375000+00:00",
            "kind": "blind",
            "target": "dept-jobcenter@departments",
        }
    ],
    "outcome": "answered",
    "hangup_cause": "16",
    "ended_at": "2026-11-23T09:05:01.250001+00:00",
}

ANSWERED_CSV = {
    **{k: "" if v is None else str(v) for k, v in ANSWERED_JSON.items()},
    "attempts": "1:telephonist:tel3:no_answer:4|2:telephonist:tel1:answered:1",
    "transfers": "blind:dept-jobcenter@departments",
}


async def export(path: Path, fmt: Literal["csv", "jsonl"], **bounds: Any) -> tuple[int, str]:
    out = io.StringIO(newline="")
    rows = await export_calls(path, out, fmt, bounds.get("start"), bounds.get("end"))
    return rows, out.getvalue()


async def export_jsonl(path: Path) -> tuple[int, list[dict[str, Any]]]:
    rows, text = await export(path, "jsonl")
    return rows, jsonl_rows(text)


def file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


async def test_a_call_written_step_by_step_reads_back_whole_as_jsonl(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """Every attempt, the answer, the transfer and the end, with UTC times to the microsecond."""
    for step in answered_lifecycle(CALL):
        await call_log.record(step)
    assert (1, [ANSWERED_JSON]) == await export_jsonl(db_path)


async def test_a_call_written_step_by_step_reads_back_whole_as_csv(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """The CSV has the same facts, attempts and transfers in their compact form."""
    for step in answered_lifecycle(CALL):
        await call_log.record(step)
    rows, text = await export(db_path, "csv")
    assert 1 == rows
    assert [ANSWERED_CSV] == csv_rows(text)


async def test_caller_names_are_utf8_exact_in_files_of_both_formats(
    call_log: SqliteCallLog, db_path: Path, tmp_path: Path
) -> None:
    """'Søren Ærø' and '王小明' come out byte for byte, not escaped or mangled."""
    await call_log.record(arrival("dk.1", at(0), caller_name="Søren Ærø"))
    await call_log.record(arrival("cn.1", at(1), caller_name="王小明"))
    for fmt in ("csv", "jsonl"):
        target = tmp_path / f"calls.{fmt}"
        with target.open("w", encoding="utf-8", newline="") as out:
            assert 2 == await export_calls(db_path, out, fmt, None, None)
        data = file_bytes(target)
        assert "Søren Ærø".encode() in data, fmt
        assert "王小明".encode() in data, fmt


async def test_an_overflowed_call_shows_its_department_route_and_overflow(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    for step in overflowed_lifecycle("over.1"):
        await call_log.record(step)
    (row,) = jsonl_rows((await export(db_path, "jsonl"))[1])
    expected = ("borgerservice", "borgerservice", "no_telephonist_logged_in", "overflowed")
    actual = (row["route"], row["overflow_target"], row["overflow_reason"], row["outcome"])
    assert expected == actual
    assert "department:borgerservice" == row["answered_by"]


async def test_a_call_still_in_progress_is_exported_with_an_empty_outcome(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """An open call and its ringing attempt appear; nothing is made up for what hasn't happened."""
    for step in answered_lifecycle(CALL)[:3]:  # arrived, tel3 rang out
        await call_log.record(step)
    tel = TargetKind.TELEPHONIST
    await call_log.record(RecordAttemptStarted(CALL, 2, tel, "tel2", "PJSIP/1002", at(21)))

    (row,) = csv_rows((await export(db_path, "csv"))[1])
    expected = {
        "outcome": "",
        "ended_at": "",
        "answered_at": "",
        "attempts": "1:telephonist:tel3:no_answer:4|2:telephonist:tel2::",
        "attempt_count": "2",
    }
    assert expected == {name: row[name] for name in expected}
    (line,) = jsonl_rows((await export(db_path, "jsonl"))[1])
    assert (None, None, None) == (line["outcome"], line["ended_at"], line["attempts"][1]["result"])


async def test_from_is_inclusive_and_to_is_exclusive(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """`export --from 10:00 --to 11:00` (local time) takes 10:00:00.000000 up to 10:59:59.999999."""
    hour = timedelta(hours=1)
    tick = timedelta(microseconds=1)
    arrivals = {"before": T0 - tick, "first": T0, "last": T0 + hour - tick, "after": T0 + hour}
    for call_id, when in arrivals.items():
        await call_log.record(arrival(call_id, when))
    start, end = T0.astimezone(CPH), (T0 + hour).astimezone(CPH)

    for fmt in ("csv", "jsonl"):
        rows, text = await export(db_path, fmt, start=start, end=end)
        parsed = csv_rows(text) if fmt == "csv" else jsonl_rows(text)
        assert (2, ["first", "last"]) == (rows, [r["call_id"] for r in parsed]), fmt
    everything = ["before", "first", "last", "after"]
    assert everything == [r["call_id"] for r in jsonl_rows((await export(db_path, "jsonl"))[1])]
    _, text = await export(db_path, "jsonl", start=start)
    assert ["first", "last", "after"] == [r["call_id"] for r in jsonl_rows(text)]
    _, text = await export(db_path, "jsonl", end=start)
    assert ["before"] == [r["call_id"] for r in jsonl_rows(text)]


async def test_csv_quotes_hostile_caller_names(call_log: SqliteCallLog, db_path: Path) -> None:
    """A caller id with commas, quotes and newlines cannot break or shift the CSV columns."""
    hostile = 'a,"b"\nc'
    await call_log.record(arrival("h.1", at(0), caller_name=hostile))
    await call_log.record(arrival("h.2", at(1), caller_name="=cmd|' /C calc'!A0\r\n;x"))

    rows, text = await export(db_path, "csv")
    assert 2 == rows
    assert '"a,""b""\nc"' in text
    parsed = csv_rows(text)
    assert [hostile, "=cmd|' /C calc'!A0\r\n;x"] == [r["caller_name"] for r in parsed]
    assert [list(r) for r in parsed] == [[name for name, _ in EXPORT_FIELDS]] * 2
    assert [hostile] == [r["caller_name"] for r in jsonl_rows((await export(db_path, "jsonl"))[1])][
        :1
    ]


async def test_export_fields_constant_matches_the_columns_and_is_documented(
    call_log: SqliteCallLog, db_path: Path
) -> None:
    """The README's field table is generated from EXPORT_FIELDS; it must be the real columns."""
    await call_log.record(arrival(CALL))
    names = [name for name, _ in EXPORT_FIELDS]
    header = next(csv.reader(io.StringIO((await export(db_path, "csv"))[1], newline="")))
    assert names == header
    assert names == list(jsonl_rows((await export(db_path, "jsonl"))[1])[0])
    docstring = export_module.__doc__ or ""
    assert [] == [name for name in names if f"- ``{name}``:" not in docstring]
    assert [] == [name for name, description in EXPORT_FIELDS if not description]


async def test_a_closed_log_exports_without_being_changed(db_path: Path, tmp_path: Path) -> None:
    """Export works while the controller is stopped, and opens the log read-only."""
    log = await SqliteCallLog.open(db_path)
    for step in answered_lifecycle(CALL):
        await log.record(step)
    await log.close()
    before = file_bytes(db_path)
    assert (1, [ANSWERED_JSON]) == await export_jsonl(db_path)
    assert before == file_bytes(db_path)
    missing = tmp_path / "nowhere.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        await export(missing, "csv")
    assert not missing.exists()


async def test_a_month_of_calls_streams_out_in_arrival_order(db_path: Path) -> None:
    """More rows than one fetch chunk: all exported, ordered by arrival then call id."""
    log = await SqliteCallLog.open(db_path)
    await log.close()
    count = export_module.CHUNK_ROWS * 2 + 7
    calls = [(f"c{n:05d}", T0.timestamp() + n // 2) for n in range(count)]
    with sqlite3.connect(db_path) as connection:
        connection.executemany(
            "INSERT INTO calls (call_id, linked_id, channel, entry, caller_number, caller_name,"
            " arrived_at) VALUES (?, ?, 'PJSIP/t', '4589151515', '+45', 'N', ?)",
            [(call_id, call_id, arrived) for call_id, arrived in reversed(calls)],
        )
    connection.close()
    rows, text = await export(db_path, "csv")
    assert (count, [c for c, _ in calls]) == (rows, [r["call_id"] for r in csv_rows(text)])


async def test_an_unknown_format_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="xml"):
        await export_calls(db_path, io.StringIO(), "xml", None, None)  # type: ignore[arg-type]
