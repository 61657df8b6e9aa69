"""Parsing the Event Socket byte stream: any TCP chunking gives the same frames and events,
UTF-8 names intact; bytes that are not ESL give a clear error and change nothing."""

from __future__ import annotations

import pytest

from callrouter.pbx.esl_wire import (
    EslEventError,
    EslFrame,
    EslFrameDecoder,
    EslStreamError,
    decode_events,
    parse_event,
)

from .fs_captures import ALL_CAPTURES, capture_bytes, reference_frames


def frames_of(chunks: list[bytes]) -> list[EslFrame]:
    decoder = EslFrameDecoder()
    return [frame for chunk in chunks for frame in decoder.feed(chunk)]


def utf8_boundaries(data: bytes) -> list[int]:
    """Every boundary inside or next to a non-ASCII byte (the JSON capture's raw æøå)."""
    return sorted({k for i, byte in enumerate(data) if byte >= 0x80 for k in range(i - 1, i + 3)})


@pytest.mark.parametrize("name", ALL_CAPTURES)
def test_split_at_every_byte_boundary_gives_the_same_frames(name: str) -> None:
    """Each boundary k of the capture is tried by splitting the frame that straddles k in two.

    At the end of a frame the decoder holds nothing, so the frames before and after the
    straddling one do not depend on where k is (the whole-stream test below checks that)."""
    for reference in reference_frames(capture_bytes(name)):
        whole = reference.raw
        expected = [EslFrame(reference.headers, reference.body)]
        assert expected == frames_of([whole])
        for k in range(1, len(whole)):
            assert expected == frames_of([whole[:k], whole[k:]]), (name, reference.start + k)


@pytest.mark.parametrize("name", ALL_CAPTURES)
def test_whole_stream_split_at_utf8_and_sampled_boundaries(name: str) -> None:
    data = capture_bytes(name)
    expected = frames_of([data])
    assert len(reference_frames(data)) == len(expected)
    for k in [*utf8_boundaries(data), *range(0, len(data) + 1, 499)]:
        assert expected == frames_of([data[:k], data[k:]]), (name, k)


@pytest.mark.parametrize("name", ALL_CAPTURES)
def test_one_byte_at_a_time_gives_the_same_frames(name: str) -> None:
    data = capture_bytes(name)
    assert decode_events([data]) == decode_events([data[i : i + 1] for i in range(len(data))])


def test_the_json_capture_is_split_inside_every_utf8_letter() -> None:
    """`event json` sends UTF-8 raw and counts Content-Length in bytes, not characters."""
    data = capture_bytes("json")
    name = "Søren Ærø".encode()
    at = data.index(name)
    for k in range(at, at + len(name) + 1):
        events = [parse_event(f) for f in frames_of([data[:k], data[k:]])]
        names = {e.get("Caller-Caller-ID-Name") for e in events if e is not None}
        assert "Søren Ærø" in names, k


def test_plain_event_values_are_percent_decoded_as_utf8() -> None:
    frames = decode_events([capture_bytes("abandoned")])
    events = [e for e in map(parse_event, frames) if e is not None]
    created = events[0]
    assert ("CHANNEL_CREATE", "Åse Lykkegård") == (
        created.name,
        created.get("Caller-Caller-ID-Name"),
    )
    assert "2026-11-23 00:54:29" == created.get("Event-Date-Local")


def test_a_background_jobs_nested_body_is_its_result() -> None:
    frames = decode_events([capture_bytes("ring-no-answer")])
    jobs = [e for e in map(parse_event, frames) if e is not None and e.name == "BACKGROUND_JOB"]
    assert "-ERR NO_ANSWER\n" == jobs[0].body
    assert jobs[0].get("Job-Command") == "originate"


def test_json_and_plain_give_the_same_headers_for_the_same_kind_of_event() -> None:
    plain = [e for e in map(parse_event, decode_events([capture_bytes("answered")])) if e]
    json = [e for e in map(parse_event, decode_events([capture_bytes("json")])) if e]
    assert [e.name for e in plain][:6] == [e.name for e in json][:6]
    first_job = next(e for e in json if e.name == "BACKGROUND_JOB")
    assert first_job.body.startswith("+OK ")
    assert "ARRAY::" in next(e for e in json if "variable_DP_MATCH" in e.headers).get(
        "variable_DP_MATCH"
    )


def test_replies_and_the_disconnect_notice_are_frames_not_events() -> None:
    frames = decode_events([capture_bytes("answered")])
    kinds = [f.content_type for f in frames if parse_event(f) is None]
    assert ["auth/request", "command/reply"] == kinds[:2]
    assert "text/disconnect-notice" == kinds[-1]
    assert frames[-1].text().startswith("Disconnected, goodbye.")
    assert "+OK\n" == next(f for f in frames if f.content_type == "api/response").text()


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        (b"HTTP/1.1 200 OK\nServer: x\n\n", "not an ESL header line"),
        (b"Content-Length: -5\n\n", "bad Content-Length"),
        (b"Content-Type: x\nReply-Text: \xff\xfe\n\n", "not UTF-8"),
        (b"X-Junk: " + b"y" * 70_000, "no end of header block"),
    ],
)
def test_odd_bytes_give_a_clear_error_and_change_nothing(garbage: bytes, message: str) -> None:
    decoder = EslFrameDecoder()
    assert [] == decoder.feed(b"Content-Type: command/reply\nReply-Text: +OK acc")
    with pytest.raises(EslStreamError, match=message):
        decoder.feed(b"epted\n\n" + garbage)
    expected = [EslFrame({"Content-Type": "command/reply", "Reply-Text": "+OK accepted"})]
    assert expected == decoder.feed(b"epted\n\n")  # as if the odd chunk never came


def test_an_event_with_broken_percent_encoding_is_refused_alone() -> None:
    body = b"Event-Name: CHANNEL_CREATE\nCaller-Caller-ID-Name: S%F8ren\n\n"
    frame = EslFrame({"Content-Type": "text/event-plain"}, body)
    with pytest.raises(EslEventError, match="not UTF-8"):
        parse_event(frame)
