"""The printable HTML report: self-contained, charts with their numbers, targets met or missed."""

from __future__ import annotations

import re

from callrouter.reports.html import render_html
from tests.reports.sample_report import sample_report


def test_the_report_is_one_file_that_fetches_nothing() -> None:
    """It can be mailed, archived and printed: no script, no external stylesheet or image."""
    html = render_html(sample_report())
    assert [] == re.findall(r"<script|<link|src=|@import|url\(", html)


def test_targets_come_first_and_say_met_or_missed() -> None:
    html = render_html(sample_report())
    targets = html.index('id="targets"')
    assert targets < html.index('id="chart-hourly"') < html.index('id="reachability"')
    assert 2 == html.count('class="badge missed"')
    assert "switchboard: 84.6 %" in html


def test_the_daily_chart_is_drawn_against_the_switchboard_target() -> None:
    """Luleå SM1 is a switchboard target, so the daily line is the switchboard's."""
    html = render_html(sample_report())
    assert "Daily service level (Switchboard) against the target" in html
    assert "target 90 %" in html
    assert ["11-02: service level (rings) 100 %", "11-03: service level (rings) 50 %"] == (
        re.findall(r"<circle[^>]*><title>([^<]*)", html)
    )


def test_names_from_the_config_are_escaped() -> None:
    html = render_html(sample_report())
    assert "Jobcenter &lt;&amp;&gt; Ærø" in html
    assert "<&>" not in html


def test_downtime_is_shown_in_local_time() -> None:
    """09:00 UTC on 2 November is 10:00 in Copenhagen."""
    html = render_html(sample_report())
    assert "2026-11-02 10:00:00" in html
    assert "1 min 30 s" not in html  # under two minutes stays in seconds
    assert "90.0 s" in html
