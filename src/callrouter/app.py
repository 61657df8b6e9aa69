"""The one place things are wired: configuration, router, call log, PBX adapter and clock.

One consumer task applies events in order. For each event the router's log commands are written
(committed) first, then its PBX commands are sent, so the log is always ahead of the PBX.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol, get_args

import structlog

from callrouter.config import AppConfig
from callrouter.desk_wiring import WorklistFeedingLog, restore_closures
from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from callrouter.domain.model import Switchboard
from callrouter.domain.router import Router
from callrouter.pbx.ami import AmiPbx
from callrouter.pbx.freeswitch import FreeSwitchPbx
from callrouter.ports import CallLog, EventSink, Pbx
from callrouter.store.calllog import SqliteCallLog
from callrouter.store.desk import DeskStore
from callrouter.web.app import Supervision, supervision_app
from callrouter.web.server import WebServer

log = structlog.get_logger(__name__)

LOG_COMMANDS: tuple[type[cmd.LogCommand], ...] = get_args(cmd.LogCommand)
PBX_COMMANDS: tuple[type[cmd.PbxCommand], ...] = get_args(cmd.PbxCommand)


class PbxConnection(Pbx, Protocol):
    @property
    def connected(self) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def track(self, call_id: str) -> None:
        """Follow a call adopted from the log after a controller restart."""


Subscriber = Callable[[ev.Event, Sequence[cmd.Command]], None]
"""Told of every applied event and its commands (web, metrics); must be quick and not block."""

_STOP = None  # queued after the last event to apply when the controller is told to stop


def utc_now() -> datetime:
    return datetime.now(UTC)


class Controller:
    def __init__(
        self,
        switchboard: Switchboard,
        call_log: CallLog,
        connect_pbx: Callable[[EventSink], PbxConnection],
        clock: Callable[[], datetime] = utc_now,
        tick_seconds: float = 0.5,
    ) -> None:
        self.router = Router(switchboard, clock(), pbx_up=False)
        self.call_log = call_log
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.events: asyncio.Queue[ev.Event | None] = asyncio.Queue()
        self.pbx = connect_pbx(self.post)
        self.applied = 0
        self.subscribers: list[Subscriber] = []

    def pbx_connected(self) -> bool:
        return self.pbx.connected

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.append(subscriber)

    def post(self, event: ev.Event) -> None:
        """The event sink adapters call: never blocks, never raises."""
        self.events.put_nowait(event)

    async def run(self, stop: asyncio.Event) -> None:
        # controller_started/_stopped bound the time the controller ran (the downtime report)
        await self._record(
            [cmd.RecordControllerEvent("controller_started", "controller", "", self.clock())]
        )
        await self._recover_open_calls()
        await self.pbx.start()
        ticker = asyncio.create_task(self._tick(stop), name="callrouter-ticker")
        try:
            await self._consume(stop)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await self.pbx.stop()
            await self._drain()
            await self._record(
                [cmd.RecordControllerEvent("controller_stopped", "controller", "", self.clock())]
            )

    async def _recover_open_calls(self) -> None:
        open_calls = await self.call_log.open_calls()
        self.router.restore(open_calls)
        for call in open_calls:
            self.pbx.track(call.call_id)
        if open_calls:
            log.info("recovered_open_calls", count=len(open_calls))

    async def _tick(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.tick_seconds)
            self.post(ev.ClockTicked(self.clock()))

    async def _consume(self, stop: asyncio.Event) -> None:
        """Apply events one by one, in order, until `stop` is set (the events before it first)."""
        stopper = asyncio.create_task(self._post_stop_marker(stop))
        try:
            while (event := await self.events.get()) is not _STOP:
                await self.apply(event)
        finally:
            stopper.cancel()

    async def _post_stop_marker(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.events.put_nowait(_STOP)

    async def _drain(self) -> None:
        """Write what is already queued (e.g. hang-ups that came in during shutdown)."""
        while not self.events.empty():
            event = self.events.get_nowait()
            if event is not _STOP:
                await self.apply(event)

    async def apply(self, event: ev.Event) -> None:
        try:
            commands = self.router.handle(event)
        except Exception:
            log.exception("router_failed_on_event", event=repr(event))
            return
        self.applied += 1
        steps = [c for c in commands if isinstance(c, LOG_COMMANDS)]
        written = await self._record(steps) if steps else True
        for command in [c for c in commands if isinstance(c, PBX_COMMANDS)]:
            if not written and isinstance(command, cmd.AFTER_COMMIT_ONLY):
                log.warning("pbx_command_held_back", command=repr(command), why="log not written")
                continue
            await self._send(command)
        self._notify(event, commands)

    def _notify(self, event: ev.Event, commands: Sequence[cmd.Command]) -> None:
        """Subscribers never hold up or break routing: a failing one is logged and skipped."""
        for subscriber in self.subscribers:
            try:
                subscriber(event, commands)
            except Exception:
                log.exception("subscriber_failed", subscriber=repr(subscriber))

    async def _record(self, steps: list[cmd.LogCommand]) -> bool:
        """Commit the steps; False if the database refused them."""
        try:
            await self.call_log.record_all(steps)
            return True
        except Exception:
            # The database refused (disk full, broken file): keep routing callers, and keep the
            # steps in the structured log so they can be replayed into the database later.
            log.exception("call_log_write_failed", steps=len(steps))
            for step in steps:
                fields = {k: str(v) for k, v in dataclasses.asdict(step).items()}
                log.error("call_log_step_not_written", step=type(step).__name__, **fields)
            return False

    async def _send(self, command: cmd.PbxCommand) -> None:
        try:
            await self.pbx.execute(command)
        except Exception:
            log.exception("pbx_command_failed", command=repr(command))


async def build_controller(config: AppConfig, secret: str) -> tuple[Controller, WorklistFeedingLog]:
    """Wire the production adapters: the SQLite call log (feeding the telephonist desk's callback
    worklist; `.desk` is the desk's store) and the PBX connection `pbx.kind` names.

    `secret` is the AMI secret, or for FreeSWITCH the Event Socket password."""
    config.database.parent.mkdir(parents=True, exist_ok=True)
    sqlite_log = await SqliteCallLog.open(config.database)
    try:
        desk = await DeskStore.open(config.database)
    except BaseException:
        await sqlite_log.close()
        raise
    call_log = WorklistFeedingLog(sqlite_log, desk, config.panel.callbacks)

    def connect(sink: EventSink) -> PbxConnection:
        settings = config.pbx
        if settings.kind == "freeswitch":
            return FreeSwitchPbx(
                settings.host,
                settings.port,
                secret,
                sink,
                utc_now,
                inbound_context=settings.inbound_context,
            )
        return AmiPbx(settings.host, settings.port, settings.username, secret, sink, utc_now)

    controller = Controller(config.switchboard, call_log, connect)
    await restore_closures(desk, controller.post, utc_now())
    return controller, call_log


def build_web_server(config: AppConfig, controller: Controller, desk: DeskStore) -> WebServer:
    """The HTTP server (panel, wallboard, /metrics, OpenAPI), fed by the controller's events."""
    app = supervision_app(controller, desk, Supervision.of(config), utc_now)
    return WebServer(config.web, app)
