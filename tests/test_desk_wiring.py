"""The controller as `callrouter run` builds it: runtime closures survive a restart, and the
callback worklist follows the call log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml

from callrouter.app import build_controller, utc_now
from callrouter.config import load_config
from callrouter.desk_wiring import WorklistFeedingLog
from callrouter.sandbox.configs import sandbox_config
from callrouter.store.desk import DeskStore


async def test_a_closure_registered_before_a_restart_closes_the_department_after_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "callrouter.yaml"
    path.write_text(yaml.safe_dump(sandbox_config(tmp_path / "log.sqlite3")), encoding="utf-8")
    config = load_config(path)
    now = utc_now()
    config.database.parent.mkdir(parents=True, exist_ok=True)
    desk = await DeskStore.open(config.database)
    await desk.add_closure("jobcenter", now, now + timedelta(hours=1), "meeting", "sup", now)
    await desk.close()

    controller, call_log = await build_controller(config, "secret")
    try:
        assert isinstance(call_log, WorklistFeedingLog)
        assert controller.router.department_open("jobcenter", now + timedelta(seconds=1))
        while not controller.events.empty():  # what run() applies first, before any PBX event
            event = controller.events.get_nowait()
            assert event is not None
            await controller.apply(event)
        assert not controller.router.department_open("jobcenter", now + timedelta(seconds=1))
        assert controller.router.department_open("jobcenter", now + timedelta(hours=1))
    finally:
        await call_log.close()
