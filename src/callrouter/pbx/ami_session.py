"""panoramisk 1.4, with its known defects contained. One `AmiSession` is one TCP connection.

What is kept from panoramisk: its message parser (`Message`), its response correlation
(`Action`: ActionID, event lists), `AMIProtocol.handle_message` and `Manager.send_action` /
`register_event` / `dispatch`. What is replaced, and why:

- Re-sending (defect 1): `AMIProtocol.close` moves every un-answered action to
  `Manager.awaiting_actions`, and `Manager` re-sends them on the next `FullyBooted` event, i.e.
  after a reconnect. Here `close`/`connection_lost` fail every pending action's future with
  `ConnectionError` instead (so the caller reports it), nothing is ever put on `awaiting_actions`,
  `send_awaiting_actions` only clears it, panoramisk's FullyBooted hook is unregistered, and every
  connection gets a fresh session anyway.
- Callbacks (defect 2): exactly one callback is registered for `*`; it is synchronous (called
  inline, no Task per event) and never raises.
  `dispatch` and `data_received` also contain any exception, so one odd message cannot kill the
  connection.
- Ping (defect 3): panoramisk's unchecked `ping` is a no-op; the owner runs a checked keepalive.
- UTF-8 (defect 4): `data_received` uses one incremental UTF-8 decoder (`AmiFrameDecoder`).
- "successfully queued" without `Async` (defect 5): `SafeAction.multi` reads headers with
  `.get`, so it no longer raises `KeyError`.
- Reconnect: panoramisk's own (fixed 2 s, scheduled from `connection_lost`) is not used; the owner
  reconnects with backoff.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any, cast

import structlog
from panoramisk.actions import Action
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.manager import Manager
from panoramisk.message import Message

from callrouter.pbx import ami_actions
from callrouter.pbx.ami_wire import AmiFrameDecoder, AmiStreamError, parse_frame

log = structlog.get_logger(__name__)

Reply = Any  # a panoramisk Message, or a list of them for an event list (CoreShowChannels)


class SafeAction(Action):  # type: ignore[misc]  # panoramisk is untyped
    """panoramisk's Action without the KeyError on "successfully queued" replies."""

    @property
    def multi(self) -> bool:
        if self.as_list is not None:
            return bool(self.as_list)
        first = self.responses[0]
        text = str(first.get("Message", "")).lower()
        if first.get("SubEvent") == "Start" or str(first.get("EventList", "")).lower() == "start":
            return True
        if "will follow" in text or (text.startswith("added") and text.endswith("to queue")):
            return True
        if text.endswith("successfully queued"):
            # Only an `Async: true` Originate gets a second message (OriginateResponse).
            return str(self.get("Async", "false")).lower() not in ("false", "no", "0", "")
        return False


class SessionProtocol(AMIProtocol):  # type: ignore[misc]
    def __init__(self, session: AmiSession) -> None:
        super().__init__()
        self.factory = session
        self.frames = AmiFrameDecoder()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.closed_by_us = False
        self.responses: dict[str, Any] = {}
        self.queue: deque[str] = deque()
        self.version: str | None = None
        self.encoding = "utf-8"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # not AMIProtocol.connection_made: it resets `factory` to None. A stream transport (not
        # necessarily an asyncio.Transport subclass: uvloop's is not).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            frames = self.frames.feed(data)
        except AmiStreamError as exc:
            log.error("ami_stream_broken", error=str(exc))
            self.close()
            return
        self.version = self.frames.banner
        for frame in frames:
            try:
                message = parse_frame(frame)
                if message is not None:
                    self.handle_message(message)
            except Exception as exc:
                log.warning("ami_message_not_handled", error=repr(exc), frame=frame[:200])

    def send(self, data: Any, as_list: bool | None = None) -> asyncio.Future[Reply]:
        action = data if isinstance(data, Action) else SafeAction(data)
        action.as_list = as_list
        future: asyncio.Future[Reply] = action.future
        if self.closed or self.transport is None or self.transport.is_closing():
            _fail(future, "not connected")
            return future
        self.responses[action.id] = action
        # never log `action`: a Login carries the secret
        self.transport.write(str(action).encode("utf-8"))
        return future

    def close(self) -> None:
        self._fail_pending("connection closed")
        if not self.closed:
            self.closed = self.closed_by_us = True
            if self.transport is not None:
                self.transport.close()

    def connection_lost(self, exc: object) -> None:
        reason = "closed by the controller" if self.closed_by_us else _reason(exc)
        self._fail_pending(reason)
        self.close()
        self.factory.connection_lost(reason)

    def _fail_pending(self, reason: str) -> None:
        pending, self.responses = self.responses, {}
        for action in pending.values():
            _fail(action.future, reason)


class AmiSession(Manager):  # type: ignore[misc]
    """One AMI connection: panoramisk's Manager, minus its resend, ping and reconnect."""

    def __init__(
        self,
        host: str,
        port: int,
        on_event: Callable[[Message], None],
        on_lost: Callable[[str], None],
    ) -> None:
        super().__init__(host=host, port=port, loop=asyncio.get_running_loop())
        self.on_event = on_event
        self.on_lost = on_lost
        self.callbacks.clear()  # panoramisk's FullyBooted -> send_awaiting_actions (resend)
        self.patterns.clear()
        self.register_event("*", self._event_received)

    async def open(self) -> None:
        _, protocol = await self.loop.create_connection(
            lambda: SessionProtocol(self), self.config["host"], self.config["port"]
        )
        self.protocol = protocol
        self._connected = True

    def send(self, action: ami_actions.AmiAction) -> asyncio.Future[Reply]:
        """Write one action now; the future gets its reply, or ConnectionError if none comes."""
        future: asyncio.Future[Reply] = self.send_action(SafeAction(action))
        return future

    def _event_received(self, _manager: object, message: Message) -> None:
        """The one callback panoramisk calls: translate and enqueue, never raise, never wait.

        Synchronous on purpose: panoramisk calls it inline from the reader (an async callback
        would cost a Task per event, ~155 events per call) and it returns before the next read.
        """
        try:
            self.on_event(message)
        except Exception as exc:
            log.error("ami_event_callback_failed", error=repr(exc))

    def dispatch(self, event: Message) -> list[str]:
        try:
            matches: list[str] = super().dispatch(event)
        except Exception as exc:
            log.error("ami_dispatch_failed", error=repr(exc))
            return []
        return matches

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        self.on_lost(_reason(exc))

    def ping(self) -> None:
        """panoramisk's Ping never checks the reply; the owner runs a checked keepalive."""

    async def send_awaiting_actions(self, *_: object) -> None:
        """Never re-send: our actions are at most once."""
        self.awaiting_actions.clear()


def first_message(reply: Reply) -> Message:
    return reply[0] if isinstance(reply, list) else reply


def _fail(future: asyncio.Future[Reply], reason: str) -> None:
    if not future.done():
        future.set_exception(ConnectionError(reason))
        future.exception()  # marks it retrieved: an unawaited Ping must not warn at exit


def _reason(exc: object) -> str:
    if isinstance(exc, str):
        return exc
    if isinstance(exc, Message):
        return f"Asterisk sent {exc.get('Event', 'Shutdown')}"
    if exc is None:
        return "connection closed by the PBX"
    return f"connection lost: {exc}"
