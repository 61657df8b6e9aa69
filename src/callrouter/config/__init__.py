"""Load and check the YAML configuration; every problem is reported with its file and line.

`load_config` reads the file in three passes and reports the problems of all three together:
the YAML itself (syntax, duplicate keys), each value against the schema in `config.schema`, and
references across sections (unique ids and numbers, routes and targets naming real departments).
Only a file without problems is turned into the domain's `Switchboard`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from callrouter.config.build import build_app_config
from callrouter.config.checks import reference_problems, validate_document
from callrouter.config.types import AppConfig, ConfigError, PbxSettings, Problem
from callrouter.config.yaml_lines import read_yaml

__all__ = [
    "AppConfig",
    "ConfigError",
    "PbxSettings",
    "Problem",
    "check_config",
    "load_config",
    "summarize",
]


def load_config(path: Path) -> AppConfig:
    """Read and check `path`; raise ConfigError listing every problem if there are any."""
    file = str(path)
    raw, lines, problems = read_yaml(path, file)
    document, invalid = validate_document(raw, file, lines)
    problems = [*problems, *invalid, *reference_problems(raw, file, lines)]
    if problems or document is None:
        unique = list(dict.fromkeys(problems))
        raise ConfigError(sorted(unique, key=lambda problem: problem.line or 0))
    return build_app_config(document, path, lines)


def check_config(path: Path, *, check_secret: bool = True) -> list[Problem]:
    """Every problem in `path` (empty: fine); with `check_secret`, the AMI secret must be there."""
    try:
        config = load_config(path)
        if check_secret:
            config.pbx.secret()
    except ConfigError as error:
        return error.problems
    return []


def summarize(config: AppConfig, now: datetime | None = None) -> str:
    """One line for `check-config`: what was loaded and whether the switchboard is open now."""
    board = config.switchboard
    is_open = board.hours.is_open(now or datetime.now(UTC))
    counts = ", ".join(
        _count(len(items), noun)
        for items, noun in (
            (board.telephonists, "telephonist"),
            (board.departments, "department"),
            (board.entries, "entry number"),
        )
    )
    return f"ok: {counts}; switchboard open now: {'yes' if is_open else 'no'}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
