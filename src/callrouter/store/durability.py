"""Getting committed call-log steps onto the disk, off the routing path.

The call log runs SQLite in WAL mode with ``synchronous=NORMAL``: a commit is written to the WAL
file (the OS has it) before ``record_all()`` returns, so a crash or SIGKILL of the controller loses
nothing. What NORMAL leaves open is a power cut or kernel panic before the OS writes the WAL out.
`WalSyncer` closes that to at most `interval` seconds: it fsyncs the WAL file on a worker thread
whenever steps were written since the last sync, and once more on close.

Why not ``synchronous=FULL`` (an fsync inside every commit)? It puts the fsync on the path from a
caller's arrival to the telephonist's phone ringing: measured with bench/routing_latency.py on
the 2-core development VM, p50 rises from 3.4 ms to 4.3 ms (1.29x -> 1.60x the minimal
Redirect script), past the 1.5x target.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)


def fsync_file(path: Path) -> None:
    """fsync a file by name (fsync flushes the file, whichever descriptor asks)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return  # no WAL yet (or it was checkpointed away): nothing to flush
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WalSyncer:
    def __init__(
        self,
        db_path: Path,
        interval: float = 1.0,
        sync: Callable[[Path], None] = fsync_file,
    ) -> None:
        self.wal_path = db_path.with_name(db_path.name + "-wal")
        self.interval = interval
        self._sync = sync
        self._written = False
        self._task: asyncio.Task[None] | None = None

    def written(self) -> None:
        """Steps were committed; they go to disk within `interval` seconds."""
        self._written = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="callrouter-wal-sync")

    async def stop(self) -> None:
        """Stop, with a last sync of anything written since the previous one."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._sync_if_written()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self._sync_if_written()

    async def _sync_if_written(self) -> None:
        if not self._written:
            return
        self._written = False
        try:
            await asyncio.to_thread(self._sync, self.wal_path)
        except OSError as exc:
            self._written = True  # try again next time
            log.error("call_log_sync_failed", path=str(self.wal_path), error=str(exc))
