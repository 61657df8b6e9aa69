"""Running the real controller against the sandboxed Asterisk, and reading its call log."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from callrouter.app import Controller, build_controller
from callrouter.config import load_config

AMI_SECRET = "sandbox-secret"


@dataclass
class RunningController:
    controller: Controller
    task: asyncio.Task[None]
    stop: asyncio.Event
    db: Path
    closers: list[Any] = field(default_factory=list)

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)
        for close in self.closers:
            await close()


async def start_controller(tmp_path: Path, config: dict[str, Any]) -> RunningController:
    path = tmp_path / "callrouter.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    app_config = load_config(path)
    controller, call_log = await build_controller(app_config, AMI_SECRET)
    stop = asyncio.Event()
    task = asyncio.create_task(controller.run(stop))
    await wait_until(lambda: controller.pbx_connected(), 10, "controller connected to AMI")
    return RunningController(controller, task, stop, app_config.database, [call_log.close])


async def wait_until(predicate: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {within} s waiting for: {what}")


def rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return list(conn.execute(sql, args))


def calls(db: Path) -> list[sqlite3.Row]:
    return rows(db, "SELECT * FROM calls ORDER BY arrived_at")


def attempts(db: Path, call_id: str) -> list[tuple[str, str]]:
    found = rows(
        db, "SELECT target, result FROM attempts WHERE call_id = ? ORDER BY attempt_no", call_id
    )
    return [(r["target"], r["result"]) for r in found]


async def wait_for_ended_calls(db: Path, count: int, within: float) -> list[sqlite3.Row]:
    def ended() -> bool:
        return db.exists() and sum(1 for c in calls(db) if c["outcome"]) >= count

    await wait_until(ended, within, f"{count} ended calls in the log")
    return calls(db)
