"""A telephonist works the panel in headless Chromium, with the controller on the real Asterisk.

They pause (a caller who gives up while nobody is free lands on the callback list), resume,
answer the next call, code it, and claim and close the callback. Screenshots go to
test-artifacts/panel/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Page, async_playwright, expect

from callrouter.app import utc_now
from callrouter.config import load_config
from callrouter.desk_wiring import WorklistFeedingLog
from callrouter.panel.api import PanelApi
from callrouter.panel.page import page_routes
from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import place_call, set_phone
from callrouter.sandbox.configs import sandbox_config
from tests.e2e.conftest import ROOT
from tests.e2e.harness import RunningController, rows, start_controller
from tests.panel.conftest import authorize

pytestmark = [pytest.mark.asterisk, pytest.mark.browser]
SWITCHBOARD = "4589151515"
SHOTS = ROOT / "test-artifacts" / "panel"


@pytest.fixture
async def running(sim: SimAmi, tmp_path: Path) -> AsyncIterator[RunningController]:
    config = sandbox_config(tmp_path / "log.sqlite3", telephonists=1)
    config["panel"] = {"callbacks": {"abandoned_after_seconds": 1, "due_within_minutes": 30}}
    running = await start_controller(tmp_path, config)
    yield running
    await running.shutdown()


@pytest.fixture
async def panel_url(running: RunningController, tmp_path: Path) -> AsyncIterator[str]:
    call_log = running.controller.call_log
    assert isinstance(call_log, WorklistFeedingLog)
    settings = load_config(tmp_path / "callrouter.yaml").panel  # written by start_controller
    api = PanelApi(running.controller, call_log.desk, settings, authorize, utc_now)
    app = web.Application()
    app.add_routes([*api.routes(), *page_routes()])
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/panel"))
    await server.close()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_a_telephonist_codes_their_call_and_closes_a_callback_in_the_panel(
    sim: SimAmi, running: RunningController, panel_url: str
) -> None:
    db = running.db
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = await browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            await page.goto(panel_url)
            await page.fill("#token", "tel-token")
            await page.click("#use")
            await expect(page.locator("#presence")).to_have_text("available")

            # Paused: nobody free, so the caller waits, gives up, and lands on the callback list.
            await page.fill("#pause-reason", "team meeting")
            await page.click("#pause")
            await expect(page.locator("#presence")).to_have_text("paused")
            await place_call(sim, SWITCHBOARD, "Åsa <i>Öberg</i>", "22222222", patience=3)
            row = page.locator("#callbacks tr[data-id]", has_text="22222222")
            await expect(row).to_have_count(1, timeout=15000)
            await expect(row.locator("td").nth(1)).to_have_text("Åsa <i>Öberg</i>")
            await shot(page, "1-callback-from-abandoned-call")

            # Back to work: the next caller is answered; the telephonist codes the call.
            await page.click("#resume")
            await expect(page.locator("#presence")).to_have_text("available")
            await set_phone(sim, "tel1", answer_after=1, talk=20)
            await place_call(sim, SWITCHBOARD, "Søren <b>Ærø</b>", "33333333", patience=40)
            await expect(page.locator("#call-number")).to_have_text("33333333", timeout=15000)
            await expect(page.locator("#call-name")).to_have_text("Søren <b>Ærø</b>")
            await expect(page.locator("#call-dialled")).to_have_text("switchboard")
            await page.click("#codes button[data-code='complaint']")
            await expect(page.locator("#codes button[data-code='complaint']")).to_have_class("on")
            await shot(page, "2-call-coded")

            # A callback promise for this caller (number and name filled in from the call).
            await expect(page.locator("#msg-number")).to_have_value("33333333")
            await page.fill("#msg-note", "Wants the tax office to call back")
            await page.click("#msg-save")
            promised = page.locator("#callbacks tr[data-id]", has_text="33333333")
            await expect(promised.locator("td").nth(2)).to_have_text("promised")
            await expect(page.locator("#messages tr")).to_have_count(1)

            # The callback: claim it, then close it as reached.
            await row.locator("button.claim").click()
            await expect(row.locator("td").nth(4)).to_have_text("tel1")
            await row.locator("select.result").select_option("reached")
            await row.locator("button.close").click()
            await expect(row).to_have_class("done")
            await shot(page, "3-callback-closed")
        finally:
            await browser.close()

    [coded] = rows(
        db, "SELECT c.caller_number, r.code FROM call_reasons r JOIN calls c USING (call_id)"
    )
    assert ("33333333", "complaint") == (coded["caller_number"], coded["code"])
    entries = rows(db, "SELECT number, source, claimed_by, result FROM callbacks ORDER BY id")
    expected = [("22222222", "abandoned", "tel1", "reached"), ("33333333", "promise", None, None)]
    assert expected == [tuple(e) for e in entries]
    [message] = rows(db, "SELECT call_id, note, due_at - created_at AS due FROM messages")
    assert ("Wants the tax office to call back", 1800) == (message["note"], round(message["due"]))
    assert (
        coded["caller_number"]
        == rows(db, "SELECT caller_number FROM calls WHERE call_id = ?", message["call_id"])[0][0]
    )
