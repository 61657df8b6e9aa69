"""The whole HTTP server (real token auth, panel, wallboard, metrics) on a real Controller whose
PBX and call log are the fakes of tests/test_controller.py, and a real SQLite desk."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from callrouter.app import Controller
from callrouter.config.panel import PanelSettings
from callrouter.domain.kpis import KpiSettings
from callrouter.store.desk import DeskStore
from callrouter.web.app import Supervision, supervision_app
from callrouter.web.settings import Role, TokenEntry, WebSettings
from callrouter.web.tokens import hash_token
from tests.domain.builders import MONDAY_10
from tests.test_controller import FakeCallLog, FakePbx, make

SUP_TOKEN = "anna.supervisor-secret-0001"
TEL1_TOKEN = "desk1.telephonist-secret-01"
READ_TOKEN = "wall.read-only-secret-00001"
SUP = {"Authorization": f"Bearer {SUP_TOKEN}"}
TEL1 = {"Authorization": f"Bearer {TEL1_TOKEN}"}
READ = {"Authorization": f"Bearer {READ_TOKEN}"}


def tokens() -> tuple[TokenEntry, ...]:
    cheap = 2**10  # the real default is 2**14; a smaller n keeps the tests quick
    return (
        TokenEntry("anna", Role.SUPERVISOR, hash_token(SUP_TOKEN, n=cheap)),
        TokenEntry("desk1", Role.TELEPHONIST, hash_token(TEL1_TOKEN, n=cheap), "tel1"),
        TokenEntry("wall", Role.READ_ONLY, hash_token(READ_TOKEN, n=cheap)),
    )


class Clock:
    def __init__(self, now: datetime = MONDAY_10) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclasses.dataclass
class Server:
    client: TestClient[Any, Any]
    controller: Controller
    pbx: FakePbx
    call_log: FakeCallLog
    desk: DeskStore
    clock: Clock

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return await self.client.get(path, headers=headers)


async def serve(
    tmp_path: Path, settings: WebSettings, kpis: KpiSettings | None = None
) -> AsyncIterator[Server]:
    call_log = FakeCallLog()
    controller, pbx = make(call_log)
    clock = Clock()
    controller.clock = clock
    desk = await DeskStore.open(tmp_path / "desk.sqlite3")
    supervision = Supervision(settings, PanelSettings(), kpis or KpiSettings())
    app: web.Application = supervision_app(controller, desk, supervision, clock)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Server(client, controller, pbx, call_log, desk, clock)
    await client.close()
    await desk.close()


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async for running in serve(tmp_path, WebSettings(tokens=tokens())):
        yield running


@pytest.fixture
async def open_server(tmp_path: Path) -> AsyncIterator[Server]:
    """No tokens configured (loopback only): everyone is the local supervisor."""
    async for running in serve(tmp_path, WebSettings()):
        yield running
