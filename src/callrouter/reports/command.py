"""`callrouter report`: the KPI report for a month, quarter, year or range, in a chosen format.

Exit status 0 on success; 2 when the request cannot be met (bad period, bad config, no call log,
a file that is not a call log), with one clear line on standard error and nothing written.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path
from typing import Any

from callrouter.config import ConfigError, load_config
from callrouter.reports.compute import ReportError, ReportRequest, build_report
from callrouter.reports.desk import desk_section
from callrouter.reports.formats import RENDERERS
from callrouter.reports.model import ReportPeriod
from callrouter.reports.period import PERIOD_HELP, BadPeriod, named_period, range_period

SOURCE = re.compile(r"^(callrouter|all|queue_log:\S+)$")


def add_report_parser(sub: Any) -> None:
    """Add the `report` subcommand to the CLI's subparsers."""
    report = sub.add_parser("report", help="KPI report for a period (see the README)")
    report.add_argument("--config", type=Path, required=True)
    report.add_argument("--period", help=f"{PERIOD_HELP} (switchboard time zone)")
    report.add_argument("--from", dest="start", help="ISO date/time, inclusive (switchboard tz)")
    report.add_argument("--to", dest="end", help="ISO date/time, exclusive (switchboard tz)")
    report.add_argument("--format", choices=sorted(RENDERERS), default="text")
    report.add_argument("--out", type=Path, help="file to write (default: standard output)")
    report.add_argument(
        "--source",
        default="callrouter",
        help="calls to report on: callrouter (default), all, or queue_log:<queue>",
    )


def run_report(args: argparse.Namespace) -> int:
    try:
        text = _render(args)
    except (BadPeriod, ReportError) as error:
        print(f"report: {error}", file=sys.stderr)
        return 2
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"report: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


def _render(args: argparse.Namespace) -> str:
    if not SOURCE.match(args.source):
        raise ReportError(f"--source {args.source!r}: use callrouter, all or queue_log:<queue>")
    config = load_config(args.config)
    period = _period(args, config.zone)
    if not config.database.exists():
        raise ReportError(f"no call log at {config.database} (config database:)")
    request = ReportRequest(
        config.database, period, config.kpis, config.switchboard.departments, args.source
    )
    report = build_report(request)
    labels = {option.code: option.label for option in config.panel.reason_codes}
    desk = desk_section(config.database, report, labels, report.generated_at)
    return RENDERERS[args.format](dataclasses.replace(report, desk=desk))


def _period(args: argparse.Namespace, zone: Any) -> ReportPeriod:
    if args.period is not None and (args.start or args.end):
        raise BadPeriod("give either --period or --from/--to, not both")
    if args.period is not None:
        return named_period(args.period, zone)
    if args.start and args.end:
        return range_period(args.start, args.end, zone)
    raise BadPeriod(f"give --period ({PERIOD_HELP}) or both --from and --to")
