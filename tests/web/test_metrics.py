"""/metrics after a scripted scenario: exact counts, histograms, gauges and service levels."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.web.conftest import READ, Server
from tests.web.scenario import play

ROOT = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(server: Server) -> Samples:
    response = await server.client.get("/metrics", headers=READ)
    assert 200 == response.status
    assert response.content_type == "text/plain"
    text = await response.text()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


async def test_call_outcomes_and_overflows_are_counted_exactly(server: Server) -> None:
    await play(server)
    samples = await scrape(server)
    outcomes = {o: value(samples, "callrouter_calls_ended_total", outcome=o)
                for o in ("answered", "abandoned", "overflowed", "closed", "failed")}  # fmt: skip
    assert {"answered": 2, "abandoned": 2, "overflowed": 1, "closed": 0, "failed": 0} == outcomes
    overflows = {key: v for key, v in samples.items() if key[0] == "callrouter_overflows_total"}
    expected = {("callrouter_overflows_total",
                 frozenset({("target", "department:borgerservice"),
                            ("reason", "wait_limit")})): 1.0}  # fmt: skip
    assert expected == overflows


async def test_rings_and_waits_before_answer_are_histograms(server: Server) -> None:
    """Answers after 2, 4 and 14 rings (7, 16 and 70 s), all on switchboard numbers."""
    await play(server)
    samples = await scrape(server)
    bucket = "callrouter_rings_before_answer_bucket"
    bounds = ("1.0", "2.0", "3.0", "4.0", "10.0", "15.0", "+Inf")
    rings = {le: value(samples, bucket, route="switchboard", le=le) for le in bounds}
    assert {"1.0": 0, "2.0": 1, "3.0": 1, "4.0": 2, "10.0": 2, "15.0": 3, "+Inf": 3} == rings
    assert 20 == value(samples, "callrouter_rings_before_answer_sum", route="switchboard")
    assert 3 == value(samples, "callrouter_wait_before_answer_seconds_count", route="switchboard")
    assert 93 == value(samples, "callrouter_wait_before_answer_seconds_sum", route="switchboard")
    assert 1 == value(samples, "callrouter_wait_before_answer_seconds_bucket",
                      route="switchboard", le="10.0")  # fmt: skip


async def test_waiting_calls_and_telephonists_are_gauges_of_now(server: Server) -> None:
    """At the end c6 (waited 70 s) rings tel1; tel2 is paused."""
    await play(server)
    samples = await scrape(server)
    assert 1 == value(samples, "callrouter_calls_waiting", queue="switchboard")
    assert 70 == value(samples, "callrouter_longest_wait_seconds", queue="switchboard")
    states = {s: value(samples, "callrouter_telephonists", state=s)
              for s in ("available", "ringing", "on_call", "paused", "logged_out")}  # fmt: skip
    assert {"available": 0, "ringing": 1, "on_call": 0, "paused": 1, "logged_out": 0} == states


async def test_service_level_over_15_and_60_minutes_against_the_target(server: Server) -> None:
    """Within 3 rings: c1 only; the formula divides by answered (c1, c2) + lost (c3): 1/3.
    c4's 2 s abandon is short; c5 was overflowed. The window ends 15 min after the last call."""
    await play(server)
    samples = await scrape(server)
    rings = {"metric": "service_level_rings", "scope": "switchboard"}
    assert 1 / 3 == value(samples, "callrouter_service_level", window="15m", **rings)
    assert 1 / 3 == value(samples, "callrouter_service_level", window="60m", **rings)
    assert 0.9 == value(samples, "callrouter_service_level_target", **rings)
    no_calls = {"metric": "service_level_seconds", "scope": "departments", "window": "15m"}
    assert value(samples, "callrouter_service_level", **no_calls) is None
    server.clock.advance(20 * 60)
    later = await scrape(server)
    assert value(later, "callrouter_service_level", window="15m", **rings) is None
    assert 1 / 3 == value(later, "callrouter_service_level", window="60m", **rings)


async def test_pbx_link_and_events_processed(server: Server) -> None:
    await play(server)
    samples = await scrape(server)
    assert 1 == value(samples, "callrouter_pbx_connected")
    events = {
        dict(labels)["event"]: v
        for (name, labels), v in samples.items()
        if name == "callrouter_events_processed_total"
    }
    expected = {"PbxConnected": 1, "CallArrived": 6, "RingingEnded": 3, "CallHungUp": 5,
                "ClockTicked": 1, "TelephonistPresenceChanged": 1}  # fmt: skip
    assert expected == events
    server.pbx.connected = False
    assert 0 == value(await scrape(server), "callrouter_pbx_connected")


async def test_the_grafana_dashboard_queries_only_metrics_the_server_exposes(
    server: Server,
) -> None:
    await play(server)
    exposed = {name for name, _ in await scrape(server)}
    dashboard = json.loads((ROOT / "docker" / "grafana-dashboard.json").read_text("utf-8"))
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"callrouter_[a-z_]+", target["expr"])
    }
    assert set() == queried - exposed
    assert 11 == len(queried)  # every metric family is on the dashboard
