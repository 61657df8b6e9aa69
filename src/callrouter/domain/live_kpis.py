"""Service figures over a sliding window of ended calls, for /metrics and the wallboard. Pure.

The per-call rules (rings within, short abandons, the formula) are `KpiSettings`'s; this only
keeps the ended calls and counts them against the configured targets. A call counts when it
ends, at its end time; calls that arrived while closed are not offered. Status colours: green
meets the target; amber misses it by at most `AMBER_POINTS` (5 percentage points); red is worse.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from callrouter.domain.kpis import KpiSettings, Metric, Scope, Target
from callrouter.domain.model import Outcome

AMBER_POINTS = 0.05
KEEP = timedelta(hours=25)  # enough for "today" in any time zone
LIVE_METRICS = (Metric.SERVICE_LEVEL_RINGS, Metric.SERVICE_LEVEL_SECONDS, Metric.ABANDONMENT_RATE)


class Status(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_CALLS = "no_calls"


@dataclass(frozen=True)
class FinishedCall:
    ended_at: datetime
    route: str | None  # the department of the number dialled; None: the switchboard
    outcome: Outcome
    waited_seconds: float  # until the answer, or until the caller hung up
    rings_heard: int | None = None  # answered calls: rings before the answer


@dataclass(frozen=True)
class TargetFigure:
    target: Target
    figure: float | None  # None: no calls to measure
    status: Status
    offered: int


@dataclass(frozen=True)
class Counts:
    offered: int
    answered: int
    abandoned: int
    overflowed: int


def status_of(target: Target, figure: float | None) -> Status:
    met = target.met_by(figure)
    if met is None or figure is None:
        return Status.NO_CALLS
    if met:
        return Status.GREEN
    if target.at_least is not None:
        near = figure >= target.at_least - AMBER_POINTS - 1e-9
    else:
        near = target.at_most is not None and figure <= target.at_most + AMBER_POINTS + 1e-9
    return Status.AMBER if near else Status.RED


def in_scope(scope: str, route: str | None) -> bool:
    if scope == Scope.ALL:
        return True
    if scope == Scope.SWITCHBOARD:
        return route is None
    if scope == Scope.DEPARTMENTS:
        return route is not None  # pooled over the departments
    return route == scope


class LiveKpis:
    def __init__(self, settings: KpiSettings) -> None:
        self.settings = settings
        self.calls: deque[FinishedCall] = deque()

    @property
    def targets(self) -> tuple[Target, ...]:
        return tuple(t for t in self.settings.targets if t.metric in LIVE_METRICS)

    def add(self, call: FinishedCall) -> None:
        self.calls.append(call)
        while self.calls and self.calls[0].ended_at < call.ended_at - KEEP:
            self.calls.popleft()

    def seed(self, earlier: list[FinishedCall]) -> None:
        """Calls that ended before the live feed began (read from the call log at start)."""
        first = self.calls[0].ended_at if self.calls else None
        for call in sorted(earlier, key=lambda c: c.ended_at, reverse=True):
            if first is None or call.ended_at < first:
                self.calls.appendleft(call)

    def since(self, start: datetime) -> list[FinishedCall]:
        return [c for c in self.calls if c.ended_at >= start and c.outcome is not Outcome.CLOSED]

    def figures(self, start: datetime) -> list[TargetFigure]:
        """Each live target measured on the calls that ended from `start` on."""
        calls = self.since(start)
        out = []
        for target in self.targets:
            scoped = [c for c in calls if in_scope(target.scope, c.route)]
            figure = self._figure(target.metric, scoped)
            out.append(TargetFigure(target, figure, status_of(target, figure), len(scoped)))
        return out

    def counts(self, start: datetime) -> Counts:
        calls = self.since(start)
        of = [c.outcome for c in calls]
        return Counts(len(of), of.count(Outcome.ANSWERED), of.count(Outcome.ABANDONED),
                      of.count(Outcome.OVERFLOWED))  # fmt: skip

    def _figure(self, metric: Metric, calls: list[FinishedCall]) -> float | None:
        rules = self.settings
        answered = [c for c in calls if c.outcome is Outcome.ANSWERED]
        long_abandons = sum(
            1
            for c in calls
            if c.outcome is Outcome.ABANDONED and not rules.is_short_abandon(c.waited_seconds)
        )
        if metric is Metric.ABANDONMENT_RATE:
            return long_abandons / len(calls) if calls else None
        if metric is Metric.SERVICE_LEVEL_RINGS:
            within = sum(1 for c in answered if rules.within_rings(c.rings_heard or 0))
        else:
            within = sum(1 for c in answered if rules.within_seconds(c.waited_seconds))
        return rules.service_level(within, len(calls), len(answered), long_abandons)
