"""Transfers, overflows, calls returned to the switchboard, reachability, telephonists, targets."""

from __future__ import annotations

from pathlib import Path

from callrouter.domain.kpis import KpiSettings, Metric, Scope, Target
from callrouter.reports.model import OverflowRow, TargetCheck, TelephonistRow
from callrouter.reports.sections import address, pseudonym
from tests.reports.logbuilder import Log, local, new_log

DAY = (2026, 11, 2)


def handoff_day(log: Log) -> None:
    a = log.call(local(*DAY, 10), "answered", wait=5, rings=1, number="111")
    log.transfer(a, local(*DAY, 10, 2), "dept-jobcenter@departments", "blind")
    log.call(local(*DAY, 10, 10), "answered", wait=5, rings=1, number="111")  # returns A
    log.call(local(*DAY, 10, 12), "answered", wait=5, rings=1, number="111")  # not a 2nd return
    d = log.call(local(*DAY, 11), "answered", wait=5, rings=1, number="222", linked_id="L-D")
    log.transfer(d, local(*DAY, 11, 1), "Local/dept-family@departments-0000006a;1", "attended")
    # the family department put the same call through to the switchboard number 49 min later
    log.call(local(*DAY, 11, 50), "answered", wait=5, rings=1, number="999", linked_id="L-D")
    f = log.call(local(*DAY, 12), "overflowed", wait=128, rings=26, number="333")
    log.overflow(f, local(*DAY, 12, 2), "jobcenter", "wait_limit")
    log.attempt(f, 1, "department", "jobcenter", local(*DAY, 12, 2), 8, "answered")
    g = log.call(local(*DAY, 12, 20), "answered", department="jobcenter", wait=20, number="333")
    log.attempt(g, 1, "department", "jobcenter", local(*DAY, 12, 20), 20, "answered")
    log.call(local(*DAY, 12, 40), "answered", wait=5, rings=1, number="333")  # 38 min: too late
    i = log.call(local(*DAY, 13), "overflowed", number="444", held=70)
    log.overflow(i, local(*DAY, 13, 0, 1), "family", "no_telephonist_logged_in")
    log.attempt(i, 1, "department", "family", local(*DAY, 13, 0, 1), 60, "no_answer")
    log.call(local(*DAY, 13, 20), "abandoned", held=20, number="444")  # returns I
    j = log.call(local(*DAY, 14), "answered", wait=5, rings=1, number="555")
    log.transfer(j, local(*DAY, 14, 1), "5555@external", "blind")


def test_calls_returned_to_the_switchboard_are_counted_per_department(tmp_path: Path) -> None:
    """One caller, one call, followed across channels: by linked id, or number within 30 min."""
    log = new_log(tmp_path)
    handoff_day(log)

    report = log.report()

    assert 3 == report.returned_to_switchboard
    assert [
        (None, "5555@external", 1, 1, 0, 0),
        ("family", "Local/dept-family@departments/n", 1, 0, 1, 1),
        ("jobcenter", "Local/dept-jobcenter@departments/n", 1, 1, 0, 1),
    ] == [
        (t.department, t.target, t.transfers, t.blind, t.attended, t.returned_to_switchboard)
        for t in report.transfers
    ]
    assert [None, None, None] == [t.answered_share for t in report.transfers]
    assert (
        OverflowRow("no_telephonist_logged_in", "family", 1, 0, 0.0, 1),
        OverflowRow("wait_limit", "jobcenter", 1, 1, 1.0, 0),
    ) == report.overflows


def test_the_reachability_table_puts_the_hardest_to_reach_department_first(
    tmp_path: Path,
) -> None:
    log = new_log(tmp_path)
    handoff_day(log)

    rows = log.report().reachability

    assert [
        ("family", 1, 0, 0.0, None, 1, 1, 2),
        ("jobcenter", 2, 2, 1.0, 8.0, 1, 1, 1),
    ] == [
        (
            r.department,
            r.rung,
            r.answered,
            r.answered_share,
            r.median_wait_seconds,
            r.overflowed_in,
            r.transferred_in,
            r.returned_to_switchboard,
        )
        for r in rows
    ]
    assert 20.0 == rows[1].p90_wait_seconds


def test_telephonists_are_pseudonymised_unless_names_are_allowed(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    c = log.call(local(*DAY, 10), "answered", wait=25, rings=5)
    log.attempt(c, 1, "telephonist", "tel2", local(*DAY, 10), 20, "no_answer")
    log.attempt(c, 2, "telephonist", "tel1", local(*DAY, 10, 0, 20), 5, "answered")
    e = log.call(local(*DAY, 11), "abandoned", held=30)
    log.attempt(e, 1, "telephonist", "tel2", local(*DAY, 11), 1, "busy")
    log.event(local(*DAY, 11, 5), "telephonist_paused", "tel2", "paused after 3 missed calls")
    log.event(local(*DAY, 12), "telephonist_presence", "tel1", "paused: lunch")
    log.event(local(*DAY, 13), "telephonist_presence", "tel1", "available")

    named = log.report(settings=KpiSettings(telephonist_names=True)).telephonists
    hidden = log.report().telephonists

    assert (
        TelephonistRow("tel1", 1, 1, 0, 0, 1, 0),
        TelephonistRow("tel2", 2, 0, 1, 1, 1, 1),
    ) == named
    assert sorted([pseudonym("tel1"), pseudonym("tel2")]) == [t.telephonist for t in hidden]
    assert pseudonym("tel1") == pseudonym("tel1") != "tel1"


def test_targets_are_shown_met_or_missed_per_scope(tmp_path: Path) -> None:
    log = new_log(tmp_path)
    log.call(local(*DAY, 10), "answered", wait=5, rings=1, number="1")
    log.call(local(*DAY, 10, 5), "answered", wait=30, rings=6, number="2")
    log.call(local(*DAY, 11), "answered", department="jobcenter", wait=60, number="3")
    targets = (
        Target(Metric.SERVICE_LEVEL_RINGS, Scope.SWITCHBOARD, at_least=0.9, source="SM1"),
        Target(Metric.SERVICE_LEVEL_SECONDS, Scope.DEPARTMENTS, at_least=0.9, source="SM2"),
        Target(Metric.ABANDONMENT_RATE, "jobcenter", at_most=0.1, source="SM3"),
        Target(Metric.SERVICE_LEVEL_RINGS, Scope.ALL, at_least=0.5),
    )

    results = log.report(settings=KpiSettings(targets=targets)).targets

    assert [False, True, True, False] == [r.met for r in results]
    assert (TargetCheck("all", 1 / 3, False),) == results[3].checks
    assert (TargetCheck("switchboard", 0.5, False),) == results[0].checks
    assert (TargetCheck("jobcenter", 1.0, True), TargetCheck("family", None, None)) == (
        results[1].checks
    )
    assert "SM3" == results[2].source


def test_transfer_targets_and_dial_strings_point_at_the_same_address() -> None:
    assert "dept-x@departments" == address("Local/dept-x@departments/n")
    assert "dept-x@departments" == address("Local/dept-x@departments-0000006a;1")
    assert "dept-x@departments" == address("dept-x@departments")
    assert "1001" == address("PJSIP/1001-00000003")
    assert "1001" == address("PJSIP/1001")


def test_ring_attempts_follow_the_source_option_in_a_mixed_log(tmp_path: Path) -> None:
    """With queue_log imports beside routed calls, each report counts only its own attempts."""
    log = new_log(tmp_path)
    mine = log.call(local(*DAY, 10), "answered", wait=5, rings=1)
    log.attempt(mine, 1, "telephonist", "tel1", local(*DAY, 10), 5, "answered")
    imported = log.call(local(*DAY, 10), "answered", wait=9, rings=2, source="queue_log:q")
    log.attempt(imported, 1, "telephonist", "tel1", local(*DAY, 10), 4, "no_answer")
    log.attempt(imported, 2, "telephonist", "tel1", local(*DAY, 10, 0, 4), 5, "answered")

    def rung(source: str) -> tuple[int, int, int]:
        [row] = log.report(source=source, settings=KpiSettings(telephonist_names=True)).telephonists
        return row.rung, row.answered, row.ring_no_answers

    assert [(1, 1, 0), (2, 1, 1), (3, 2, 1)] == [
        rung("callrouter"),
        rung("queue_log:q"),
        rung("all"),
    ]
