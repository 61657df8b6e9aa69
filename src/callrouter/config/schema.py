"""The shape of the YAML configuration: pydantic models that check each value where it is written.

Every check that looks at one value (or one small group of values) lives here, so pydantic reports
all of them in one pass. A check that points below the value it validates raises `Invalid` with
`at` naming the sub-key, so the error still lands on the right line. Checks across sections (unique
ids, references to departments) are in `callrouter.config.checks`; single values in `values`.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    model_validator,
)

from callrouter.config.panel import PanelSection
from callrouter.config.values import (
    Dial,
    EnvName,
    Host,
    Hours,
    Id,
    Invalid,
    IsoDate,
    Label,
    Language,
    Moment,
    Number,
    Share,
    Sound,
    Strict,
    Token,
    countries,
    country_code,
    department_id,
    kpi_scope,
    path_in_config,
    route,
    timezone_name,
)
from callrouter.config.web import WebSection
from callrouter.domain.kpis import Metric, ServiceLevelFormula


def _at_least_one_telephonist(items: list[TelephonistSection]) -> list[TelephonistSection]:
    if not items:
        raise Invalid("at least one telephonist is needed")
    return items


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PbxSection(Section):
    kind: Literal["asterisk"]
    host: Host = "127.0.0.1"
    port: Annotated[int, Field(strict=True, ge=1, le=65535)] = 5038
    username: Token
    secret_env: EnvName | None = None
    secret_file: Annotated[Path, path_in_config("the secret file")] | None = None

    @model_validator(mode="after")
    def _one_secret_source(self) -> Self:
        if self.secret_env is None and self.secret_file is None:
            raise Invalid(
                "give secret_env (environment variable) or secret_file for the AMI secret"
            )
        if self.secret_env is not None and self.secret_file is not None:
            raise Invalid("give only one of secret_env and secret_file", "secret_file")
        return self


class FreeSwitchPbxSection(Section):
    """`pbx: {kind: freeswitch}`: the inbound Event Socket (mod_event_socket)."""

    kind: Literal["freeswitch"]
    host: Host = "127.0.0.1"
    port: Annotated[int, Field(strict=True, ge=1, le=65535)] = 8021
    password_env: EnvName | None = None
    password_file: Annotated[Path, path_in_config("the password file")] | None = None
    inbound_context: Token = "callrouter-inbound"

    @model_validator(mode="after")
    def _one_password_source(self) -> Self:
        if self.password_env is None and self.password_file is None:
            raise Invalid(
                "give password_env (environment variable) or password_file for the ESL password"
            )
        if self.password_env is not None and self.password_file is not None:
            raise Invalid("give only one of password_env and password_file", "password_file")
        return self


PBX_SECTIONS: Mapping[str, type[Section]] = {
    "asterisk": PbxSection,
    "freeswitch": FreeSwitchPbxSection,
}
AnyPbxSection = Annotated[PbxSection | FreeSwitchPbxSection, Field(discriminator="kind")]


class LoggingSection(Section):
    format: Literal["console", "json"] = "console"
    level: Literal["debug", "info", "warning", "error"] = "info"


class HolidaysSection(Section):
    country: Annotated[str, PlainValidator(country_code)]
    subdivision: str | None = None
    extra_closed: list[IsoDate] = []

    @model_validator(mode="after")
    def _known_subdivision(self) -> Self:
        known = countries()[self.country]
        if self.subdivision is not None and self.subdivision not in known:
            choices = f"; known: {', '.join(known)}" if known else "; it has none"
            message = f"{self.country} has no subdivision {self.subdivision!r}{choices}"
            raise Invalid(message, "subdivision")
        return self


class ClosureSection(Section):
    start: Moment
    end: Moment
    note: str = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            end, start = (m.isoformat(timespec="minutes") for m in (self.end, self.start))
            raise Invalid(f"the closure ends ({end}) before it starts ({start})", "end")
        return self


class SwitchboardSection(Section):
    hours: Hours
    holidays: HolidaysSection | None = None
    closures: list[ClosureSection] = []


class EntrySection(Section):
    number: Number
    route: Annotated[str, PlainValidator(route)]
    language: Language | None = None


class TelephonistSection(Section):
    id: Id
    name: Label
    dial: Dial
    languages: list[Language] = []
    logged_in: Annotated[bool, Strict] = True


class DepartmentSection(Section):
    id: Annotated[Id, AfterValidator(department_id)]
    name: Label
    function_number: Dial
    hours: Hours
    holidays: HolidaysSection | None = None  # None: the switchboard's holidays
    closures: list[ClosureSection] = []
    ring_seconds: Annotated[int, Field(strict=True, ge=1, le=3600)] = 120
    closed_announcement: Sound | None = None
    tasks: list[Label] = []  # what the department handles: words for the directory search


class TargetSection(Section):
    department: Id | None = None
    dial: Dial | None = None
    name: Token | None = None  # a dial target's name in the call log; default: the dial string

    @model_validator(mode="after")
    def _department_or_dial(self) -> Self:
        if (self.department is None) == (self.dial is None):
            raise Invalid("give either department or dial (e.g. {department: borgerservice})")
        if self.name is not None and self.dial is None:
            raise Invalid("name goes with dial; a department target is named by its id", "name")
        return self


class AfterHoursSection(Section):
    announcement: Sound | None = None
    target: TargetSection | None = None


class RoutingSection(Section):
    rings_per_attempt: Annotated[int, Field(strict=True, ge=1, le=20)] = 4
    max_wait_seconds: Annotated[float, Field(strict=True, gt=0, le=3600)] = 120.0
    pause_after_misses: Annotated[int, Field(strict=True, ge=1)] = 3
    overflow_target: TargetSection | None = None
    after_hours: AfterHoursSection = AfterHoursSection()


class KpiTargetSection(Section):
    metric: Metric
    scope: Annotated[str, PlainValidator(kpi_scope)]
    at_least: Share | None = None
    at_most: Share | None = None
    source: Label | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.at_least is None) == (self.at_most is None):
            raise Invalid("give either at_least or at_most (a share from 0 to 1, e.g. 0.9)")
        return self


class KpiSection(Section):
    answer_within_rings: Annotated[int, Field(strict=True, ge=1, le=50)] = 3
    answer_within_seconds: Annotated[float, Field(strict=True, gt=0, le=86400)] = 300.0
    short_abandon_seconds: Annotated[float, Field(strict=True, ge=0, le=600)] = 5.0
    service_level_formula: ServiceLevelFormula = ServiceLevelFormula.ANSWERED_AND_LONG_ABANDONS
    repeat_caller_window_hours: Annotated[float, Field(strict=True, gt=0, le=24 * 90)] = 24.0
    telephonist_names: Annotated[bool, Strict] = False
    targets: list[KpiTargetSection] | None = None  # None: the Luleå defaults (DOMAIN.md)


class Document(Section):
    timezone: Annotated[str, PlainValidator(timezone_name)]
    pbx: AnyPbxSection
    database: Annotated[Path, path_in_config("the database path")] = Path("callrouter.sqlite3")
    logging: LoggingSection = LoggingSection()
    ring_cadence_seconds: Annotated[float, Field(strict=True, gt=0, le=30)] = 5.0
    switchboard: SwitchboardSection
    entries: list[EntrySection] = []
    telephonists: Annotated[list[TelephonistSection], AfterValidator(_at_least_one_telephonist)]
    departments: list[DepartmentSection] = []
    routing: RoutingSection = RoutingSection()
    kpis: KpiSection = KpiSection()
    panel: PanelSection = PanelSection()
    web: WebSection = WebSection()


def keys_at(loc: Iterable[str | int]) -> list[str]:
    """The keys the schema allows in the mapping at `loc` (for 'did you mean' on unknown keys)."""
    shape: Any = Document
    for part in loc:
        shape = _unwrap(shape)
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            field = shape.model_fields.get(str(part))
            if field is None:
                return []
            shape = field.annotation
        elif getattr(shape, "__origin__", None) in (list, dict):
            shape = shape.__args__[-1]
        else:
            return []
    shape = _unwrap(shape)
    return (
        list(shape.model_fields) if isinstance(shape, type) and issubclass(shape, BaseModel) else []
    )


def _unwrap(shape: Any) -> Any:
    """Strip Annotated[...] and `X | None` down to X."""
    while True:
        if hasattr(shape, "__metadata__"):
            shape = shape.__origin__
        elif getattr(shape, "__args__", None) and type(None) in shape.__args__:
            shape = next(arg for arg in shape.__args__ if arg is not type(None))
        else:
            return shape


def context_for(raw: object) -> Mapping[str, Any]:
    """Validation context: the config's zone (or UTC if it is unusable) for naive closure times."""
    name = raw.get("timezone") if isinstance(raw, dict) else None
    try:
        return {"tz": zoneinfo.ZoneInfo(name) if isinstance(name, str) else None}
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return {"tz": None}
