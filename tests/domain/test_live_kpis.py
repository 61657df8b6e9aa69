"""The live KPI window behind /metrics and the wallboard: colours, scopes, windows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callrouter.domain.kpis import KpiSettings, Metric, Target
from callrouter.domain.live_kpis import FinishedCall, LiveKpis, Status, status_of
from callrouter.domain.model import Outcome
from tests.domain.builders import MONDAY_10

SM1 = Target(Metric.SERVICE_LEVEL_RINGS, "switchboard", at_least=0.90)
SM3 = Target(Metric.ABANDONMENT_RATE, "departments", at_most=0.10)


@pytest.mark.parametrize(
    ("target", "figure", "expected"),
    [
        (SM1, 0.90, Status.GREEN),
        (SM1, 0.85, Status.AMBER),  # exactly 5 points short is still amber
        (SM1, 0.849, Status.RED),
        (SM1, None, Status.NO_CALLS),
        (SM3, 0.10, Status.GREEN),
        (SM3, 0.15, Status.AMBER),
        (SM3, 0.151, Status.RED),
    ],
)
def test_green_meets_amber_is_within_five_points_red_is_worse(
    target: Target, figure: float | None, expected: Status
) -> None:
    assert expected == status_of(target, figure)


def ended(minutes_ago: float, outcome: Outcome, waited: float, rings: int | None = None,
          route: str | None = None) -> FinishedCall:  # fmt: skip
    return FinishedCall(MONDAY_10 - timedelta(minutes=minutes_ago), route, outcome, waited, rings)


def test_each_target_counts_only_its_scope_and_closed_calls_are_not_offered() -> None:
    kpis = LiveKpis(KpiSettings())
    for call in (
        ended(10, Outcome.ANSWERED, 6, 2),  # switchboard, within 3 rings
        ended(9, Outcome.ANSWERED, 30, 6, route="jobcenter"),  # a department: within 5 min
        ended(8, Outcome.ABANDONED, 40, route="jobcenter"),  # lost at a department
        ended(7, Outcome.CLOSED, 0),  # after hours: not offered
    ):
        kpis.add(call)
    figures = {(f.target.metric, f.target.scope): (f.figure, f.offered)
               for f in kpis.figures(MONDAY_10 - timedelta(hours=1))}  # fmt: skip
    assert {
        (Metric.SERVICE_LEVEL_RINGS, "switchboard"): (1.0, 1),
        (Metric.SERVICE_LEVEL_SECONDS, "departments"): (0.5, 2),
        (Metric.ABANDONMENT_RATE, "departments"): (0.5, 2),
    } == figures


def test_calls_from_the_log_are_put_before_the_live_ones_without_doubles() -> None:
    kpis = LiveKpis(KpiSettings())
    kpis.add(ended(1, Outcome.ANSWERED, 6, 2))
    kpis.seed([ended(30, Outcome.ABANDONED, 40), ended(1, Outcome.ANSWERED, 6, 2),
               ended(20, Outcome.ANSWERED, 6, 2)])  # fmt: skip
    assert [30, 20, 1] == [round((MONDAY_10 - c.ended_at).total_seconds() / 60) for c in kpis.calls]
    assert 2 == kpis.counts(MONDAY_10 - timedelta(minutes=25)).offered
