"""A small hand-made Report for the renderers' tests (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callrouter.reports.model import (
    Bucket,
    Downtime,
    DowntimeInterval,
    Figures,
    Method,
    ReachabilityRow,
    Report,
    ReportPeriod,
    ScopeReport,
    TargetCheck,
    TargetResult,
    TelephonistRow,
)

CPH = ZoneInfo("Europe/Copenhagen")


def figures(offered: int, answered: int, within: int, lost: int) -> Figures:
    level = within / (answered + lost) if answered + lost else None
    return Figures(
        offered=offered, closed=1, answered=answered, abandoned=lost + 1, short_abandoned=1,
        long_abandoned=lost, overflowed=0, failed=0, downtime_failed=0,
        answered_within_rings=within, answered_within_seconds=answered,
        service_level_rings=level, service_level_seconds=1.0 if answered else None,
        abandonment_rate=lost / offered if offered else None, asa_seconds=12.5,
        median_wait_seconds=10.0, p90_wait_seconds=21.0, longest_wait_seconds=400.0,
        longest_abandon_seconds=30.0, repeat_calls=1, repeat_caller_rate=0.1,
    )  # fmt: skip


def bucket(key: str, offered: int, within: int) -> Bucket:
    level = within / offered if offered else None
    return Bucket(key, offered, offered, 0, 0, within, offered, level, level)


def scope(scope_id: str, name: str, f: Figures) -> ScopeReport:
    hours = tuple(bucket(f"{h:02d}", 10 if h == 9 else 4 if h == 10 else 0, 7 if h == 9 else 4)
                  for h in range(24))  # fmt: skip
    days = (bucket("2026-11-02", 8, 8), bucket("2026-11-03", 6, 3))
    weekdays = tuple(bucket(d, 7 if d == "mon" else 0, 7) for d in
                     ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))  # fmt: skip
    return ScopeReport(scope_id, name, f, hours, weekdays, days)


def sample_report() -> Report:
    period = ReportPeriod("2026-11", datetime(2026, 11, 1, tzinfo=CPH),
                          datetime(2026, 12, 1, tzinfo=CPH), "Europe/Copenhagen")  # fmt: skip
    method = Method(
        source="callrouter", formula="answered_and_long_abandons",
        formula_text="answered within target ÷ (answered + abandoned after the threshold)",
        answer_within_rings=3, ring_cadence_seconds=5.0, answer_within_seconds=300.0,
        short_abandon_seconds=5.0, repeat_window_seconds=86400.0, return_window_seconds=600.0,
        downtime_grace_seconds=5.0, telephonist_names=False, percentile="nearest rank",
    )  # fmt: skip
    board = scope("switchboard", "Switchboard", figures(14, 12, 11, 1))
    jobcenter = scope("jobcenter", "Jobcenter <&> Ærø", figures(5, 3, 2, 1))
    down = DowntimeInterval(
        "pbx_disconnected", "connection lost", datetime(2026, 11, 2, 9, 0, tzinfo=UTC), None,
        datetime(2026, 11, 2, 9, 1, 30, tzinfo=UTC), 90.0, None, 90.0,
    )  # fmt: skip
    target = TargetResult("service_level_rings", "switchboard", 0.9, None, "Luleå SM1",
                          (TargetCheck("switchboard", 11 / 13, False),), False)  # fmt: skip
    lost = TargetResult("abandonment_rate", "departments", None, 0.1, "Luleå SM3",
                        (TargetCheck("jobcenter", 0.2, False),), False)  # fmt: skip
    return Report(
        period=period, method=method, generated_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        switchboard=board, departments=(jobcenter,), all_calls=scope("all", "All calls",
        figures(19, 15, 13, 2)), overflows=(), transfers=(), returned_to_switchboard=1,
        reachability=(ReachabilityRow("jobcenter", "Jobcenter <&> Ærø", 6, 3, 0.5, 40.0, 90.0,
                                      118.0, 2, 1, 1),),
        telephonists=(TelephonistRow("tel-1a2b3c4d", 10, 9, 1, 0, 2, 1),),
        downtime=Downtime((down,), 90.0, 0, 0), targets=(target, lost), notes=("A note.",),
    )  # fmt: skip
