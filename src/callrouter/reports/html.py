"""The printable HTML report: one self-contained file (inline CSS and SVG, no script, no fetch).

A supervisor should see the answer before reading it: the targets first, as met or missed; then
the hourly load against the calls answered within target, the daily service level against the
target line, and the "hard to reach" table, worst first. Every number is escaped text; every chart
repeats its figures in tooltips and in the tables below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from zoneinfo import ZoneInfo

from callrouter.domain.kpis import Metric
from callrouter.reports.charts import Series, bar_chart, share_chart
from callrouter.reports.html_parts import (
    Cell,
    badge,
    moment,
    seconds,
    section,
    share,
    table,
)
from callrouter.reports.html_style import STYLE
from callrouter.reports.model import (
    ALL_CALLS,
    Bucket,
    DeskReport,
    Downtime,
    Figures,
    ReachabilityRow,
    Report,
    ScopeReport,
    TargetResult,
)


def render_html(report: Report) -> str:
    title = f"Switchboard report {report.period.label}"
    body = "".join(
        (
            _header(report, title),
            _targets(report.targets),
            _charts(report),
            _scopes(report),
            _reachability(report.reachability),
            _hand_offs(report),
            _distribution(report.all_calls),
            _telephonists(report),
            _downtime(report.downtime, ZoneInfo(report.period.timezone)),
            _desk(report.desk),
            _notes(report.notes),
        )
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _header(report: Report, title: str) -> str:
    period, method = report.period, report.method
    facts = [
        ("Period", f"{period.start:%Y-%m-%d %H:%M} to {period.end:%Y-%m-%d %H:%M}"),
        ("Time zone", period.timezone),
        ("Calls", method.source),
        ("Service level", method.formula_text),
        (
            "Within",
            f"{method.answer_within_rings} rings ({method.ring_cadence_seconds:g} s each)"
            f" / {seconds(method.answer_within_seconds)}",
        ),
        ("Short abandon", f"under {method.short_abandon_seconds:g} s"),
        ("Generated", f"{report.generated_at:%Y-%m-%d %H:%M} UTC"),
    ]
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    figures = report.all_calls.figures
    tiles = "".join(
        f'<div class="tile"><span class="big">{escape(value)}</span>{escape(label)}</div>'
        for label, value in (
            ("offered", str(figures.offered)),
            ("answered", str(figures.answered)),
            (f"within {method.answer_within_rings} rings", share(figures.service_level_rings)),
            ("lost (abandonment rate)", share(figures.abandonment_rate)),
            ("average speed of answer", seconds(figures.asa_seconds)),
        )
    )
    return f'<header><h1>{escape(title)}</h1><dl class="facts">{items}</dl></header>' + (
        f'<section class="tiles">{tiles}</section>'
    )


def _targets(targets: Sequence[TargetResult]) -> str:
    rows: list[list[Cell]] = [
        [
            badge(target.met),
            target.source or "-",
            target.metric.replace("_", " "),
            target.scope,
            _bound(target),
            ", ".join(
                f"{c.scope}: {share(c.figure)}" for c in target.checks if c.figure is not None
            )
            or "no calls",
        ]
        for target in targets
    ]
    head = ["", "Target", "Metric", "Scope", "Goal", "Figures"]
    return section("Targets", table(head, rows, raw_first=True), "targets")


def _charts(report: Report) -> str:
    calls, method = report.all_calls, report.method
    hours = [b.key for b in calls.by_hour]
    load = bar_chart(
        "Hourly load against answered within target",
        hours,
        [
            Series("offered", [b.offered for b in calls.by_hour], "offered"),
            Series(
                f"answered within {method.answer_within_rings} rings",
                [b.answered_within_rings for b in calls.by_hour],
                "within",
            ),
        ],
    )
    target = next((t for t in report.targets if t.metric == Metric.SERVICE_LEVEL_RINGS), None)
    scope = _scope_of(report, target.scope if target else ALL_CALLS)
    daily = share_chart(
        f"Daily service level ({scope.name}) against the target",
        [b.key[5:] for b in scope.by_day],  # MM-DD
        Series("service level (rings)", [b.service_level_rings for b in scope.by_day], "sl"),
        target.at_least if target else None,
    )
    return section("Hourly load", load, "chart-hourly") + section(
        "Daily service level", daily, "chart-daily"
    )


def _scopes(report: Report) -> str:
    head = [
        "Scope",
        "Offered",
        "Closed",
        "Answered",
        "Abandoned",
        "Short",
        "SL rings",
        "SL seconds",
        "ASA",
        "Median",
        "90th pct",
        "Longest",
        "Lost",
        "Repeat",
    ]
    scopes = [report.switchboard, *report.departments, report.all_calls]
    rows = [[s.name, *_figure_cells(s.figures)] for s in scopes]
    return section("Switchboard and departments", table(head, rows), "scopes")


def _figure_cells(f: Figures) -> list[Cell]:
    return [
        f.offered, f.closed, f.answered, f.abandoned, f.short_abandoned,
        share(f.service_level_rings), share(f.service_level_seconds), seconds(f.asa_seconds),
        seconds(f.median_wait_seconds), seconds(f.p90_wait_seconds),
        seconds(f.longest_wait_seconds), share(f.abandonment_rate), share(f.repeat_caller_rate),
    ]  # fmt: skip


def _reachability(rows: Sequence[ReachabilityRow]) -> str:
    head = [
        "Department",
        "Rung",
        "Answered",
        "Share",
        "Median wait",
        "90th pct",
        "Longest",
        "Overflowed in",
        "Transferred in",
        "Returned",
    ]
    cells: list[list[Cell]] = [
        [r.name, r.rung, r.answered, share(r.answered_share), seconds(r.median_wait_seconds),
         seconds(r.p90_wait_seconds), seconds(r.longest_wait_seconds), r.overflowed_in,
         r.transferred_in, r.returned_to_switchboard]
        for r in rows
    ]  # fmt: skip
    intro = "<p>Function numbers, hardest to reach first: escalate from the top.</p>"
    return section("Department reachability", intro + table(head, cells), "reachability")


def _hand_offs(report: Report) -> str:
    overflows = table(
        ["Reason", "Target", "Calls", "Answered", "Share", "Returned"],
        [[o.reason, o.target, o.calls, o.answered, share(o.answered_share),
          o.returned_to_switchboard] for o in report.overflows],
    )  # fmt: skip
    transfers = table(
        ["Department", "Target", "Transfers", "Blind", "Attended", "Answered", "Share",
         "Median wait", "Returned"],
        [[t.department or "-", t.target, t.transfers, t.blind, t.attended, t.answered,
          share(t.answered_share), seconds(t.median_wait_at_department_seconds),
          t.returned_to_switchboard] for t in report.transfers],
    )  # fmt: skip
    returned = f"<p>Calls returned to the switchboard: <b>{report.returned_to_switchboard}</b></p>"
    return section("Overflows", overflows, "overflows") + section(
        "Transfers out", transfers + returned, "transfers"
    )


def _distribution(calls: ScopeReport) -> str:
    head = ["", "Offered", "Answered", "Abandoned", "SL rings", "SL seconds"]
    by_hour = table(head, _bucket_rows(b for b in calls.by_hour if b.offered or b.abandoned))
    by_weekday = table(head, _bucket_rows(calls.by_weekday))
    return section("By hour of day", by_hour, "by-hour") + section(
        "By weekday", by_weekday, "by-weekday"
    )


def _bucket_rows(buckets: Iterable[Bucket]) -> list[list[Cell]]:
    return [
        [b.key, b.offered, b.answered, b.abandoned, share(b.service_level_rings),
         share(b.service_level_seconds)]
        for b in buckets
    ]  # fmt: skip


def _telephonists(report: Report) -> str:
    head = ["Telephonist", "Rung", "Answered", "Rang out", "Other misses", "Pauses", "Automatic"]
    rows: list[list[Cell]] = [
        [t.telephonist, t.rung, t.answered, t.ring_no_answers, t.other_misses, t.pauses,
         t.automatic_pauses]
        for t in report.telephonists
    ]  # fmt: skip
    shown = "names" if report.method.telephonist_names else "pseudonyms"
    return section(f"Telephonists ({shown})", table(head, rows), "telephonists")


def _downtime(downtime: Downtime, zone: ZoneInfo) -> str:
    rows: list[list[Cell]] = [
        [i.cause, i.detail, moment(i.start, i.last_seen_up, zone), moment(i.end, None, zone),
         seconds(i.seconds) if i.seconds is not None else f"≤ {seconds(i.at_most_seconds)}"]
        for i in downtime.intervals
    ]  # fmt: skip
    summary = (
        f"<p>Known downtime in the period: <b>{seconds(downtime.known_seconds)}</b>; "
        f"intervals with an unknown start or end: {downtime.intervals_with_unknown_bounds}; "
        f"abandoned calls counted as failed because of a downtime: "
        f"{downtime.reclassified_calls}.</p>"
    )
    listing = table(["Cause", "Detail", "From", "To", "Length"], rows)
    return section("PBX and controller downtime", summary + listing, "downtime")


def _desk(desk: DeskReport | None) -> str:
    if desk is None:
        return ""
    coded = (
        f"<p>Calls with a reason code: <b>{desk.calls_coded}</b> "
        f"({share(desk.coded_share)} of answered calls)</p>"
    )
    reasons = table(
        ["Code", "Reason", "Calls", "Share of coded"],
        [[r.code, r.label, r.calls, share(r.share_of_coded)] for r in desk.reasons],
    )
    kept = table(
        ["Created", "Done", "Done in time", "In time", "Caller got through", "Open", "Overdue"],
        [[desk.callbacks_created, desk.callbacks_done, desk.callbacks_done_in_time,
          share(desk.done_in_time_share), desk.callbacks_caller_got_through,
          desk.callbacks_open, desk.callbacks_overdue]],
    )  # fmt: skip
    return section("Call reasons", coded + reasons, "reasons") + section(
        "Callbacks", kept, "callbacks"
    )


def _notes(notes: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return section("Notes", f"<ul>{items}</ul>", "notes") if notes else ""


def _bound(target: TargetResult) -> str:
    if target.at_least is not None:
        return f"at least {share(target.at_least)}"
    return f"at most {share(target.at_most)}"


def _scope_of(report: Report, scope: str) -> ScopeReport:
    """The scope a target names; "departments" and "all" chart every call."""
    named = {s.scope: s for s in (report.switchboard, *report.departments)}
    return named.get(scope, report.all_calls)
