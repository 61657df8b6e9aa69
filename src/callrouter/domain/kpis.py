"""What the service KPIs mean: the settings, the targets, and the per-call rules both the reports
and the live wallboard apply. Pure: no I/O, no clock.

One definition of each rule lives here so a report over last month and the wallboard today count a
call the same way:

- A call is *answered within N rings* when it was answered and its rings heard (ceil(wait ÷
  cadence), see `RoutingPolicy.rings_for`) are at most N.
- An abandon is *short* when the caller waited less than `short_abandon_seconds`; a wait exactly
  at the threshold is not short.
- The service level is answered-within ÷ a denominator chosen by `ServiceLevelFormula`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ServiceLevelFormula(enum.StrEnum):
    """The denominator of the service level (the report states which one it used)."""

    OFFERED = "offered"  # answered within ÷ offered (every call that arrived while open)
    ANSWERED = "answered"  # answered within ÷ answered
    ANSWERED_AND_LONG_ABANDONS = "answered_and_long_abandons"  # ÷ (answered + non-short abandons)

    @property
    def explanation(self) -> str:
        return {
            ServiceLevelFormula.OFFERED: "answered within target ÷ offered",
            ServiceLevelFormula.ANSWERED: "answered within target ÷ answered",
            ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS: (
                "answered within target ÷ (answered + abandoned after the short-abandon threshold)"
            ),
        }[self]


class Metric(enum.StrEnum):
    """The figures a target can be set on."""

    SERVICE_LEVEL_RINGS = "service_level_rings"  # share answered within `answer_within_rings`
    SERVICE_LEVEL_SECONDS = "service_level_seconds"  # share answered within the seconds limit
    ABANDONMENT_RATE = "abandonment_rate"  # non-short abandons ÷ offered ("lost")
    REPEAT_CALLER_RATE = "repeat_caller_rate"  # calls from a number seen within the window


class Scope(enum.StrEnum):
    """Which calls a target is measured on; a department id is also accepted (`Target.scope`)."""

    SWITCHBOARD = "switchboard"  # calls to a switchboard entry number
    DEPARTMENTS = "departments"  # each department on its own (every one must meet it)
    ALL = "all"  # every call


@dataclass(frozen=True)
class Target:
    """A published service target, e.g. Luleå SM1: service_level_rings ≥ 0.90 at the switchboard."""

    metric: Metric
    scope: str  # a Scope value or a department id
    at_least: float | None = None  # a share 0..1: met when the figure is >= this
    at_most: float | None = None  # ... or met when the figure is <= this
    source: str = ""  # where the target comes from, shown in reports ("Luleå SM1")

    def met_by(self, figure: float | None) -> bool | None:
        """Whether `figure` meets the target; None when there is no figure (no calls)."""
        if figure is None:
            return None
        if self.at_least is not None:
            return figure >= self.at_least
        return self.at_most is not None and figure <= self.at_most


DEFAULT_TARGETS = (
    Target(Metric.SERVICE_LEVEL_RINGS, Scope.SWITCHBOARD, at_least=0.90, source="Luleå SM1"),
    Target(Metric.SERVICE_LEVEL_SECONDS, Scope.DEPARTMENTS, at_least=0.90, source="Luleå SM2"),
    Target(Metric.ABANDONMENT_RATE, Scope.DEPARTMENTS, at_most=0.10, source="Luleå SM3"),
)


@dataclass(frozen=True)
class KpiSettings:
    ring_cadence_seconds: float = 5.0  # the top-level `ring_cadence_seconds`
    answer_within_rings: int = 3  # Luleå SM1: 3 rings
    answer_within_seconds: float = 300.0  # Luleå SM2: 5 minutes (customer service)
    short_abandon_seconds: float = 5.0
    formula: ServiceLevelFormula = ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS
    repeat_window_seconds: float = 24 * 3600.0
    telephonist_names: bool = False  # False: reports pseudonymise telephonists
    targets: tuple[Target, ...] = DEFAULT_TARGETS

    def is_short_abandon(self, wait_seconds: float) -> bool:
        return wait_seconds < self.short_abandon_seconds

    def within_rings(self, rings_heard: int) -> bool:
        return rings_heard <= self.answer_within_rings

    def within_seconds(self, wait_seconds: float) -> bool:
        return wait_seconds <= self.answer_within_seconds

    def service_level(
        self, within: int, offered: int, answered: int, long_abandons: int
    ) -> float | None:
        """answered-within ÷ the formula's denominator; None when the denominator is 0."""
        denominator = {
            ServiceLevelFormula.OFFERED: offered,
            ServiceLevelFormula.ANSWERED: answered,
            ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS: answered + long_abandons,
        }[self.formula]
        return within / denominator if denominator else None
