"""The backbone's scenarios on FreeSWITCH: the real controller and call log against a fake
FreeSWITCH replaying the real captures. Each ends with the call-log rows the same scenario gives
on Asterisk (tests/e2e/test_routing_on_asterisk.py); where they differ, the test says why."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from callrouter.sandbox.configs import hours_closed_now
from tests.e2e.harness import attempts, rows, wait_for_ended_calls, wait_until

from .fs_harness import freeswitch_config, running


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLROUTER_ESL_PASSWORD", "ClueCon")


async def test_answered_call_is_logged_with_wait_rings_and_utf8_name(tmp_path: Path) -> None:
    async with running(tmp_path, freeswitch_config(tmp_path / "log.sqlite3")) as fs:
        await fs.fake.place_call("answered")
        [call] = await wait_for_ended_calls(fs.db, 1, 10)
    expected = ("answered", "tel1", "Søren Ærø", "004512345678")
    fields = ("outcome", "answered_by", "caller_name", "caller_number")
    assert expected == tuple(call[f] for f in fields)
    assert 2.9 < call["wait_seconds"] < 3.5  # tel1 answered 3.0 s after the offer (captured)
    assert math.ceil(call["wait_seconds"] / 5) == call["rings_heard"]
    assert [("tel1", "answered")] == attempts(fs.db, call["call_id"])
    assert "16 NORMAL_CLEARING" == call["hangup_cause"]  # Asterisk: "16 Normal Clearing"


async def test_caller_who_gives_up_while_waiting_is_logged_as_abandoned(tmp_path: Path) -> None:
    config = freeswitch_config(tmp_path / "log.sqlite3")
    config["telephonists"] = config["telephonists"][:1]
    async with running(tmp_path, config) as fs:
        first = await fs.fake.place_call("answered", finish_at_once=False)
        await wait_until(lambda: len(fs.fake.sent("bgapi uuid_bridge")) == 1, 5, "first bridged")
        second = await fs.fake.place_call("abandoned")
        await wait_until(
            lambda: bool(fs.fake.sent(f"bgapi uuid_transfer {second.call_id}")), 5, "held"
        )
        await second.caller_hangs_up()
        await first.finish()
        ended = await wait_for_ended_calls(fs.db, 2, 10)
    by_name = {c["caller_name"]: c for c in ended}
    assert "answered" == by_name["Søren Ærø"]["outcome"]
    assert "abandoned" == by_name["Åse Lykkegård"]["outcome"]
    assert [] == attempts(fs.db, by_name["Åse Lykkegård"]["call_id"])


async def test_ring_no_answer_moves_on_to_the_next_telephonist(tmp_path: Path) -> None:
    config = freeswitch_config(tmp_path / "log.sqlite3", rings_per_attempt=1)
    config["ring_cadence_seconds"] = 3
    # tel1's phone is the captured tel3 (never answers), tel2's the captured tel1
    async with running(tmp_path, config, {"tel1": "tel3", "tel2": "tel1"}) as fs:
        await fs.fake.place_call("ring-no-answer")
        [call] = await wait_for_ended_calls(fs.db, 1, 10)
    assert ("answered", "tel2") == (call["outcome"], call["answered_by"])
    assert [("tel1", "no_answer"), ("tel2", "answered")] == attempts(fs.db, call["call_id"])
    [missed] = rows(fs.db, "SELECT * FROM attempts WHERE result = 'no_answer'")
    assert 1 == missed["rings"]
    timeouts = [c for c in fs.fake.sent("bgapi originate") if "originate_timeout=3}" in c]
    assert 2 == len(timeouts)  # rings_per_attempt x cadence, on every ring


async def test_a_call_overflows_to_the_function_number_when_the_wait_exceeds_the_limit(
    tmp_path: Path,
) -> None:
    config = freeswitch_config(tmp_path / "log.sqlite3", max_wait_seconds=3)
    config["telephonists"] = config["telephonists"][:1]
    async with running(tmp_path, config) as fs:
        first = await fs.fake.place_call("answered", finish_at_once=False)
        await wait_until(lambda: len(fs.fake.sent("bgapi uuid_bridge")) == 1, 5, "first bridged")
        second = await fs.fake.place_call("answered")
        await wait_until(
            lambda: bool(fs.fake.sent(f"bgapi uuid_transfer {second.call_id}")), 5, "held"
        )
        fs.clock.advance(3.2)  # the controller's clock: the next tick finds the wait too long
        await wait_until(
            lambda: len(fs.fake.sent("bgapi uuid_bridge")) == 2, 5, "overflow answered"
        )
        await first.finish()
        ended = await wait_for_ended_calls(fs.db, 2, 10)
    call = next(c for c in ended if c["call_id"] == second.call_id)
    assert ("overflowed", "department:borgerservice") == (call["outcome"], call["answered_by"])
    [overflow] = rows(fs.db, "SELECT * FROM overflows WHERE call_id = ?", call["call_id"])
    fields = ("target_kind", "target", "reason")
    assert ("department", "borgerservice", "wait_limit") == tuple(overflow[f] for f in fields)
    assert 3 <= overflow["at"] - call["arrived_at"] < 4.5
    dept = [c for c in fs.fake.sent("bgapi originate") if "loopback/dept-borgerservice/" in c]
    assert 1 == len(dept)


async def test_a_call_after_switchboard_hours_hears_the_announcement_and_is_closed(
    tmp_path: Path,
) -> None:
    config = freeswitch_config(tmp_path / "log.sqlite3")
    config["switchboard"]["hours"] = hours_closed_now()
    async with running(tmp_path, config) as fs:
        call_placed = await fs.fake.place_call("answered")
        [call] = await wait_for_ended_calls(fs.db, 1, 10)
    assert ("closed", None) == (call["outcome"], call["answered_by"])
    assert [] == attempts(fs.db, call["call_id"])
    expected = [
        f"api uuid_setvar {call_placed.call_id} callrouter_announcement please-try-call-later",
    ]
    assert expected == fs.fake.sent("api uuid_setvar")
    assert [f"bgapi uuid_transfer {call_placed.call_id} closed XML callrouter-closed"] == [
        c for c in fs.fake.sent("bgapi uuid_transfer") if "closed" in c
    ]
    assert [] == fs.fake.sent("bgapi originate")


async def test_a_blind_transfer_by_the_telephonist_is_logged_and_followed(tmp_path: Path) -> None:
    async with running(tmp_path, freeswitch_config(tmp_path / "log.sqlite3")) as fs:
        await fs.fake.place_call("transfer-out")
        [call] = await wait_for_ended_calls(fs.db, 1, 10)
    assert ("answered", "tel1") == (call["outcome"], call["answered_by"])
    [transfer] = rows(fs.db, "SELECT * FROM transfers WHERE call_id = ?", call["call_id"])
    assert ("blind", "tel2@callrouter-sim") == (transfer["kind"], transfer["target"])
    # Asterisk also logs ("transfer", "answered"): there the department's phone is dialled after
    # the transfer; in the FreeSWITCH capture the transfer target answers in the dialplan itself
    # and no new leg rings, so there is no second attempt to log.
    assert [("tel1", "answered")] == attempts(fs.db, call["call_id"])
