"""Done-callbacks for AMI replies: a command's failure reported once, and small helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from callrouter.domain.commands import PbxCommand
from callrouter.pbx.ami_session import Reply, first_message

log = structlog.get_logger(__name__)


class FailureReport:
    """Done-callback for a command's action replies: at most one CommandFailed per command."""

    def __init__(self, report: Callable[[PbxCommand, str], None], command: PbxCommand) -> None:
        self._report = report
        self._command = command
        self._reported = False

    def __call__(self, future: asyncio.Future[Reply]) -> None:
        reason = failure_of(future)
        if reason is None or self._reported:
            return
        self._reported = True
        log.warning(
            "ami_command_failed",
            command=type(self._command).__name__,
            call_id=self._command.call_id,
            reason=reason,
        )
        self._report(self._command, reason)


def failure_of(future: asyncio.Future[Reply]) -> str | None:
    if future.cancelled():
        return "cancelled before the PBX replied"
    exc = future.exception()
    if exc is not None:
        return f"no reply from the PBX: {exc}"
    reply = first_message(future.result())
    if reply.success:
        return None
    return str(reply.get("Message") or f"Response: {reply.get('Response', '')}")


def log_heartbeat_failure(future: asyncio.Future[Reply]) -> None:
    reason = failure_of(future)
    if reason is not None:
        log.warning("ami_heartbeat_not_set", reason=reason)


def resolver(lost: asyncio.Future[str]) -> Callable[[str], None]:
    def resolve(reason: str) -> None:
        if not lost.done():
            lost.set_result(reason)

    return resolve
