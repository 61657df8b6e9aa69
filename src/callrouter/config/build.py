"""Turning a checked document into the domain's objects (Switchboard, hours, targets)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from callrouter.config.panel import build_panel
from callrouter.config.schema import (
    ClosureSection,
    DepartmentSection,
    Document,
    FreeSwitchPbxSection,
    HolidaysSection,
    KpiSection,
    PbxSection,
    TargetSection,
)
from callrouter.config.types import AppConfig, Calendar, Lines, PbxSettings
from callrouter.config.values import SWITCHBOARD, days_of
from callrouter.config.web import build_web
from callrouter.domain import kpis
from callrouter.domain.hours import Closure, OpeningHours, TimeRange
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


def build_app_config(document: Document, path: Path, lines: Lines) -> AppConfig:
    base, zone = path.parent.absolute(), ZoneInfo(document.timezone)
    cache: dict[tuple[str, str | None], Container[date]] = {}
    board = document.switchboard
    departments = tuple(
        _department(d, zone, _calendar(d.holidays or board.holidays, cache))
        for d in document.departments
    )
    switchboard = Switchboard(
        hours=_hours(board.hours, zone, _calendar(board.holidays, cache), board.closures),
        telephonists=tuple(
            Telephonist(t.id, t.name, t.dial, frozenset(t.languages), t.logged_in)
            for t in document.telephonists
        ),
        departments=departments,
        entries=tuple(
            EntryNumber(e.number, None if e.route == SWITCHBOARD else e.route, e.language)
            for e in document.entries
        ),
        policy=_policy(document, {d.id: d for d in departments}),
    )
    return AppConfig(
        source=path,
        timezone=document.timezone,
        pbx=_pbx(document.pbx, base, str(path), lines),
        database=base / document.database,
        log_format=document.logging.format,
        log_level=document.logging.level,
        switchboard=switchboard,
        kpis=_kpis(document.kpis, document.ring_cadence_seconds),
        panel=build_panel(document.panel),
        web=build_web(document.web, base),
    )


def _pbx(
    section: PbxSection | FreeSwitchPbxSection, base: Path, file: str, lines: Lines
) -> PbxSettings:
    if isinstance(section, FreeSwitchPbxSection):
        return _freeswitch(section, base, file, lines)
    secret_file = None if section.secret_file is None else base / section.secret_file
    key = "secret_env" if section.secret_env is not None else "secret_file"
    return PbxSettings(
        kind=section.kind,
        username=section.username,
        secret_env=section.secret_env,
        secret_file=secret_file,
        host=section.host,
        port=section.port,
        origin=file,
        origin_line=lines.get(("pbx", key)),
    )


def _freeswitch(section: FreeSwitchPbxSection, base: Path, file: str, lines: Lines) -> PbxSettings:
    """The ESL password is kept where the AMI secret is (`secret_env` / `secret_file`)."""
    password_file = None if section.password_file is None else base / section.password_file
    key = "password_env" if section.password_env is not None else "password_file"
    return PbxSettings(
        kind=section.kind,
        username="",
        secret_env=section.password_env,
        secret_file=password_file,
        host=section.host,
        port=section.port,
        inbound_context=section.inbound_context,
        origin=file,
        origin_line=lines.get(("pbx", key)),
    )


def _calendar(
    section: HolidaysSection | None, cache: dict[tuple[str, str | None], Container[date]]
) -> Calendar:
    """The country's holidays (a lazily growing calendar) and the extra closed dates."""
    if section is None:
        return frozenset(), frozenset()
    key = (section.country, section.subdivision)
    if key not in cache:
        cache[key] = holidays.country_holidays(section.country, subdiv=section.subdivision)
    return cache[key], frozenset(section.extra_closed)


def _hours(
    hours: Mapping[str, list[TimeRange]],
    zone: ZoneInfo,
    calendar: Calendar,
    closures: Iterable[ClosureSection],
) -> OpeningHours:
    weekly = {
        day: tuple(sorted(ranges, key=lambda r: r.start))
        for key, ranges in hours.items()
        for day in days_of(key)
    }
    closed = tuple(Closure(c.start, c.end, c.note) for c in closures)
    return OpeningHours(weekly, zone, calendar[0], calendar[1], closed)


def _department(section: DepartmentSection, zone: ZoneInfo, calendar: Calendar) -> Department:
    return Department(
        id=section.id,
        name=section.name,
        function_number=section.function_number,
        hours=_hours(section.hours, zone, calendar, section.closures),
        ring_seconds=section.ring_seconds,
        closed_announcement=section.closed_announcement,
        tasks=tuple(section.tasks),
    )


def _policy(document: Document, departments: Mapping[str, Department]) -> RoutingPolicy:
    routing = document.routing
    return RoutingPolicy(
        ring_cadence_seconds=document.ring_cadence_seconds,
        rings_per_attempt=routing.rings_per_attempt,
        max_wait_seconds=routing.max_wait_seconds,
        pause_after_misses=routing.pause_after_misses,
        overflow_target=_target(routing.overflow_target, departments),
        after_hours=AfterHoursRoute(
            routing.after_hours.announcement, _target(routing.after_hours.target, departments)
        ),
    )


def _target(section: TargetSection | None, departments: Mapping[str, Department]) -> Target | None:
    if section is None:
        return None
    if section.dial is not None:
        return Target(TargetKind.DIAL, section.name or section.dial, section.dial)
    department = departments[str(section.department)]
    return Target(TargetKind.DEPARTMENT, department.id, department.function_number)


def _kpis(section: KpiSection, cadence: float) -> kpis.KpiSettings:
    targets = (
        kpis.DEFAULT_TARGETS
        if section.targets is None
        else tuple(
            kpis.Target(t.metric, t.scope, t.at_least, t.at_most, t.source or "")
            for t in section.targets
        )
    )
    return kpis.KpiSettings(
        ring_cadence_seconds=cadence,
        answer_within_rings=section.answer_within_rings,
        answer_within_seconds=section.answer_within_seconds,
        short_abandon_seconds=section.short_abandon_seconds,
        formula=section.service_level_formula,
        repeat_window_seconds=section.repeat_caller_window_hours * 3600,
        telephonist_names=section.telephonist_names,
        targets=targets,
    )
