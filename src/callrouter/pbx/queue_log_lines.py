"""One Asterisk queue_log line -> a checked `Entry`, or the `LineProblem` that makes it unusable.

Pure: bytes in, values out. The file format is what app_queue's file logger writes
(``logger.c`` ``ast_queue_log``)::

    epoch|uniqueid|queue|agent|EVENT|data1|data2|...

``epoch`` is whole seconds (``time(NULL)``; a decimal fraction is accepted), ``uniqueid`` the
caller channel's Uniqueid (or ``NONE`` for queue-level lines), ``agent`` the member name (or
``NONE``). The data fields of each event are what app_queue (``apps/app_queue.c``, Asterisk 12
to 22) writes. Sources, since no Asterisk documentation is kept here: (1) the real Asterisk
22.10.1 sample ``tests/fixtures/asterisk/queue_log.app_queue-40-calls`` for every event it holds
(ENTERQUEUE, CONNECT, RINGNOANSWER, RINGCANCELED, ABANDON, COMPLETE*); (2) the event names and
format strings in the sandbox's Asterisk 22 ``app_queue.so`` (``strings``: ``%ld|%s|%ld``,
``%s|%d|%d|%ld``, ``%d|%d|%ld|%.40s``, ``%s|%s|%ld|%ld|%d``, ``BRIDGE|%s``, ``APP|%s``,
``LINK|%s|%s``, ...); (3) the writer's knowledge of app_queue.c and the Asterisk wiki page "Queue
Logs" for which string goes with which event:

==================  =================================================================
ENTERQUEUE          url | callerid [| position]  (position since Asterisk 12)
CONNECT             holdtime s | bridged channel uniqueid [| ringtime s]
RINGNOANSWER        ring time in ms (also busy / congestion: app_queue's ``rna()``)
RINGCANCELED        ring time in ms (the ring was stopped: caller gone, or answered elsewhere)
ABANDON             position | original position | waittime s
EXITWITHTIMEOUT     position | original position | waittime s
EXITEMPTY           position | original position | waittime s
EXITWITHKEY         key | position [| original position | waittime s]
WITHDRAW            position | original position | waittime s [| withdraw info]
COMPLETECALLER      holdtime s | calltime s | original position
COMPLETEAGENT       holdtime s | calltime s | original position
TRANSFER            extension | context | holdtime | calltime | original position  (before 12)
BLINDTRANSFER       extension | context | holdtime | calltime | original position
ATTENDEDTRANSFER    BRIDGE|bridge id, APP|application, or LINK|channel|channel;
                    then holdtime | calltime | original position
AGENTDUMP           (none): the member hung up during the announcement to them
SYSCOMPAT           (none): the member's channel could not be bridged to the caller
==================  =================================================================

Lines that are not call steps (member and queue state) are recognised and skipped:
ADDMEMBER, REMOVEMEMBER, PAUSE, UNPAUSE, PAUSEALL, UNPAUSEALL, PENALTY, RINGINUSE, AGENTLOGIN,
AGENTLOGOFF, AGENTCALLBACKLOGIN, AGENTCALLBACKLOGOFF, CONFIGRELOAD, QUEUESTART (which app_queue
writes with queue ``NONE`` when it loads), DID and INFO. Trailing empty fields beyond an event's
data are tolerated (realtime/CSV exports pad the data columns).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass


class ProblemKind(enum.StrEnum):
    NOT_UTF8 = "not UTF-8"
    TRUNCATED = "truncated last line (no line end)"
    FIELD_COUNT = "wrong field count"
    BAD_TIME = "time is not epoch seconds"
    BAD_NUMBER = "a data field that must be a number is not"
    UNKNOWN_EVENT = "unknown event"
    NO_SUCH_CALL = "event for a call never entered (or already gone)"
    ENTERED_TWICE = "ENTERQUEUE for a call already in the queue"


# event -> (fewest, most) data fields
CALL_EVENTS: dict[str, tuple[int, int]] = {
    "ENTERQUEUE": (2, 3),
    "CONNECT": (2, 3),
    "RINGNOANSWER": (1, 1),
    "RINGCANCELED": (1, 1),
    "ABANDON": (3, 3),
    "EXITWITHTIMEOUT": (3, 3),
    "EXITEMPTY": (3, 3),
    "EXITWITHKEY": (2, 4),
    "WITHDRAW": (3, 4),
    "COMPLETECALLER": (3, 3),
    "COMPLETEAGENT": (3, 3),
    "TRANSFER": (5, 5),
    "BLINDTRANSFER": (5, 5),
    "ATTENDEDTRANSFER": (5, 6),
    "AGENTDUMP": (0, 0),
    "SYSCOMPAT": (0, 0),
}

# the data fields that must be whole numbers, by index
NUMERIC_FIELDS: dict[str, tuple[int, ...]] = {
    "CONNECT": (0,),
    "RINGNOANSWER": (0,),
    "RINGCANCELED": (0,),
    "COMPLETECALLER": (0, 1),
    "COMPLETEAGENT": (0, 1),
}

NON_CALL_EVENTS = frozenset(
    {
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "PENALTY",
        "RINGINUSE",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "CONFIGRELOAD",
        "QUEUESTART",
        "DID",
        "INFO",
    }
)

FIXED_FIELDS = 5  # epoch, uniqueid, queue, agent, event


@dataclass(frozen=True)
class Entry:
    """A well-formed line: `at` in epoch seconds, `data` the fields after the event."""

    line_no: int
    at: float
    uniqueid: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    def number(self, index: int) -> int:
        """A whole-number data field; 0 if the event left it out or it is not a number."""
        value = self.data[index] if -len(self.data) <= index < len(self.data) else ""
        return int(value) if value.isascii() and value.isdigit() else 0


@dataclass(frozen=True)
class LineProblem:
    line_no: int
    kind: ProblemKind
    detail: str


def parse_line(line_no: int, raw: bytes, queue: str) -> Entry | LineProblem | None:
    """The line as an `Entry` if it is about `queue` (or QUEUESTART); None for other queues.

    `raw` is the line as read from the file, with its line end; a line without one is the
    truncated last line of a file still being written, and is not trusted.
    """
    if not raw.endswith(b"\n"):
        return LineProblem(line_no, ProblemKind.TRUNCATED, _shown(raw))
    try:
        text = raw.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError as error:
        return LineProblem(line_no, ProblemKind.NOT_UTF8, f"byte {error.start}: {_shown(raw)}")
    fields = text.split("|")
    if len(fields) < FIXED_FIELDS:
        detail = f"{len(fields)} fields, at least {FIXED_FIELDS} needed: {text[:80]}"
        return LineProblem(line_no, ProblemKind.FIELD_COUNT, detail)
    epoch, uniqueid, line_queue, agent, event = fields[:FIXED_FIELDS]
    if not _is_epoch(epoch):
        return LineProblem(line_no, ProblemKind.BAD_TIME, f"{epoch[:40]!r}")
    if line_queue != queue and event != "QUEUESTART":
        return None
    data = tuple(fields[FIXED_FIELDS:])
    entry = Entry(line_no, float(epoch), uniqueid, line_queue, agent, event, data)
    return _checked(entry)


def _checked(entry: Entry) -> Entry | LineProblem:
    if entry.event in NON_CALL_EVENTS:
        return entry
    limits = CALL_EVENTS.get(entry.event)
    if limits is None:
        return LineProblem(entry.line_no, ProblemKind.UNKNOWN_EVENT, entry.event[:40])
    data = _without_padding(entry.data, limits[1])
    fewest, most = limits
    if not fewest <= len(data) <= most:
        wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
        detail = f"{entry.event} has {len(data)} data fields, {wanted} expected"
        return LineProblem(entry.line_no, ProblemKind.FIELD_COUNT, detail)
    for index in NUMERIC_FIELDS.get(entry.event, ()):
        if index < len(data) and not (data[index].isascii() and data[index].isdigit()):
            detail = f"{entry.event} data field {index + 1} is {data[index][:40]!r}"
            return LineProblem(entry.line_no, ProblemKind.BAD_NUMBER, detail)
    return dataclasses.replace(entry, data=data)


def _is_epoch(text: str) -> bool:
    """Whole seconds as app_queue writes them; a decimal fraction (other writers) is accepted."""
    whole, _, fraction = text.partition(".")
    return whole.isascii() and whole.isdigit() and (fraction == "" or fraction.isdigit())


def _without_padding(data: tuple[str, ...], most: int) -> tuple[str, ...]:
    """Drop empty fields after the last one the event can have (padded exports)."""
    end = len(data)
    while end > most and data[end - 1] == "":
        end -= 1
    return data[:end]


def _shown(raw: bytes) -> str:
    """A bad line, printable: not UTF-8 bytes and control characters as escapes, cut short."""
    text = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")[:80]
    return "".join(char if char.isprintable() else ascii(char)[1:-1] for char in text)
