"""Small pieces of the HTML report: sections, tables, badges, and how figures are written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

Cell = str | int | float | None


def section(title: str, content: str, css_id: str) -> str:
    return f'<section id="{css_id}"><h2>{escape(title)}</h2>{content}</section>'


def table(head: Sequence[str], rows: Sequence[Sequence[Cell]], *, raw_first: bool = False) -> str:
    if not rows:
        return '<p class="empty">None in this period.</p>'
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{cell}</td>" if raw_first and i == 0 else f"<td>{escape(text(cell))}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def badge(met: bool | None) -> str:
    css, label = {True: ("met", "met"), False: ("missed", "missed"), None: ("none", "no calls")}[
        met
    ]
    return f'<span class="badge {css}">{label}</span>'


def text(cell: Cell) -> str:
    return "-" if cell is None else str(cell)


def share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 120:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {rest:02d} s"


def moment(at: datetime | None, last_seen: datetime | None, zone: ZoneInfo) -> str:
    """A local time; an unknown start says when the controller was last seen up."""
    if at is not None:
        return f"{at.astimezone(zone):%Y-%m-%d %H:%M:%S}"
    if last_seen is None:
        return "unknown"
    return f"unknown (after {last_seen.astimezone(zone):%Y-%m-%d %H:%M:%S})"
