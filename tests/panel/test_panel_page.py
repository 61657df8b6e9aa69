"""The panel page is self-contained and locked down, and the OpenAPI document covers the API."""

from __future__ import annotations

import re

from callrouter.panel.api import PanelApi
from callrouter.panel.openapi import panel_paths
from tests.panel.conftest import Panel


async def test_the_page_and_its_script_are_served_with_a_strict_content_security_policy(
    panel: Panel,
) -> None:
    page = await panel.client.get("/panel")
    script = await panel.client.get("/panel/panel.js")
    assert (200, 200) == (page.status, script.status)
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    html, js = await page.text(), await script.text()
    assert '<script src="/panel/panel.js"></script>' in html
    assert [] == re.findall(r"https?://", html + js)  # nothing from a CDN or anywhere else


async def test_the_script_never_puts_text_into_the_page_as_html(panel: Panel) -> None:
    js = await (await panel.client.get("/panel/panel.js")).text()
    assert [] == re.findall(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", js)


def test_every_panel_route_is_in_the_openapi_paths() -> None:
    api: PanelApi = PanelApi.__new__(PanelApi)
    routes = {(r.method.lower(), r.path) for r in api.routes()}  # type: ignore[attr-defined]
    documented = {(m, p) for p, methods in panel_paths().items() for m in methods}
    assert routes == documented


def test_request_bodies_are_described_by_their_json_schema() -> None:
    schema = panel_paths()["/api/panel/closures"]["post"]["requestBody"]["content"]
    assert {"scope", "start", "end"} <= set(schema["application/json"]["schema"]["required"])
