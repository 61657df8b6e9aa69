"""Parsing the AMI byte stream: any TCP chunking gives the same messages, UTF-8 names intact."""

from __future__ import annotations

import pytest

from callrouter.pbx.ami_wire import AmiFrameDecoder, AmiStreamError, decode_stream

from .captures import CAPTURES, capture_bytes, capture_messages

SEPARATOR = b"\r\n\r\n"


def frames_of(chunks: list[bytes]) -> list[str]:
    decoder = AmiFrameDecoder()
    return [frame for chunk in chunks for frame in decoder.feed(chunk)]


def reference_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte spans of each message plus its blank line, after the banner line.

    Framing on bytes is the same as framing on text: CR and LF never occur inside a UTF-8
    multi-byte sequence."""
    start = data.index(b"\r\n") + 2
    spans = []
    while (end := data.find(SEPARATOR, start)) >= 0:
        spans.append((start, end + len(SEPARATOR)))
        start = end + len(SEPARATOR)
    return spans


def utf8_boundaries(data: bytes) -> list[int]:
    """Every boundary inside or next to a non-ASCII byte (the names with æøåÆØÅÖ)."""
    return sorted({k for i, byte in enumerate(data) if byte >= 0x80 for k in range(i - 1, i + 3)})


@pytest.mark.parametrize("name", CAPTURES)
def test_split_at_every_byte_boundary_gives_the_same_messages(name: str) -> None:
    """Each boundary k of the capture is tried by splitting the message that straddles k in two.

    This is the whole-stream split, computed in O(message) per boundary: at the end of every
    message (its blank line is ASCII) the decoder holds nothing, neither text nor a partial UTF-8
    sequence, so the messages before and after the straddling one are unaffected by where k is.
    `test_whole_stream_split_...` below checks that claim on the whole stream."""
    data = capture_bytes(name)
    for start, end in reference_spans(data):
        whole = data[start:end]
        expected = frames_of([whole])
        assert [whole.decode().strip()] == expected
        for k in range(1, len(whole)):
            assert expected == frames_of([whole[:k], whole[k:]]), (name, start + k)


@pytest.mark.parametrize("name", CAPTURES)
def test_whole_stream_split_at_utf8_and_sampled_boundaries(name: str) -> None:
    data = capture_bytes(name)
    expected = frames_of([data])
    boundaries = [*utf8_boundaries(data), *range(0, len(data) + 1, 997), *range(0, 64)]
    for k in boundaries:
        assert expected == frames_of([data[:k], data[k:]]), (name, k)


@pytest.mark.parametrize("name", CAPTURES)
def test_one_byte_at_a_time_gives_the_same_messages(name: str) -> None:
    """Every boundary at once: each TCP read holds a single byte."""
    data = capture_bytes(name)
    one_by_one = [data[i : i + 1] for i in range(len(data))]
    assert decode_stream([data]) == decode_stream(one_by_one)


def test_danish_name_survives_a_split_inside_its_letters() -> None:
    data = capture_bytes("answered")
    name_at = data.index("Søren Ærø".encode())
    for k in range(name_at, name_at + len("Søren Ærø".encode()) + 1):
        names = {m["CallerIDName"] for m in decode_stream([data[:k], data[k:]]) if "Uniqueid" in m}
        assert {"<unknown>", "Søren Ærø"} >= names, k
        assert "Søren Ærø" in names


def test_capture_parses_into_responses_and_events_without_the_banner() -> None:
    messages = capture_messages("answered")
    decoder = AmiFrameDecoder()
    decoder.feed(capture_bytes("answered"))
    expected_banner = "Asterisk Call Manager/11.0.0"
    assert expected_banner == decoder.banner
    login = {"Response": "Success", "ActionID": "acc-1", "Message": "Authentication accepted"}
    goodbye = {"Response": "Goodbye", "ActionID": "acc-4", "Message": "Thanks for all the fish."}
    assert [login, goodbye] == [messages[0], messages[-1]]
    assert all("\ufffd" not in value for m in messages for value in m.values())


def test_invalid_utf8_is_replaced_not_dropped_or_fatal() -> None:
    stream = b"Event: UserEvent\r\nCallerIDName: S\xf8ren\r\n\r\n"  # Latin-1 ø
    expected = [{"Event": "UserEvent", "CallerIDName": "S\ufffdren"}]
    assert expected == decode_stream([stream])


def test_a_peer_that_never_ends_a_message_is_refused() -> None:
    decoder = AmiFrameDecoder()
    decoder.feed(b"Asterisk Call Manager/11.0.0\r\n")
    endless = b"X-Junk: " + b"y\r\n" * 600_000  # 1.8 MB and never a blank line
    with pytest.raises(AmiStreamError):
        decoder.feed(endless)
