"""Putting the server together: the panel, the wallboard, /metrics and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from callrouter.config import AppConfig
from callrouter.config.panel import PanelSettings
from callrouter.domain.kpis import KpiSettings
from callrouter.panel import panel_routes
from callrouter.store.desk import DeskStore
from callrouter.web.auth import authorize
from callrouter.web.live import LiveFeed, LiveSource
from callrouter.web.metrics import CallMetrics
from callrouter.web.openapi import openapi_document
from callrouter.web.seed import ended_calls
from callrouter.web.server import build_app
from callrouter.web.settings import WebSettings
from callrouter.web.wallboard import Wallboard


@dataclass(frozen=True)
class Supervision:
    """What the server needs from the configuration."""

    web: WebSettings
    panel: PanelSettings
    kpis: KpiSettings

    @classmethod
    def of(cls, config: AppConfig) -> Supervision:
        return cls(config.web, config.panel, config.kpis)


def supervision_app(
    controller: LiveSource,
    desk: DeskStore,
    settings: Supervision,
    clock: Callable[[], datetime],
) -> web.Application:
    """The application; it subscribes to the controller's applied events."""
    started = clock()
    feed = LiveFeed(lambda: controller.router, settings.kpis, started)
    metrics = CallMetrics(controller, feed, clock)
    wallboard = Wallboard(controller, feed, clock)
    controller.subscribe(feed.observe)
    routes = [
        *panel_routes(controller, desk, settings.panel, authorize, clock),
        *wallboard.routes(),
        web.get("/metrics", metrics.handle),
    ]
    app = build_app(settings.web, routes, openapi_document())
    app.on_shutdown.append(wallboard.close)

    async def seed_today(app: web.Application) -> None:
        tz = controller.router.switchboard.hours.tz
        midnight = datetime.combine(started.astimezone(tz).date(), datetime.min.time(), tz)
        feed.kpis.seed(await ended_calls(desk, midnight, started))

    app.on_startup.append(seed_today)
    return app
