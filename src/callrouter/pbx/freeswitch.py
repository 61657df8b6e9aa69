"""The FreeSWITCH connection: the `Pbx` port over the inbound Event Socket (see esl_session.py).

- Connects, authenticates, subscribes (`event plain`, `filter`s on our channels), resynchronises
  with `show channels as json`, then emits `PbxConnected(live_call_ids)`; on loss emits
  `PbxDisconnected` once and reconnects with backoff (0.5 s doubling to 10 s).
- While connected: a checked keepalive (`api strepoch` with a timeout; none -> close and
  reconnect) and the fail-open heartbeat (global `callrouter_alive_until`, every 2 s).
- `execute` writes a command's ESL commands at once and returns without waiting. Each command is
  sent at most once: a refusal, a `-ERR` job or a connection lost before the reply comes back
  later as one `CommandFailed`. A ring's own result comes from the translator (RingingEnded).
- The translator's reactions (bridge an answered leg, hang up an orphaned one) are sent inline.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import structlog

from callrouter.domain import events as ev
from callrouter.domain.commands import PbxCommand
from callrouter.pbx import esl_commands as esl
from callrouter.pbx.esl_replies import (
    FailureReport,
    failure_of,
    live_channel_ids,
    log_heartbeat_failure,
    log_kill_failure,
)
from callrouter.pbx.esl_session import EslRefused, EslSession
from callrouter.pbx.esl_translate import INBOUND_CONTEXT, EslTranslator, KillLeg, Reaction
from callrouter.pbx.esl_wire import EslEvent
from callrouter.pbx.safe import UnsafeValue
from callrouter.pbx.supervised import PbxTimings, SupervisedConnection, utc_now
from callrouter.ports import EventSink

log = structlog.get_logger(__name__)


def new_uuid() -> str:
    return str(uuid.uuid4())


EslTimings = PbxTimings


class FreeSwitchPbx(SupervisedConnection):
    protocol = "esl"

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        sink: EventSink,
        clock: Callable[[], datetime] = utc_now,
        *,
        timings: EslTimings | None = None,
        inbound_context: str = INBOUND_CONTEXT,
        wall_clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = new_uuid,
    ) -> None:
        self._host, self._port = host, port
        self._auth = esl.auth(password)  # refuses a bad value now
        self._sink, self._clock, self._wall_clock, self._ids = sink, clock, wall_clock, ids
        super().__init__(timings or EslTimings())
        self._translator = EslTranslator(inbound_context)
        self._session: EslSession | None = None

    def __repr__(self) -> str:  # never show the password
        return f"FreeSwitchPbx({self._host}:{self._port}, connected={self.connected})"

    @property
    def connected(self) -> bool:
        """Authenticated, subscribed and resynchronised: commands are sent."""
        return self._session is not None

    def track(self, call_id: str) -> None:
        self._translator.track(call_id)

    def tracked_call_ids(self) -> frozenset[str]:
        return self._translator.tracked_call_ids()

    async def execute(self, command: PbxCommand) -> None:
        """Write the command's ESL commands now; never waits for FreeSWITCH."""
        name = type(command).__name__
        try:
            planned = esl.plan(command, self._ids(), self._ids())
        except UnsafeValue as exc:
            log.error("esl_command_refused", command=name, call_id=command.call_id, error=str(exc))
            self._command_failed(command.call_id, name, f"refused before sending: {exc}")
            return
        session = self._session
        if session is None:
            log.warning("esl_command_while_disconnected", command=name, call_id=command.call_id)
            self._command_failed(command.call_id, name, "not connected to the PBX")
            return
        if planned.ring is not None:
            ring = planned.ring
            self._translator.ringing(ring.call_id, ring.leg_uuid, ring.job_uuid)
        report = FailureReport(self._command_failed, command.call_id, name, planned.ring)
        for item in planned.commands:
            session.send(item).add_done_callback(report)
        log.debug("esl_command_sent", command=name, call_id=command.call_id)

    # --- the connection's life ----------------------------------------------------------------

    async def _connect_once(self) -> bool:
        """One connection, from connect to loss. True if it got as far as PbxConnected."""
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_lost(reason: str) -> None:
            if not lost.done():
                lost.set_result(reason)

        session = EslSession(self._event_received, on_lost)
        try:
            live = await self._open(session)
            if live is None:
                return False
            self._went_up(session, live)
            reason = await self._serve(session, lost)
            self._went_down(reason)
            return True
        finally:
            self._session = None
            session.close()

    async def _open(self, session: EslSession) -> frozenset[str] | None:
        t = self._timings
        try:
            async with asyncio.timeout(t.connect_timeout):
                await session.open(self._host, self._port, self._auth)
            async with asyncio.timeout(t.reply_timeout):
                await self._subscribe(session)
                return await self._resync(session)
        except (OSError, TimeoutError, EslRefused, ValueError) as exc:
            error = str(exc) or type(exc).__name__
            log.warning("esl_connect_failed", host=self._host, port=self._port, error=error)
            return None

    async def _subscribe(self, session: EslSession) -> None:
        for line in [esl.subscribe(), *esl.filters()]:
            reply = await session.raw(line)
            if not reply.startswith("+OK"):
                raise EslRefused(f"{line.decode().split()[0]} refused: {reply}")

    async def _resync(self, session: EslSession) -> frozenset[str]:
        """Unique-IDs of the channels FreeSWITCH has now, plus calls offered while we asked."""
        offered_before = self._translator.tracked_call_ids()
        reply = await session.send(esl.show_channels())
        live = live_channel_ids(reply)
        offered_meanwhile = self._translator.tracked_call_ids() - offered_before
        return live | offered_meanwhile

    def _went_up(self, session: EslSession, live: frozenset[str]) -> None:
        self._translator.retain(live)
        self._session = session
        log.info("esl_connected", host=self._host, port=self._port, live_channels=len(live))
        self._emit(ev.PbxConnected(live, self._clock()))

    def _went_down(self, reason: str) -> None:
        self._session = None
        log.warning("esl_disconnected", reason=reason)
        self._emit(ev.PbxDisconnected(reason, self._clock()))

    async def _serve(self, session: EslSession, lost: asyncio.Future[str]) -> str:
        helpers = [
            asyncio.create_task(self._keepalive(session), name="callrouter-esl-ping"),
            asyncio.create_task(self._heartbeat(session), name="callrouter-esl-heartbeat"),
        ]
        try:
            return await lost
        finally:
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _keepalive(self, session: EslSession) -> None:
        t = self._timings
        while True:
            await asyncio.sleep(t.ping_interval)
            try:
                await asyncio.wait_for(session.send(esl.keepalive()), t.ping_timeout)
            except TimeoutError:
                log.warning("esl_ping_timeout", timeout=t.ping_timeout)
                session.close(f"no reply to a keepalive within {t.ping_timeout:g} s")
                return
            except ConnectionError:
                return  # the loss is reported through `lost`

    async def _heartbeat(self, session: EslSession) -> None:
        while True:
            sent = session.send(esl.alive_until(int(self._wall_clock())))
            sent.add_done_callback(log_heartbeat_failure)
            await asyncio.sleep(self._timings.heartbeat_interval)

    # --- events in, events out ------------------------------------------------------------------

    def _event_received(self, event: EslEvent) -> None:
        translation = self._translator.translate(event, self._clock())
        for domain_event in translation.events:
            self._emit(domain_event)
        for reaction in translation.reactions:
            self._react(reaction)

    def _react(self, reaction: Reaction) -> None:
        """Bridge an answered leg (a failure ends the ring and hangs the leg up) or kill one."""
        session = self._session
        if session is None:
            log.warning("esl_reaction_while_disconnected", reaction=repr(reaction))
            return
        commands = esl.reaction(reaction, self._ids())
        if isinstance(reaction, KillLeg):
            for item in commands:
                session.send(item).add_done_callback(log_kill_failure)
            return
        report = FailureReport(self._command_failed, reaction.call_id, "RingTarget", None)
        for item in commands:
            sent = session.send(item)
            sent.add_done_callback(report)
            sent.add_done_callback(functools.partial(self._kill_if_failed, reaction.leg_uuid))

    def _kill_if_failed(self, leg_uuid: str, sent: asyncio.Future[str]) -> None:
        if failure_of(sent) is not None:
            self._react(KillLeg(leg_uuid))

    def _command_failed(self, call_id: str, command: str, reason: str) -> None:
        if self._stopping:  # the consumer is draining: a failure now would only loop
            log.info("esl_command_dropped_on_stop", command=command)
            return
        if not call_id:
            log.warning("esl_command_failed", command=command, reason=reason)
            return
        self._emit(ev.CommandFailed(call_id, command, reason, self._clock()))

    def _emit(self, event: ev.Event) -> None:
        try:
            self._sink(event)
        except Exception as exc:
            log.error("event_sink_failed", event_type=type(event).__name__, error=repr(exc))
