"""The telephonist panel (/panel): presence, the current call, reason codes, messages, the
department directory, the callback worklist and runtime closures, over a JSON API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web

from callrouter.config.panel import PanelSettings
from callrouter.panel.api import Access, Authorize, LiveController, PanelApi
from callrouter.panel.openapi import panel_paths
from callrouter.panel.page import page_routes
from callrouter.store.desk import DeskStore

__all__ = ["Access", "Authorize", "panel_paths", "panel_routes"]


def panel_routes(
    controller: LiveController,
    desk: DeskStore,
    settings: PanelSettings,
    authorize: Authorize,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[web.RouteDef]:
    """Everything the panel serves: /panel, its script, and /api/panel/... (see panel_paths)."""
    api = PanelApi(controller, desk, settings, authorize, clock)
    return [*api.routes(), *page_routes()]
