"""The HTML report as a supervisor sees it: rendered by Debian's headless Chromium.

Screenshots and a PDF print are kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from callrouter.reports.html import render_html
from tests.reports.sample_report import sample_report

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


async def test_chromium_draws_both_charts_and_shows_the_figures(tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(sample_report()), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            await page.goto(page_file.as_uri())
            charts = page.locator("svg.chart")
            boxes = [await charts.nth(i).bounding_box() for i in range(await charts.count())]
            bars = await page.locator("#chart-hourly svg rect[class] >> nth=2").bounding_box()
            tiles = await page.locator(".tiles").inner_text()
            reach = await page.locator("#reachability tbody tr").first.inner_text()
            target_line = await page.locator("#chart-daily line.target").bounding_box()
            await page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            await page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4")
        finally:
            await browser.close()
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
