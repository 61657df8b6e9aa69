"""Small builders for a switchboard as the domain sees it, so tests read like scenarios."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callrouter.domain import events as ev
from callrouter.domain.commands import Command
from callrouter.domain.hours import END_OF_DAY, OpeningHours, TimeRange
from callrouter.domain.model import (
    AfterHoursRoute,
    Department,
    EntryNumber,
    RoutingPolicy,
    Switchboard,
    Target,
    TargetKind,
    Telephonist,
)
from callrouter.domain.router import Router

CPH = ZoneInfo("Europe/Copenhagen")
# Monday 2026-11-23 10:00 in Copenhagen (UTC+1)
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALL_DAY = (TimeRange(time(0, 0), END_OF_DAY),)


def weekly(
    ranges: tuple[TimeRange, ...], days: range = range(7)
) -> dict[int, tuple[TimeRange, ...]]:
    return dict.fromkeys(days, ranges)


def hours(
    start: int, end: int, days: range = range(5), holidays: frozenset[date] = frozenset()
) -> OpeningHours:
    return OpeningHours(weekly((TimeRange(time(start), time(end)),), days), CPH, holidays)


def always_open() -> OpeningHours:
    return OpeningHours(weekly(ALL_DAY), CPH)


def telephonist(
    tid: str, languages: tuple[str, ...] = ("da",), logged_in: bool = True
) -> Telephonist:
    return Telephonist(tid, tid.title(), f"Local/{tid}@phones/n", frozenset(languages), logged_in)


def department(did: str, opening: OpeningHours, announcement: str | None = None) -> Department:
    return Department(
        did, did.title(), f"Local/dept-{did}@departments/n", opening, 60, announcement
    )


CLOSED_ANNOUNCEMENT = AfterHoursRoute("custom/closed")


def switchboard(
    telephonists: tuple[Telephonist, ...] = (telephonist("tel1"), telephonist("tel2")),
    sb_hours: OpeningHours | None = None,
    departments: tuple[Department, ...] = (),
    overflow_to: str | None = "borgerservice",
    max_wait: float = 60.0,
    pause_after: int = 3,
    after_hours: AfterHoursRoute = CLOSED_ANNOUNCEMENT,
) -> Switchboard:
    borgerservice = department("borgerservice", always_open())
    all_departments = (borgerservice, *departments)
    target = None
    if overflow_to is not None:
        chosen = next(d for d in all_departments if d.id == overflow_to)
        target = Target(TargetKind.DEPARTMENT, chosen.id, chosen.function_number)
    entries = (
        EntryNumber("4589151515", None, "da"),
        EntryNumber("4589151516", None, "en"),
        *(EntryNumber(f"dept-{d.id}", d.id) for d in departments),
    )
    policy = RoutingPolicy(5.0, 4, max_wait, pause_after, target, after_hours)
    return Switchboard(sb_hours or always_open(), telephonists, all_departments, entries, policy)


class Scenario:
    """Drives a Router with events at given second offsets and collects the commands."""

    def __init__(self, sb: Switchboard, start: datetime = MONDAY_10) -> None:
        self.start = start
        self.router = Router(sb, start - timedelta(hours=1))
        self.log: list[Command] = []

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def send(self, event: ev.Event) -> list[Command]:
        out = self.router.handle(event)
        self.log.extend(out)
        return out

    def arrive(
        self, call_id: str, t: float = 0, entry: str = "4589151515", name: str = "Søren Ærø"
    ) -> list[Command]:
        return self.send(
            ev.CallArrived(
                call_id, call_id, f"PJSIP/trunk-{call_id}", entry, "004512345678", name, self.at(t)
            )
        )

    def ringing(self, call_id: str, t: float, leg: str = "leg") -> list[Command]:
        return self.send(ev.RingingStarted(call_id, f"Local/{leg}-{call_id}", self.at(t)))

    def ring_ended(self, call_id: str, t: float, result: str) -> list[Command]:
        from callrouter.domain.model import AttemptResult

        return self.send(ev.RingingEnded(call_id, AttemptResult(result), self.at(t)))

    def hangup(self, call_id: str, t: float, cause: int = 16) -> list[Command]:
        return self.send(ev.CallHungUp(call_id, cause, "Normal Clearing", self.at(t)))

    def tick(self, t: float) -> list[Command]:
        return self.send(ev.ClockTicked(self.at(t)))

    def of_type(self, kind: type) -> list[Command]:
        return [c for c in self.log if isinstance(c, kind)]
