"""Committed steps reach the disk within a second, off the routing path, and on close."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from callrouter.store.durability import WalSyncer, fsync_file


class SyncRecorder:
    """Stands in for fsync: records which file was flushed."""

    def __init__(self) -> None:
        self.synced: list[Path] = []

    def __call__(self, path: Path) -> None:
        self.synced.append(path)


async def test_the_wal_is_synced_within_the_interval_after_a_write(tmp_path: Path) -> None:
    recorder = SyncRecorder()
    syncer = WalSyncer(tmp_path / "calls.sqlite3", interval=0.02, sync=recorder)
    syncer.start()
    await asyncio.sleep(0.05)
    assert [] == recorder.synced  # nothing written: no needless fsync
    syncer.written()
    await asyncio.sleep(0.08)
    await syncer.stop()
    assert [tmp_path / "calls.sqlite3-wal"] == recorder.synced


async def test_closing_syncs_what_was_written_since_the_last_sync(tmp_path: Path) -> None:
    """A clean stop (SIGTERM) never leaves a written step unsynced."""
    recorder = SyncRecorder()
    syncer = WalSyncer(tmp_path / "calls.sqlite3", interval=3600, sync=recorder)
    syncer.start()
    syncer.written()
    await syncer.stop()
    assert [tmp_path / "calls.sqlite3-wal"] == recorder.synced


async def test_a_failed_sync_is_logged_and_tried_again(tmp_path: Path) -> None:
    attempts: list[Path] = []

    def failing_once(path: Path) -> None:
        attempts.append(path)
        if len(attempts) == 1:
            raise OSError("EIO")

    syncer = WalSyncer(tmp_path / "calls.sqlite3", interval=0.02, sync=failing_once)
    syncer.start()
    syncer.written()
    await asyncio.sleep(0.1)
    await syncer.stop()
    assert 2 == len(attempts)


def test_fsync_file_flushes_an_existing_file_and_ignores_a_missing_one(tmp_path: Path) -> None:
    wal = tmp_path / "calls.sqlite3-wal"
    wal.write_bytes(b"frames")
    fsync_file(wal)
    fsync_file(tmp_path / "missing-wal")
    assert b"frames" == wal.read_bytes()
    assert not os.path.exists(tmp_path / "missing-wal")
