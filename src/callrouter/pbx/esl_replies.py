"""Done-callbacks for Event Socket replies, and reading `show channels as json`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import structlog

from callrouter.pbx.esl_commands import Ring
from callrouter.pbx.esl_session import EslRefused

log = structlog.get_logger(__name__)


class FailureReport:
    """Done-callback for one command's replies: at most one CommandFailed per command.

    An originate's `-ERR` job is the ring's result (the translator's RingingEnded), not a failure.
    """

    def __init__(
        self,
        report: Callable[[str, str, str], None],
        call_id: str,
        command: str,
        ring: Ring | None,
    ) -> None:
        self._report, self._call_id, self._command, self._ring = report, call_id, command, ring
        self._reported = False

    def __call__(self, future: asyncio.Future[str]) -> None:
        reason = failure_of(future)
        if reason is None or self._reported:
            return
        if self._ring is not None and future.exception() is None:
            return  # the ring's own result; see the translator
        self._reported = True
        log.warning("esl_command_failed", command=self._command, call_id=self._call_id, why=reason)
        self._report(self._call_id, self._command, reason)


def failure_of(future: asyncio.Future[str]) -> str | None:
    if future.cancelled():
        return "cancelled before the PBX replied"
    exc = future.exception()
    if exc is not None:
        return f"no reply from the PBX: {exc}" if isinstance(exc, ConnectionError) else str(exc)
    text = future.result().strip()
    return text if text.startswith("-") else None


def log_kill_failure(future: asyncio.Future[str]) -> None:
    reason = failure_of(future)
    if reason is not None:  # e.g. the leg hung up by itself meanwhile
        log.info("esl_leg_not_killed", reason=reason)


def log_heartbeat_failure(future: asyncio.Future[str]) -> None:
    reason = failure_of(future)
    if reason is not None:
        log.warning("esl_heartbeat_not_set", reason=reason)


def live_channel_ids(reply: str) -> frozenset[str]:
    """The `uuid`s in `show channels as json` (`{"row_count": 0}` when there are none)."""
    try:
        document = json.loads(reply)
    except ValueError:
        raise EslRefused(f"show channels refused: {reply.strip()[:200]}") from None
    rows = document.get("rows", []) if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise EslRefused(f"show channels: unexpected reply {reply.strip()[:200]}")
    return frozenset(str(row["uuid"]) for row in rows if isinstance(row, dict) and "uuid" in row)
