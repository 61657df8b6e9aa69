"""What the Asterisk and FreeSWITCH connections share: their timings, and a supervisor task that
connects again and again, with backoff, until told to stop."""

from __future__ import annotations

import abc
import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

log = structlog.get_logger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PbxTimings:
    connect_timeout: float = 5.0
    reply_timeout: float = 10.0  # log-in / auth, the subscription and the channel resync
    ping_interval: float = 5.0
    ping_timeout: float = 3.0
    heartbeat_interval: float = 2.0
    backoff_initial: float = 0.5
    backoff_max: float = 10.0


class SupervisedConnection(abc.ABC):
    """`start` runs `_connect_once` until `stop`, waiting 0.5 s doubling to 10 s between tries
    (back to 0.5 s after a connection that got as far as PbxConnected). A bug in one connection
    never ends the reconnecting: callers depend on it."""

    protocol = "pbx"  # "ami" / "esl": the log events' prefix and the task's name

    def __init__(self, timings: PbxTimings) -> None:
        self._timings = timings
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            name = f"callrouter-{self.protocol}"
            self._task = asyncio.create_task(self._supervise(), name=name)

    async def stop(self) -> None:
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _supervise(self) -> None:
        delay = self._timings.backoff_initial
        while not self._stopping:
            try:
                if await self._connect_once():
                    delay = self._timings.backoff_initial
            except Exception as exc:
                log.exception(f"{self.protocol}_session_crashed", error=repr(exc))
            log.info(f"{self.protocol}_reconnect_scheduled", in_seconds=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._timings.backoff_max)

    @abc.abstractmethod
    async def _connect_once(self) -> bool:
        """One connection, from connect to loss. True if it got as far as PbxConnected."""
