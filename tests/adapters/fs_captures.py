"""The real FreeSWITCH 1.10.12 captures (tests/fixtures/freeswitch), split as a reference would.

The splitter here is deliberately independent of `callrouter.pbx.esl_wire`: it works on the whole
capture at once, so it can judge the incremental decoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "freeswitch"
CAPTURES = ("answered", "abandoned", "ring-no-answer", "json", "transfer-out", "bridge-unanswered")
ALL_CAPTURES = (*CAPTURES, "unquoted-name")


@dataclass(frozen=True)
class RawFrame:
    start: int  # byte offset in the capture
    raw: bytes  # the whole frame: header block, blank line, body
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def is_reply(self) -> bool:
        return self.content_type in ("command/reply", "api/response")


def capture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.esl").read_bytes()


def sent_commands(name: str) -> list[str]:
    """The commands the recording client wrote, in order (each ended by a blank line)."""
    text = (FIXTURES / f"{name}.sent").read_text(encoding="utf-8")
    return [command for command in text.split("\n\n") if command.strip()]


def reference_frames(data: bytes) -> list[RawFrame]:
    frames, start = [], 0
    while start < len(data):
        end = data.index(b"\n\n", start)
        headers = dict(line.split(": ", 1) for line in data[start:end].decode("utf-8").split("\n"))
        length = int(headers.get("Content-Length", "0"))
        body = data[end + 2 : end + 2 + length]
        frames.append(RawFrame(start, data[start : end + 2 + length], headers, body))
        start = end + 2 + length
    return frames


def event_name(frame: RawFrame) -> str:
    match = re.search(rb"^Event-Name: (\S+)$", frame.body, re.MULTILINE)
    return match.group(1).decode() if match else ""


def event_header(frame: RawFrame, header: str) -> str:
    match = re.search(rb"^" + re.escape(header.encode()) + rb": (.*)$", frame.body, re.MULTILINE)
    return match.group(1).decode() if match else ""
