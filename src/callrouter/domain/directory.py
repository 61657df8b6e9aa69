"""The department directory for telephonists: search by department or task, with live hours.

Pure: the caller passes the live opening hours (including runtime closures) and the time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from callrouter.domain.hours import Closure, OpeningHours
from callrouter.domain.model import Department


@dataclass(frozen=True)
class DirectoryEntry:
    id: str
    name: str
    function_number: str
    tasks: tuple[str, ...]
    open_now: bool
    today_hours: str  # e.g. "09:00-15:00" or "closed"
    next_opening: datetime | None  # None while open now (or nothing within two weeks)
    closures: tuple[Closure, ...]  # temporary closures in force now or still to come


def matches(department: Department, query: str) -> bool:
    """Every word of the query is found in the department's name, id or one of its tasks."""
    haystack = " ".join((department.name, department.id, *department.tasks)).casefold()
    return all(word in haystack for word in query.casefold().split())


def _rank(department: Department, query: str) -> tuple[int, str]:
    """Departments whose name matches the query come before those that match by a task."""
    words = query.casefold().split()
    by_name = all(w in f"{department.name} {department.id}".casefold() for w in words)
    return (0 if by_name else 1, department.name.casefold())


def search(
    departments: Iterable[Department],
    hours_of: Callable[[str], OpeningHours],
    query: str,
    now: datetime,
) -> list[DirectoryEntry]:
    """The departments matching `query` (all for an empty query), name matches first."""
    found = sorted((d for d in departments if matches(d, query)), key=lambda d: _rank(d, query))
    return [entry_for(d, hours_of(d.id), now) for d in found]


def entry_for(department: Department, hours: OpeningHours, now: datetime) -> DirectoryEntry:
    return DirectoryEntry(
        id=department.id,
        name=department.name,
        function_number=department.function_number,
        tasks=department.tasks,
        open_now=hours.is_open(now),
        today_hours=hours.describe_day(now.astimezone(hours.tz).date()),
        next_opening=hours.next_opening(now),
        closures=hours.closures_from(now),
    )
