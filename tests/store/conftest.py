from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callrouter.store.calllog import SqliteCallLog


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "calls.sqlite3"


@pytest.fixture
async def call_log(db_path: Path) -> AsyncIterator[SqliteCallLog]:
    log = await SqliteCallLog.open(db_path)
    yield log
    await log.close()
