"""The report as plain text for the terminal: the headline figures, tables, targets, downtime."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from callrouter.reports.model import (
    Bucket,
    DeskReport,
    Figures,
    ReachabilityRow,
    Report,
    ScopeReport,
    TransferRow,
)


def pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f} %"


def secs(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f} s"


def when(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "unknown"
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def render_text(report: Report) -> str:
    lines = _header(report)
    lines += _scopes((report.switchboard, *report.departments, report.all_calls))
    for title, section in (("hour", "by_hour"), ("weekday", "by_weekday")):
        lines += ["", f"Switchboard by {title} of arrival"]
        lines += _buckets(getattr(report.switchboard, section))
    lines += _targets(report)
    for title, header, rows in _tables(report):
        lines += ["", title, *table(header, rows)]
    lines += _downtime(report)
    lines += _desk(report.desk)
    lines += ["", *[f"Note: {n}" for n in report.notes]]
    return "\n".join(lines) + "\n"


def _header(report: Report) -> list[str]:
    p, m = report.period, report.method
    return [
        f"KPI report {p.label}: {when(p.start, p.timezone)} to {when(p.end, p.timezone)} "
        f"({p.timezone}), source {m.source}",
        f"Service level formula: {m.formula_text}; within {m.answer_within_rings} rings "
        f"({m.ring_cadence_seconds:g} s per ring) and within {m.answer_within_seconds:g} s; "
        f"short abandon under {m.short_abandon_seconds:g} s",
        "",
    ]


def _targets(report: Report) -> list[str]:
    lines = ["", "Targets"]
    for t in report.targets:
        bound = f">= {pct(t.at_least)}" if t.at_least is not None else f"<= {pct(t.at_most)}"
        verdict = {True: "MET", False: "MISSED", None: "no calls"}[t.met]
        lines.append(f"  {t.source or '-'}: {t.metric} {bound} at {t.scope}: {verdict}")
        for check in t.checks:
            mark = {True: "met", False: "missed", None: "no calls"}[check.met]
            lines.append(f"    {check.scope}: {pct(check.figure)} {mark}")
    return lines


Table = tuple[str, tuple[str, ...], list[tuple[object, ...]]]


def _tables(report: Report) -> list[Table]:
    reach = ("department", "rung", "answered", "median wait", "p90", "overflowed in")
    transfers = f"Transfers (returned to the switchboard in all: {report.returned_to_switchboard})"
    return [
        (
            "Reachability (worst first)",
            (*reach, "transferred in", "returned"),
            [_reach_row(r) for r in report.reachability],
        ),
        (
            "Overflows",
            ("reason", "target", "calls", "answered", "returned"),
            [
                (o.reason, o.target, o.calls, pct(o.answered_share), o.returned_to_switchboard)
                for o in report.overflows
            ],
        ),
        (
            transfers,
            ("department", "target", "transfers", "blind", "attended", "returned"),
            [_transfer_row(t) for t in report.transfers],
        ),
        (
            "Telephonists",
            ("telephonist", "rung", "answered", "ring-no-answer", "other misses", "pauses"),
            [
                (t.telephonist, t.rung, t.answered, t.ring_no_answers, t.other_misses, t.pauses)
                for t in report.telephonists
            ],
        ),
    ]


def _reach_row(r: ReachabilityRow) -> tuple[object, ...]:
    waits = (secs(r.median_wait_seconds), secs(r.p90_wait_seconds))
    handed = (r.overflowed_in, r.transferred_in, r.returned_to_switchboard)
    return (r.department, r.rung, pct(r.answered_share), *waits, *handed)


def _transfer_row(t: TransferRow) -> tuple[object, ...]:
    kinds = (t.blind, t.attended)
    return (t.department or "-", t.target, t.transfers, *kinds, t.returned_to_switchboard)


def _buckets(buckets: Sequence[Bucket]) -> list[str]:
    rows = [
        (
            b.key,
            b.offered,
            b.answered,
            b.abandoned,
            pct(b.service_level_rings),
            pct(b.service_level_seconds),
        )
        for b in buckets
        if b.offered
    ]
    return table(("", "offered", "answered", "abandoned", "SL rings", "SL secs"), rows)


def _scopes(scopes: Sequence[ScopeReport]) -> list[str]:
    rows = [_scope_row(s.name, s.figures) for s in scopes]
    return table(
        (
            "scope",
            "offered",
            "closed",
            "answered",
            "abandoned",
            "short",
            "SL rings",
            "SL secs",
            "abandon rate",
            "ASA",
            "median",
            "p90",
            "longest",
            "repeat",
        ),
        rows,
    )


def _scope_row(name: str, f: Figures) -> tuple[object, ...]:
    return (
        name,
        f.offered,
        f.closed,
        f.answered,
        f.abandoned,
        f.short_abandoned,
        pct(f.service_level_rings),
        pct(f.service_level_seconds),
        pct(f.abandonment_rate),
        secs(f.asa_seconds),
        secs(f.median_wait_seconds),
        secs(f.p90_wait_seconds),
        secs(f.longest_wait_seconds),
        pct(f.repeat_caller_rate),
    )


def _downtime(report: Report) -> list[str]:
    d, zone = report.downtime, report.period.timezone
    lines = [
        "",
        f"PBX downtime: {d.known_seconds:.0f} s known, {d.intervals_with_unknown_bounds} "
        f"interval(s) with an unknown bound, {d.reclassified_calls} abandoned call(s) counted "
        "as failed",
    ]
    for i in d.intervals:
        start = when(i.start, zone) if i.start else f"unknown (after {when(i.last_seen_up, zone)})"
        end = when(i.end, zone) if i.end else "no end in the log"
        length = (
            secs(i.seconds)
            if i.seconds is not None
            else (
                f"at most {secs(i.at_most_seconds)}" if i.at_most_seconds is not None else "unknown"
            )
        )
        lines.append(f"  {start} .. {end}: {length}, {i.cause} ({i.detail})")
    return lines


def _desk(desk: DeskReport | None) -> list[str]:
    if desk is None:
        return []
    coded = f"{desk.calls_coded} ({pct(desk.coded_share)} of answered calls)"
    kept = (
        f"{desk.callbacks_done_in_time} of {desk.callbacks_done} ({pct(desk.done_in_time_share)})"
    )
    return [
        "",
        f"Reason codes: calls coded {coded}",
        *table(
            ("code", "label", "calls", "share"),
            [(r.code, r.label, r.calls, pct(r.share_of_coded)) for r in desk.reasons],
        ),
        "",
        f"Callbacks: created {desk.callbacks_created}, done {desk.callbacks_done}, "
        f"done in time {kept}, caller got through {desk.callbacks_caller_got_through}, "
        f"open {desk.callbacks_open} (overdue {desk.callbacks_overdue})",
    ]
