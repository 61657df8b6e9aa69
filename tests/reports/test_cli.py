"""`callrouter report`: formats, output file, and clear errors (exit 2) for bad requests."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from callrouter.cli import main
from callrouter.reports.formats import CSV_HEADER, RENDERERS
from tests.reports.logbuilder import Log, create_log, local

EXAMPLE = Path(__file__).parents[2] / "configs" / "callrouter.example.yaml"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example config, with its call log (callrouter.sqlite3) beside it in tmp_path."""
    return Path(shutil.copy(EXAMPLE, tmp_path / "callrouter.yaml"))


@pytest.fixture
def with_calls(config: Path) -> Path:
    path = config.parent / "callrouter.sqlite3"
    log = Log(path, create_log(path))
    log.call(local(2026, 11, 2, 10), "answered", wait=10, rings=2)
    log.call(local(2026, 11, 2, 11), "abandoned", held=30)
    log.call(local(2026, 11, 2, 7), "closed")
    log.conn.close()
    return config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_for_a_month(with_calls: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--config", str(with_calls), "--period", "2026-11", "--format", "json"
    )

    report = json.loads(out)
    assert 0 == code
    assert (2, 1, 1) == (
        report["switchboard"]["figures"]["offered"],
        report["switchboard"]["figures"]["answered"],
        report["switchboard"]["figures"]["closed"],
    )
    assert "2026-11-01T00:00:00+01:00" == report["period"]["start"]
    assert "answered_and_long_abandons" == report["method"]["formula"]


def test_csv_report_to_a_file_has_one_figure_per_row(
    with_calls: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "q4.csv"
    code, out, _ = run(
        capsys,
        "--config",
        str(with_calls),
        "--period",
        "2026-Q4",
        "--format",
        "csv",
        "--out",
        str(out_file),
    )

    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert (0, "") == (code, out)
    assert list(CSV_HEADER) == rows[0]
    assert ["figures", "switchboard", "", "offered", "2"] in rows
    assert ["by_hour", "switchboard", "10", "answered", "1"] in rows


def test_text_report_is_the_default(with_calls: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "--config", str(with_calls), "--from", "2026-11-02", "--to", "2026-11-03"
    )

    assert 0 == code
    assert out.startswith("KPI report 2026-11-02 .. 2026-11-03")
    assert "Switchboard by hour of arrival" in out
    assert "Luleå SM1: service_level_rings >= 90.0 % at switchboard: MISSED" in out
    assert "    switchboard: 50.0 % missed" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2026-13"], "period '2026-13': month must be in 1..12"),
        (["--period", "2026-Q5"], "period '2026-Q5' is not a month 2026-11, a quarter 2026-Q3"),
        (["--period", "last month"], "period 'last month' is not a month"),
        (["--from", "2026-11-05", "--to", "2026-11-01"], "--to 2026-11-01 is not after --from"),
        (["--from", "yesterday", "--to", "2026-11-01"], "--from 'yesterday' is not an ISO date"),
        (["--from", "2026-11-01"], "give --period"),
        (["--period", "2026-11", "--from", "2026-11-01"], "either --period or --from/--to"),
        (["--period", "2026-11", "--source", "asterisk"], "--source 'asterisk'"),
    ],
)
def test_a_bad_request_is_a_clear_error_with_exit_2(
    with_calls: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--config", str(with_calls), *argv)

    assert (2, "") == (code, out)
    assert err.startswith("report: ")
    assert message in err


def test_an_output_file_that_cannot_be_written_is_a_clear_error(
    with_calls: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "no-such-dir" / "report.json"

    code, _, err = run(
        capsys, "--config", str(with_calls), "--period", "2026-11", "--out", str(out_file)
    )

    assert 2 == code
    assert f"report: cannot write {out_file}: No such file or directory" in err


def test_a_missing_call_log_is_a_clear_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--config", str(config), "--period", "2026-11")

    assert 2 == code
    assert f"report: no call log at {config.parent / 'callrouter.sqlite3'}" in err
    assert not (config.parent / "callrouter.sqlite3").exists()


def test_a_file_that_is_not_a_call_log_is_a_clear_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (config.parent / "callrouter.sqlite3").write_bytes(b"not a database at all" * 100)

    code, _, err = run(capsys, "--config", str(config), "--period", "2026-11")

    assert 2 == code
    assert "report: cannot read the call log" in err


def test_the_formats_are_a_registry_of_renderers() -> None:
    assert {"csv", "json", "text"} <= set(RENDERERS)


def test_every_json_key_is_documented() -> None:
    """docs/kpi-report.md lists every key the JSON and CSV formats can hold."""
    import dataclasses

    from callrouter.reports import model

    docs = (Path(__file__).parents[2] / "docs" / "kpi-report.md").read_text(encoding="utf-8")
    records = [v for v in vars(model).values() if dataclasses.is_dataclass(v)]
    missing = {
        f"{record.__name__}.{field.name}"
        for record in records
        for field in dataclasses.fields(record)
        if f"`{field.name}`" not in docs
    }
    assert set() == missing
