"""One caller followed across calls: repeat callers, calls returned to the switchboard, waits.

One ordered pass over the offered calls (`queries.caller_rows`), with three ranges:
[start - repeat window, start) only remembers when each number last called; [start, end) counts;
[end, end + return window) only finds returns of hand-offs made inside the period.

**Repeat call**: an offered call whose caller number (one with a digit in it) made another offered
call that arrived at most `repeat_window_seconds` before it, to any scope. Rate: repeat calls ÷
offered calls with a number.

**Returned to the switchboard**: a hand-off is an overflow or a transfer of a call (`overflows`,
`transfers`). A later offered call B to a switchboard entry (no department) is a return of the most
recent hand-off H before it when either
1. B carries H's call's linked id (B.linked_id ≠ B.call_id and = H's linked_id): the PBX brought
   the same call back, e.g. the department transferred it to the switchboard number; or
2. B comes from the same caller number and arrived at most `return_window_seconds` after H.
Each hand-off is returned at most once; a second call back is not a second return (it is a repeat).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from callrouter.reports.figures import CallerFigures
from callrouter.reports.queries import CallerRow, HandoffRow

RETURN_WINDOW_SECONDS = 1800.0  # a switchboard call this soon after a hand-off is a return


@dataclass
class Handoff:
    kind: str  # "overflow" or "transfer"
    call_id: str
    at: float
    how: str  # overflow: target kind; transfer: blind / attended
    target: str
    reason: str  # overflow reason; "" for a transfer
    answered: bool  # the call was answered after the overflow
    number: str | None
    linked_id: str
    returned: bool = False

    @classmethod
    def of(cls, row: HandoffRow) -> Handoff:
        kind, call_id, at, how, target, reason, answered, number, linked_id = row
        return cls(kind, call_id, at, how, target, reason, bool(answered), number, linked_id)


@dataclass
class CallerPass:
    """The ordered pass. Hand-offs (in time order) are merged in as the calls pass their time:
    `pending_*` holds, per number and per linked id, the most recent hand-off so far."""

    repeat_window: float
    return_window: float
    handoffs: list[Handoff] = field(default_factory=list)  # in time order; set before `count`
    last_seen: dict[str, float] = field(default_factory=dict)
    # keyed by department id; None = the switchboard
    waits: defaultdict[str | None, list[float]] = field(default_factory=lambda: defaultdict(list))
    repeats: defaultdict[str | None, int] = field(default_factory=lambda: defaultdict(int))
    pending_number: dict[str, Handoff] = field(default_factory=dict)
    pending_link: dict[str, Handoff] = field(default_factory=dict)
    merged: int = 0  # hand-offs merged in so far
    all_waits: list[float] = field(default_factory=list)  # every scope's, sorted (sort_waits)

    def remember(self, rows: Iterable[CallerRow]) -> None:
        """Calls before the period: only when each number last called."""
        last_seen = self.last_seen
        for arrived, number, _, _, _ in rows:
            if number is not None:
                last_seen[number] = arrived

    def count(self, rows: Iterable[CallerRow]) -> None:
        """The period's calls: waits, repeats and returns."""
        last_seen, window = self.last_seen, self.repeat_window
        waits, repeats, pending = self.waits, self.repeats, self.pending_number
        next_handoff = self._merge_until(float("-inf"))
        for arrived, number, department, wait, link in rows:
            if arrived > next_handoff:
                next_handoff = self._merge_until(arrived)
            if wait is not None:
                waits[department].append(wait)
            if number is not None:
                previous = last_seen.get(number)
                if previous is not None and arrived - previous <= window:
                    repeats[department] += 1
                last_seen[number] = arrived
            if department is None and (link is not None or number in pending):
                self._return(arrived, number, link)

    def returns_after(self, rows: Iterable[CallerRow]) -> None:
        """Calls after the period: only returns of the period's hand-offs."""
        next_handoff = self._merge_until(float("-inf"))
        for arrived, number, department, _, link in rows:
            if arrived > next_handoff:
                next_handoff = self._merge_until(arrived)
            if department is None and (link is not None or number in self.pending_number):
                self._return(arrived, number, link)

    def _merge_until(self, moment: float) -> float:
        """Merge the hand-offs made before `moment`; the time of the next one (inf: none)."""
        handoffs = self.handoffs
        while self.merged < len(handoffs) and handoffs[self.merged].at < moment:
            handoff = handoffs[self.merged]
            if handoff.number is not None:
                self.pending_number[handoff.number] = handoff
            self.pending_link[handoff.linked_id] = handoff
            self.merged += 1
        return handoffs[self.merged].at if self.merged < len(handoffs) else float("inf")

    def _return(self, arrived: float, number: str | None, link: str | None) -> None:
        handoff = self.pending_link.pop(link, None) if link is not None else None
        if handoff is None and number is not None:
            handoff = self.pending_number.pop(number, None)
            if handoff is not None and arrived - handoff.at > self.return_window:
                handoff = None
        if handoff is not None:
            handoff.returned = True  # a hand-off already returned stays returned once

    def sort_waits(self) -> None:
        """Sort each scope's waits, then all of them (timsort merges the sorted runs cheaply)."""
        for waits in self.waits.values():
            waits.sort()
        self.all_waits = sorted(itertools.chain.from_iterable(self.waits.values()))

    def figures(self, department: str | None) -> CallerFigures:
        """A department's (None: the switchboard's) answered waits, sorted, and repeat calls."""
        return CallerFigures(self.waits.get(department, []), self.repeats.get(department, 0))

    def all_figures(self) -> CallerFigures:
        return CallerFigures(self.all_waits, sum(self.repeats.values()))
