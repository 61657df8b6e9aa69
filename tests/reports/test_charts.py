"""The report's inline SVG charts: printable, self-contained, and honest about missing figures."""

from __future__ import annotations

import re

from callrouter.reports.charts import Series, bar_chart, share_chart


def test_each_bar_carries_its_exact_figure_as_a_tooltip() -> None:
    """A supervisor hovering (or a screen reader) gets the number, not only a bar's height."""
    svg = bar_chart("Load", ["08", "09"], [Series("offered", [4, 10], "offered")])
    assert ["08: offered 4", "09: offered 10"] == re.findall(r"<rect[^>]*><title>([^<]*)", svg)


def test_an_hour_without_calls_draws_no_bar_and_no_point() -> None:
    svg = bar_chart(
        "Load",
        ["08", "09", "10"],
        [Series("offered", [0, 3, None], "offered")],
        Series("within target", [None, 2, None], "within"),
    )
    assert ["09: offered 3"] == re.findall(r"<rect[^>]*><title>([^<]*)", svg)
    assert ["09: within target 2"] == re.findall(r"<circle[^>]*><title>([^<]*)", svg)


def test_the_target_line_sits_at_the_target_share() -> None:
    svg = share_chart("Daily", ["1", "2"], Series("service level", [0.95, 0.5], "sl"), 0.9)
    assert "target 90 %" in svg
    assert ["1: service level 95 %", "2: service level 50 %"] == re.findall(
        r"<circle[^>]*><title>([^<]*)", svg
    )


def test_caller_controlled_text_cannot_break_out_of_the_svg() -> None:
    """Department names come from config, but nothing is trusted: all text is escaped."""
    svg = bar_chart("<script>", ["<b>"], [Series("a&b", [1], "x")])
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "a&amp;b" in svg
