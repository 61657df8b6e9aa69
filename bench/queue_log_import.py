"""`callrouter import-queue-log` on a large synthetic queue_log: time, lines/s, peak memory.

Writes a queue_log of about --lines lines in app_queue's format (calls overlapping as in a busy
queue: answered after rings and a ring-no-answer, abandoned, timed out; plus member lines and a
second queue that is skipped), imports it with the example config into a fresh call log, imports
it again (everything already imported), and prints the figures. Peak memory is the process's
maximum resident set, which shows that the file is streamed, not held.

Run by hand:  .venv/bin/python bench/queue_log_import.py [--lines 10000000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from callrouter.cli import main

REPO = Path(__file__).parent.parent
T0 = 1_795_392_000


def call_lines(n: int) -> Iterator[str]:
    """About 5 lines for call `n` (a new call every 2 s; each waits 5..40 s)."""
    enter = T0 + 2 * n
    uid = f"{enter}.{n}"
    wait = 5 + n % 36
    yield f"{enter}|{uid}|switchboard|NONE|ENTERQUEUE||0045{n:08d}|{n % 9 + 1}\n"
    if n % 5 == 0:
        yield f"{enter + wait}|{uid}|switchboard|NONE|ABANDON|2|3|{wait}\n"
        return
    if n % 17 == 0:
        yield f"{enter + wait}|{uid}|switchboard|NONE|EXITWITHTIMEOUT|1|3|{wait}\n"
        return
    agent = f"tel{n % 7 + 1}"
    yield f"{enter + 3}|{uid}|switchboard|tel9|RINGNOANSWER|3000\n"
    yield f"{enter + wait}|{uid}|switchboard|{agent}|CONNECT|{wait}|{enter}.{n}9|2\n"
    yield f"{enter + wait + 60}|{uid}|switchboard|{agent}|COMPLETECALLER|{wait}|60|1\n"


def write_queue_log(path: Path, lines: int) -> int:
    """The lines sorted by time, as Asterisk writes them; the number of calls."""
    written, n = 0, 0
    pending: list[tuple[int, int, str]] = []
    with path.open("w", encoding="utf-8") as out:
        while written < lines:
            for seq, line in enumerate(call_lines(n)):
                pending.append((int(line.split("|", 1)[0]), n * 10 + seq, line))
            if n % 50 == 0:
                pending.append(
                    (T0 + 2 * n, n * 10 + 9, f"{T0 + 2 * n}|NONE|switchboard|tel1|PAUSE|\n")
                )
            n += 1
            horizon = T0 + 2 * n  # nothing later can come before this time
            pending.sort()
            ready = [item for item in pending if item[0] < horizon]
            pending = pending[len(ready) :]
            out.writelines(line for _, _, line in ready)
            written += len(ready)
        out.writelines(line for _, _, line in sorted(pending))
    return n


def timed_import(queue_log: Path, config: Path) -> tuple[float, str]:
    argv = ["import-queue-log", str(queue_log), "--queue", "switchboard", "--config", str(config)]
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"import failed with exit code {code}")
    return elapsed, out.getvalue()


def run(lines: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "callrouter.yaml"
        shutil.copy(REPO / "configs" / "callrouter.example.yaml", config)
        queue_log = Path(tmp) / "queue_log"
        calls = write_queue_log(queue_log, lines)
        real_lines = sum(1 for _ in queue_log.open("rb"))
        size_mb = queue_log.stat().st_size / 1e6
        print(f"queue_log: {real_lines} lines, {calls} calls, {size_mb:.0f} MB")
        first, summary = timed_import(queue_log, config)
        print(summary.rstrip())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"first import:  {first:7.1f} s  {real_lines / first:9.0f} lines/s")
        again, summary = timed_import(queue_log, config)
        print(f"second import: {again:7.1f} s  {real_lines / again:9.0f} lines/s (all already in)")
        print(f"peak resident memory of this process: {peak_mb:.0f} MB")
        db_mb = (Path(tmp) / "callrouter.sqlite3").stat().st_size / 1e6
        print(f"call log: {db_mb:.0f} MB; ratio second/first import: {again / first:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    run(parser.parse_args().lines)
