"""The supervisor wallboard: the page (/), its data (/api/wallboard) and a live stream of it
(/api/wallboard/events, server-sent events) pushed after every applied event but clock ticks,
and every `KEEPALIVE_SECONDS` besides."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files

from aiohttp import web

from callrouter.panel.api import Access
from callrouter.panel.page import SECURITY_HEADERS
from callrouter.web.auth import authorize
from callrouter.web.board_view import Json, board_view
from callrouter.web.live import LiveFeed, LiveSource

KEEPALIVE_SECONDS = 5.0


class Wallboard:
    def __init__(
        self, controller: LiveSource, feed: LiveFeed, clock: Callable[[], datetime]
    ) -> None:
        self.controller, self.feed, self.clock = controller, feed, clock
        self._streams: set[asyncio.Event] = set()
        self._closing = False
        feed.changed.append(self.wake)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self.page),
            web.get("/wallboard.js", self.script),
            web.get("/api/wallboard", self.get),
            web.get("/api/wallboard/events", self.events),
        ]

    def view(self) -> Json:
        return board_view(self.controller.router, self.feed.kpis, self.feed.phone_since,
                          self.controller.pbx_connected(), self.clock())  # fmt: skip

    def wake(self) -> None:
        for stream in self._streams:
            stream.set()

    async def close(self, app: web.Application | None = None) -> None:
        """Let the open streams end (server shutdown)."""
        self._closing = True
        self.wake()

    async def get(self, request: web.Request) -> web.Response:
        authorize(request, Access.READ)
        return web.json_response(self.view())

    async def events(self, request: web.Request) -> web.StreamResponse:
        authorize(request, Access.READ)
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        })  # fmt: skip
        await response.prepare(request)
        woken = asyncio.Event()
        self._streams.add(woken)
        try:
            while not self._closing:
                woken.clear()
                data = json.dumps(self.view(), ensure_ascii=False)
                await response.write(f"event: board\ndata: {data}\n\n".encode())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), KEEPALIVE_SECONDS)
        except ConnectionResetError:
            pass  # the screen went away
        finally:
            self._streams.discard(woken)
        return response

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=_asset("wallboard.html"), content_type="text/html",
                            headers=SECURITY_HEADERS)  # fmt: skip

    async def script(self, request: web.Request) -> web.Response:
        return web.Response(text=_asset("wallboard.js"), content_type="application/javascript",
                            headers=SECURITY_HEADERS)  # fmt: skip


def _asset(name: str) -> str:
    return files("callrouter.web").joinpath(name).read_text(encoding="utf-8")
