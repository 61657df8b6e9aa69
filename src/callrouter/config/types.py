"""What loading a configuration produces: the typed settings, or the problems found."""

from __future__ import annotations

import os
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from callrouter.config.panel import PanelSettings
from callrouter.config.values import Invalid
from callrouter.domain.kpis import KpiSettings
from callrouter.domain.model import Switchboard
from callrouter.web.settings import WebSettings

Loc = tuple[str | int, ...]
Lines = Mapping[Loc, int]
Calendar = tuple[Container[date], frozenset[date]]


@dataclass(frozen=True)
class Problem:
    """One mistake in a config file: `configs/x.yaml:17: departments[2].hours.fri: message`."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists every mistake found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class PbxSettings:
    """How to reach the PBX. Holds where the secret is, never the secret itself."""

    kind: Literal["asterisk", "freeswitch"]
    username: str  # AMI user; "" for FreeSWITCH (the Event Socket has only a password)
    secret_env: str | None = None
    secret_file: Path | None = None  # absolute: a relative path is taken from the config's dir
    host: str = "127.0.0.1"
    port: int = 5038
    inbound_context: str = "callrouter-inbound"  # FreeSWITCH: where the dialplan offers calls
    origin: str = field(default="", repr=False, compare=False)  # config file, for problems
    origin_line: int | None = field(default=None, repr=False, compare=False)

    def secret(self) -> str:
        """Read the AMI secret (FreeSWITCH: ESL password) now, from the environment or the file."""
        key = "password" if self.kind == "freeswitch" else "secret"
        where = f"pbx.{key}_env" if self.secret_env is not None else f"pbx.{key}_file"
        try:
            return self._read_secret()
        except Invalid as error:
            raise ConfigError([Problem(self.origin, self.origin_line, where, str(error))]) from None

    def _read_secret(self) -> str:
        what = "ESL password" if self.kind == "freeswitch" else "AMI secret"
        if self.secret_env is not None:
            source = f"the environment variable {self.secret_env}"
            value = os.environ.get(self.secret_env)
            if value is None:
                raise Invalid(f"{source} is not set (it should hold the {what})")
        else:
            noun = "password" if self.kind == "freeswitch" else "secret"
            source = f"the {noun} file {self.secret_file}"
            try:
                value = Path(str(self.secret_file)).read_text(encoding="utf-8").rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as error:
                reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
                raise Invalid(f"cannot read {source}: {reason}") from None
        if not value.strip():
            raise Invalid(f"{source} is empty")
        if "\r" in value or "\n" in value:
            raise Invalid(f"{source} holds a line break inside the secret")
        return value


@dataclass(frozen=True)
class AppConfig:
    source: Path
    timezone: str
    pbx: PbxSettings
    database: Path  # absolute: a relative path is taken from the config file's directory
    log_format: Literal["console", "json"]
    log_level: Literal["debug", "info", "warning", "error"]
    switchboard: Switchboard
    kpis: KpiSettings = field(default_factory=KpiSettings)
    panel: PanelSettings = field(default_factory=PanelSettings)
    web: WebSettings = field(default_factory=WebSettings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
