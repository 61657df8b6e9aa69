"""What the router knows about people, departments and entry numbers (built from the config)."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from callrouter.domain.hours import OpeningHours


class Outcome(enum.StrEnum):
    ANSWERED = "answered"  # a telephonist (or the department rung for it) answered
    ABANDONED = "abandoned"  # the caller hung up before anybody answered
    # handed to a function number because the switchboard could not take the call
    OVERFLOWED = "overflowed"
    CLOSED = "closed"  # arrived while closed; took the after-hours route
    FAILED = "failed"  # the PBX or the controller failed the call (restart, lost channel, error)


class AttemptResult(enum.StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"  # rang for the full ring time
    BUSY = "busy"
    UNAVAILABLE = "unavailable"  # CHANUNAVAIL / CONGESTION: the phone could not be reached
    CALLER_HUNG_UP = "caller_hung_up"  # the caller gave up while this attempt rang
    FAILED = "failed"  # the PBX refused the command, or the attempt was lost


class TargetKind(enum.StrEnum):
    TELEPHONIST = "telephonist"
    DEPARTMENT = "department"
    DIAL = "dial"  # a plain dial string (overflow / after-hours target that is not a department)


class OverflowReason(enum.StrEnum):
    WAIT_LIMIT = "wait_limit"  # waited longer than routing.max_wait_seconds
    NO_TELEPHONIST = "no_telephonist_logged_in"
    AFTER_HOURS = "after_hours"


class Presence(enum.StrEnum):
    AVAILABLE = "available"
    PAUSED = "paused"
    LOGGED_OUT = "logged_out"


@dataclass(frozen=True)
class Telephonist:
    id: str
    name: str
    dial: str  # PBX dial string, validated: e.g. PJSIP/1001 or Local/tel1@phones/n
    languages: frozenset[str] = frozenset()
    logged_in_at_start: bool = True


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    function_number: str  # dial string
    hours: OpeningHours
    ring_seconds: int = 120
    closed_announcement: str | None = None  # a recording that tells the department's hours
    tasks: tuple[str, ...] = ()  # what the department handles, for the directory search


@dataclass(frozen=True)
class Target:
    """Where a call is handed off to: a department's function number or a plain dial string."""

    kind: TargetKind
    name: str
    dial: str


@dataclass(frozen=True)
class EntryNumber:
    number: str
    department: str | None = None  # None: the switchboard
    language: str | None = None


@dataclass(frozen=True)
class AfterHoursRoute:
    announcement: str | None  # recording name played (no menu) before hang-up
    target: Target | None = None  # optional: hand off instead (e.g. an emergency duty line)


@dataclass(frozen=True)
class RoutingPolicy:
    ring_cadence_seconds: float = 5.0
    rings_per_attempt: int = 4
    max_wait_seconds: float = 120.0
    pause_after_misses: int = 3
    overflow_target: Target | None = None
    after_hours: AfterHoursRoute = AfterHoursRoute(announcement=None)

    @property
    def ring_seconds(self) -> int:
        return max(1, math.ceil(self.rings_per_attempt * self.ring_cadence_seconds))

    def rings_for(self, seconds: float) -> int:
        """The rings a caller heard in `seconds`: ring N starts at (N-1) x cadence."""
        if seconds <= 0:
            return 0
        return math.ceil(round(seconds / self.ring_cadence_seconds, 9))


@dataclass(frozen=True)
class Switchboard:
    hours: OpeningHours
    telephonists: tuple[Telephonist, ...]
    departments: tuple[Department, ...]
    entries: tuple[EntryNumber, ...]
    policy: RoutingPolicy

    def department(self, department_id: str) -> Department:
        return next(d for d in self.departments if d.id == department_id)

    def knows_entry(self, number: str) -> bool:
        return any(e.number == number for e in self.entries)

    def entry(self, number: str) -> EntryNumber:
        """Unknown entry numbers go to the switchboard: never strand a caller."""
        return next((e for e in self.entries if e.number == number), EntryNumber(number))
