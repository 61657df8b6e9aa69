"""A deliberately small raw AMI client for the simulator: actions, responses and an event feed."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Mapping

Message = dict[str, str]


class SimAmi:
    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._listeners: list[asyncio.Queue[tuple[float, Message]]] = []
        self._read_task: asyncio.Task[None] | None = None

    async def connect(
        self,
        user: str = "sim",
        secret: str = "simsecret",
        host: str = "127.0.0.1",
        port: int = 5038,
    ) -> None:
        self._reader, self._writer = await asyncio.open_connection(host, port)
        await self._reader.readline()  # banner
        self._read_task = asyncio.create_task(self._read_loop())
        reply = await self.action({"Action": "Login", "Username": user, "Secret": secret})
        if reply.get("Response") != "Success":
            raise ConnectionError(f"sim login failed: {reply}")

    async def close(self) -> None:
        if self._read_task is not None:
            self._read_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._read_task
        if self._writer is not None:
            self._writer.close()

    def listen(self) -> asyncio.Queue[tuple[float, Message]]:
        """A queue of (monotonic receive time, event) for every event from now on."""
        queue: asyncio.Queue[tuple[float, Message]] = asyncio.Queue()
        self._listeners.append(queue)
        return queue

    def send(self, fields: Mapping[str, str]) -> asyncio.Future[Message]:
        assert self._writer is not None
        action_id = f"sim-{next(self._ids)}"
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = future
        lines = [f"{k}: {v}" for k, v in fields.items()] + [f"ActionID: {action_id}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        return future

    async def action(self, fields: Mapping[str, str], within: float = 10) -> Message:
        return await asyncio.wait_for(self.send(fields), within)

    async def set_global(self, name: str, value: str) -> None:
        await self.action({"Action": "Setvar", "Variable": name, "Value": value})

    async def command(self, cli: str) -> Message:
        return await self.action({"Action": "Command", "Command": cli})

    async def _read_loop(self) -> None:
        assert self._reader is not None
        block: Message = {}
        while True:
            raw = await self._reader.readline()
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line:
                key, _, value = line.partition(": ")
                block.setdefault(key, value)
                continue
            self._deliver(block)
            block = {}

    def _deliver(self, message: Message) -> None:
        future = self._pending.pop(message.get("ActionID", ""), None)
        if "Response" in message and future is not None and not future.done():
            future.set_result(message)
        elif "Event" in message:
            stamp = time.monotonic()
            for queue in self._listeners:
                queue.put_nowait((stamp, message))
