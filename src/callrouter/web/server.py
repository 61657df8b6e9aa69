"""The HTTP server inside `callrouter run`: one aiohttp application, started and stopped with
the controller. Every error is JSON: `{"error": "what is wrong"}`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import structlog
from aiohttp import web

from callrouter.panel.api import Access
from callrouter.web.auth import Handler, TokenBook, authorize, identify_middleware, identity_of
from callrouter.web.settings import WebSettings, is_loopback

log = structlog.get_logger(__name__)


class BindRefused(Exception):
    """The server would listen beyond loopback with no tokens configured."""


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own answers (unknown path, wrong method) and crashes as JSON errors too."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or error.content_type == "application/json":
            raise
        message = {
            404: f"no such path: {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(error.status, error.reason)
        keep = {k: v for k, v in error.headers.items() if k in ("Allow", "WWW-Authenticate")}
        return web.json_response({"error": message}, status=error.status, headers=keep)
    except Exception:
        log.exception("web_request_failed", path=request.path, method=request.method)
        return web.json_response({"error": "internal error; see the server log"}, status=500)


def browser_guard(open_access: bool) -> Any:
    """Another web page open in a supervisor's browser must not act through their access.

    - POSTs are taken only as `application/json`. A cross-site form or a no-cors `fetch` cannot
      send that type without a CORS preflight, which this server never grants (CSRF); PUT, PATCH
      and DELETE always need that preflight.
    - Without tokens (loopback only, everyone is the local supervisor) the Host header must name
      a loopback address too, so a hostile name that resolves to 127.0.0.1 cannot read the API
      (DNS rebinding).
    """

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if open_access and not _loopback_host(request.host):
            raise _json_error(
                421, f"this server answers only to a loopback host, not {request.host!r}"
            )
        routed = request.match_info.http_exception is None  # else: the 404/405 answers
        if routed and request.method == "POST" and request.content_type != "application/json":
            raise _json_error(415, "send the request body as JSON (Content-Type: application/json)")
        return await handler(request)

    return guard


def _loopback_host(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.removeprefix("[").removesuffix("]")
    return is_loopback(name)


def _json_error(status: int, message: str) -> web.HTTPException:
    error = web.HTTPException(text=json.dumps({"error": message}), content_type="application/json")
    error.set_status(status)
    return error


def build_app(
    settings: WebSettings, routes: Iterable[web.RouteDef], openapi: dict[str, Any]
) -> web.Application:
    book = TokenBook(settings.tokens)
    middlewares = [json_errors, browser_guard(book.open), identify_middleware(book)]
    app = web.Application(middlewares=middlewares)
    document = json.dumps(openapi, ensure_ascii=False)

    async def openapi_json(request: web.Request) -> web.Response:
        return web.Response(text=document, content_type="application/json")

    async def whoami(request: web.Request) -> web.Response:
        authorize(request, Access.READ)
        identity = identity_of(request)
        return web.json_response(
            {
                "name": identity.name,
                "role": identity.role.value,
                "telephonist": identity.telephonist,
            }
        )

    app.add_routes(
        [*routes, web.get("/openapi.json", openapi_json), web.get("/api/whoami", whoami)]
    )
    return app


class WebServer:
    def __init__(self, settings: WebSettings, app: web.Application) -> None:
        self.settings = settings
        self.app = app
        self._runner: web.AppRunner | None = None
        self.port = settings.port

    async def start(self) -> None:
        """Listen on the configured host and port; raises BindRefused, or OSError (in use)."""
        host = self.settings.host
        if not is_loopback(host) and not self.settings.auth_required:
            raise BindRefused(f"web.host: refusing to listen on {host} without tokens")
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, self.settings.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        auth = "tokens" if self.settings.auth_required else "open (loopback, no tokens)"
        log.info("web_server_listening", host=host, port=self.port, auth=auth)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"
