"""One inbound Event Socket connection to FreeSWITCH: our own asyncio code, no ESL library.

- `open` connects, waits for `auth/request`, authenticates; `-ERR`, a `text/rude-rejection`
  (ACL) or a close raise `EslRefused`.
- Replies carry no id: `command/reply` and `api/response` come back in the order the commands
  were written, so they are matched first in, first out.
- `bgapi` goes out with our own Job-UUID; its future gets the BACKGROUND_JOB's body. A refusal in
  the command/reply raises `EslRefused`; a lost connection fails every pending future with
  `ConnectionError`. Nothing is ever re-sent.
- `text/disconnect-notice` ends the session with its text as the reason.
- Events are handed to `on_event` inline, in stream order (the callback only enqueues).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import structlog

from callrouter.pbx.esl_commands import EslCommand
from callrouter.pbx.esl_wire import (
    EslEvent,
    EslEventError,
    EslFrame,
    EslFrameDecoder,
    EslStreamError,
    parse_event,
)

log = structlog.get_logger(__name__)


class EslRefused(Exception):
    """FreeSWITCH refused: bad password, ACL rejection, or a command/reply `-ERR`."""


class EslSession(asyncio.Protocol):
    def __init__(self, on_event: Callable[[EslEvent], None], on_lost: Callable[[str], None]):
        self._on_event = on_event
        self._on_lost = on_lost
        self._decoder = EslFrameDecoder()
        self._transport: asyncio.Transport | None = None
        self._auth_request: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._replies: deque[asyncio.Future[str]] = deque()
        self._jobs: dict[str, asyncio.Future[str]] = {}
        self._reason: str | None = None  # why FreeSWITCH ended the session, if it said
        self.closed = False

    # --- opening ------------------------------------------------------------------------------

    async def open(self, host: str, port: int, auth: bytes) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, host, port)
        await self._auth_request
        reply = await self.raw(auth)
        if not reply.startswith("+OK"):
            raise EslRefused(f"authentication refused: {reply}")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # a stream transport

    # --- writing ------------------------------------------------------------------------------

    def raw(self, line: bytes) -> asyncio.Future[str]:
        """A plain command (auth, event, filter): its command/reply's Reply-Text."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        if not self._write(line, future):
            return future
        self._replies.append(future)
        return future

    def send(self, command: EslCommand) -> asyncio.Future[str]:
        """`api`: the response body. `bgapi`: the job's result body (e.g. `+OK <uuid>`)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        wire = command.wire()
        if not command.job_uuid:
            if self._write(wire, future):
                self._replies.append(future)
            return future
        accepted: asyncio.Future[str] = loop.create_future()
        if self._write(wire, future):
            self._replies.append(accepted)
            self._jobs[command.job_uuid] = future
            accepted.add_done_callback(lambda reply: self._job_accepted(command.job_uuid, reply))
        return future

    def _write(self, data: bytes, future: asyncio.Future[str]) -> bool:
        transport = self._transport
        if self.closed or transport is None or transport.is_closing():
            _fail(future, ConnectionError("not connected"))
            return False
        transport.write(data)  # never logged: `auth` carries the password
        return True

    def _job_accepted(self, job_uuid: str, reply: asyncio.Future[str]) -> None:
        if reply.cancelled() or reply.exception() is not None:
            return  # the job future is failed with the connection
        text = reply.result()
        if not text.startswith("+OK"):
            job = self._jobs.pop(job_uuid, None)
            if job is not None:
                _fail(job, EslRefused(text or "bgapi refused"))

    # --- reading ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        try:
            frames = self._decoder.feed(data)
        except EslStreamError as exc:
            log.error("esl_stream_broken", error=str(exc))
            self.close(f"not an Event Socket stream: {exc}")
            return
        for frame in frames:
            try:
                self._dispatch(frame)
            except Exception as exc:  # one odd frame must not end the connection
                log.warning("esl_frame_not_handled", error=repr(exc), headers=dict(frame.headers))

    def _dispatch(self, frame: EslFrame) -> None:
        kind = frame.content_type
        if kind == "auth/request":
            if not self._auth_request.done():
                self._auth_request.set_result(None)
        elif kind == "command/reply":
            self._reply(frame.headers.get("Reply-Text", ""))
        elif kind == "api/response":
            self._reply(frame.text())
        elif kind == "text/disconnect-notice":
            self._reason = f"FreeSWITCH disconnected: {frame.text().strip()[:200]}"
        elif kind == "text/rude-rejection":
            self._reason = f"FreeSWITCH rejected the connection: {frame.text().strip()[:200]}"
            self.close(self._reason)
        else:
            self._event(frame)

    def _reply(self, text: str) -> None:
        if not self._replies:
            log.warning("esl_reply_without_command", reply=text[:200])
            return
        future = self._replies.popleft()
        if not future.done():
            future.set_result(text)

    def _event(self, frame: EslFrame) -> None:
        try:
            event = parse_event(frame)
        except EslEventError as exc:
            log.warning("esl_event_unreadable", error=str(exc))
            return
        if event is None:
            log.info("esl_frame_ignored", content_type=frame.content_type)
            return
        if event.name == "BACKGROUND_JOB":
            job = self._jobs.pop(event.get("Job-UUID"), None)
            if job is not None and not job.done():
                job.set_result(event.body)
        self._on_event(event)

    # --- closing ------------------------------------------------------------------------------

    def close(self, reason: str = "closed by the controller") -> None:
        if self._reason is None:
            self._reason = reason
        self._fail_pending(self._reason)
        if not self.closed:
            self.closed = True
            if self._transport is not None:
                self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        reason = self._reason or (
            f"connection lost: {exc}" if exc else "connection closed by FreeSWITCH"
        )
        if not self._auth_request.done():
            _fail(self._auth_request, EslRefused(reason))
        self._reason = reason
        self.close(reason)
        self._on_lost(reason)

    def _fail_pending(self, reason: str) -> None:
        pending = [*self._replies, *self._jobs.values()]
        self._replies.clear()
        self._jobs.clear()
        for future in pending:
            _fail(future, ConnectionError(reason))


def _fail(
    future: asyncio.Future[object] | asyncio.Future[str] | asyncio.Future[None], exc: Exception
) -> None:
    if not future.done():
        future.set_exception(exc)
        future.exception()  # retrieved: an unawaited future must not warn at exit
