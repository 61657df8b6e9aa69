"""The panel API on a real router and a real SQLite desk, behind a stand-in token check."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callrouter.config.panel import PanelSettings
from callrouter.domain import events as ev
from callrouter.domain.router import Router
from callrouter.panel.api import Access, PanelApi
from callrouter.panel.page import page_routes
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.desk import DeskStore
from tests.domain.builders import MONDAY_10, always_open, department, hours, switchboard

TOKENS = {"sup-token": "supervisor", "tel-token": "telephonist", "ro-token": "read-only"}
ROLES = {
    Access.READ: {"supervisor", "telephonist", "read-only"},
    Access.DESK: {"supervisor", "telephonist"},
    Access.SUPERVISOR: {"supervisor"},
}
SUP = {"Authorization": "Bearer sup-token"}
TEL = {"Authorization": "Bearer tel-token"}
RO = {"Authorization": "Bearer ro-token"}


def authorize(request: web.Request, access: Access) -> str:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    role = TOKENS.get(token)
    if role is None:
        raise web.HTTPUnauthorized(
            text='{"error": "token needed"}', content_type="application/json"
        )
    if role not in ROLES[access]:
        raise web.HTTPForbidden(text='{"error": "wrong role"}', content_type="application/json")
    return role


class LiveRouter:
    """The controller as the panel sees it: events posted are applied in order, here at once."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.posted: list[ev.Event] = []

    def post(self, event: ev.Event) -> None:
        self.posted.append(event)
        self.router.handle(event)


@dataclasses.dataclass
class Panel:
    client: TestClient[Any, Any]
    controller: LiveRouter
    call_log: SqliteCallLog
    desk: DeskStore


def board() -> Any:
    jobcenter = dataclasses.replace(
        department("jobcenter", always_open()), name="Jobcenter", tasks=("unemployment",)
    )
    cemetery = dataclasses.replace(
        department("cemetery", hours(8, 9)), name="Cemetery office", tasks=("graves", "burial")
    )
    return switchboard(departments=(jobcenter, cemetery))


@pytest.fixture
async def panel(tmp_path: Path) -> AsyncIterator[Panel]:
    db = tmp_path / "calls.sqlite3"
    call_log = await SqliteCallLog.open(db)
    desk = await DeskStore.open(db)
    controller = LiveRouter(Router(board(), MONDAY_10))
    api = PanelApi(controller, desk, PanelSettings(), authorize, lambda: MONDAY_10)
    app = web.Application()
    app.add_routes([*api.routes(), *page_routes()])
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Panel(client, controller, call_log, desk)
    await client.close()
    await desk.close()
    await call_log.close()
