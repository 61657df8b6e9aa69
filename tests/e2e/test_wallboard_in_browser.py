"""The supervisor wallboard in headless Chromium, served by the real web server beside the
controller on the real Asterisk: a call arrives, shows up within 1 s, is answered and moves off
the waiting list; tel1 codes the call in the panel with their own token. Screenshots go to
test-artifacts/wallboard/."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from callrouter.app import build_web_server
from callrouter.config import load_config
from callrouter.desk_wiring import WorklistFeedingLog
from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import place_call, set_phone
from callrouter.sandbox.configs import sandbox_config
from callrouter.web.server import WebServer
from callrouter.web.tokens import hash_token
from tests.e2e.conftest import ROOT
from tests.e2e.harness import RunningController, rows, start_controller

pytestmark = [pytest.mark.asterisk, pytest.mark.browser]
SWITCHBOARD = "4589151515"
SHOTS = ROOT / "test-artifacts" / "wallboard"
WALL_TOKEN = "wall.read-only-wallboard-secret"
DESK_TOKEN = "desk1.telephonist-one-secret"


@pytest.fixture
async def running(sim: SimAmi, tmp_path: Path) -> AsyncIterator[RunningController]:
    config = sandbox_config(tmp_path / "log.sqlite3", telephonists=1)
    hashed = str(hash_token(WALL_TOKEN, n=1024))
    desk = str(hash_token(DESK_TOKEN, n=1024))
    config["web"] = {"port": 0, "tokens": [
        {"name": "wall", "role": "read_only", "hash": hashed},
        {"name": "desk1", "role": "telephonist", "telephonist": "tel1", "hash": desk},
    ]}  # fmt: skip
    running = await start_controller(tmp_path, config)
    yield running
    await running.shutdown()


@pytest.fixture
async def server(running: RunningController, tmp_path: Path) -> AsyncIterator[WebServer]:
    """The server as `callrouter run` builds it, from the same configuration file."""
    call_log = running.controller.call_log
    assert isinstance(call_log, WorklistFeedingLog)
    config = load_config(tmp_path / "callrouter.yaml")  # written by start_controller
    server = build_web_server(config, running.controller, call_log.desk)
    await server.start()
    yield server
    await server.stop()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_a_call_shows_on_the_wallboard_within_a_second_and_moves_when_answered(
    sim: SimAmi, running: RunningController, server: WebServer
) -> None:
    arrivals: dict[str, float] = {}

    def note_arrival(event: ev.Event, commands: Sequence[cmd.Command]) -> None:
        if isinstance(event, ev.CallArrived):
            arrivals[event.call_id] = time.monotonic()

    running.controller.subscribe(note_arrival)
    await set_phone(sim, "tel1", answer_after=4, talk=30)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = await browser.new_page(viewport={"width": 1920, "height": 1080})
        try:
            await page.goto(server.url + "/")
            await page.fill("#token", WALL_TOKEN)
            await page.click("#use")
            await expect(page.locator("#link")).to_have_text("live")
            await expect(page.locator("#waiting")).to_have_text("nobody waiting")
            await expect(page.locator("#telephonists tr[data-id='tel1'] .state")).to_have_text(
                "available"
            )
            await shot(page, "0-quiet")

            await place_call(sim, SWITCHBOARD, "Søren <b>Ærø</b>", "33333333", patience=40)
            row = page.locator("#waiting tr[data-call-id]")
            await row.wait_for(timeout=15000)
            shown_at = time.monotonic()
            [call_id] = arrivals
            assert shown_at - arrivals[call_id] < 1.0, "not on the wallboard within 1 s"
            assert call_id == await row.get_attribute("data-call-id")
            await expect(row.locator(".name")).to_have_text("Søren <b>Ærø</b>")  # as text
            await expect(row.locator(".caller")).to_have_text("33333333")
            await expect(row.locator(".ringing")).to_have_text("tel1")
            await shot(page, "1-call-waiting")

            # tel1 answers: the call leaves the waiting list and tel1 is on the call.
            await expect(row).to_have_count(0, timeout=15000)
            await expect(page.locator("#waiting")).to_have_text("nobody waiting")
            await expect(page.locator("#telephonists tr[data-id='tel1'] .state")).to_have_text(
                "on call"
            )
            await shot(page, "2-answered")

            # tel1 codes the call in the panel, through the same server and a telephonist token.
            panel = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await panel.goto(server.url + "/panel")
            await panel.fill("#token", DESK_TOKEN)
            await panel.click("#use")
            await expect(panel.locator("#call-number")).to_have_text("33333333", timeout=10000)
            await panel.click("#codes button[data-code='complaint']")
            await expect(panel.locator("#codes button[data-code='complaint']")).to_have_class("on")
            await panel.screenshot(path=str(SHOTS / "3-coded-in-panel.png"), full_page=True)
        finally:
            await browser.close()
    [coded] = rows(running.db, "SELECT call_id, code, by FROM call_reasons")
    assert (call_id, "complaint", "tel1") == tuple(coded)
