"""Hand-computed small call logs: every call figure of the report, with the edges."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from callrouter.domain.kpis import KpiSettings, ServiceLevelFormula
from callrouter.reports.model import Figures
from tests.reports.logbuilder import Log, local, new_log


def nine_switchboard_calls(log: Log) -> None:
    """Nine switchboard calls on Monday 2 November 2026, each from its own number."""
    day = (2026, 11, 2)
    log.call(local(*day, 9), "answered", wait=10, rings=2, number="1")  # within 3 rings
    log.call(local(*day, 9, 10), "answered", wait=20, rings=4, number="2")  # within 300 s only
    log.call(local(*day, 9, 20), "answered", wait=400, rings=80, number="3")  # neither
    log.call(local(*day, 10), "abandoned", held=5.0, number="4")  # exactly 5 s: NOT short
    log.call(local(*day, 10, 10), "abandoned", held=4.999, number="5")  # short
    log.call(local(*day, 10, 20), "abandoned", held=30, number="6")  # long
    log.call(local(*day, 7), "closed", number="7")  # before opening: apart, not offered
    log.call(local(*day, 11), "overflowed", number="8")
    log.call(local(*day, 12), "failed", number="9")


def test_switchboard_figures_are_counted_call_by_call(tmp_path: Path) -> None:
    """Supervisors see offered/answered/abandoned, short abandons apart, waits and the SLs."""
    log = new_log(tmp_path)
    nine_switchboard_calls(log)

    figures = log.report().switchboard.figures

    expected = Figures(
        offered=8,
        closed=1,
        answered=3,
        abandoned=3,
        short_abandoned=1,
        long_abandoned=2,
        overflowed=1,
        failed=1,
        downtime_failed=0,
        answered_within_rings=1,
        answered_within_seconds=2,
        service_level_rings=1 / 5,  # (answered 3 + long abandons 2)
        service_level_seconds=2 / 5,
        abandonment_rate=2 / 8,
        asa_seconds=430 / 3,
        median_wait_seconds=20.0,
        p90_wait_seconds=400.0,
        longest_wait_seconds=400.0,
        longest_abandon_seconds=30.0,
        repeat_calls=0,
        repeat_caller_rate=0.0,
    )
    assert expected == figures


@pytest.mark.parametrize(
    ("formula", "rings", "seconds"),
    [
        (ServiceLevelFormula.OFFERED, 1 / 8, 2 / 8),
        (ServiceLevelFormula.ANSWERED, 1 / 3, 2 / 3),
        (ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS, 1 / 5, 2 / 5),
    ],
)
def test_the_configured_formula_picks_the_denominator_and_is_stated(
    tmp_path: Path, formula: ServiceLevelFormula, rings: float, seconds: float
) -> None:
    log = new_log(tmp_path)
    nine_switchboard_calls(log)

    report = log.report(settings=KpiSettings(formula=formula))

    assert (rings, seconds) == (
        report.switchboard.figures.service_level_rings,
        report.switchboard.figures.service_level_seconds,
    )
    assert (formula.value, formula.explanation) == (
        report.method.formula,
        report.method.formula_text,
    )


def test_departments_count_their_direct_line_calls_and_all_calls_adds_up(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    nine_switchboard_calls(log)
    log.call(local(2026, 11, 3, 10), "answered", department="jobcenter", wait=90, rings=18)
    log.call(local(2026, 11, 3, 11), "abandoned", department="jobcenter", held=40)

    report = log.report()

    jobcenter = next(d for d in report.departments if d.scope == "jobcenter")
    assert (2, 1, 1, 1) == (
        jobcenter.figures.offered,
        jobcenter.figures.answered,
        jobcenter.figures.answered_within_seconds,
        jobcenter.figures.long_abandoned,
    )
    assert 0.5 == jobcenter.figures.service_level_seconds
    assert ["jobcenter", "family"] == [d.scope for d in report.departments]
    assert 10 == report.all_calls.figures.offered
    assert 4 == report.all_calls.figures.answered


def test_no_calls_gives_no_figure_rather_than_zero_percent(tmp_path: Path) -> None:
    figures = new_log(tmp_path).report().switchboard.figures

    assert (0, None, None, None, None) == (
        figures.offered,
        figures.service_level_rings,
        figures.abandonment_rate,
        figures.asa_seconds,
        figures.median_wait_seconds,
    )


def test_a_call_belongs_to_the_local_day_it_arrived_even_across_midnight(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.call(local(2026, 11, 30, 23, 59, 50), "answered", wait=30, rings=6)  # answered in Dec
    log.call(local(2026, 10, 31, 23, 59, 59.999), "answered", wait=1, rings=1)  # October
    log.call(local(2026, 11, 1, 0, 0, 0), "answered", wait=1, rings=1)  # first instant of Nov
    log.call(local(2026, 12, 1, 0, 0, 0), "answered", wait=1, rings=1)  # December

    report = log.report("2026-11")

    assert 2 == report.switchboard.figures.offered
    by_day = {b.key: b.offered for b in report.switchboard.by_day if b.offered}
    assert {"2026-11-01": 1, "2026-11-30": 1} == by_day
    assert 30 == len(report.switchboard.by_day)
    assert 1 == report.switchboard.by_hour[23].offered
    assert 1 == report.switchboard.by_hour[0].offered


def test_the_dst_change_keeps_local_hours_and_month_bounds(tmp_path: Path) -> None:
    """25 Oct 2026: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice; both are hour 02."""
    log = new_log(tmp_path)
    first_0230 = local(2026, 10, 25, 2, 30).replace(fold=0)
    second_0230 = local(2026, 10, 25, 2, 30).replace(fold=1)
    assert timedelta(hours=1) == second_0230.astimezone(UTC) - first_0230.astimezone(UTC)
    log.call(first_0230, "answered", wait=5, rings=1, number="1")  # spans the change
    log.call(second_0230, "answered", wait=5, rings=1, number="2")
    log.call(local(2026, 10, 31, 23, 30), "abandoned", held=10, number="3")  # still October
    log.call(local(2026, 10, 1, 0, 0), "abandoned", held=10, number="4")  # first instant

    report = log.report("2026-10")

    assert 4 == report.switchboard.figures.offered
    assert 2 == report.switchboard.by_hour[2].offered
    assert 31 == len(report.switchboard.by_day)
    assert 2 == next(b for b in report.switchboard.by_day if b.key == "2026-10-25").offered
    weekdays = {b.key: b.offered for b in report.switchboard.by_weekday}
    assert {"mon": 0, "tue": 0, "wed": 0, "thu": 1, "fri": 0, "sat": 1, "sun": 2} == weekdays
    length = report.period.end.timestamp() - report.period.start.timestamp()
    assert timedelta(days=31, hours=1).total_seconds() == length


def test_repeat_callers_within_the_window_including_one_just_before_the_period(
    tmp_path: Path,
) -> None:
    log = new_log(tmp_path)
    log.call(local(2026, 10, 31, 12), "answered", wait=5, rings=1, number="111")  # October
    log.call(local(2026, 11, 1, 11), "answered", wait=5, rings=1, number="111")  # repeat (23 h)
    log.call(local(2026, 11, 2, 11), "answered", wait=5, rings=1, number="111")  # exactly 24 h
    log.call(local(2026, 11, 4, 11), "answered", wait=5, rings=1, number="111")  # 48 h: new
    log.call(local(2026, 11, 4, 12), "closed", number="222")  # closed: not a first contact
    log.call(local(2026, 11, 4, 13), "abandoned", held=9, number="222")  # not a repeat
    log.call(local(2026, 11, 4, 14), "abandoned", held=9, number="")  # no number: not counted
    log.call(local(2026, 11, 4, 15), "abandoned", held=9, number="anonymous")

    figures = log.report().switchboard.figures

    assert (2, 2 / 4) == (figures.repeat_calls, figures.repeat_caller_rate)


def test_the_source_option_separates_queue_log_imports_from_routed_calls(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.call(local(2026, 11, 2), "answered", wait=5, rings=1)
    log.call(local(2026, 11, 2), "abandoned", held=20, source="queue_log:sales")
    log.call(local(2026, 11, 2), "abandoned", held=20, source="queue_log:sales")

    def offered(source: str) -> int:
        return log.report(source=source).switchboard.figures.offered

    assert (1, 2, 3) == (offered("callrouter"), offered("queue_log:sales"), offered("all"))


def test_calls_still_in_progress_are_left_out_and_said_so(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.call(local(2026, 11, 2), None)
    log.call(local(2026, 11, 2), "answered", wait=5, rings=1)

    report = log.report()

    assert 1 == report.switchboard.figures.offered
    assert any("1 call(s) of the period had no outcome yet" in note for note in report.notes)
