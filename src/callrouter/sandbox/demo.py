"""The end-to-end demo: the example configuration, a real Asterisk, simulated callers and phones.

python -m callrouter.sandbox.demo --config configs/callrouter.example.yaml --workdir var/demo
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from callrouter.config import load_config
from callrouter.sandbox.amiclient import SimAmi
from callrouter.sandbox.callers import PHONES, place_call, reset_phones, set_phone
from callrouter.sandbox.configs import ALL_DAY


def prepare_config(example: Path, workdir: Path, real_hours: bool) -> tuple[Path, bool]:
    """A copy of the example config with the log in `workdir`; hours widened if closed now."""
    raw: dict[str, Any] = yaml.safe_load(example.read_text(encoding="utf-8"))
    raw["database"] = str((workdir / "callrouter.sqlite3").resolve())
    path = workdir / "callrouter.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    open_now = load_config(path).switchboard.hours.is_open(datetime.now(UTC))
    widened = not open_now and not real_hours
    if widened:
        raw["switchboard"]["hours"] = ALL_DAY
        for department in raw["departments"]:
            if department["id"] in ("borgerservice", "jobcenter"):
                department["hours"] = ALL_DAY
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, widened


# (entry number, caller name, caller number, patience in seconds, seconds after the previous call)
CALLERS = [
    ("4589151515", "Søren Ærø", "004512345678", 60, 0.0),
    ("4589151515", "Åsa Öberg", "004622334455", 60, 0.5),
    ("4589151516", "Siobhán Ní Bhriain", "0035356123456", 60, 0.5),
    ("4589151515", "Mette Frederiksen", "004523232323", 60, 1.0),
    ("4589151515", "Impatient Ib", "004524242424", 3, 0.5),
    ("4589151515", "Jens Jensen", "004525252525", 60, 1.0),
    ("4589151601", "Borger Birgit", "004526262626", 60, 1.0),  # Borgerservice's own number
    ("4589151515", "Karen Krogh", "004527272727", 60, 1.0),
    ("4589151515", "Lars Løkke", "004528282828", 60, 0.5),
    ("4589151515", "Niels Nørgaard", "004529292929", 60, 1.0),
]


async def drive(expected: int) -> None:
    ami = SimAmi()
    await ami.connect()
    await reset_phones(ami)
    await set_phone(ami, "tel1", answer_after=2, talk=6)
    await set_phone(ami, "tel2", answer_after=4, talk=5)
    await set_phone(ami, "tel3", away=True)  # never answers: watch the ring-no-answer move on
    for phone in PHONES[3:]:
        await set_phone(ami, phone, answer_after=3, talk=8)
    for entry, name, number, patience, gap in CALLERS[:expected]:
        await asyncio.sleep(gap)
        await place_call(ami, entry, name, number, patience)
        print(f"  caller {name!r} dials {entry} (patience {patience} s)", flush=True)
    await ami.close()


def wait_for_outcomes(db: Path, expected: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if db.exists():
            with sqlite3.connect(db) as conn:
                ended = conn.execute("SELECT count(*) FROM calls WHERE outcome IS NOT NULL")
                if ended.fetchone()[0] >= expected:
                    return
        time.sleep(0.5)
    print(f"  (not all {expected} calls ended within {within:.0f} s)", flush=True)


def show(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        calls = list(conn.execute("SELECT * FROM calls ORDER BY arrived_at"))
        tried = {
            c["call_id"]: [
                f"{a['target']}:{a['result']}"
                for a in conn.execute(
                    "SELECT target, result FROM attempts WHERE call_id = ? ORDER BY attempt_no",
                    (c["call_id"],),
                )
            ]
            for c in calls
        }
    header = ("caller", "dialled", "outcome", "by", "wait", "rings")
    print("\n{:<22} {:<11} {:<10} {:<24} {:>6} {:>5}  attempts".format(*header))
    for c in calls:
        wait = f"{c['wait_seconds']:.1f}" if c["wait_seconds"] is not None else "-"
        print(
            f"{c['caller_name']:<22} {c['entry']:<11} {c['outcome'] or 'open':<10} "
            f"{c['answered_by'] or '-':<24} {wait:>6} {c['rings_heard'] or 0:>5}  "
            f"{', '.join(tried[c['call_id']]) or '-'}"
        )
    within_3 = sum(1 for c in calls if c["rings_heard"] is not None and c["rings_heard"] <= 3)
    print(f"\n{len(calls)} calls; answered within 3 rings: {within_3}; log: {db}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, default=Path("var/demo"))
    parser.add_argument("--calls", type=int, default=len(CALLERS))
    parser.add_argument(
        "--real-hours",
        action="store_true",
        help="keep the example's opening hours even when closed right now",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "callrouter.sqlite3"
    db.unlink(missing_ok=True)
    config, widened = prepare_config(args.config, args.workdir, args.real_hours)
    if widened:
        print(
            "The switchboard is closed right now, so the demo widens the switchboard's, "
            "Borgerservice's and Jobcenter's hours to 00:00-24:00 (--real-hours keeps them)."
        )
    log_path = args.workdir / "controller.log"
    with log_path.open("w", encoding="utf-8") as controller_log:
        controller = subprocess.Popen(
            [sys.executable, "-m", "callrouter.cli", "run", "--config", str(config)],
            stderr=controller_log,
            env=os.environ.copy(),
        )
        try:
            time.sleep(2)
            print(f"controller running (log: {log_path}); placing {args.calls} calls", flush=True)
            print(f"wallboard: {WALLBOARD}  telephonist panel: {WALLBOARD}panel", flush=True)
            asyncio.run(drive(args.calls))
            wait_for_outcomes(db, args.calls, 120)
        finally:
            controller.send_signal(signal.SIGTERM)
            controller.wait(timeout=20)
    show(db)
    return report(config, args.workdir)


WALLBOARD = "http://127.0.0.1:8080/"  # the example config's web: section (loopback, no tokens)


def report(config: Path, workdir: Path) -> int:
    """This month's KPI report on the demo's calls: the text on screen, the HTML beside the log."""
    month = datetime.now(load_config(config).zone).strftime("%Y-%m")
    html = workdir / f"report-{month}.html"
    common = ["report", "--config", str(config), "--period", month]
    print(f"\n--- callrouter report --period {month} (switchboard, first lines) ---")
    text = subprocess.run(
        [sys.executable, "-m", "callrouter.cli", *common], capture_output=True, text=True
    )
    print("\n".join(text.stdout.splitlines()[:24]) or text.stderr)
    done = subprocess.run([sys.executable, "-m", "callrouter.cli", *common, "--format", "html",
                           "--out", str(html)], check=False)  # fmt: skip
    print(f"HTML report with charts: {html}")
    return text.returncode or done.returncode


if __name__ == "__main__":
    sys.exit(main())
