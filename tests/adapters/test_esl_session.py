"""One Event Socket session: replies matched first in, first out with events in between, and
background jobs matched by our own Job-UUID whatever order they finish in."""

from __future__ import annotations

import asyncio

import pytest

from callrouter.pbx import esl_commands as esl
from callrouter.pbx.esl_session import EslRefused, EslSession
from callrouter.pbx.esl_wire import EslEvent


def frame(headers: str, body: bytes = b"") -> bytes:
    length = f"Content-Length: {len(body)}\n" if body else ""
    return (headers + "\n" + length + "\n").encode() + body


def job(job_uuid: str, result: str) -> bytes:
    inner = f"Event-Name: BACKGROUND_JOB\nJob-UUID: {job_uuid}\nContent-Length: {len(result)}\n\n"
    return frame("Content-Type: text/event-plain", (inner + result).encode())


EVENT = frame("Content-Type: text/event-plain", b"Event-Name: HEARTBEAT\nUp-Time: 0%20years\n\n")


async def serve(
    script: list[bytes], commands: list[bytes], expected_commands: int
) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frame("Content-Type: auth/request"))
        commands.append(await reader.readuntil(b"\n\n"))
        writer.write(frame("Content-Type: command/reply\nReply-Text: +OK accepted"))
        while len(commands) < expected_commands + 1:
            commands.append(await reader.readuntil(b"\n\n"))
        for chunk in script:
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0)

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_replies_are_matched_in_order_and_jobs_by_their_job_uuid() -> None:
    script = [
        frame("Content-Type: command/reply\nReply-Text: +OK Job-UUID: job-a\nJob-UUID: job-a"),
        EVENT,
        frame("Content-Type: api/response", b"+OK\n"),
        frame("Content-Type: command/reply\nReply-Text: +OK Job-UUID: job-b\nJob-UUID: job-b"),
        job("job-b", "-ERR NO_ANSWER\n"),  # the second job finishes first
        EVENT,
        job("job-a", "+OK 4f2c\n"),
    ]
    commands: list[bytes] = []
    server = await serve(script, commands, 3)
    events: list[EslEvent] = []
    session = EslSession(events.append, lambda _: None)
    port = server.sockets[0].getsockname()[1]
    await session.open("127.0.0.1", port, esl.auth("ClueCon"))
    first = session.send(esl.EslCommand("originate x", "job-a"))
    answer = session.send(esl.EslCommand("uuid_answer y"))
    second = session.send(esl.EslCommand("originate z", "job-b"))
    results = await asyncio.wait_for(asyncio.gather(first, answer, second), 2)
    session.close()
    server.close()
    assert ["+OK 4f2c\n", "+OK\n", "-ERR NO_ANSWER\n"] == results
    assert b"bgapi originate x\nJob-UUID: job-a\n\n" == commands[1]
    assert ["HEARTBEAT", "BACKGROUND_JOB", "HEARTBEAT", "BACKGROUND_JOB"] == [
        e.name for e in events
    ]
    assert "0 years" == events[0].get("Up-Time")


async def test_a_bgapi_refused_in_its_reply_fails_its_job_and_nothing_else() -> None:
    script = [
        frame("Content-Type: command/reply\nReply-Text: -ERR no such command"),
        frame("Content-Type: api/response", b"1795395244\n"),
    ]
    commands: list[bytes] = []
    server = await serve(script, commands, 2)
    session = EslSession(lambda _: None, lambda _: None)
    await session.open("127.0.0.1", server.sockets[0].getsockname()[1], esl.auth("ClueCon"))
    refused = session.send(esl.EslCommand("bogus", "job-c"))
    epoch = session.send(esl.EslCommand("strepoch"))
    with pytest.raises(EslRefused, match="-ERR no such command"):
        await asyncio.wait_for(refused, 2)
    assert "1795395244\n" == await asyncio.wait_for(epoch, 2)
    session.close()
    server.close()


async def test_a_lost_connection_fails_every_pending_job_and_is_reported_once() -> None:
    commands: list[bytes] = []
    server = await serve(
        [b"Content-Type: command/reply\nReply-Text: +OK Job-UUID: job-d\n\n"], commands, 1
    )
    lost: list[str] = []
    session = EslSession(lambda _: None, lost.append)
    await session.open("127.0.0.1", server.sockets[0].getsockname()[1], esl.auth("ClueCon"))
    pending = session.send(esl.EslCommand("originate x", "job-d"))
    await asyncio.sleep(0.1)  # the reply came; the job is pending
    assert not pending.done()
    session._transport.abort()  # type: ignore[union-attr]  # the link breaks
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(pending, 2)
    server.close()
    assert 1 == len(lost)
