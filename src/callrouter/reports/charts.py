"""Charts as inline SVG: no script, no external file, so the HTML report prints and archives as is.

Two charts are enough for the report: grouped bars with an optional line over them (hourly load
against answered within target), and a line of shares against a dashed target line (the daily
service level). Every value is also written as a `<title>` tooltip and as text in the table next to
the chart, so a screen reader or a black-and-white printout loses nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 28, 46
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per category; None: no figure (drawn as a gap)
    css: str  # class name that gives the colour (defined in the report's stylesheet)


def bar_chart(
    title: str, categories: Sequence[str], bars: Sequence[Series], line: Series | None = None
) -> str:
    """Grouped bars per category (counts), optionally with a line series on the same scale."""
    every = [v for s in (*bars, *([line] if line else [])) for v in s.values if v is not None]
    top = _nice_ceiling(max(every, default=0.0))
    parts = [*_y_axis(top, percent=False), *_x_labels(categories)]
    slot = PLOT_W / max(1, len(categories))
    width = slot * 0.8 / max(1, len(bars))
    for index, series in enumerate(bars):
        for position, value in enumerate(series.values):
            if value is None or value <= 0:
                continue
            x = LEFT + position * slot + slot * 0.1 + index * width
            y, h = _y(value, top), PLOT_H * value / top
            tip = f"{categories[position]}: {series.name} {_number(value)}"
            parts.append(
                f'<rect class="{series.css}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}"><title>{escape(tip)}</title></rect>'
            )
    if line is not None:
        parts += _polyline(line, categories, top, percent=False)
    return _svg(title, parts, [*bars, *([line] if line else [])])


def share_chart(title: str, categories: Sequence[str], shares: Series, target: float | None) -> str:
    """Shares 0..1 per category as a line with points, against a dashed target line."""
    parts = [*_y_axis(1.0, percent=True), *_x_labels(categories)]
    if target is not None:
        y = _y(target, 1.0)
        parts.append(
            f'<line class="target" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}">'
            f"<title>target {_percent(target)}</title></line>"
            f'<text class="target-label" x="{LEFT + PLOT_W - 4}" y="{y - 4:.1f}" '
            f'text-anchor="end">target {_percent(target)}</text>'
        )
    parts += _polyline(shares, categories, 1.0, percent=True)
    return _svg(title, parts, [shares])


def _svg(title: str, parts: list[str], legend: Sequence[Series]) -> str:
    keys = "".join(
        f'<rect class="{s.css}" x="{LEFT + i * 190}" y="8" width="12" height="12"/>'
        f'<text x="{LEFT + i * 190 + 16}" y="18">{escape(s.name)}</text>'
        for i, s in enumerate(legend)
    )
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{keys}{''.join(parts)}</svg>"
    )


def _y_axis(top: float, *, percent: bool) -> list[str]:
    parts = [
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + PLOT_H}"/>',
        f'<line class="axis" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{TOP + PLOT_H}" '
        f'y2="{TOP + PLOT_H}"/>',
    ]
    for step in range(5):
        value = top * step / 4
        y = _y(value, top)
        label = _percent(value) if percent else _number(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return parts


def _x_labels(categories: Sequence[str]) -> list[str]:
    slot = PLOT_W / max(1, len(categories))
    every = max(1, math.ceil(len(categories) / 16))  # at most ~16 labels stay readable
    return [
        f'<text class="tick" x="{LEFT + (i + 0.5) * slot:.1f}" y="{TOP + PLOT_H + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(categories)
        if i % every == 0
    ]


def _polyline(series: Series, categories: Sequence[str], top: float, *, percent: bool) -> list[str]:
    slot = PLOT_W / max(1, len(categories))
    points = [
        (LEFT + (i + 0.5) * slot, _y(v, top), categories[i], v)
        for i, v in enumerate(series.values)
        if v is not None
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
    shown = _percent if percent else _number
    dots = [
        f'<circle class="{series.css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
        f"<title>{escape(f'{label}: {series.name} {shown(value)}')}</title></circle>"
        for x, y, label, value in points
    ]
    return [f'<polyline class="{series.css} line" points="{path}"/>', *dots]


def _y(value: float, top: float) -> float:
    return TOP + PLOT_H - PLOT_H * (value / top if top else 0.0)


def _nice_ceiling(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 x 10^n); 1 for an empty chart."""
    if value <= 0:
        return 1.0
    magnitude: float = 10.0 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= value)


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"
