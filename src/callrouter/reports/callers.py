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
    repeat_window: float
    return_window: float
    handoffs: list[Handoff]
    last_seen: dict[str, float] = field(default_factory=dict)
    waits: dict[str, list[float]] = field(default_factory=dict)
    repeats: dict[str, int] = field(default_factory=dict)
    numbered: dict[str, int] = field(default_factory=dict)
    by_number: dict[str, list[Handoff]] = field(default_factory=dict)
    by_link: dict[str, list[Handoff]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for handoff in self.handoffs:  # in time order
            if handoff.number is not None:
                self.by_number.setdefault(handoff.number, []).append(handoff)
            self.by_link.setdefault(handoff.linked_id, []).append(handoff)

    def remember(self, rows: Iterable[CallerRow]) -> None:
        """Calls before the period: only when each number last called."""
        last_seen = self.last_seen
        for arrived, number, _, _, _ in rows:
            if number is not None:
                last_seen[number] = arrived

    def count(self, rows: Iterable[CallerRow]) -> None:
        """The period's calls: waits, repeats and returns."""
        last_seen, window = self.last_seen, self.repeat_window
        waits, repeats, numbered = self.waits, self.repeats, self.numbered
        for row in rows:
            arrived, number, department, wait, link = row
            scope = department or ""
            if wait is not None:
                if scope in waits:
                    waits[scope].append(wait)
                else:
                    waits[scope] = [wait]
            if number is not None:
                numbered[scope] = numbered.get(scope, 0) + 1
                previous = last_seen.get(number)
                if previous is not None and arrived - previous <= window:
                    repeats[scope] = repeats.get(scope, 0) + 1
                last_seen[number] = arrived
            if department is None and (number in self.by_number or link is not None):
                self._return(arrived, number, link)

    def returns_after(self, rows: Iterable[CallerRow]) -> None:
        """Calls after the period: only returns of the period's hand-offs."""
        for arrived, number, department, _, link in rows:
            if department is None and (number in self.by_number or link is not None):
                self._return(arrived, number, link)

    def _return(self, arrived: float, number: str | None, link: str | None) -> None:
        handoff = _latest_before(self.by_link.get(link, []) if link else [], arrived)
        if handoff is None and number is not None:
            handoff = _latest_before(self.by_number.get(number, []), arrived)
            if handoff is not None and arrived - handoff.at > self.return_window:
                handoff = None
        if handoff is not None:
            handoff.returned = True

    def figures(self, scope: str) -> CallerFigures:
        waits = sorted(self.waits.get(scope, []))
        return CallerFigures(waits, self.repeats.get(scope, 0), self.numbered.get(scope, 0))

    def all_figures(self) -> CallerFigures:
        waits = sorted(w for scope_waits in self.waits.values() for w in scope_waits)
        return CallerFigures(waits, sum(self.repeats.values()), sum(self.numbered.values()))


def _latest_before(handoffs: list[Handoff], moment: float) -> Handoff | None:
    """The most recent hand-off strictly before `moment`, unless it was already returned."""
    for handoff in reversed(handoffs):
        if handoff.at < moment:
            return None if handoff.returned else handoff
    return None
