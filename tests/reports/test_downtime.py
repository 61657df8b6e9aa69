"""PBX downtime from the controller's events, honest about unknown ends; calls it cut off."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.reports.logbuilder import Log, local, new_log


def intervals(log: Log, now: datetime | None = None) -> list[tuple[object, ...]]:
    report = log.report(now=now)
    return [
        (i.cause, i.start, i.last_seen_up, i.end, i.seconds, i.at_most_seconds, i.seconds_in_period)
        for i in report.downtime.intervals
    ]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def test_a_lost_pbx_link_and_a_clean_restart_are_intervals_with_their_length(
    tmp_path: Path,
) -> None:
    log = new_log(tmp_path)
    log.event(local(2026, 10, 30, 8), "controller_started", "controller")
    log.event(local(2026, 10, 30, 8, 0, 1), "pbx_connected")
    log.event(local(2026, 11, 2, 9), "pbx_disconnected", detail="EOF")
    log.event(local(2026, 11, 2, 9, 2), "pbx_connected")
    log.event(local(2026, 11, 3, 18), "controller_stopped", "controller")
    log.event(local(2026, 11, 3, 18, 30), "controller_started", "controller")
    log.event(local(2026, 11, 3, 18, 30, 2), "pbx_connected")

    report = log.report()

    assert [
        ("pbx_disconnected", utc(local(2026, 11, 2, 9)), utc(local(2026, 11, 2, 9, 2)), 120.0),
        (
            "controller_stopped",
            utc(local(2026, 11, 3, 18)),
            utc(local(2026, 11, 3, 18, 30, 2)),
            1802.0,
        ),
    ] == [(i.cause, i.start, i.end, i.seconds) for i in report.downtime.intervals]
    assert (1922.0, 0) == (
        report.downtime.known_seconds,
        report.downtime.intervals_with_unknown_bounds,
    )


def test_a_controller_that_died_without_a_trace_has_an_unknown_start(tmp_path: Path) -> None:
    """Killed: no controller_stopped. The start is unknown; the last sign of life bounds it."""
    log = new_log(tmp_path)
    log.event(local(2026, 11, 2, 8), "controller_started", "controller")
    log.event(local(2026, 11, 2, 8, 0, 1), "pbx_connected")
    log.call(local(2026, 11, 2, 9, 15), "answered", wait=5, rings=1)  # last sign of life
    log.event(local(2026, 11, 2, 10), "controller_started", "controller")
    log.event(local(2026, 11, 2, 10, 0, 1), "pbx_connected")

    [_, died] = intervals(log)

    assert (
        "not_logged",
        None,
        utc(local(2026, 11, 2, 9, 15)),
        utc(local(2026, 11, 2, 10, 0, 1)),
        None,
        45 * 60 + 1.0,
        None,
    ) == died


def test_an_interval_with_no_end_in_the_log_says_so(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.event(local(2026, 11, 2, 8), "controller_started", "controller")
    log.event(local(2026, 11, 2, 8, 0, 1), "pbx_connected")
    log.event(local(2026, 11, 30, 23), "controller_stopped", "controller")

    report = log.report()

    last = report.downtime.intervals[-1]
    assert ("controller_stopped", None, None, 3600.0) == (
        last.cause,
        last.end,
        last.seconds,
        last.seconds_in_period,
    )
    assert 1 == report.downtime.intervals_with_unknown_bounds


def test_calls_cut_off_by_a_pbx_restart_count_as_failed_not_abandoned(tmp_path: Path) -> None:
    """`core restart now` hangs calls up with cause 0 just before the link drops."""
    log = new_log(tmp_path)
    log.event(local(2026, 11, 2, 8), "controller_started", "controller")
    log.event(local(2026, 11, 2, 8, 0, 1), "pbx_connected")
    restart = local(2026, 11, 2, 10)
    log.event(restart, "pbx_disconnected", detail="EOF")
    log.event(local(2026, 11, 2, 10, 1), "pbx_connected")
    # waiting callers whose calls ended 3 s before the link dropped, with cause 0
    log.call(local(2026, 11, 2, 9, 59, 30), "abandoned", held=27, cause="0 Unknown", number="1")
    log.call(local(2026, 11, 2, 9, 59, 40), "abandoned", held=17, cause="0", number="2")
    # ended during the downtime, whatever the cause
    log.call(local(2026, 11, 2, 9, 59, 50), "abandoned", held=20, number="3")
    # a real abandon just before the restart (caller hung up: cause 16) stays abandoned
    log.call(local(2026, 11, 2, 9, 59, 45), "abandoned", held=12, number="4")
    # cause 0 but long before the restart: abandoned
    log.call(local(2026, 11, 2, 9, 0), "abandoned", held=20, cause="0", number="5")

    report = log.report()

    figures = report.switchboard.figures
    assert (5, 2, 3, 3) == (
        figures.offered,
        figures.abandoned,
        figures.failed,
        figures.downtime_failed,
    )
    assert 3 == report.downtime.reclassified_calls


def test_the_text_report_says_when_an_interval_has_an_unknown_start(tmp_path: Path) -> None:
    from callrouter.reports.text import render_text

    log = new_log(tmp_path)
    log.event(local(2026, 11, 2, 8), "controller_started", "controller")
    log.event(local(2026, 11, 2, 8, 0, 1), "pbx_connected")
    log.event(local(2026, 11, 2, 10), "controller_started", "controller")
    log.event(local(2026, 11, 2, 10, 0, 1), "pbx_connected")

    text = render_text(log.report())

    assert (
        "  unknown (after 2026-11-02 08:00:01) .. 2026-11-02 10:00:01: at most 7200.0 s, "
        "not_logged (the controller ended without a stop record)"
    ) in text
