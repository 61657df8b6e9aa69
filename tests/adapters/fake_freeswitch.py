"""A fake FreeSWITCH Event Socket on 127.0.0.1 that replays the real captures.

It speaks `auth/request`, answers `auth`, `event`, `filter` (accepted, not applied: the replayed
traffic is what FreeSWITCH sent to an unfiltered listener), and the commands the controller
sends, each with what the capture shows FreeSWITCH did after that command (see fs_script):
- `bgapi originate {..callrouter_call=<call>,origination_uuid=<leg>..}<dial> &park`: the phone's
  ringing from the call's capture (`phones` maps the dial string to the captured phone: `tel1`
  answers after 3 s, `tel3` never answers), then its BACKGROUND_JOB under our Job-UUID;
- `api uuid_answer`: the caller's CHANNEL_ANSWERs; `bgapi uuid_bridge`: up to CHANNEL_BRIDGE; the
  rest of the call (talk, transfer, hang-ups) is pushed by `FakeCall.finish` (or at once);
- SYNTHETIC (no capture holds them; marked in tests/fixtures/freeswitch/README.md): `-ERR No
  such channel!` for a uuid_* command on a channel it does not have; the
  BACKGROUND_JOB of `uuid_transfer`/`uuid_kill` (cloned from the captured uuid_transfer job), the
  closed-hours transfer (the caller's captured answer and hang-up), and the reply to
  `show channels as json` (built from the channels the fake has replayed and not hung up).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType

from .fs_captures import RawFrame, event_header, event_name
from .fs_script import Rewriter, Script, job_result

PASSWORD = "ClueCon"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOTICE = b"Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"


class VirtualClock:
    """The time both the fake PBX and the controller see; tests move it on."""

    def __init__(self, start: datetime) -> None:
        self.micros = (start - EPOCH) // timedelta(microseconds=1)

    def __call__(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.micros)

    def advance(self, seconds: float) -> None:
        self.micros += int(seconds * 1_000_000)


@dataclass
class FakeCall:
    fake: FakeFreeSwitch
    script: Script
    rewriter: Rewriter
    finish_at_once: bool
    call_id: str = ""
    rest: list[RawFrame] = field(default_factory=list)
    bridged: bool = False

    async def finish(self) -> None:
        """The conversation goes on as captured: talk (or transfer), then hang-ups."""
        await until(lambda: self.bridged)
        await self.fake.replay(self, self.rest)
        self.rest = []

    async def caller_hangs_up(self) -> None:
        await self.fake.replay(self, self.script.after("api uuid_kill").frames)


@dataclass
class Connection:
    writer: asyncio.StreamWriter
    commands: list[str] = field(default_factory=list)


class FakeFreeSwitch:
    def __init__(self, clock: VirtualClock, phones: dict[str, str] | None = None) -> None:
        self.clock = clock
        self.phones = phones or {}  # dial string -> captured phone (tel1, tel3)
        self.password = PASSWORD
        self.reject = False  # send text/rude-rejection, as an ACL does
        self.calls: dict[str, FakeCall] = {}
        self.live: set[str] = set()
        self.connections: list[Connection] = []
        self.errors: list[Exception] = []
        self.globals: dict[str, str] = {}
        self.refuse: set[str] = set()  # bgapi commands answered with a -ERR job (SYNTHETIC)
        self._jobs = Script.load("transfer-out")
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FakeFreeSwitch:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for connection in self.connections:
            connection.writer.close()
        await self._server.wait_closed()
        assert [] == self.errors

    # --- what tests do --------------------------------------------------------------------------

    async def place_call(self, capture: str, *, finish_at_once: bool = True) -> FakeCall:
        """A caller dials in: the inbound leg's events up to its park, as captured."""
        script = Script.load(capture)
        call = FakeCall(self, script, Rewriter(lambda: self.clock.micros), finish_at_once)
        arrival = script.after("bgapi originate {origination_caller_id").frames
        inbound = next(f for f in arrival if event_header(f, "Call-Direction") == "inbound")
        call.call_id = call.rewriter.fresh(event_header(inbound, "Unique-ID"))
        self.calls[call.call_id] = call  # before the controller can answer the offer
        await self.replay(call, arrival)
        return call

    async def push(self, data: bytes) -> None:
        writer = self.connections[-1].writer
        writer.write(data)
        await writer.drain()

    async def drop(self) -> None:
        writer = self.connections[-1].writer
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    async def replay(self, call: FakeCall, frames: list[RawFrame]) -> None:
        data, last = call.rewriter.segment(frames)
        for frame in frames:
            uid = event_header(frame, "Unique-ID").encode()
            if uid and event_name(frame) == "CHANNEL_CREATE":
                self.live.add(call.rewriter.ids[uid].decode())
            elif uid and event_name(frame) == "CHANNEL_HANGUP_COMPLETE":
                self.live.discard(call.rewriter.ids[uid].decode())
        self.clock.micros = max(self.clock.micros, last)
        if data:
            await self.push(data)

    def sent(self, prefix: str) -> list[str]:
        return [c for conn in self.connections for c in conn.commands if c.startswith(prefix)]

    # --- the socket -----------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = Connection(writer)
        self.connections.append(connection)
        if self.reject:
            writer.write(
                _frame({"Content-Type": "text/rude-rejection"}, b"Access Denied, go away.\n")
            )
            writer.close()
            return
        writer.write(_frame({"Content-Type": "auth/request"}))
        try:
            while True:
                raw = (await reader.readuntil(b"\n\n")).decode("utf-8")
                command, *headers = raw.strip("\n").split("\n")
                connection.commands.append(command)
                await self._answer(command, dict(h.split(": ", 1) for h in headers), writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as exc:  # a bug in the fake must fail the test, not look like a PBX
            self.errors.append(exc)
        finally:
            writer.close()

    async def _answer(self, command: str, headers: dict[str, str], w: asyncio.StreamWriter) -> None:
        verb, _, rest = command.partition(" ")
        if verb == "auth":
            if rest != self.password:
                w.write(
                    _reply("-ERR invalid")
                    + _frame({"Content-Type": "text/disconnect-notice"}, NOTICE)
                )
                w.close()
                return
            w.write(_reply("+OK accepted"))
        elif verb == "event":
            w.write(_reply(f"+OK event listener enabled {rest.split()[0]}"))
        elif verb == "filter":
            header, _, value = rest.partition(" ")
            w.write(_reply(f"+OK filter added. [{header}]=[{value}]"))
        elif verb == "exit":
            w.write(_reply("+OK bye") + _frame({"Content-Type": "text/disconnect-notice"}, NOTICE))
            w.close()
        elif verb == "api":
            w.write(_frame({"Content-Type": "api/response"}, self._api(rest).encode()))
            await w.drain()
            await self._after_api(rest)
        elif verb == "bgapi":
            job = headers.get("Job-UUID", "")
            w.write(_reply(f"+OK Job-UUID: {job}", job))
            await w.drain()
            await self._job(rest, job)
        else:
            w.write(_reply("-ERR command not found"))
        await w.drain()

    def _api(self, command: str) -> str:
        verb = command.split(" ", 1)[0]
        if command == "show channels as json":
            rows = [{"uuid": uid, "direction": "inbound"} for uid in sorted(self.live)]
            return json.dumps({"row_count": len(rows), "rows": rows} if rows else {"row_count": 0})
        if verb == "strepoch":
            return str(self.clock.micros // 1_000_000)
        if verb == "global_setvar":
            name, _, value = command.partition(" ")[2].partition("=")
            self.globals[name] = value
            return "+OK\n"
        if verb == "global_getvar":
            return self.globals.get(command.partition(" ")[2], "")
        if verb in ("uuid_setvar", "uuid_answer"):
            return "+OK\n"
        return f"-ERR {verb} Command not found!\n"

    async def _after_api(self, command: str) -> None:
        verb, _, call_id = command.partition(" ")
        if verb == "uuid_answer" and call_id in self.calls:
            call = self.calls[call_id]
            await self.replay(call, call.script.after("api uuid_answer").frames)

    async def _job(self, command: str, job: str) -> None:
        verb, _, args = command.partition(" ")
        target = args.split(" ", 1)[0]
        if verb in self.refuse:
            await self.push(self._job_result(job, command, f"-ERR {verb} refused by the test\n"))
        elif verb.startswith("uuid_") and target not in self.live:
            await self.push(self._job_result(job, command, "-ERR No such channel!\n"))
        elif verb == "originate":
            await self._originate(args, job)
        elif verb == "uuid_bridge":
            await self._bridge(args.split()[0], job)
        elif verb == "uuid_transfer" and args.endswith("closed XML callrouter-closed"):
            await self._closed(args.split()[0], job, command)
        else:  # uuid_transfer to wait, uuid_kill: +OK, as the captured uuid_transfer job
            await self.push(self._job_result(job, command, "+OK\n"))

    def _job_result(self, job: str, command: str, result: str) -> bytes:
        template = next(
            f
            for f in self._jobs.after("bgapi uuid_transfer").frames
            if event_name(f) == "BACKGROUND_JOB"
        )
        return job_result(template, job, command, result, self.clock.micros)

    async def _originate(self, args: str, job: str) -> None:
        variables = dict(v.split("=", 1) for v in re.search(r"\{(.*)\}", args).group(1).split(","))  # type: ignore[union-attr]
        dial = args.split("}", 1)[1].split(" ")[0]
        call = self.calls[variables["callrouter_call"]]
        segment = call.script.originate_of(self.phones.get(dial, ""))
        if segment is None:
            await self.push(
                self._job_result(job, "originate " + args, "-ERR USER_NOT_REGISTERED\n")
            )
            return
        captured_leg = re.search(r"origination_uuid=([0-9a-f-]+)", segment.command).group(1)  # type: ignore[union-attr]
        call.rewriter.ids[captured_leg.encode()] = variables["origination_uuid"].encode()
        call.rewriter.ids[segment.reply.headers["Job-UUID"].encode()] = job.encode()
        await self.replay(call, segment.frames)

    async def _bridge(self, call_id: str, job: str) -> None:
        call = self.calls[call_id]
        captured_job = call.script.after("bgapi uuid_bridge").reply.headers["Job-UUID"]
        call.rewriter.ids[captured_job.encode()] = job.encode()
        bridge, call.rest = call.script.after_bridge()
        await self.replay(call, bridge)
        call.bridged = True
        if call.finish_at_once:
            await call.finish()

    async def _closed(self, call_id: str, job: str, command: str) -> None:
        """SYNTHETIC: answer (the captured uuid_answer's events), then the caller's hang-up."""
        call = self.calls[call_id]
        await self.push(self._job_result(job, command, "+OK\n"))
        await self.replay(call, call.script.after("api uuid_answer").frames)
        _, rest = call.script.after_bridge()
        inbound = call.call_id
        ends = [
            f
            for f in rest
            if event_name(f) in ("CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE")
            and call.rewriter.ids.get(event_header(f, "Unique-ID").encode(), b"").decode()
            == inbound
        ]
        await self.replay(call, ends)


def _frame(headers: dict[str, str], body: bytes = b"") -> bytes:
    if body:
        headers = {"Content-Type": headers["Content-Type"], "Content-Length": str(len(body))}
    return ("".join(f"{k}: {v}\n" for k, v in headers.items()) + "\n").encode() + body


def _reply(text: str, job: str = "") -> bytes:
    headers = {"Content-Type": "command/reply", "Reply-Text": text}
    return _frame(headers | ({"Job-UUID": job} if job else {}))


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
