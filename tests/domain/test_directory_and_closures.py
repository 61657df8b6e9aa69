"""The department directory and runtime closures: what a telephonist sees, what routing does."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

from callrouter.domain import events as ev
from callrouter.domain.commands import PlayAnnouncementAndHangUp, RecordControllerEvent
from callrouter.domain.directory import search
from callrouter.domain.hours import Closure, OpeningHours, TimeRange
from callrouter.domain.model import Department
from tests.domain.builders import CPH, MONDAY_10, Scenario, always_open, department, switchboard
from tests.domain.test_routing import rung


def weekdays(start: int, end: int) -> OpeningHours:
    return OpeningHours({d: (TimeRange(time(start), time(end)),) for d in range(5)}, CPH)


JOBCENTER = dataclasses.replace(
    department("jobcenter", weekdays(9, 15)), name="Jobcenter", tasks=("unemployment", "job")
)
CEMETERY = dataclasses.replace(
    department("cemetery", weekdays(8, 9)), name="Cemetery office", tasks=("burial", "graves")
)


def hours_of(departments: tuple[Department, ...]) -> dict[str, OpeningHours]:
    return {d.id: d.hours for d in departments}


def test_directory_search_finds_a_department_by_a_task_word() -> None:
    found = search(
        (JOBCENTER, CEMETERY), hours_of((JOBCENTER, CEMETERY)).__getitem__, "GRAVE", MONDAY_10
    )
    assert ["cemetery"] == [e.id for e in found]


def test_directory_shows_open_now_todays_hours_and_the_next_opening() -> None:
    departments = (JOBCENTER, CEMETERY)
    [cemetery, jobcenter] = search(departments, hours_of(departments).__getitem__, "", MONDAY_10)
    assert (True, "09:00-15:00", None) == (
        jobcenter.open_now,
        jobcenter.today_hours,
        jobcenter.next_opening,
    )
    tuesday_8 = datetime(2026, 11, 24, 8, 0, tzinfo=CPH)
    assert (False, "08:00-09:00", tuesday_8) == (
        cemetery.open_now,
        cemetery.today_hours,
        cemetery.next_opening,
    )


def test_a_closure_shows_in_the_directory_and_the_department_reopens_when_it_ends() -> None:
    meeting = Closure(MONDAY_10 - timedelta(minutes=5), MONDAY_10 + timedelta(hours=2), "meeting")
    hours = JOBCENTER.hours.with_closure(meeting)
    [entry] = search((JOBCENTER,), {"jobcenter": hours}.__getitem__, "job", MONDAY_10)
    assert (False, MONDAY_10 + timedelta(hours=2), (meeting,)) == (
        entry.open_now,
        entry.next_opening,
        entry.closures,
    )


def test_next_opening_skips_the_weekend() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=CPH)
    assert datetime(2026, 11, 30, 9, 0, tzinfo=CPH) == JOBCENTER.hours.next_opening(friday_evening)


def registered(scope: str, s: Scenario, start: float, end: float) -> ev.ClosureRegistered:
    return ev.ClosureRegistered(
        "closure-1", scope, s.at(start), s.at(end), "all at a meeting", "sup", s.at(0)
    )


def test_a_registered_department_closure_sends_its_callers_to_the_switchboard_at_once() -> None:
    s = Scenario(switchboard(departments=(department("jobcenter", always_open()),)))
    logged = s.send(registered("jobcenter", s, -60, 3600))
    assert "closure_registered" == logged[0].kind  # type: ignore[union-attr]
    assert ["tel1"] == rung(s.arrive("c1", entry="dept-jobcenter"))


def test_a_cancelled_closure_sends_callers_to_the_department_again() -> None:
    s = Scenario(switchboard(departments=(department("jobcenter", always_open()),)))
    s.send(registered("jobcenter", s, -60, 3600))
    s.send(ev.ClosureCancelled("closure-1", "jobcenter", "sup", s.at(1)))
    assert ["jobcenter"] == rung(s.arrive("c1", 2, entry="dept-jobcenter"))


def test_a_switchboard_closure_takes_new_callers_to_the_after_hours_route() -> None:
    s = Scenario(switchboard())
    s.send(registered("switchboard", s, 0, 600))
    out = s.arrive("c1", 1)
    assert [PlayAnnouncementAndHangUp] == [
        type(c) for c in out if isinstance(c, PlayAnnouncementAndHangUp)
    ]


def test_a_closure_for_an_unknown_department_is_logged_and_changes_nothing() -> None:
    s = Scenario(switchboard())
    [logged] = s.send(registered("nowhere", s, 0, 600))
    assert isinstance(logged, RecordControllerEvent)
    assert "closure_refused" == logged.kind
