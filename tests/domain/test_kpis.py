"""The per-call KPI rules shared by the reports and the live wallboard."""

from __future__ import annotations

import pytest

from callrouter.domain.kpis import KpiSettings, Metric, ServiceLevelFormula, Target


def test_an_abandon_exactly_at_the_threshold_is_not_short() -> None:
    """A caller who waited the full 5 s counts as lost, not as a mis-dial."""
    settings = KpiSettings(short_abandon_seconds=5.0)
    assert (True, False, False) == (
        settings.is_short_abandon(4.999),
        settings.is_short_abandon(5.0),
        settings.is_short_abandon(5.001),
    )


def test_answered_on_the_third_ring_is_within_three_rings() -> None:
    settings = KpiSettings(answer_within_rings=3)
    assert (True, False) == (settings.within_rings(3), settings.within_rings(4))


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        (ServiceLevelFormula.OFFERED, 8 / 12),
        (ServiceLevelFormula.ANSWERED, 8 / 10),
        (ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS, 8 / 11),
    ],
)
def test_each_formula_divides_by_its_own_denominator(
    formula: ServiceLevelFormula, expected: float
) -> None:
    """12 offered, 10 answered (8 within target), 1 short and 1 long abandon."""
    settings = KpiSettings(formula=formula)
    assert expected == settings.service_level(within=8, offered=12, answered=10, long_abandons=1)


def test_no_calls_means_no_service_level_rather_than_zero_or_full() -> None:
    assert None is KpiSettings().service_level(0, 0, 0, 0)


def test_a_target_is_met_at_its_bound_and_unknown_without_a_figure() -> None:
    floor = Target(Metric.SERVICE_LEVEL_RINGS, "switchboard", at_least=0.9)
    ceiling = Target(Metric.ABANDONMENT_RATE, "departments", at_most=0.1)
    assert (True, False, None) == (floor.met_by(0.9), floor.met_by(0.89), floor.met_by(None))
    assert (True, False) == (ceiling.met_by(0.1), ceiling.met_by(0.11))
