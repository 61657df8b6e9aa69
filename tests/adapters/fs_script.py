"""A FreeSWITCH capture cut into the segments each command caused, ready to be replayed.

Replies carry no id and come back in command order, so the k-th reply in `NAME.esl` marks where
the k-th command of `NAME.sent` was answered: the frames after it (up to the next reply) are what
that command caused, plus whatever else happened meanwhile. Replaying a segment rewrites it for
the call it is replayed for: every UUID of the capture is mapped to a fresh one (or to the ids
the controller chose: the leg's origination_uuid and its Job-UUID), and Event-Date-Timestamp is
moved to the fake's virtual clock, keeping the captured gaps between events.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from .fs_captures import RawFrame, capture_bytes, event_name, reference_frames, sent_commands

UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STAMP = re.compile(rb"^Event-Date-Timestamp: (\d+)$", re.MULTILINE)


@dataclass(frozen=True)
class Segment:
    command: str
    reply: RawFrame
    frames: list[RawFrame]


@dataclass(frozen=True)
class Script:
    name: str
    segments: list[Segment]

    @classmethod
    def load(cls, name: str) -> Script:
        frames = reference_frames(capture_bytes(name))
        reply_at = [i for i, f in enumerate(frames) if f.is_reply]
        segments = []
        for n, (command, at) in enumerate(zip(sent_commands(name), reply_at, strict=False)):
            end = reply_at[n + 1] if n + 1 < len(reply_at) else len(frames)
            body = [f for f in frames[at + 1 : end] if f.content_type.startswith("text/event")]
            segments.append(Segment(command, frames[at], body))
        return cls(name, segments)

    def after(self, prefix: str) -> Segment:
        return next(s for s in self.segments if s.command.startswith(prefix))

    def originate_of(self, phone: str) -> Segment | None:
        """The controller's originate of `loopback/<phone>/...` in this capture."""
        return next(
            (
                s
                for s in self.segments
                if "origination_uuid=" in s.command and f"loopback/{phone}/" in s.command
            ),
            None,
        )

    def after_bridge(self) -> tuple[list[RawFrame], list[RawFrame]]:
        """The bridge segment up to CHANNEL_BRIDGE, and everything after it (talk, hang-ups)."""
        start = self.segments.index(self.after("bgapi uuid_bridge"))
        frames = [f for s in self.segments[start:] for f in s.frames]
        cut = next(i for i, f in enumerate(frames) if event_name(f) == "CHANNEL_BRIDGE") + 1
        rest = [f for f in frames[cut:] if event_name(f) != "HEARTBEAT"]
        return frames[:cut], rest


@dataclass
class Rewriter:
    """Maps one call's capture onto fresh ids and the virtual clock."""

    now_micros: Callable[[], int]
    ids: dict[bytes, bytes] = field(default_factory=dict)

    def frame(self, frame: RawFrame, base: int, start: int) -> bytes:
        body = UUID.sub(lambda m: self._id(m.group(0)), frame.body)
        body = STAMP.sub(
            lambda m: b"Event-Date-Timestamp: %d" % (start + int(m.group(1)) - base), body
        )
        return _event(body)

    def segment(self, frames: list[RawFrame]) -> tuple[bytes, int]:
        """The frames as bytes, and the virtual time (µs) of the last one."""
        stamps = [int(m.group(1)) for f in frames for m in [STAMP.search(f.body)] if m]
        if not stamps:
            return b"", self.now_micros()
        base, start = stamps[0], self.now_micros()
        data = b"".join(self.frame(f, base, start) for f in frames)
        return data, start + stamps[-1] - base

    def fresh(self, captured: str) -> str:
        return self._id(captured.encode()).decode()

    def _id(self, captured: bytes) -> bytes:
        if captured not in self.ids:
            self.ids[captured] = str(uuid.uuid4()).encode()
        return self.ids[captured]


def _event(body: bytes) -> bytes:
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(body) + body


def job_result(template: RawFrame, job_uuid: str, command: str, result: str, micros: int) -> bytes:
    """A BACKGROUND_JOB like FreeSWITCH's, for a command the captures do not hold (synthetic)."""
    head, _, _ = template.body.partition(b"\n\n")
    lines = []
    for line in head.split(b"\n"):
        name = line.split(b":", 1)[0]
        if name == b"Job-UUID":
            line = b"Job-UUID: " + job_uuid.encode()
        elif name == b"Job-Command":
            line = b"Job-Command: " + command.split(" ", 1)[0].encode()
        elif name == b"Job-Command-Arg":
            line = b"Job-Command-Arg: " + urllib.parse.quote(command.partition(" ")[2]).encode()
        elif name == b"Event-Date-Timestamp":
            line = b"Event-Date-Timestamp: %d" % micros
        elif name == b"Content-Length":
            line = b"Content-Length: %d" % len(result.encode())
        lines.append(line)
    return _event(b"\n".join(lines) + b"\n\n" + result.encode())
