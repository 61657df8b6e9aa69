"""AMI bytes -> messages. Pure (no asyncio, no I/O).

panoramisk decodes every TCP read on its own (`bytes.decode(..., "ignore")`), so a UTF-8 letter
split across two reads ("Søren Ærø") is silently dropped. Here the bytes go through one
incremental UTF-8 decoder for the whole connection, then are framed on the blank line that ends
every AMI message, and each frame is parsed by panoramisk's own `Message.from_line`.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from panoramisk.message import Message

BANNER_PREFIX = "Asterisk Call Manager/"
EOL = "\r\n"
SEPARATOR = "\r\n\r\n"
MAX_PENDING_CHARS = 1_000_000  # one AMI message is a few kB; more is a broken or hostile peer


class AmiStreamError(ValueError):
    """The peer sent something that is not an AMI stream (e.g. an endless message)."""


class AmiFrameDecoder:
    """Bytes in any chunking -> complete AMI message texts (without the blank line)."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._search_from = 0
        self._expect_banner = True
        self.banner: str | None = None

    def feed(self, data: bytes) -> list[str]:
        self._pending += self._utf8.decode(data)
        if self._expect_banner and not self._take_banner():
            return []
        frames: list[str] = []
        pending, start = self._pending, 0
        while (end := pending.find(SEPARATOR, max(start, self._search_from))) >= 0:
            frame = pending[start:end].strip()
            if frame:
                frames.append(frame)
            start = end + len(SEPARATOR)
        self._pending = pending[start:]
        # the next search may start where a separator could begin (it is 4 chars long)
        self._search_from = max(len(self._pending) - len(SEPARATOR) + 1, 0)
        if len(self._pending) > MAX_PENDING_CHARS:
            raise AmiStreamError(f"no end of message in {len(self._pending)} characters")
        return frames

    def _take_banner(self) -> bool:
        """Strip the `Asterisk Call Manager/x.y.z` greeting; False while it is incomplete."""
        pending = self._pending
        if not (pending.startswith(BANNER_PREFIX) or BANNER_PREFIX.startswith(pending)):
            self._expect_banner = False  # no greeting (a stream picked up mid-way)
            return True
        end = pending.find(EOL)
        if end < 0:
            return False
        self.banner = pending[:end]
        self._pending = pending[end + len(EOL) :]
        self._expect_banner = False
        return True


def parse_frame(frame: str) -> Message | None:
    """panoramisk's parser: a Message for a Response or an Event, None for anything else."""
    message: Message | None = Message.from_line(frame)
    return message


def headers_of(message: Mapping[str, Any]) -> dict[str, str]:
    """A plain dict of str for the translator (a repeated header keeps its first value).

    panoramisk keeps a `Response: Follows` body under the lower-case key `content`; it is not a
    header and is left out."""
    headers: dict[str, str] = {}
    for key, value in message.items():
        if key == "content":
            continue
        if isinstance(value, list):
            value = value[0] if value else ""
        headers[str(key)] = str(value)
    return headers


def decode_stream(chunks: list[bytes]) -> list[dict[str, str]]:
    """Every message in a captured stream, as the connection would see it (for replay/tests)."""
    decoder = AmiFrameDecoder()
    messages: list[dict[str, str]] = []
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            message = parse_frame(frame)
            if message is not None:
                messages.append(headers_of(message))
    return messages
