"""End to end on a real Asterisk 22: callers and phones are Local channels, routing is ours."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import place_call, set_phone
from callrouter.sandbox.configs import hours_closed_now, sandbox_config
from tests.e2e.harness import (
    attempts,
    rows,
    start_controller,
    wait_for_ended_calls,
)

pytestmark = pytest.mark.asterisk
SWITCHBOARD = "4589151515"


async def test_answered_call_is_logged_with_wait_rings_and_utf8_name(
    sim: SimAmi, tmp_path: Path
) -> None:
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "log.sqlite3"))
    try:
        await set_phone(sim, "tel1", answer_after=2, talk=2)
        await place_call(sim, SWITCHBOARD, "Søren Ærø", "004512345678", patience=30)
        [call] = await wait_for_ended_calls(running.db, 1, 20)
    finally:
        await running.shutdown()
    expected = ("answered", "tel1", "Søren Ærø", "004512345678")
    fields = ("outcome", "answered_by", "caller_name", "caller_number")
    assert expected == tuple(call[f] for f in fields)
    assert 1.9 < call["wait_seconds"] < 3.5
    assert math.ceil(call["wait_seconds"] / 5) == call["rings_heard"]
    assert [("tel1", "answered")] == attempts(running.db, call["call_id"])
    assert call["hangup_cause"].startswith("16")


async def test_caller_who_gives_up_while_waiting_is_logged_as_abandoned(
    sim: SimAmi, tmp_path: Path
) -> None:
    config = sandbox_config(tmp_path / "log.sqlite3")
    config["telephonists"] = config["telephonists"][:1]
    running = await start_controller(tmp_path, config)
    try:
        await set_phone(sim, "tel1", answer_after=0.5, talk=8)
        await place_call(sim, SWITCHBOARD, "First Caller", "11111111", patience=30)
        await asyncio.sleep(1.5)
        await place_call(sim, SWITCHBOARD, "Åsa Öberg", "22222222", patience=3)
        ended = await wait_for_ended_calls(running.db, 2, 25)
    finally:
        await running.shutdown()
    by_name = {c["caller_name"]: c for c in ended}
    assert "answered" == by_name["First Caller"]["outcome"]
    assert "abandoned" == by_name["Åsa Öberg"]["outcome"]
    assert [] == attempts(running.db, by_name["Åsa Öberg"]["call_id"])


async def test_ring_no_answer_moves_on_to_the_next_telephonist(sim: SimAmi, tmp_path: Path) -> None:
    config = sandbox_config(tmp_path / "log.sqlite3", rings_per_attempt=1)
    config["ring_cadence_seconds"] = 3
    running = await start_controller(tmp_path, config)
    try:
        await set_phone(sim, "tel1", away=True)
        await set_phone(sim, "tel2", answer_after=1, talk=2)
        await place_call(sim, SWITCHBOARD, "Ringing Caller", "33333333", patience=30)
        [call] = await wait_for_ended_calls(running.db, 1, 25)
    finally:
        await running.shutdown()
    assert ("answered", "tel2") == (call["outcome"], call["answered_by"])
    assert [("tel1", "no_answer"), ("tel2", "answered")] == attempts(running.db, call["call_id"])
    [missed] = rows(running.db, "SELECT * FROM attempts WHERE result = 'no_answer'")
    assert 1 == missed["rings"]


async def test_a_call_overflows_to_the_function_number_when_the_wait_exceeds_the_limit(
    sim: SimAmi, tmp_path: Path
) -> None:
    config = sandbox_config(tmp_path / "log.sqlite3", max_wait_seconds=3)
    config["telephonists"] = config["telephonists"][:1]
    running = await start_controller(tmp_path, config)
    try:
        await set_phone(sim, "tel1", answer_after=0.5, talk=10)
        await place_call(sim, SWITCHBOARD, "Busy Line", "44444444", patience=30)
        await asyncio.sleep(1.5)
        await place_call(sim, SWITCHBOARD, "Overflowed Caller", "55555555", patience=30)
        ended = await wait_for_ended_calls(running.db, 2, 30)
    finally:
        await running.shutdown()
    call = next(c for c in ended if c["caller_name"] == "Overflowed Caller")
    assert ("overflowed", "department:borgerservice") == (call["outcome"], call["answered_by"])
    [overflow] = rows(running.db, "SELECT * FROM overflows WHERE call_id = ?", call["call_id"])
    fields = ("target_kind", "target", "reason")
    assert ("department", "borgerservice", "wait_limit") == tuple(overflow[f] for f in fields)
    assert 3 <= overflow["at"] - call["arrived_at"] < 4.5


async def test_a_call_after_switchboard_hours_hears_the_announcement_and_is_closed(
    sim: SimAmi, tmp_path: Path
) -> None:
    config = sandbox_config(tmp_path / "log.sqlite3")
    config["switchboard"]["hours"] = hours_closed_now()
    running = await start_controller(tmp_path, config)
    try:
        await place_call(sim, SWITCHBOARD, "Night Caller", "66666666", patience=30)
        [call] = await wait_for_ended_calls(running.db, 1, 20)
    finally:
        await running.shutdown()
    assert ("closed", None) == (call["outcome"], call["answered_by"])
    assert [] == attempts(running.db, call["call_id"])


async def test_a_department_number_rings_its_function_number_while_open(
    sim: SimAmi, tmp_path: Path
) -> None:
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "log.sqlite3"))
    try:
        await place_call(sim, "4589151601", "Job Seeker", "77777777", patience=30)
        [call] = await wait_for_ended_calls(running.db, 1, 20)
    finally:
        await running.shutdown()
    fields = ("outcome", "answered_by", "department")
    assert ("answered", "department:jobcenter", "jobcenter") == tuple(call[f] for f in fields)
    assert [("jobcenter", "answered")] == attempts(running.db, call["call_id"])


async def test_a_closed_department_number_goes_to_the_switchboard(
    sim: SimAmi, tmp_path: Path
) -> None:
    config = sandbox_config(tmp_path / "log.sqlite3")
    config["departments"][1]["hours"] = hours_closed_now()
    running = await start_controller(tmp_path, config)
    try:
        await set_phone(sim, "tel1", answer_after=1, talk=2)
        await place_call(sim, "4589151601", "Late Job Seeker", "88888888", patience=30)
        [call] = await wait_for_ended_calls(running.db, 1, 20)
    finally:
        await running.shutdown()
    assert ("answered", "tel1") == (call["outcome"], call["answered_by"])


async def test_a_blind_transfer_by_the_telephonist_is_logged_and_followed(
    sim: SimAmi, tmp_path: Path
) -> None:
    running = await start_controller(tmp_path, sandbox_config(tmp_path / "log.sqlite3"))
    events = sim.listen()
    try:
        await set_phone(sim, "tel1", answer_after=1, talk=20)
        await place_call(sim, SWITCHBOARD, "Transferred Caller", "99999999", patience=40)
        phone_leg = await _answered_phone_leg(events, "Local/tel1@phones")
        reply = await sim.action(
            {
                "Action": "BlindTransfer",
                "Channel": phone_leg,
                "Context": "departments",
                "Exten": "dept-jobcenter",
            }
        )
        assert "Success" == reply["Response"], reply
        [call] = await wait_for_ended_calls(running.db, 1, 30)
    finally:
        await running.shutdown()
    assert ("answered", "tel1") == (call["outcome"], call["answered_by"])
    [transfer] = rows(running.db, "SELECT * FROM transfers WHERE call_id = ?", call["call_id"])
    assert ("blind", "dept-jobcenter@departments") == (transfer["kind"], transfer["target"])
    assert [("tel1", "answered"), ("transfer", "answered")] == attempts(running.db, call["call_id"])


async def _answered_phone_leg(
    events: asyncio.Queue[tuple[float, dict[str, str]]], prefix: str
) -> str:
    """The telephonist's leg once it is bridged to the caller (DialEnd comes before that)."""
    leg = None
    async with asyncio.timeout(15):
        while True:
            _, message = await events.get()
            kind, destination = message.get("Event"), message.get("DestChannel", "")
            answered = kind == "DialEnd" and message.get("DialStatus") == "ANSWER"
            if answered and destination.startswith(prefix):
                leg = destination
            if kind == "BridgeEnter" and leg is not None and message.get("Channel") == leg:
                return leg
