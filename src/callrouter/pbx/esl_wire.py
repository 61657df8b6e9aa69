"""FreeSWITCH Event Socket bytes -> frames -> events. Pure (no asyncio, no I/O).

An ESL frame is a block of `Name: value` lines ended by an empty line (LF only); if the block has
`Content-Length`, exactly that many bytes of body follow, and the next frame starts right after.
Framing works on bytes (Content-Length counts bytes), so a UTF-8 letter split across two TCP
reads is simply waiting in the buffer; text is decoded only once a frame is complete.

An event (`text/event-plain`) carries in its body a second header block whose values are
percent-encoded (UTF-8 byte by byte), optionally followed by its own Content-Length body
(BACKGROUND_JOB results). `text/event-json` carries one JSON object, with the body in `_body`.

Bytes that are not an ESL stream raise `EslStreamError` and leave the decoder as it was.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

MAX_HEADER_BYTES = 64 * 1024  # one header block; a real one is a few kB
MAX_BODY_BYTES = 32 * 1024 * 1024  # `show channels as json` on a busy switch is a few MB

EVENT_PLAIN = "text/event-plain"
EVENT_JSON = "text/event-json"


class EslStreamError(ValueError):
    """The peer sent something that is not an Event Socket stream."""


class EslEventError(ValueError):
    """A complete frame whose event body cannot be read."""


@dataclass(frozen=True)
class EslFrame:
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class EslEvent:
    headers: Mapping[str, str]  # values percent-decoded
    body: str = ""

    @property
    def name(self) -> str:
        return self.headers.get("Event-Name", "")

    def get(self, header: str, default: str = "") -> str:
        return self.headers.get(header, default)


class EslFrameDecoder:
    """Bytes in any chunking -> complete frames, in order."""

    def __init__(self) -> None:
        self._buffer = b""
        self._search_from = 0  # where the blank line may still start in an incomplete header

    def feed(self, data: bytes) -> list[EslFrame]:
        buffer = self._buffer + data
        frames: list[EslFrame] = []
        start, search_from = 0, self._search_from
        while True:
            start = _skip_newlines(buffer, start)
            end = buffer.find(b"\n\n", max(start, search_from))
            if end < 0:
                if len(buffer) - start > MAX_HEADER_BYTES:
                    raise EslStreamError(f"no end of header block in {len(buffer) - start} bytes")
                search_from = max(len(buffer) - 1, start)
                break
            headers = parse_header_block(buffer[start:end], decode=False, what="frame")
            length = _content_length(headers)
            if end + 2 + length > len(buffer):
                search_from = start  # the header is complete; wait for the whole body
                break
            frames.append(EslFrame(headers, buffer[end + 2 : end + 2 + length]))
            start, search_from = end + 2 + length, 0
        # commit only now: an error above left the decoder unchanged
        self._buffer, self._search_from = buffer[start:], max(search_from - start, 0)
        return frames


def _skip_newlines(buffer: bytes, start: int) -> int:
    while start < len(buffer) and buffer[start] == 0x0A:
        start += 1
    return start


def _content_length(headers: Mapping[str, str]) -> int:
    raw = headers.get("Content-Length")
    if raw is None:
        return 0
    if not raw.isdigit() or int(raw) > MAX_BODY_BYTES:
        raise EslStreamError(f"bad Content-Length {raw[:20]!r}")
    return int(raw)


def parse_header_block(block: bytes, *, decode: bool, what: str) -> dict[str, str]:
    """`Name: value` lines; with `decode`, values are percent-decoded UTF-8."""
    error = EslStreamError if what == "frame" else EslEventError
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} header is not UTF-8: {block[:80]!r}") from None
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or "\r" in name:
            raise error(f"not an ESL header line in a {what}: {line[:80]!r}")
        value = value[1:] if value.startswith(" ") else value
        if decode:
            try:
                value = urllib.parse.unquote(value, errors="strict")
            except UnicodeDecodeError:
                raise error(f"{name}: percent-encoding is not UTF-8: {value[:80]!r}") from None
        headers.setdefault(name, value)
    return headers


def parse_event(frame: EslFrame) -> EslEvent | None:
    """The event in a frame; None for frames that are not events (replies, notices)."""
    if frame.content_type == EVENT_PLAIN:
        return _plain_event(frame.body)
    if frame.content_type == EVENT_JSON:
        return _json_event(frame.body)
    return None


def _plain_event(body: bytes) -> EslEvent:
    end = body.find(b"\n\n")
    block, rest = (body, b"") if end < 0 else (body[:end], body[end + 2 :])
    headers = parse_header_block(block.rstrip(b"\n"), decode=True, what="event")
    raw = headers.get("Content-Length")
    if raw is None:
        return EslEvent(headers)
    if not raw.isdigit() or int(raw) > len(rest):
        raise EslEventError(f"event body Content-Length {raw[:20]!r} but {len(rest)} bytes follow")
    try:
        return EslEvent(headers, rest[: int(raw)].decode("utf-8"))
    except UnicodeDecodeError:
        raise EslEventError("event body is not UTF-8") from None


def _json_event(body: bytes) -> EslEvent:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EslEventError(f"not a JSON event: {exc}") from None
    if not isinstance(document, dict):
        raise EslEventError("a JSON event is not an object")
    headers: dict[str, str] = {}
    for name, value in document.items():
        if isinstance(value, list):  # as the plain form writes it: ARRAY::a|:b
            headers[str(name)] = "ARRAY::" + "|:".join(str(v) for v in value)
        else:
            headers[str(name)] = str(value)
    return EslEvent(headers, headers.pop("_body", ""))


def decode_events(chunks: list[bytes]) -> list[EslFrame]:
    """Every frame in a captured stream, as the connection would see it (replay, tests)."""
    decoder = EslFrameDecoder()
    return [frame for chunk in chunks for frame in decoder.feed(chunk)]
