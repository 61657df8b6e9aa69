"""The report formats: `RENDERERS` maps a `--format` name to a function Report -> text.

- ``json``: the `Report` dataclasses as one JSON object, keys = field names (see model.py and
  docs/kpi-report.md). Times ISO 8601 with offset, shares 0..1, ``null`` = no figure.
- ``csv``: one long table, one figure per row: ``section,scope,key,field,value`` (see
  `csv_rows` and docs/kpi-report.md). Its `field` names are the JSON keys.
- ``text``: for the terminal (`text.render_text`).

- ``html``: a self-contained printable page with charts (`html.render_html`).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from callrouter.reports.html import render_html
from callrouter.reports.model import DeskReport, Report, ScopeReport
from callrouter.reports.text import render_text

Renderer = Callable[[Report], str]


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and datetimes as JSON-ready dicts, lists and ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def render_json(report: Report) -> str:
    return json.dumps(to_plain(report), ensure_ascii=False, indent=1) + "\n"


CSV_HEADER = ("section", "scope", "key", "field", "value")


def csv_rows(report: Report) -> Iterator[tuple[str, str, str, str, Any]]:
    """(section, scope, key, field, value) for every figure of the report."""
    yield from _fields("period", "", "", report.period)
    yield from _fields("method", "", "", report.method)
    yield ("report", "", "", "generated_at", report.generated_at.isoformat())
    yield ("report", "", "", "returned_to_switchboard", report.returned_to_switchboard)
    for scope in (report.switchboard, *report.departments, report.all_calls):
        yield from _scope(scope)
    for o in report.overflows:
        yield from _fields("overflows", o.reason, o.target, o, skip=("reason", "target"))
    for t in report.transfers:
        yield from _fields(
            "transfers", t.department or "", t.target, t, skip=("department", "target")
        )
    for r in report.reachability:
        yield from _fields("reachability", r.department, "", r, skip=("department",))
    for p in report.telephonists:
        yield from _fields("telephonists", p.telephonist, "", p, skip=("telephonist",))
    for index, interval in enumerate(report.downtime.intervals, 1):
        yield from _fields("downtime", "", str(index), interval)
    for name in ("known_seconds", "intervals_with_unknown_bounds", "reclassified_calls"):
        yield ("downtime", "", "total", name, getattr(report.downtime, name))
    for index, target in enumerate(report.targets, 1):
        yield from _fields("targets", target.scope, str(index), target, skip=("checks",))
        for check in target.checks:
            yield ("target_checks", check.scope, str(index), "figure", check.figure)
            yield ("target_checks", check.scope, str(index), "met", check.met)
    if report.desk is not None:
        yield from _desk(report.desk)
    for index, note in enumerate(report.notes, 1):
        yield ("notes", "", str(index), "note", note)


def _desk(desk: DeskReport) -> Iterator[tuple[str, str, str, str, Any]]:
    yield from _fields("desk", "", "", desk, skip=("reasons", "callbacks_by_result"))
    for reason in desk.reasons:
        yield from _fields("desk_reasons", "", reason.code, reason, skip=("code",))
    for row in desk.callbacks_by_result:
        yield ("desk_callbacks", "", row.result, "callbacks", row.callbacks)


def _scope(scope: ScopeReport) -> Iterator[tuple[str, str, str, str, Any]]:
    yield ("figures", scope.scope, "", "name", scope.name)
    yield from _fields("figures", scope.scope, "", scope.figures)
    for section in ("by_hour", "by_weekday", "by_day"):
        for bucket in getattr(scope, section):
            yield from _fields(section, scope.scope, bucket.key, bucket, skip=("key",))


def _fields(
    section: str, scope: str, key: str, record: Any, skip: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, str, str, Any]]:
    for field in dataclasses.fields(record):
        if field.name not in skip:
            yield (section, scope, key, field.name, to_plain(getattr(record, field.name)))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows((s, sc, k, f, _cell(v)) for s, sc, k, f, v in csv_rows(report))
    return out.getvalue()


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "csv": render_csv,
    "html": render_html,
}
