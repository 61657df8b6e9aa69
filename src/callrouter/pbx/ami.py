"""The Asterisk connection: the `Pbx` port over AMI (panoramisk 1.4, see ami_session.py).

- Connects, logs in (event mask `call,user`), reads the dialplan's fail-open journal
  (`DBGetTree`), resynchronises with `CoreShowChannels`, emits the journalled calls, then
  `PbxConnected(live_call_ids)`; on loss emits `PbxDisconnected` once and reconnects with backoff
  (0.5 s doubling to 10 s).
- While connected: a checked keepalive (`Ping` with a timeout; no Pong -> close and reconnect) and
  the fail-open heartbeat (global `CALLROUTER_HEARTBEAT` = epoch seconds, every 2 s).
- `execute` writes a command's actions at once, back-to-back, and returns without waiting for the
  replies. Each command is sent at most once: a refusal (`Response: Error`) or a connection lost
  before the reply comes back later as one `CommandFailed`.
- The reader never blocks: events are translated and handed to the sink (which only enqueues).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog

from callrouter.domain import events as ev
from callrouter.domain.commands import PbxCommand
from callrouter.pbx import ami_actions, ami_failopen
from callrouter.pbx.ami_replies import (
    FailureReport,
    failure_of,
    log_heartbeat_failure,
    resolver,
)
from callrouter.pbx.ami_session import AmiSession, Reply, first_message
from callrouter.pbx.ami_translate import AmiTranslator
from callrouter.pbx.ami_wire import headers_of
from callrouter.pbx.safe import UnsafeValue
from callrouter.pbx.supervised import PbxTimings, SupervisedConnection, utc_now
from callrouter.ports import EventSink

log = structlog.get_logger(__name__)


AmiTimings = PbxTimings


class AmiRefused(Exception):
    """Asterisk answered Login or CoreShowChannels with an error."""


class AmiPbx(SupervisedConnection):
    protocol = "ami"

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        sink: EventSink,
        clock: Callable[[], datetime] = utc_now,
        *,
        timings: AmiTimings | None = None,
        events: str = ami_actions.EVENT_MASK,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._host, self._port = host, port
        self._login = ami_actions.login(username, secret, events)  # refuses a bad value now
        self._sink = sink
        self._clock = clock
        self._wall_clock = wall_clock  # the heartbeat is compared with Asterisk's ${EPOCH}
        super().__init__(timings or AmiTimings())
        self._translator = AmiTranslator()
        self._session: AmiSession | None = None
        self._dial_slots = ami_actions.DialSlots()  # Asterisk globals: per connection

    def __repr__(self) -> str:  # never show the secret
        return f"AmiPbx({self._host}:{self._port}, connected={self.connected})"

    @property
    def connected(self) -> bool:
        """Logged in and resynchronised: commands are sent."""
        return self._session is not None

    def track(self, call_id: str) -> None:
        """Follow a call adopted from the call log after a controller restart."""
        self._translator.track(call_id)

    def tracked_call_ids(self) -> frozenset[str]:
        return self._translator.tracked_call_ids()

    async def execute(self, command: PbxCommand) -> None:
        """Write the command's actions now; never waits for Asterisk's replies."""
        name = type(command).__name__
        try:
            actions = ami_actions.actions_for(command, self._dial_slots)
        except UnsafeValue as exc:
            log.error("ami_command_refused", command=name, call_id=command.call_id, error=str(exc))
            self._command_failed(command, f"refused before sending: {exc}")
            return
        session = self._session
        if session is None:
            log.warning("ami_command_while_disconnected", command=name, call_id=command.call_id)
            self._command_failed(command, "not connected to the PBX")
            return
        report = FailureReport(self._command_failed, command)
        for action in actions:
            sent = session.send(action)
            sent.add_done_callback(report)
            sent.add_done_callback(functools.partial(self._forget_refused_slot, action))
        log.debug("ami_command_sent", command=name, call_id=command.call_id)

    # --- the connection's life ----------------------------------------------------------------

    async def _connect_once(self) -> bool:
        """One connection, from connect to loss. True if it got as far as PbxConnected."""
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        session = AmiSession(self._host, self._port, self._event_received, resolver(lost))
        try:
            caught_up = await self._open(session)
            if caught_up is None:
                return False
            self._went_up(session, *caught_up)
            reason = await self._serve(session, lost)
            self._went_down(reason)
            return True
        finally:
            self._session = None
            session.close()

    async def _open(self, session: AmiSession) -> tuple[frozenset[str], list[ev.Event]] | None:
        """Log in and catch up: the live channels, and the calls that failed open meanwhile.

        The journal is read before the channels, so a journalled call without an end that is not
        live either is truly gone (lost), not one that started after the channel list.
        """
        t = self._timings
        try:
            async with asyncio.timeout(t.connect_timeout):
                await session.open()
            await self._log_in(session)
            journal = await self._read_fail_open_journal(session)
            live = await self._resync(session)
            return live, ami_failopen.from_journal(journal, live, self._clock())
        except (OSError, TimeoutError, AmiRefused) as exc:  # ConnectionError is an OSError
            error = str(exc) or type(exc).__name__
            log.warning("ami_connect_failed", host=self._host, port=self._port, error=error)
            return None

    async def _log_in(self, session: AmiSession) -> None:
        reply = first_message(await self._ask(session, self._login))
        if not reply.success:
            raise AmiRefused(f"login refused: {reply.get('Message', '')}")

    async def _read_fail_open_journal(self, session: AmiSession) -> list[tuple[str, str]]:
        messages = await self._ask_list(session, ami_actions.read_fail_open_journal())
        if not messages[0].success:  # e.g. no `reporting` right: fail-open calls stay unlogged
            log.error("ami_fail_open_journal_unreadable", message=messages[0].get("Message", ""))
            return []
        return ami_failopen.journal_entries(headers_of(m) for m in messages)

    async def _resync(self, session: AmiSession) -> frozenset[str]:
        """Uniqueids of the channels Asterisk has now, plus calls offered while we asked."""
        offered_before = self._translator.tracked_call_ids()
        messages = await self._ask_list(session, ami_actions.core_show_channels())
        if not messages[0].success:
            raise AmiRefused(f"CoreShowChannels refused: {messages[0].get('Message', '')}")
        channels = {str(m.get("Uniqueid")) for m in messages if m.get("Event") == "CoreShowChannel"}
        offered_meanwhile = self._translator.tracked_call_ids() - offered_before
        return frozenset(channels | offered_meanwhile)

    async def _ask(self, session: AmiSession, action: ami_actions.AmiAction) -> Reply:
        reply: Reply = await asyncio.wait_for(session.send(action), self._timings.reply_timeout)
        return reply

    async def _ask_list(self, session: AmiSession, action: ami_actions.AmiAction) -> list[Any]:
        """An action answered by an event list: the response first, then its events."""
        reply = await self._ask(session, action)
        return reply if isinstance(reply, list) else [reply]

    def _went_up(
        self, session: AmiSession, live: frozenset[str], fail_open_calls: list[ev.Event]
    ) -> None:
        self._translator.retain(live)
        self._dial_slots = ami_actions.DialSlots()  # a restarted Asterisk has no globals
        self._session = session
        log.info(
            "ami_connected",
            host=self._host,
            port=self._port,
            live_channels=len(live),
            fail_open_calls=len(fail_open_calls),
        )
        for event in fail_open_calls:  # first: they settle adopted calls before the live check
            self._emit(event)
        self._emit(ev.PbxConnected(live, self._clock()))

    def _went_down(self, reason: str) -> None:
        self._session = None
        log.warning("ami_disconnected", reason=reason)
        self._emit(ev.PbxDisconnected(reason, self._clock()))

    async def _serve(self, session: AmiSession, lost: asyncio.Future[str]) -> str:
        helpers = [
            asyncio.create_task(self._keepalive(session, lost), name="callrouter-ami-ping"),
            asyncio.create_task(self._heartbeat(session), name="callrouter-ami-heartbeat"),
        ]
        try:
            return await lost
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _keepalive(self, session: AmiSession, lost: asyncio.Future[str]) -> None:
        t = self._timings
        while not lost.done():
            await asyncio.sleep(t.ping_interval)
            try:
                await asyncio.wait_for(session.send(ami_actions.ping()), t.ping_timeout)
            except TimeoutError:
                reason = f"no reply to Ping within {t.ping_timeout:g} s"
                log.warning("ami_ping_timeout", timeout=t.ping_timeout)
                resolver(lost)(reason)
                session.close()
            except ConnectionError:
                return  # the loss is reported through `lost`

    async def _heartbeat(self, session: AmiSession) -> None:
        while True:
            action = ami_actions.heartbeat(int(self._wall_clock()))
            session.send(action).add_done_callback(log_heartbeat_failure)
            await asyncio.sleep(self._timings.heartbeat_interval)

    def _forget_refused_slot(
        self, action: ami_actions.AmiAction, sent: asyncio.Future[Reply]
    ) -> None:
        if failure_of(sent) is not None:
            self._dial_slots.forget(action)

    # --- events out -----------------------------------------------------------------------------

    def _event_received(self, message: Any) -> None:
        for event in self._translator.translate(headers_of(message), self._clock()):
            self._emit(event)

    def _command_failed(self, command: PbxCommand, reason: str) -> None:
        if self._stopping:  # the consumer is draining: a failure now would only loop
            log.info("ami_command_dropped_on_stop", command=type(command).__name__)
            return
        self._emit(ev.CommandFailed(command.call_id, type(command).__name__, reason, self._clock()))

    def _emit(self, event: ev.Event) -> None:
        try:
            self._sink(event)
        except Exception as exc:
            log.error("event_sink_failed", event_type=type(event).__name__, error=repr(exc))
