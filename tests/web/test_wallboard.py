"""The wallboard's data (/api/wallboard), its live stream (SSE) and its page."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from callrouter.domain import events as ev
from callrouter.domain.commands import RecordAnswer, RecordArrival, RecordCallEnded
from callrouter.domain.model import Outcome
from callrouter.store.calllog import SqliteCallLog
from callrouter.web import wallboard
from callrouter.web.settings import WebSettings
from tests.web.conftest import READ, Server, serve, tokens
from tests.web.scenario import arrived, at, play


async def board(server: Server) -> Any:
    response = await server.client.get("/api/wallboard", headers=READ)
    assert 200 == response.status
    return await response.json()


async def test_the_calls_waiting_with_their_wait_rings_and_who_is_ringing(server: Server) -> None:
    await play(server)
    [waiting] = (await board(server))["waiting"]
    expected = {"call_id": "c6", "caller_number": "+4500000006", "caller_name": "Søren <b>Ærø</b>",
                "entry": "4589151515", "arrived_at": at(100).isoformat(), "wait_seconds": 70.0,
                "rings_heard": 14, "ringing": "tel1"}  # fmt: skip
    assert expected == waiting


async def test_each_telephonists_state_and_time_in_it(server: Server) -> None:
    await play(server)
    people = [(t["id"], t["state"], t["seconds_in_state"]) for t in (await board(server))[
        "telephonists"]]  # fmt: skip
    assert [("tel1", "ringing", 30.0), ("tel2", "paused", 20.0)] == people


async def test_todays_kpis_against_targets_with_a_colour(server: Server) -> None:
    await play(server)
    shown = await board(server)
    kpis = {(k["metric"], k["scope"]): (k["figure"], k["target"], k["status"])
            for k in shown["kpis"]}  # fmt: skip
    assert {
        ("service_level_rings", "switchboard"): (1 / 3, 0.9, "red"),
        ("service_level_seconds", "departments"): (None, 0.9, "no_calls"),
        ("abandonment_rate", "departments"): (None, 0.1, "no_calls"),
    } == kpis
    assert {"offered": 5, "answered": 2, "abandoned": 2, "overflowed": 1} == shown["today"]
    label = "Answered within 3 rings · switchboard (Luleå SM1)"
    assert label == shown["kpis"][0]["label"]


async def test_alerts_for_service_at_risk_and_a_lost_pbx_link(server: Server) -> None:
    await play(server)
    assert [
        "Service level at risk: Answered within 3 rings · switchboard (Luleå SM1) 33% over the "
        "last 15 min (target 90%)",
        "Service level at risk: 1 waiting caller(s) past 3 rings (longest 14 rings)",
    ] == (await board(server))["alerts"]
    server.pbx.connected = False
    assert "PBX connection lost: calls are not being routed" == (await board(server))["alerts"][0]


async def test_a_quiet_board_has_no_alerts_and_lists_the_departments_open(server: Server) -> None:
    server.pbx.connected = True
    shown = await board(server)
    assert True is shown["switchboard_open"]
    assert ([], [], []) == (shown["waiting"], shown["alerts"], [
        k["figure"] for k in shown["kpis"] if k["figure"] is not None])  # fmt: skip
    assert [
        {
            "id": "borgerservice",
            "name": "Borgerservice",
            "open": True,
            "function_number": "Local/dept-borgerservice@departments/n",
        }
    ] == shown["departments"]


async def test_the_stream_sends_the_board_again_after_each_pbx_event(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new caller reaches the screen with the event, not on a timer (the keep-alive resend is
    pushed out of reach here)."""
    monkeypatch.setattr(wallboard, "KEEPALIVE_SECONDS", 3600.0)
    server.pbx.connected = True
    await server.controller.apply(ev.PbxConnected(frozenset(), at(0)))
    response = await server.client.get("/api/wallboard/events", headers=READ)
    assert ("text/event-stream", 200) == (response.content_type, response.status)
    first = await _next_board(response)
    await server.controller.apply(arrived("c7", 2, name="Åsa"))
    second = await _next_board(response)
    response.close()
    assert [] == [w["call_id"] for w in first["waiting"] if w["call_id"] == "c7"]
    assert ["Åsa"] == [w["caller_name"] for w in second["waiting"] if w["call_id"] == "c7"]


async def _next_board(response: Any) -> Any:
    async def read() -> Any:
        event, data = "", ""
        while True:
            line = (await response.content.readline()).decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data:
                assert "board" == event
                return json.loads(data)

    return await asyncio.wait_for(read(), 30)  # a guard against hanging, not a measurement


async def test_the_stream_needs_a_token(server: Server) -> None:
    response = await server.client.get("/api/wallboard/events")
    assert (401, "application/json") == (response.status, response.content_type)


async def test_the_page_runs_only_its_own_script_and_has_no_caller_data(server: Server) -> None:
    response = await server.client.get("/")
    html = await response.text()
    assert 200 == response.status
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '<script src="/wallboard.js"></script>' in html
    assert 1 == html.count("<script")
    script = await (await server.client.get("/wallboard.js")).text()
    assert "innerHTML" not in script
    assert "textContent" in script


async def test_todays_figures_include_the_calls_logged_before_a_restart(tmp_path: Path) -> None:
    """Two calls ended this morning before the server started: one answered on ring 2, one
    caller lost after 40 s. Yesterday's call does not count."""
    call_log = await SqliteCallLog.open(tmp_path / "desk.sqlite3")
    for call_id, start in (("y1", -86400.0), ("a1", -3600.0), ("a2", -1800.0)):
        arrival = RecordArrival(call_id, call_id, "PJSIP/x", "4589151515", None, "da", "1", "",
                                at(start))  # fmt: skip
        await call_log.record_all([arrival])
    await call_log.record_all([
        RecordAnswer("y1", "tel1", 6.0, 2, at(-86394)),
        RecordCallEnded("y1", Outcome.ANSWERED, "16", at(-86300)),
        RecordAnswer("a1", "tel1", 6.0, 2, at(-3594)),
        RecordCallEnded("a1", Outcome.ANSWERED, "16", at(-3500)),
        RecordCallEnded("a2", Outcome.ABANDONED, "16", at(-1760)),
    ])  # fmt: skip
    await call_log.close()
    async for running in serve(tmp_path, WebSettings(tokens=tokens())):
        shown = await board(running)
        assert {"offered": 2, "answered": 1, "abandoned": 1, "overflowed": 0} == shown["today"]
        assert (0.5, "red") == (shown["kpis"][0]["figure"], shown["kpis"][0]["status"])


async def test_ringing_and_queued_callers_are_listed_oldest_first(server: Server) -> None:
    server.pbx.connected = True
    for event in (ev.PbxConnected(frozenset(), at(0)), arrived("c1", 0), arrived("c2", 1),
                  arrived("c3", 2)):  # fmt: skip
        await server.controller.apply(event)
    server.clock.now = at(12)
    shown = [(w["call_id"], w["ringing"], w["rings_heard"]) for w in (await board(server))[
        "waiting"]]  # fmt: skip
    assert [("c1", "tel1", 3), ("c2", "tel2", 3), ("c3", None, 2)] == shown
