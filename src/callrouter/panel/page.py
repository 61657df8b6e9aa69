"""Serving the panel's page and script (self-contained: no CDN, no inline script)."""

from __future__ import annotations

from importlib.resources import files

from aiohttp import web

# The page runs only its own script; caller data is put in as text, never as HTML.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _asset(name: str) -> str:
    return files("callrouter.panel").joinpath(name).read_text(encoding="utf-8")


async def panel_page(request: web.Request) -> web.Response:
    return web.Response(
        text=_asset("panel.html"), content_type="text/html", headers=SECURITY_HEADERS
    )


async def panel_script(request: web.Request) -> web.Response:
    return web.Response(
        text=_asset("panel.js"), content_type="application/javascript", headers=SECURITY_HEADERS
    )


def page_routes() -> list[web.RouteDef]:
    return [web.get("/panel", panel_page), web.get("/panel/panel.js", panel_script)]
