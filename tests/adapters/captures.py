"""The real Asterisk 22 captures (tests/fixtures/asterisk), replayed as the connection sees them."""

from __future__ import annotations

from pathlib import Path

from callrouter.pbx.ami_wire import decode_stream

FIXTURES = Path(__file__).parent.parent / "fixtures" / "asterisk"
CAPTURES = ("answered", "abandoned", "ring-no-answer", "blind-transfer", "pbx-restart")

Message = dict[str, str]


def capture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.ami").read_bytes()


def capture_messages(name: str) -> list[Message]:
    return decode_stream([capture_bytes(name)])


def with_offered_user_event(messages: list[Message]) -> list[Message]:
    """Inject the `UserEvent: CallrouterOffered` the production dialplan sends.

    The captures were recorded before that UserEvent existed: there the inbound call is the
    `Local/...@floor-inbound-XXXXXXXX;2` channel, recognised by its Newexten at the first priority
    of `floor-inbound`. Right after that one message we insert exactly what
    `UserEvent(CallrouterOffered,Entry: ${EXTEN})` in `callrouter-inbound` produces: the channel's
    own headers (Channel, Uniqueid, Linkedid, CallerIDNum, CallerIDName), `UserEvent` and `Entry`.
    Nothing else in the stream is changed.
    """
    replayed: list[Message] = []
    offered: set[str] = set()
    for message in messages:
        replayed.append(message)
        if _is_inbound_call_entering_floor(message) and message["Uniqueid"] not in offered:
            offered.add(message["Uniqueid"])
            replayed.append(offered_user_event(message))
    return replayed


def _is_inbound_call_entering_floor(message: Message) -> bool:
    return (
        message.get("Event") == "Newexten"
        and message.get("Context") == "floor-inbound"
        and message.get("Channel", "").startswith("Local/4589151515@floor-inbound-")
        and message.get("Channel", "").endswith(";2")
        and message.get("Priority") == "1"
        and message.get("Exten") != "retry"
    )


def offered_user_event(newexten: Message) -> Message:
    channel_headers = ("Channel", "CallerIDNum", "CallerIDName", "Uniqueid", "Linkedid")
    return {
        "Event": "UserEvent",
        "Privilege": "user,all",
        **{header: newexten[header] for header in channel_headers},
        "Context": newexten["Context"],
        "Exten": newexten["Exten"],
        "UserEvent": "CallrouterOffered",
        "Entry": newexten["Exten"],
    }
