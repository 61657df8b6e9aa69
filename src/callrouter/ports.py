"""The ports the application core talks through. Adapters implement them; tests use fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callrouter.domain.commands import LogCommand, PbxCommand
from callrouter.domain.events import Event


@dataclass(frozen=True)
class OpenCall:
    """A call the log holds as not ended; used to recover after a controller crash."""

    call_id: str
    linked_id: str
    channel: str
    entry: str
    department: str | None
    language: str | None
    caller_number: str
    caller_name: str
    arrived_at: datetime
    answered_at: datetime | None
    answered_by: str | None
    attempts: int
    overflowed: bool


class CallLog(Protocol):
    async def record_all(self, commands: Sequence[LogCommand]) -> None:
        """Write the steps one event caused, in order and durably (committed), before returning."""

    async def open_calls(self) -> list[OpenCall]: ...

    async def close(self) -> None: ...


class Pbx(Protocol):
    async def execute(self, command: PbxCommand) -> None:
        """Send at most once; a refusal comes back later as a CommandFailed event."""


EventSink = Callable[[Event], None]
