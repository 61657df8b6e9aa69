"""What the panel's API accepts: request bodies checked field by field, with clear messages.

Text that came from outside is checked here before it reaches the store or the router: no control
characters, bounded lengths, numbers that can be dialled back. None of it ever goes into a PBX
command.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from callrouter.domain.callbacks import RESULTS_BY_HAND, CallbackResult, callable_number

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class BadPayload(ValueError):
    """The request body is not what the endpoint takes; the message says what is wrong."""


def _one_line(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must be one line of text without control characters")
    return value.strip()


def _multi_line(value: str) -> str:
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in value):
        raise ValueError("must be text without control characters")
    return value.strip()


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _dialable(value: str) -> str:
    number = callable_number(value)
    if number is None:
        raise ValueError("must be a phone number: 3-20 digits, optionally starting with +")
    return number


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry its UTC offset, e.g. 2026-11-23T13:00:00+01:00")
    return value


ShortText = Annotated[str, Field(max_length=100), AfterValidator(_one_line)]
Reason = Annotated[ShortText, AfterValidator(_not_empty)]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_multi_line)]
PhoneNumber = Annotated[str, Field(max_length=40), AfterValidator(_dialable)]
Code = Annotated[str, Field(pattern=_CODE.pattern)]
Moment = Annotated[datetime, AfterValidator(_aware)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class PresenceAction(enum.StrEnum):
    LOG_IN = "log_in"
    LOG_OUT = "log_out"
    PAUSE = "pause"
    RESUME = "resume"


class PresenceBody(_Body):
    action: PresenceAction
    reason: ShortText = ""

    @model_validator(mode="after")
    def _pause_needs_reason(self) -> Self:
        if self.action is PresenceAction.PAUSE and not self.reason:
            raise ValueError("a pause needs a reason (e.g. 'lunch')")
        return self


class ReasonBody(_Body):
    code: Code


class MessageBody(_Body):
    caller_number: PhoneNumber
    caller_name: ShortText = ""
    note: Note = ""
    call_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    telephonist: Annotated[str, Field(pattern=_CODE.pattern)]
    callback_due: Moment | None = None  # set: a callback promise due then


class ClaimBody(_Body):
    telephonist: Annotated[str, Field(pattern=_CODE.pattern)]


class CloseBody(ClaimBody):
    result: CallbackResult

    @model_validator(mode="after")
    def _by_hand(self) -> Self:
        if self.result not in RESULTS_BY_HAND:
            choices = ", ".join(r.value for r in RESULTS_BY_HAND)
            raise ValueError(f"result must be one of {choices}")
        return self


class ClosureBody(_Body):
    scope: Annotated[str, Field(pattern=_CODE.pattern)]  # a department id or "switchboard"
    start: Moment
    end: Moment
    note: ShortText = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


Body = TypeVar("Body", bound=BaseModel)


def parse(model: type[Body], body: Any) -> Body:
    """The checked body, or BadPayload naming every field that is wrong."""
    if not isinstance(body, dict):
        raise BadPayload("the body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise BadPayload("; ".join(_describe(e) for e in error.errors())) from None


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{where}: {message}" if where else message
