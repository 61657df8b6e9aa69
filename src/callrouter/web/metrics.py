"""Prometheus metrics at /metrics. Every name and label is listed in the README ("Metrics").

Counters and histograms are fed by the controller's applied steps (through `LiveFeed`); the
gauges are read from the router and the service-level window when Prometheus scrapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from callrouter.domain import commands as cmd
from callrouter.domain import events as ev
from callrouter.domain.model import Outcome
from callrouter.domain.state import CallState, Phase
from callrouter.panel.api import Access
from callrouter.web.auth import authorize
from callrouter.web.live import SWITCHBOARD, CallStep, LiveFeed, LiveSource, phone_state

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RING_BUCKETS = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20)
WAIT_BUCKETS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600)
WINDOWS = {"15m": timedelta(minutes=15), "60m": timedelta(minutes=60)}
PHONE_STATES = ("available", "ringing", "on_call", "paused", "logged_out")


class CallMetrics(Collector):
    def __init__(
        self, controller: LiveSource, feed: LiveFeed, clock: Callable[[], datetime]
    ) -> None:
        self.controller, self.feed, self.clock = controller, feed, clock
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.rings = Histogram(
            "callrouter_rings_before_answer",
            "Rings the caller heard before the answer",
            ["route"],
            buckets=RING_BUCKETS,
            registry=r,
        )
        self.waits = Histogram(
            "callrouter_wait_before_answer_seconds",
            "Seconds from arrival to the answer",
            ["route"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.outcomes = Counter(
            "callrouter_calls_ended", "Calls ended, by outcome", ["outcome"], registry=r
        )
        self.overflows = Counter(
            "callrouter_overflows",
            "Calls handed to an overflow or after-hours target",
            ["target", "reason"],
            registry=r,
        )
        self.events = Counter("callrouter_events_processed", "Events the controller applied",
                              ["event"], registry=r)  # fmt: skip
        for outcome in Outcome:
            self.outcomes.labels(outcome.value)
        r.register(self)
        feed.listeners.append(self)

    def step(self, step: CallStep, route: str) -> None:
        if isinstance(step, cmd.RecordAnswer):
            self.rings.labels(route).observe(step.rings_heard)
            self.waits.labels(route).observe(step.wait_seconds)
        elif isinstance(step, cmd.RecordCallEnded):
            self.outcomes.labels(step.outcome.value).inc()
        elif isinstance(step, cmd.RecordOverflow):
            target = f"{step.target_kind.value}:{step.target}"
            self.overflows.labels(target, step.reason.value).inc()

    def applied(self, event: ev.Event) -> None:
        self.events.labels(type(event).__name__).inc()

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        yield from self._waiting(now)
        yield self._phones()
        yield from self._service_levels(now)
        up = GaugeMetricFamily("callrouter_pbx_connected", "1 while the PBX link is up")
        up.add_metric([], 1.0 if self.controller.pbx_connected() else 0.0)
        yield up

    def _waiting(self, now: datetime) -> Iterator[Metric]:
        waiting = GaugeMetricFamily("callrouter_calls_waiting", "Calls not yet answered: "
                                    "queued or ringing", labels=["queue"])  # fmt: skip
        longest = GaugeMetricFamily("callrouter_longest_wait_seconds", "The longest current "
                                    "wait", labels=["queue"])  # fmt: skip
        queues: dict[str, list[float]] = {SWITCHBOARD: []}
        for call in self.controller.router.floor.calls.values():
            queue = waiting_queue(call)
            if queue is not None:
                queues.setdefault(queue, []).append(call.wait_at(now))
        for queue, waits in sorted(queues.items()):
            waiting.add_metric([queue], len(waits))
            longest.add_metric([queue], max(waits, default=0.0))
        return iter((waiting, longest))

    def _phones(self) -> Metric:
        family = GaugeMetricFamily("callrouter_telephonists", "Telephonists by state",
                                   labels=["state"])  # fmt: skip
        floor = self.controller.router.floor
        states = [phone_state(p, floor) for p in floor.phones.values()]
        for state in PHONE_STATES:
            family.add_metric([state], states.count(state))
        return family

    def _service_levels(self, now: datetime) -> Iterator[Metric]:
        figure = GaugeMetricFamily("callrouter_service_level", "A KPI target's figure over "
                                   "the calls that ended in the window (absent: no calls)",
                                   labels=["metric", "scope", "window"])  # fmt: skip
        target = GaugeMetricFamily("callrouter_service_level_target", "The KPI target "
                                   "(at_least, or at_most for abandonment_rate)",
                                   labels=["metric", "scope"])  # fmt: skip
        for t in self.feed.kpis.targets:
            bound = t.at_least if t.at_least is not None else t.at_most
            target.add_metric([t.metric.value, t.scope], float(bound or 0.0))
        for window, span in WINDOWS.items():
            for measured in self.feed.kpis.figures(now - span):
                if measured.figure is not None:
                    labels = [measured.target.metric.value, measured.target.scope, window]
                    figure.add_metric(labels, measured.figure)
        return iter((figure, target))

    async def handle(self, request: web.Request) -> web.Response:
        authorize(request, Access.READ)
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


def waiting_queue(call: CallState) -> str | None:
    """The queue a call not yet answered waits in: `switchboard`, or the hand-off target it is
    ringing (`department:<id>`, `dial:<name>`); None once answered or leaving."""
    if call.phase in (Phase.WAITING, Phase.RINGING):
        return SWITCHBOARD
    if call.phase is Phase.HANDED_OFF and call.attempt is not None:
        return f"{call.attempt.kind.value}:{call.attempt.target}"
    return None
