"""Reports include the telephonists' reason codes and whether promised callbacks were kept."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from callrouter.cli import main
from callrouter.store.schema import to_epoch
from tests.reports.logbuilder import Log, create_log, local

EXAMPLE = Path(__file__).parents[2] / "configs" / "callrouter.example.yaml"


def callback(log: Log, number: str, created: datetime, due_minutes: int, **closed: object) -> None:
    """One worklist entry; `closed` = {"after_minutes": n, "result": "reached"} when closed."""
    closed_at = None
    if closed:
        closed_at = to_epoch(created) + 60 * float(str(closed["after_minutes"]))
    log.conn.execute(
        "INSERT INTO callbacks (number, name, source, created_at, due_at, closed_at, result)"
        " VALUES (?, 'Caller', 'abandoned', ?, ?, ?, ?)",
        (number, to_epoch(created), to_epoch(created) + 60 * due_minutes, closed_at,
         closed.get("result")),
    )  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """November: 4 answered calls (3 coded), 4 callbacks: 1 in time, 1 late, 1 by itself, 1 open."""
    path = tmp_path / "callrouter.sqlite3"
    log = Log(path, create_log(path))
    answered = [log.call(local(2026, 11, 2, 10, n), "answered", wait=5, rings=1) for n in range(4)]
    log.call(local(2026, 11, 2, 11), "abandoned", held=40)
    for call_id, code in zip(answered, ["complaint", "complaint", "general-enquiry"], strict=False):
        log.conn.execute(
            "INSERT INTO call_reasons (call_id, code, by, at) VALUES (?, ?, 'tel1', 0)",
            (call_id, code),
        )
    log.conn.execute(  # a code since dropped from the config: shown by its code
        "INSERT INTO call_reasons (call_id, code, by, at) VALUES (?, ?, 'tel1', 0)",
        (answered[0], "callback-promised"),
    )
    day = local(2026, 11, 2, 11)
    callback(log, "+4511", day, 30, after_minutes=20, result="reached")
    callback(log, "+4522", day, 30, after_minutes=45, result="no_answer")
    callback(log, "+4533", day, 30, after_minutes=5, result="caller_got_through")
    callback(log, "+4544", day, 30)
    callback(log, "+4555", local(2026, 10, 30, 11), 30)  # October: not in the November report
    log.conn.close()
    return Path(shutil.copy(EXAMPLE, tmp_path / "callrouter.yaml"))


def report(config: Path, fmt: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert 0 == main(["report", "--config", str(config), "--period", "2026-11", "--format", fmt,
                      *extra])  # fmt: skip
    return capsys.readouterr().out


def test_the_json_report_counts_codes_and_callbacks_kept_in_time(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk = json.loads(report(config, "json", capsys))["desk"]
    assert (3, 0.75) == (desk["calls_coded"], desk["coded_share"])
    assert [("complaint", "Complaint", 2), ("callback-promised", "callback-promised", 1),
            ("general-enquiry", "General enquiry", 1)] == [
        (r["code"], r["label"], r["calls"]) for r in desk["reasons"]
    ]  # fmt: skip
    assert (4, 2, 1, 0.5, 1, 1) == (
        desk["callbacks_created"],
        desk["callbacks_done"],
        desk["callbacks_done_in_time"],
        desk["done_in_time_share"],
        desk["callbacks_caller_got_through"],
        desk["callbacks_open"],
    )
    assert 1 == desk["callbacks_overdue"]  # the open one was due on 2 November


def test_csv_text_and_html_carry_the_same_desk_figures(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = list(csv.reader(io.StringIO(report(config, "csv", capsys))))
    assert ["desk", "", "", "callbacks_done_in_time", "1"] in rows
    assert ["desk_reasons", "", "complaint", "calls", "2"] in rows
    text = report(config, "text", capsys)
    assert "Callbacks: created 4, done 2, done in time 1 of 2 (50.0 %)" in text
    html = report(config, "html", capsys)
    assert 'id="callbacks"' in html
    assert "<td>Complaint</td><td>2</td>" in html


def test_a_report_on_imported_calls_has_no_desk_section(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A queue_log has no codes or callbacks: null, not zeros that look like neglect."""
    out = report(config, "json", capsys, "--source", "queue_log:switchboard")
    assert None is json.loads(out)["desk"]
