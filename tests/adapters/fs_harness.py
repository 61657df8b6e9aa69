"""The real controller (router, SQLite call log, FreeSwitchPbx) against the fake FreeSWITCH."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from callrouter.app import Controller
from callrouter.config import load_config
from callrouter.pbx.freeswitch import EslTimings, FreeSwitchPbx
from callrouter.ports import EventSink
from callrouter.sandbox.configs import sandbox_config
from callrouter.store.calllog import SqliteCallLog
from tests.e2e.harness import wait_until

from .fake_freeswitch import PASSWORD, FakeFreeSwitch, VirtualClock

FAST = EslTimings(
    connect_timeout=1.0,
    reply_timeout=1.0,
    ping_interval=30.0,
    ping_timeout=1.0,
    heartbeat_interval=0.2,
    backoff_initial=0.05,
    backoff_max=0.2,
)
CONTEXT = "callrouter-sim"  # the captures' dialplan context
SWITCHBOARD = "4589151515"
# telephonist id -> the captured phone its dial string plays: tel1 answers after 3 s, tel3 never
PHONES = {"tel1": "tel1", "tel2": "tel1"}


def freeswitch_config(db: Path, telephonists: int = 2, **routing: Any) -> dict[str, Any]:
    """The Asterisk e2e configuration (sandbox_config), on FreeSWITCH loopback dial strings."""
    config = sandbox_config(db, telephonists, **routing)
    config["pbx"] = {
        "kind": "freeswitch",
        "password_env": "CALLROUTER_ESL_PASSWORD",
        "inbound_context": CONTEXT,
    }
    for telephonist in config["telephonists"]:
        telephonist["dial"] = f"loopback/{telephonist['id']}/phones"
    for department in config["departments"]:
        department["function_number"] = f"loopback/dept-{department['id']}/departments"
    return config


def phones(config: dict[str, Any], plays: dict[str, str]) -> dict[str, str]:
    """Dial string -> captured phone, for the fake; departments answer like tel1 (SYNTHETIC)."""
    mapping = {t["dial"]: plays.get(t["id"], "") for t in config["telephonists"]}
    return mapping | {d["function_number"]: "tel1" for d in config["departments"]}


@dataclass
class Running:
    fake: FakeFreeSwitch
    controller: Controller
    clock: VirtualClock
    db: Path


@asynccontextmanager
async def running(
    tmp_path: Path, config: dict[str, Any], plays: dict[str, str] = PHONES
) -> AsyncIterator[Running]:
    path = tmp_path / "callrouter.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    app_config = load_config(path)
    clock = VirtualClock(datetime.now(UTC))
    async with FakeFreeSwitch(clock, phones(config, plays)) as fake:
        call_log = await SqliteCallLog.open(app_config.database)

        def connect(sink: EventSink) -> FreeSwitchPbx:
            return FreeSwitchPbx(
                "127.0.0.1",
                fake.port,
                PASSWORD,
                sink,
                clock,
                timings=FAST,
                inbound_context=CONTEXT,
                wall_clock=lambda: clock.micros / 1e6,
            )

        controller = Controller(app_config.switchboard, call_log, connect, clock, 0.02)
        stop = asyncio.Event()
        task = asyncio.create_task(controller.run(stop))
        try:
            await wait_until(controller.pbx_connected, 5, "controller connected to the fake")
            yield Running(fake, controller, clock, app_config.database)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
            await call_log.close()
