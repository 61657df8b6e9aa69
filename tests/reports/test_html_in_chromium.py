"""The HTML report as a supervisor sees it: rendered by Debian's headless Chromium.

Screenshots and a PDF print are kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from callrouter.cli import main
from callrouter.reports.html import render_html
from tests.reports.logbuilder import Log, create_log, local
from tests.reports.sample_report import sample_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EXAMPLE = Path(__file__).resolve().parents[2] / "configs" / "callrouter.example.yaml"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@asynccontextmanager
async def chromium_page(page_file: Path) -> AsyncIterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(page_file.as_uri())
            yield page
        finally:
            await browser.close()


async def test_chromium_draws_both_charts_and_shows_the_figures(tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(sample_report()), encoding="utf-8")
    async with chromium_page(page_file) as page:
        charts = page.locator("svg.chart")
        boxes = [await charts.nth(i).bounding_box() for i in range(await charts.count())]
        bars = await page.locator("#chart-hourly svg rect[class] >> nth=2").bounding_box()
        tiles = await page.locator(".tiles").inner_text()
        reach = await page.locator("#reachability tbody tr").first.inner_text()
        target_line = await page.locator("#chart-daily line.target").bounding_box()
        await page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        await page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4")
    assert 2 == len(boxes)
    assert all(box is not None and box["width"] > 600 and box["height"] > 150 for box in boxes)
    assert bars is not None
    assert bars["height"] > 0
    assert target_line is not None
    assert target_line["width"] > 500
    assert ["19", "15", "76.5 %", "10.5 %", "12.5 s"] == [
        line for line in tiles.split("\n") if line and line[0].isdigit()
    ]
    assert reach.startswith("Jobcenter <&> Ærø")
    assert (ARTIFACTS / "report.pdf").stat().st_size > 10_000


async def test_a_month_from_the_call_log_renders_with_its_charts_and_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`callrouter report --format html` end to end: 20 switchboard calls over two days."""
    config = Path(shutil.copy(EXAMPLE, tmp_path / "callrouter.yaml"))
    log = Log(tmp_path / "callrouter.sqlite3", create_log(tmp_path / "callrouter.sqlite3"))
    for n in range(10):  # Monday 2 Nov, 09:xx: 9 of 10 within 3 rings (15 s)
        log.call(
            local(2026, 11, 2, 9, n), "answered", wait=25 if n == 0 else 8, rings=5 if n == 0 else 2
        )
    for n in range(10):  # Tuesday 3 Nov, 10:xx: 5 within 3 rings, 5 slow
        log.call(
            local(2026, 11, 3, 10, n), "answered", wait=8 if n < 5 else 40, rings=2 if n < 5 else 8
        )
    log.conn.close()
    out = tmp_path / "2026-11.html"
    code = main(["report", "--config", str(config), "--period", "2026-11", "--format", "html",
                 "--out", str(out)])  # fmt: skip
    async with chromium_page(out) as page:
        hourly = await page.locator("#chart-hourly svg rect title").all_text_contents()
        daily = await page.locator("#chart-daily svg circle title").all_text_contents()
        targets = await page.locator("#targets tbody tr").first.inner_text()
        await page.screenshot(path=str(ARTIFACTS / "report-2026-11.png"), full_page=True)
    assert (0, "") == (code, capsys.readouterr().out)
    assert {"09: offered 10", "09: answered within 3 rings 9", "10: offered 10",
            "10: answered within 3 rings 5"} == set(hourly)  # fmt: skip
    assert ["11-02: service level (rings) 90 %", "11-03: service level (rings) 50 %"] == daily
    assert "missed" in targets
    assert "switchboard: 70.0 %" in targets
