"""The `callrouter` command: run, check-config, export, report, import-queue-log, hash-token."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog
import uvloop

from callrouter.config import AppConfig, ConfigError, check_config, load_config, summarize
from callrouter.logs import configure_logging
from callrouter.queue_log_cli import add_parser as add_import_queue_log
from callrouter.queue_log_cli import run as _import_queue_log
from callrouter.reports.command import add_report_parser, run_report

log = structlog.get_logger(__name__)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = {
        "run": _run,
        "check-config": _check,
        "export": _export,
        "report": run_report,
        "import-queue-log": _import_queue_log,
        "hash-token": _hash_token,
    }[args.command]
    return handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callrouter", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the controller in the foreground")
    run.add_argument("--config", type=Path, required=True)
    check = sub.add_parser("check-config", help="validate a configuration file")
    check.add_argument("file", type=Path)
    check.add_argument(
        "--no-secret", action="store_true", help="do not require the AMI secret or ESL password"
    )
    export = sub.add_parser("export", help="write one row per call")
    export.add_argument("--config", type=Path, required=True)
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.add_argument("--from", dest="start", help="ISO date/time, inclusive (switchboard tz)")
    export.add_argument("--to", dest="end", help="ISO date/time, exclusive (switchboard tz)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    add_import_queue_log(sub)
    add_report_parser(sub)
    hashing = sub.add_parser("hash-token", help="make an API token and the hash for web.tokens")
    hashing.add_argument("name", help="the token's name in web.tokens (a config id, e.g. anna)")
    hashing.add_argument("--stdin", action="store_true", help="hash a token read from stdin")
    return parser


def _load(path: Path) -> AppConfig | None:
    try:
        return load_config(path)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    problems = check_config(args.file, check_secret=not args.no_secret)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    config = load_config(args.file)
    print(summarize(config))
    return 0


def _run(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 2
    configure_logging(config.log_format, config.log_level)
    try:
        secret = config.pbx.secret()
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    # uvloop: measured in bench/routing_latency.py, it takes ~0.7 ms off arrival -> ringing
    return uvloop.run(_serve(config, secret))


async def _serve(config: AppConfig, secret: str) -> int:
    from callrouter.app import build_controller, build_web_server
    from callrouter.web.server import BindRefused

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    controller, call_log = await build_controller(config, secret)
    server = build_web_server(config, controller, call_log.desk)
    try:
        await server.start()
    except (OSError, BindRefused) as error:
        await call_log.close()
        where = f"{config.web.host}:{config.web.port}"
        print(f"{config.source}: web: cannot listen on {where}: {error}", file=sys.stderr)
        return 2
    log.info("controller_starting", config=str(config.source), database=str(config.database))
    try:
        await controller.run(stop)
    finally:
        await server.stop()
        await call_log.close()
        log.info("controller_stopped", events_applied=controller.applied)
    return 0


def _parse_bound(value: str | None, tz: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _export(args: argparse.Namespace) -> int:
    from callrouter.store.export import export_calls

    config = _load(args.config)
    if config is None:
        return 2
    tz = ZoneInfo(config.timezone)
    try:
        start, end = _parse_bound(args.start, tz), _parse_bound(args.end, tz)
    except ValueError as error:
        print(f"export: {error}", file=sys.stderr)
        return 2
    if not config.database.exists():
        print(f"export: no call log at {config.database}", file=sys.stderr)
        return 2
    if args.out is None:
        rows = asyncio.run(export_calls(config.database, sys.stdout, args.format, start, end))
    else:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            rows = asyncio.run(export_calls(config.database, out, args.format, start, end))
    print(f"exported {rows} calls", file=sys.stderr)
    return 0


def _hash_token(args: argparse.Namespace) -> int:
    from callrouter.web.tokens import hash_token, new_token, token_name

    token = sys.stdin.readline().strip() if args.stdin else new_token(args.name)
    if token_name(token) != args.name:
        rule = f"{args.name}.<16-128 of A-Z a-z 0-9 _ ->; the name a config id"
        print(f"hash-token: a token for {args.name!r} reads {rule}", file=sys.stderr)
        return 2
    if not args.stdin:
        print(f"token (give it to its user; it is not stored): {token}", file=sys.stderr)
    print(f'- {{name: {args.name}, role: ROLE, hash: "{hash_token(token)}"}}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
