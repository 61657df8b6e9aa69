"""A fake Asterisk manager interface on 127.0.0.1 for socket tests.

It speaks the banner, answers Login (then sends FullyBooted, like Asterisk 22, which is what makes
panoramisk re-send old actions), answers CoreShowChannels from `live_ids` and DBGetTree from
`journal`, answers Ping unless told not to, and answers other actions as `replies` says. Tests
push raw bytes and drop connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

Action = dict[str, str]
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
USERNAME, SECRET = "callrouter", "s3cr3t"


@dataclass
class FakeConnection:
    writer: asyncio.StreamWriter
    opened_at: float
    actions: list[Action] = field(default_factory=list)
    closed: bool = False

    def named(self, name: str) -> list[Action]:
        return [a for a in self.actions if a.get("Action") == name]

    def on_channel(self) -> list[Action]:
        """Actions addressed to a channel (heartbeats, Ping and Login have none)."""
        return [a for a in self.actions if "Channel" in a]


class FakeAmi:
    def __init__(self, username: str = USERNAME, secret: str = SECRET) -> None:
        self.username, self.secret = username, secret
        self.live_ids: list[str] = []
        # action name -> "success" | "silent" | "queued" | "error:<Message>"
        self.replies: dict[str, str] = {}
        self.silent_pings_on: set[int] = set()  # connection numbers that never get a Pong
        self.before_channels_reply: bytes = b""  # pushed just before the CoreShowChannels reply
        self.journal: list[tuple[str, str]] = []  # AstDB (Key, Val) served to DBGetTree
        self.connections: list[FakeConnection] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> FakeAmi:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for connection in self.connections:
            connection.writer.close()
        await self._server.wait_closed()

    @property
    def current(self) -> FakeConnection:
        return self.connections[-1]

    async def push(self, data: bytes | str) -> None:
        """Write to the newest connection, as Asterisk would send an event."""
        writer = self.current.writer
        writer.write(data.encode() if isinstance(data, str) else data)
        await writer.drain()

    async def drop(self) -> None:
        """The PBX goes away: close the newest connection without a word."""
        self.current.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.current.writer.wait_closed()

    async def wait_for_action(self, name: str, connection: int = -1, count: int = 1) -> Action:
        def arrived() -> bool:
            if not self.connections or connection >= len(self.connections):
                return False
            return len(self.connections[connection].named(name)) >= count

        await until(arrived)
        return self.connections[connection].named(name)[count - 1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = FakeConnection(writer, time.monotonic())
        number = len(self.connections)
        self.connections.append(connection)
        writer.write(BANNER)
        try:
            while True:
                action = parse_action(await reader.readuntil(b"\r\n\r\n"))
                connection.actions.append(action)
                writer.write(self._reply(number, action))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            connection.closed = True
            writer.close()

    def _reply(self, number: int, action: Action) -> bytes:
        name, action_id = action.get("Action", ""), action.get("ActionID", "")
        if name == "Login":
            return self._login(action)
        if name == "CoreShowChannels":
            return self.before_channels_reply + self._channels(action_id)
        if name == "DBGetTree" and "DBGetTree" not in self.replies:
            return self._journal(action_id)
        if name == "Ping":
            pong = {"Response": "Success", "Ping": "Pong", "Timestamp": "1795392405.000000"}
            return b"" if number in self.silent_pings_on else message(pong, action_id)
        return self._scripted(name, action_id)

    def _login(self, action: Action) -> bytes:
        if (action.get("Username"), action.get("Secret")) != (self.username, self.secret):
            return message(
                {"Response": "Error", "Message": "Authentication failed"}, action["ActionID"]
            )
        accepted = {"Response": "Success", "Message": "Authentication accepted"}
        booted = {"Event": "FullyBooted", "Privilege": "system,all", "Status": "Fully Booted"}
        return message(accepted, action["ActionID"]) + message(booted)

    def _channels(self, action_id: str) -> bytes:
        start = {"Response": "Success", "EventList": "start", "Message": "Channels will follow"}
        items = [
            {"Event": "CoreShowChannel", "Channel": f"PJSIP/trunk-{i:08x}", "Uniqueid": uid}
            for i, uid in enumerate(self.live_ids)
        ]
        complete = {
            "Event": "CoreShowChannelsComplete",
            "EventList": "Complete",
            "ListItems": str(len(items)),
        }
        return b"".join(message(m, action_id) for m in [start, *items, complete])

    def _journal(self, action_id: str) -> bytes:
        """As Asterisk 22 answers DBGetTree (see fixtures/asterisk/failopen-journal.ami)."""
        start = {"Response": "Success", "EventList": "start", "Message": "Result will follow"}
        items = [{"Event": "DBGetTreeResponse", "Key": k, "Val": v} for k, v in self.journal]
        complete = {
            "Event": "DBGetTreeComplete",
            "EventList": "Complete",
            "ListItems": str(len(items)),
        }
        return b"".join(message(m, action_id) for m in [start, *items, complete])

    def _scripted(self, name: str, action_id: str) -> bytes:
        behaviour = self.replies.get(name, "success")
        if behaviour == "silent":
            return b""
        if behaviour == "queued":  # no Async header: panoramisk 1.4 raised KeyError here
            return message(
                {"Response": "Success", "Message": f"{name} successfully queued"}, action_id
            )
        if behaviour.startswith("error:"):
            return message({"Response": "Error", "Message": behaviour[6:]}, action_id)
        text = "Variable Set" if name == "Setvar" else f"{name} successful"
        return message({"Response": "Success", "Message": text}, action_id)


def parse_action(raw: bytes) -> Action:
    action: Action = {}
    for line in raw.decode("utf-8").split("\r\n"):
        if ": " in line:
            key, value = line.split(": ", 1)
            action[key] = value
    return action


def message(headers: dict[str, str], action_id: str = "") -> bytes:
    lines = [f"{key}: {value}" for key, value in headers.items()]
    if action_id:
        lines.insert(1, f"ActionID: {action_id}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Poll a condition on the event loop (the connection runs in the same loop)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
