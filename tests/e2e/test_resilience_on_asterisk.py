"""End to end on a real Asterisk 22: load, restarts, crashes and fail-open never lose a call."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from callrouter.pbx.ami_failopen import FAMILY as FAIL_OPEN_FAMILY
from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import PHONES, place_call, set_phone
from callrouter.sandbox.configs import sandbox_config
from tests.e2e.conftest import ROOT
from tests.e2e.harness import (
    AMI_SECRET,
    attempts,
    calls,
    rows,
    start_controller,
    wait_for_ended_calls,
    wait_until,
)

pytestmark = pytest.mark.asterisk
SWITCHBOARD = "4589151515"


async def test_thirty_calls_in_ten_seconds_to_five_telephonists_are_each_logged_once(
    sim: SimAmi, tmp_path: Path
) -> None:
    """25 patient callers are answered; 5 who give up after 1 s (phones take 1.5 s) abandon."""
    running = await start_controller(
        tmp_path, sandbox_config(tmp_path / "l.sqlite3", telephonists=5)
    )
    try:
        for phone in PHONES:
            await set_phone(sim, phone, answer_after=1.5, talk=1)
        for n in range(30):
            impatient = n % 6 == 5
            name = f"{'Impatient' if impatient else 'Patient'} Caller {n:02d} Ærø"
            await place_call(
                sim, SWITCHBOARD, name, f"4520{n:06d}", patience=1 if impatient else 120
            )
            await asyncio.sleep(10 / 30)
        ended = await wait_for_ended_calls(running.db, 30, 90)
    finally:
        await running.shutdown()
    assert 30 == len(ended) == len({c["call_id"] for c in ended})
    expected = {
        c["caller_name"]: ("abandoned" if "Impatient" in c["caller_name"] else "answered")
        for c in ended
    }
    assert expected == {c["caller_name"]: c["outcome"] for c in ended}
    answered = [c for c in ended if c["outcome"] == "answered"]
    assert all(attempts(running.db, c["call_id"])[-1][1] == "answered" for c in answered)
    assert 30 == len(rows(running.db, "SELECT DISTINCT caller_number FROM calls"))


async def test_a_call_open_when_the_controller_is_killed_is_adopted_by_the_next_one(
    sim: SimAmi, tmp_path: Path
) -> None:
    """SIGKILL mid-call: nothing is written at the end, yet the waiting caller is answered."""
    config = sandbox_config(tmp_path / "log.sqlite3")
    config["telephonists"] = config["telephonists"][:1]
    db = tmp_path / "log.sqlite3"
    first = _run_cli(tmp_path, config)
    try:
        await asyncio.sleep(2)
        await set_phone(sim, "tel1", answer_after=0.5, talk=4)
        await place_call(sim, SWITCHBOARD, "Busy Line", "12121212", patience=30)
        await asyncio.sleep(1.5)
        await place_call(sim, SWITCHBOARD, "Waiting Through A Crash", "13131313", patience=40)
        await wait_until(lambda: db.exists() and len(calls(db)) == 2, 10, "both arrivals logged")
    finally:
        first.kill()
        first.communicate(timeout=10)
    second = await start_controller(tmp_path, config)
    try:
        ended = await wait_for_ended_calls(second.db, 2, 40)
    finally:
        await second.shutdown()
    outcome = {c["caller_name"]: (c["outcome"], c["answered_by"]) for c in ended}
    assert ("answered", "tel1") == outcome["Waiting Through A Crash"]


def _run_cli(tmp_path: Path, config: dict) -> subprocess.Popen[str]:
    path = tmp_path / "callrouter.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = os.environ | {"CALLROUTER_AMI_SECRET": AMI_SECRET}
    command = [sys.executable, "-m", "callrouter.cli", "run", "--config", str(path)]
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT)


async def test_with_no_controller_the_dialplan_fails_open_and_rings_the_telephonists(
    sim: SimAmi, tmp_path: Path
) -> None:
    """The heartbeat is stale (no controller): the caller is not stranded."""
    await sim.set_global("CALLROUTER_HEARTBEAT", "0")
    events = sim.listen()
    await set_phone(sim, "tel1", answer_after=1, talk=1)
    await place_call(sim, SWITCHBOARD, "Fail Open", "14141414", patience=20)
    async with asyncio.timeout(10):
        while True:
            _, message = await events.get()
            if (
                message.get("Event") == "DialEnd"
                and message.get("DialStatus") == "ANSWER"
                and message.get("DestChannel", "").startswith("Local/tel")
            ):
                break


async def test_calls_the_dialplan_put_through_while_no_controller_ran_reach_the_call_log(
    sim: SimAmi, tmp_path: Path
) -> None:
    """No controller: one caller is answered by tel1, one gives up. The next controller logs
    both from the dialplan's journal, then empties the journal."""
    await sim.set_global("CALLROUTER_HEARTBEAT", "0")
    for phone in PHONES:
        await set_phone(sim, phone, away=True)
    await set_phone(sim, "tel1", answer_after=1, talk=1)
    await place_call(sim, SWITCHBOARD, "Søren Ærø", "+4512345678", patience=20)
    await asyncio.sleep(3.5)
    await set_phone(sim, "tel1", away=True)
    await place_call(sim, "4589151601", "Åse Øberg", "+4587654321", patience=2)
    await asyncio.sleep(3)
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "fo.sqlite3"))
    try:
        ended = await wait_for_ended_calls(running.db, 2, 15)
        await _journal_emptied(sim, within=10)
    finally:
        await running.shutdown()
    expected = {
        "Søren Ærø": ("answered", "tel1", "4589151515"),
        "Åse Øberg": ("abandoned", None, "4589151601"),
    }
    found = {c["caller_name"]: (c["outcome"], c["answered_by"], c["entry"]) for c in ended}
    assert expected == found
    answered = next(c for c in ended if c["outcome"] == "answered")
    assert [("failopen", "answered")] == attempts(running.db, answered["call_id"])
    assert 1.0 <= answered["wait_seconds"] < 2.0


async def test_a_call_that_fails_open_while_the_controller_runs_is_logged_when_it_ends(
    sim: SimAmi, tmp_path: Path
) -> None:
    """The heartbeat looks stale for a moment (a stalled controller): the dialplan rings the
    group itself, and the hang-up UserEvent brings the call into the log."""
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "live.sqlite3"))
    try:
        await set_phone(sim, "tel2", answer_after=1, talk=1)
        for phone in ("tel1", "tel3", "tel4", "tel5"):
            await set_phone(sim, phone, away=True)
        await sim.set_global("CALLROUTER_HEARTBEAT", "0")
        await place_call(sim, SWITCHBOARD, "Stalled Controller", "16161616", patience=20)
        [ended] = await wait_for_ended_calls(running.db, 1, 15)
        await _journal_emptied(sim, within=10)
    finally:
        await running.shutdown()
    assert ("answered", "tel2") == (ended["outcome"], ended["answered_by"])
    assert [("failopen", "answered")] == attempts(running.db, ended["call_id"])


async def _journal_emptied(sim: SimAmi, within: float) -> None:
    async with asyncio.timeout(within):
        while True:
            shown = await sim.command(f"database show {FAIL_OPEN_FAMILY}")
            if shown.get("Output") == "0 results found.":
                return
            await asyncio.sleep(0.2)


async def test_callrouter_run_stops_cleanly_on_sigterm(sim: SimAmi, tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, sandbox_config(tmp_path / "run.sqlite3"))
    try:
        await set_phone(sim, "tel1", answer_after=1, talk=1)
        await asyncio.sleep(2)
        await place_call(sim, SWITCHBOARD, "Via The CLI", "15151515", patience=20)
        await wait_for_ended_calls(tmp_path / "run.sqlite3", 1, 20)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
    assert 0 == proc.returncode, stderr
    assert "controller_stopped" in stderr
    assert AMI_SECRET not in stderr


async def test_a_call_open_when_the_pbx_crashes_is_closed_with_an_explicit_outcome(
    sim: SimAmi, tmp_path: Path
) -> None:
    """Asterisk is killed while a phone rings: the stream just stops, and no Hangup ever comes.

    When Asterisk comes back it has no such channel, so the call is closed as failed ("lost"),
    and the outage is in the log for the downtime report.
    """
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "log.sqlite3"))
    try:
        await set_phone(sim, "tel1", away=True)
        await set_phone(sim, "tel2", away=True)
        await place_call(sim, SWITCHBOARD, "Caught In A Crash", "16161616", patience=60)
        await wait_until(
            lambda: len(rows(running.db, "SELECT * FROM attempts")) >= 1, 10, "ringing"
        )
        _sandbox("crash")
        _sandbox("start")
        [call] = await wait_for_ended_calls(running.db, 1, 30)
        events = rows(running.db, "SELECT kind FROM controller_events ORDER BY at")
    finally:
        await running.shutdown()
        await _reconnect(sim)
    assert ("failed", None) == (call["outcome"], call["answered_by"])
    assert call["hangup_cause"].startswith("lost")
    kinds = [e["kind"] for e in events]
    assert "pbx_disconnected" in kinds
    assert kinds.index("pbx_disconnected") < len(kinds) - 1 - kinds[::-1].index("pbx_connected")


def _sandbox(action: str) -> None:
    env = {"CALLROUTER_AMI_SECRET": AMI_SECRET, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    script = str(ROOT / "scripts/asterisk-sandbox.sh")
    subprocess.run(["bash", script, action], check=True, env=env, timeout=120)


async def _reconnect(sim: SimAmi) -> None:
    """The crash dropped the simulator's own AMI session too: log in again for teardown."""
    await sim.close()
    for _ in range(100):
        try:
            await sim.connect()
            return
        except OSError:
            await asyncio.sleep(0.2)
