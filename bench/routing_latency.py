"""Arrival -> phone ringing latency on the real Asterisk sandbox, three ways side by side.

  callrouter   this project: `callrouter run`, dialplan callrouter-inbound
  app_queue    Asterisk's own Queue() (queues.conf "switchboard", leastrecent, 5 members)
  redirect     a minimal script that only answers a UserEvent with one Redirect

Calls go one at a time (low load), interleaved across the three. Both ends of each measurement
are Asterisk's own event timestamps (timestampevents=yes): arrival is the inbound channel's first
dialplan step in its entry context, ringing is the DialBegin towards a telephonist phone.

Run by hand:  .venv/bin/python bench/routing_latency.py [--calls 40]
(start the sandbox first: CALLROUTER_AMI_SECRET=sandbox-secret
 scripts/asterisk-sandbox.sh start)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from callrouter.sandbox.amiclient import Message, SimAmi
from callrouter.sandbox.callers import PHONES, place_call, set_phone
from callrouter.sandbox.configs import sandbox_config

ENTRY = "4589151515"
ENTRY_CONTEXT = {
    "callrouter": "callrouter-inbound",
    "app_queue": "bench-queue",
    "redirect": "bench-hold",
}


DIAL_CONTEXTS = ("callrouter-dial", "bench-dial")
STAGES = ("dialplan", "decision", "dial")  # arrival -> offered -> redirected -> ringing


class Measure:
    """Collects arrival, offer, redirect and ringing timestamps per inbound channel."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.offered: dict[str, float] = {}
        self.redirected: dict[str, float] = {}
        self.rang: dict[str, float] = {}

    def feed(self, message: Message) -> None:
        event, channel = message.get("Event"), message.get("Channel", "")
        stamp = float(message.get("Timestamp", "0") or 0)
        context = message.get("Context")
        entering = event == "Newexten" and context in ENTRY_CONTEXT.values()
        if entering and channel.endswith(";2") and channel not in self.arrived:
            self.arrived[channel] = stamp
        if event == "UserEvent":
            self.offered.setdefault(channel, stamp)
        if event == "Newexten" and context in DIAL_CONTEXTS:
            self.redirected.setdefault(channel, stamp)
        if event == "DialBegin" and message.get("DestChannel", "").startswith("Local/tel"):
            self.rang.setdefault(channel, stamp)

    def stages(self, channel: str) -> tuple[float, float, float] | None:
        """(dialplan before the offer, controller's decision, dial) in ms, where they apply."""
        marks = (self.arrived, self.offered, self.redirected, self.rang)
        if not all(channel in m for m in marks):
            return None
        t = [m[channel] * 1000 for m in marks]
        return (t[1] - t[0], t[2] - t[1], t[3] - t[2])


async def minimal_redirector(
    ami: SimAmi, events: asyncio.Queue[tuple[float, Message]], measure: Measure
) -> None:
    phones = itertools.cycle(PHONES)
    while True:
        _, message = await events.get()
        measure.feed(message)
        if message.get("Event") == "UserEvent" and message.get("UserEvent") == "BenchOffered":
            ami.send(
                {
                    "Action": "Redirect",
                    "Channel": message["Channel"],
                    "Context": "bench-dial",
                    "Exten": next(phones),
                    "Priority": "1",
                }
            )


async def one_call(ami: SimAmi, measure: Measure, system: str) -> str | None:
    """Place one call; the inbound channel once its phone rang (None if it never did)."""
    before = set(measure.rang)
    await place_call(
        ami, ENTRY, "Bench Caller", "4512345678", patience=1.0, route=ENTRY_CONTEXT[system]
    )
    for _ in range(40):
        await asyncio.sleep(0.05)
        new = [
            c
            for c in set(measure.rang) - before
            if ENTRY_CONTEXT[system] in c and c in measure.arrived
        ]
        if new:
            return new[0]
    return None


def start_controller(workdir: Path) -> subprocess.Popen[bytes]:
    config = sandbox_config(workdir / "bench.sqlite3", telephonists=5)
    config["logging"]["level"] = "warning"
    path = workdir / "bench.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = os.environ | {
        "CALLROUTER_AMI_SECRET": os.environ.get("CALLROUTER_AMI_SECRET", "sandbox-secret")
    }
    return subprocess.Popen(
        [sys.executable, "-m", "callrouter.cli", "run", "--config", str(path)],
        env=env,
        stderr=subprocess.DEVNULL,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


Results = dict[str, list[float]]


async def run(calls: int) -> tuple[Results, dict[str, list[tuple[float, float, float]]]]:
    ami = SimAmi()
    await ami.connect()
    for phone in PHONES:
        await set_phone(ami, phone, answer_after=30, talk=1)  # ring only; callers leave after 1 s
    measure = Measure()
    redirector = asyncio.create_task(minimal_redirector(ami, ami.listen(), measure))
    results: Results = {name: [] for name in ENTRY_CONTEXT}
    stages: dict[str, list[tuple[float, float, float]]] = {name: [] for name in ENTRY_CONTEXT}
    for _ in range(calls):
        for system in ENTRY_CONTEXT:
            channel = await one_call(ami, measure, system)
            if channel is None:
                continue
            split = measure.stages(channel)
            if split is None and system != "app_queue":
                # rang without being offered and redirected: fail-open, not the measured path
                print(f"{system}: a call did not take the measured path", file=sys.stderr)
                continue
            results[system].append((measure.rang[channel] - measure.arrived[channel]) * 1000)
            if split is not None:
                stages[system].append(split)
            await asyncio.sleep(1.3)  # let the caller leave and the phone go idle
    redirector.cancel()
    await ami.close()
    return results, stages


def report(results: Results, calls: int) -> None:
    print(f"arrival -> telephonist ringing, {calls} calls each, one at a time (ms)")
    print(f"{'system':<11} {'n':>4} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
    for name, values in results.items():
        if not values:
            print(f"{name:<11} {0:>4}   (no measurements)")
            continue
        print(
            f"{name:<11} {len(values):>4} {statistics.median(values):>8.2f} "
            f"{percentile(values, 0.99):>8.2f} {statistics.mean(values):>8.2f} {max(values):>8.2f}"
        )
    ours, minimal, queue = (results[k] for k in ("callrouter", "redirect", "app_queue"))
    if ours and minimal and queue:
        p50 = statistics.median(ours)
        print(
            f"callrouter p50 / redirect p50  = {p50 / statistics.median(minimal):.2f}x  (<= 1.5x)"
        )
        print(f"callrouter p50 / app_queue p50 = {p50 / statistics.median(queue):.2f}x")
        print(f"callrouter p99 = {percentile(ours, 0.99):.2f} ms   (target < 20 ms)")


def report_stages(stages: dict[str, list[tuple[float, float, float]]]) -> None:
    """Where the time goes: dialplan up to the offer, the decision (event -> Redirect landed),
    and Asterisk's dial. app_queue has no offer/redirect, so it has no split."""
    print("median split (ms): dialplan to offer | decision, offer -> redirected | dial")
    for name, splits in stages.items():
        if splits:
            medians = [statistics.median(s[i] for s in splits) for i in range(len(STAGES))]
            print(f"{name:<11} " + " | ".join(f"{m:8.2f}" for m in medians))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        controller = start_controller(Path(workdir))
        try:
            asyncio.run(asyncio.sleep(2))
            results, stages = asyncio.run(run(args.calls))
        finally:
            controller.send_signal(signal.SIGTERM)
            controller.wait(timeout=20)
    report(results, args.calls)
    report_stages(stages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
