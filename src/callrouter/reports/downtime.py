"""PBX downtime from the controller's own events: when it had no PBX link or was not running.

The controller writes `controller_started` and `controller_stopped` (app.py) and `pbx_connected` /
`pbx_disconnected` (domain/router.py, domain/leaving.py). Reading them in order:

- ``pbx_disconnected`` while up opens an interval (cause ``pbx_disconnected``).
- ``controller_stopped`` while up opens one (cause ``controller_stopped``); the interval goes on
  through the next ``controller_started`` until the PBX is connected again.
- ``controller_started`` with no stop before it (or a second ``pbx_connected`` with no disconnect
  before it, in logs written before controller events existed) means the controller ended without
  a trace, e.g. killed or a power cut: an interval with an *unknown start* (cause ``not_logged``).
  Its `last_seen_up` is the last sign of life in the log before it (a controller event or a call
  arrival), so the length is known to be at most `end - last_seen_up`.
- ``controller_started`` as the very first event: the log begins; from there until the PBX is
  connected is an interval with cause ``controller_starting``.
- ``pbx_connected`` ends the open interval. An interval with no later ``pbx_connected`` has no
  end in the log (``end`` None): if it began with a clean stop or a lost link, it is counted up to
  the end of the period or the time of the report, whichever is earlier.

A controller that died without a trace and has not been started again is invisible: nothing in the
log says so until the next start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from callrouter.reports.model import Downtime, DowntimeInterval

DOWNTIME_KINDS = ("controller_started", "controller_stopped", "pbx_connected", "pbx_disconnected")

# Before a graceful `core restart now` Asterisk hangs up its channels (cause 0) moments before the
# AMI link drops. Abandons with cause 0 this soon before an interval are counted as failed.
DOWNTIME_GRACE_SECONDS = 10.0


@dataclass
class Interval:
    """A downtime interval as read from the events; its end is kept beside it."""

    cause: str
    detail: str
    start: float | None
    last_seen_up: float | None = None


@dataclass
class _Timeline:
    last_activity: Callable[[float], float | None]
    state: str = "unknown"  # unknown, up, pbx_down, stopped, starting
    current: Interval | None = None
    closed: list[tuple[Interval, float | None]] = field(default_factory=list)
    previous_at: float | None = None

    def apply(self, at: float, kind: str, detail: str) -> None:
        handler = {
            "controller_started": self._started,
            "controller_stopped": self._stopped,
            "pbx_connected": self._connected,
            "pbx_disconnected": self._disconnected,
        }[kind]
        handler(at, detail)
        self.previous_at = at

    def _started(self, at: float, detail: str) -> None:
        if self.state == "up":
            self._open_unlogged(at, "the controller ended without a stop record")
        elif self.state == "unknown":
            self.current = Interval("controller_starting", "the log begins: connecting", at)
        self.state = "starting"

    def _stopped(self, at: float, detail: str) -> None:
        if self.current is None:
            self.current = Interval("controller_stopped", detail or "stopped", at)
        self.state = "stopped"

    def _disconnected(self, at: float, detail: str) -> None:
        if self.current is None:
            self.current = Interval("pbx_disconnected", detail or "link lost", at)
        self.state = "pbx_down"

    def _connected(self, at: float, detail: str) -> None:
        if self.state == "up":
            self._open_unlogged(at, "connected again with no disconnect or stop record")
        if self.current is not None:
            self.closed.append((self.current, at))
            self.current = None
        self.state = "up"

    def _open_unlogged(self, at: float, why: str) -> None:
        seen = [t for t in (self.previous_at, self.last_activity(at)) if t is not None]
        self.current = Interval("not_logged", why, None, max(seen) if seen else None)


def downtime_intervals(
    events: Iterable[tuple[float, str, str]],
    last_activity: Callable[[float], float | None],
) -> list[tuple[Interval, float | None]]:
    """Every interval in `events` (epoch at, kind, detail; in order), with its end (None: none)."""
    timeline = _Timeline(last_activity)
    for at, kind, detail in events:
        timeline.apply(at, kind, detail)
    result = list(timeline.closed)
    if timeline.current is not None:
        result.append((timeline.current, None))
    return result


def reclassify_windows(
    intervals: list[tuple[Interval, float | None]],
) -> list[tuple[float, float, float]]:
    """(cause-0 window start, interval start, interval end) epoch seconds per interval."""
    windows = []
    for opened, end in intervals:
        start = opened.start if opened.start is not None else opened.last_seen_up
        if start is None:
            start = end if end is not None else float("inf")
        windows.append(
            (start - DOWNTIME_GRACE_SECONDS, start, float("inf") if end is None else end)
        )
    return windows


def summarize(
    intervals: list[tuple[Interval, float | None]],
    period: tuple[float, float],
    now: float,
    reclassified: int,
) -> Downtime:
    """The intervals overlapping the period, as report rows."""
    low, high = period
    rows = []
    for opened, end in intervals:
        begins = opened.start if opened.start is not None else opened.last_seen_up
        if (begins is not None and begins >= high) or (end is not None and end <= low):
            continue
        rows.append(_row(opened, end, low, min(high, now)))
    known = sum(r.seconds_in_period for r in rows if r.seconds_in_period is not None)
    unknown = sum(1 for r in rows if r.start is None or r.end is None)
    return Downtime(tuple(rows), known, unknown, reclassified)


def _row(opened: Interval, end: float | None, low: float, high: float) -> DowntimeInterval:
    start, seen = opened.start, opened.last_seen_up
    seconds = end - start if start is not None and end is not None else None
    at_most = end - seen if start is None and end is not None and seen is not None else None
    in_period = None
    if start is not None:
        stop = high if end is None else min(end, high)
        in_period = max(0.0, stop - max(start, low))
    return DowntimeInterval(
        cause=opened.cause,
        detail=opened.detail,
        start=_moment(start),
        last_seen_up=_moment(seen),
        end=_moment(end),
        seconds=seconds,
        at_most_seconds=at_most,
        seconds_in_period=in_period,
    )


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
