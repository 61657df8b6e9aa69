"""One value at a time: the checked types the configuration schema is built from.

A check that points below the value it validates raises `Invalid` with `at` naming the sub-key,
so the error still lands on the right line.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import holidays
from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    ValidationInfo,
)

from callrouter.domain.hours import END_OF_DAY, WEEKDAYS, TimeRange
from callrouter.domain.kpis import Scope
from callrouter.pbx import safe

SWITCHBOARD = "switchboard"  # the entry route that means "the switchboard", not a department
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_NUMBER = re.compile(r"\+?[0-9]{1,20}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9_.+:-]{1,80}")  # passes safe.token: fit for AMI headers
_HOST = re.compile(r"[A-Za-z0-9._:-]{1,253}")
_HHMM = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_RANGE = re.compile(rf"(?P<start>{_HHMM})-(?P<end>{_HHMM}|24:00)")
_DAYS = "/".join(WEEKDAYS)


class Invalid(ValueError):
    """A value is wrong; `at` is the path below the checked value where the mistake is written."""

    def __init__(self, message: str, *at: str | int) -> None:
        super().__init__(message)
        self.at = at


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' when `value` is close to one of `choices`, else ''."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _text(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        raise Invalid(
            f"{what} must be text in quotes: YAML read this value as {type(value).__name__} "
            f"{value!r} (unquoted digits become numbers, and no/yes become booleans)"
        )
    raise Invalid(f"{what} must be text, not {type(value).__name__}")


def _matching(pattern: re.Pattern[str], what: str, rule: str) -> Any:
    def check(value: object) -> str:
        text = _text(value, what)
        if not pattern.fullmatch(text):
            raise Invalid(f"{text!r} is not {what}: {rule}")
        return text

    return PlainValidator(check)


def _safe(check: Any) -> Any:
    def run(value: object) -> str:
        try:
            return str(check(_text(value, "the value")))
        except safe.UnsafeValue as error:
            raise Invalid(str(error)) from None

    return PlainValidator(run)


def _label(value: str) -> str:
    if not value.strip() or any(ord(c) < 32 for c in value) or len(value) > 100:
        raise Invalid(f"{value!r} must be 1-100 characters of text on one line")
    return value


Id = Annotated[
    str,
    _matching(
        ID_PATTERN, "a valid id", "use 1-40 of a-z, 0-9, '-' and '_', starting with a-z or 0-9"
    ),
]
Number = Annotated[
    str, _matching(_NUMBER, "an entry number", "up to 20 digits, optionally starting with +")
]
Language = Annotated[
    str, _matching(_LANGUAGE, "a language code", "use lowercase ISO 639-1, e.g. da or en")
]
EnvName = Annotated[
    str,
    _matching(
        _ENV_NAME,
        "an environment variable name",
        "use letters, digits and '_', not starting with a digit",
    ),
]
Host = Annotated[str, _matching(_HOST, "a host name or IP address", "e.g. 127.0.0.1")]
Token = Annotated[str, _matching(_NAME, "a name", "use 1-80 of A-Z, a-z, 0-9 and . _ + : -")]
Dial = Annotated[str, _safe(safe.dial_string)]
Sound = Annotated[str, _safe(safe.sound_name)]
Label = Annotated[str, AfterValidator(_label)]


def department_id(value: str) -> str:
    if value == SWITCHBOARD:
        raise Invalid(f"'{SWITCHBOARD}' is reserved for entry routes; pick another department id")
    return value


def route(value: object) -> str:
    text = _text(value, "the route")
    if text != SWITCHBOARD and not ID_PATTERN.fullmatch(text):
        raise Invalid(f"{text!r} is not '{SWITCHBOARD}' or a department id")
    return text


def kpi_scope(value: object) -> str:
    """A KPI target's scope: switchboard, departments, all, or a department id."""
    text = _text(value, "a scope")
    if text in {scope.value for scope in Scope} or ID_PATTERN.fullmatch(text):
        return text
    raise Invalid(f"{text!r} is not a scope: use switchboard, departments, all or a department id")


def timezone_name(value: object) -> str:
    text = _text(value, "the time zone")
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(text, zoneinfo.available_timezones())
        raise Invalid(f"unknown time zone {text!r}{hint}") from None
    return text


@functools.cache
def countries() -> dict[str, list[str]]:
    countries: dict[str, list[str]] = holidays.list_supported_countries()
    return countries


def country_code(value: object) -> str:
    text = _text(value, "the country")
    supported = countries()
    if text not in supported:
        hint = did_you_mean(text, supported)
        raise Invalid(f"the holidays package has no country {text!r}{hint}")
    return text


def path_in_config(what: str) -> Any:
    def check(value: object) -> Path:
        text = _text(value, what)
        if not text.strip():
            raise Invalid(f"{what} is empty")
        return Path(text)

    return PlainValidator(check)


def parse_range(value: object) -> TimeRange:
    """`HH:MM-HH:MM`, strictly two-digit hours; `24:00` may end a range; end <= start: overnight."""
    match = _RANGE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Invalid(
            f"{value!r} is not a time range like 09:00-15:00 (HH:MM-HH:MM with two-digit hours)"
        )
    start = time.fromisoformat(match["start"])
    end = END_OF_DAY if match["end"] == "24:00" else time.fromisoformat(match["end"])
    if start == end:
        raise Invalid(f"{value!r} starts and ends at the same time; all day is 00:00-24:00")
    return TimeRange(start, end)


def days_of(key: str) -> tuple[int, ...]:
    """`mon` -> (0,), `mon-thu` -> (0, 1, 2, 3). The key is already checked by `_day_key`."""
    first, _, last = key.partition("-")
    return tuple(range(WEEKDAYS.index(first), WEEKDAYS.index(last or first) + 1))


def _day_key(value: str) -> str:
    first, dash, last = value.partition("-")
    if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
        raise Invalid(f"{value!r} is not a day ({_DAYS}) or a day range like mon-thu")
    if dash and WEEKDAYS.index(last) <= WEEKDAYS.index(first):
        raise Invalid(f"{value!r} must run forwards through the week ({_DAYS})")
    return value


def _no_overlap(ranges: list[TimeRange]) -> list[TimeRange]:
    ordered = sorted(ranges, key=lambda r: r.start)
    for before, after in itertools.pairwise(ordered):
        if before.crosses_midnight or after.start < before.end:
            raise Invalid(f"the ranges {before} and {after} overlap")
    return ranges


def _each_day_once(hours: dict[str, list[TimeRange]]) -> dict[str, list[TimeRange]]:
    given_by: dict[int, str] = {}
    for key in hours:
        for day in days_of(key):
            if day in given_by:
                raise Invalid(f"{WEEKDAYS[day]} is already given by '{given_by[day]}'", key)
            given_by[day] = key
    return hours


def _date(value: object) -> date:
    try:
        return date.fromisoformat(_text(value, "the date"))
    except ValueError:
        raise Invalid(f"{value!r} is not a date like 2026-12-24") from None


def _moment(value: object, info: ValidationInfo) -> datetime:
    """ISO date and time; a time without an offset is wall-clock time in the config's zone."""
    try:
        moment = datetime.fromisoformat(_text(value, "the date and time"))
    except ValueError:
        raise Invalid(f"{value!r} is not a date and time like 2026-11-23T13:00") from None
    zone = (info.context or {}).get("tz") or zoneinfo.ZoneInfo("UTC")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


DayKey = Annotated[str, AfterValidator(_day_key)]
DayRanges = Annotated[
    list[Annotated[TimeRange, PlainValidator(parse_range)]], AfterValidator(_no_overlap)
]
Hours = Annotated[dict[DayKey, DayRanges], AfterValidator(_each_day_once)]
IsoDate = Annotated[date, PlainValidator(_date)]
Moment = Annotated[datetime, PlainValidator(_moment)]
Strict = Field(strict=True)
Share = Annotated[float, Field(strict=True, ge=0, le=1)]  # a fraction: 0.9 is 90 %
