"""Properties over random call logs: halves add up, shares stay in 0..1, and the SQL counts agree
with the per-call rules of `KpiSettings` applied call by call."""

from __future__ import annotations

import tempfile
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callrouter.domain.kpis import KpiSettings
from callrouter.domain.model import RoutingPolicy
from callrouter.reports.compute import ReportRequest, build_report
from callrouter.reports.model import Bucket, Figures, Report
from callrouter.reports.period import named_period, range_period
from tests.reports.logbuilder import CPH, DEPARTMENTS, local, new_log

START = local(2026, 10, 1, 0)  # two months, with the DST change of 25 October inside
SPAN_SECONDS = 61 * 86400
KPIS = KpiSettings()
RINGS = RoutingPolicy(ring_cadence_seconds=KPIS.ring_cadence_seconds)

ADDITIVE = (
    "offered",
    "closed",
    "answered",
    "abandoned",
    "short_abandoned",
    "long_abandoned",
    "overflowed",
    "failed",
    "answered_within_rings",
    "answered_within_seconds",
    "repeat_calls",
)

call = st.tuples(
    st.integers(0, SPAN_SECONDS - 1),  # arrival, seconds after START
    st.sampled_from(["answered", "abandoned", "overflowed", "closed", "failed"]),
    st.sampled_from([None, "jobcenter", "family"]),
    st.sampled_from([0.0, 4.999, 5.0, 5.001, 14.9, 15.0, 15.001, 299.999, 300.0, 300.5, 1200.0]),
    st.sampled_from(["11", "22", "33", ""]),
)


def write_log(directory: Path, calls: list[tuple[int, str, str | None, float, str]]) -> Path:
    log = new_log(directory)
    for offset, outcome, department, seconds, number in calls:
        arrived = START + timedelta(seconds=offset)
        if outcome == "answered":
            rings = RINGS.rings_for(seconds)
            log.call(
                arrived, outcome, department=department, wait=seconds, rings=rings, number=number
            )
        else:
            log.call(arrived, outcome, department=department, held=seconds, number=number)
    log.conn.close()
    return log.path


def report(path: Path, period_name: str | None = None) -> Report:
    period = (
        named_period(period_name, CPH)
        if period_name
        else range_period("2026-10-01", "2026-12-01", CPH)
    )
    return build_report(ReportRequest(path, period, KPIS, DEPARTMENTS))


def scopes(r: Report) -> list[Figures]:
    return [r.switchboard.figures, *(d.figures for d in r.departments), r.all_calls.figures]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call, max_size=40))
def test_a_periods_counts_are_the_sum_of_its_halves_and_shares_stay_in_0_1(
    calls: list[tuple[int, str, str | None, float, str]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write_log(Path(directory), calls)
        whole, october, november = report(path), report(path, "2026-10"), report(path, "2026-11")

    for total, first, second in zip(scopes(whole), scopes(october), scopes(november), strict=True):
        for name in ADDITIVE:
            assert getattr(total, name) == getattr(first, name) + getattr(second, name), name
    for figures in scopes(whole):
        for f in fields(figures):
            value = getattr(figures, f.name)
            if f.name.endswith(("_rate", "service_level_rings", "service_level_seconds")):
                assert value is None or 0.0 <= value <= 1.0, f.name
    for bucket in whole.all_calls.by_hour + whole.all_calls.by_day:
        assert_bucket_shares(bucket)
    assert whole.all_calls.figures.offered == sum(b.offered for b in whole.all_calls.by_hour)
    assert whole.all_calls.figures.offered == sum(b.offered for b in whole.all_calls.by_day)


def assert_bucket_shares(bucket: Bucket) -> None:
    for value in (bucket.service_level_rings, bucket.service_level_seconds):
        assert value is None or 0.0 <= value <= 1.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call, max_size=40))
def test_the_report_applies_the_kpi_rules_call_by_call(
    calls: list[tuple[int, str, str | None, float, str]],
) -> None:
    """The counts SQLite makes equal KpiSettings' own rules applied to each call."""
    with tempfile.TemporaryDirectory() as directory:
        figures = report(write_log(Path(directory), calls)).all_calls.figures

    offered = [c for c in calls if c[1] != "closed"]
    answered = [c for c in offered if c[1] == "answered"]
    abandoned = [c for c in offered if c[1] == "abandoned"]
    short = [c for c in abandoned if KPIS.is_short_abandon(c[3])]
    within_rings = [c for c in answered if KPIS.within_rings(RINGS.rings_for(c[3]))]
    within_seconds = [c for c in answered if KPIS.within_seconds(c[3])]
    level = KPIS.service_level(
        len(within_rings), len(offered), len(answered), len(abandoned) - len(short)
    )
    assert (
        len(offered),
        len(answered),
        len(short),
        len(within_rings),
        len(within_seconds),
        level,
    ) == (
        figures.offered,
        figures.answered,
        figures.short_abandoned,
        figures.answered_within_rings,
        figures.answered_within_seconds,
        figures.service_level_rings,
    )
