"""The `panel:` section: the telephonist panel's reason codes and the callback worklist rules.

```yaml
panel:
  reason_codes:                     # what a call was about; telephonists tag calls with these
    - {code: address-change, label: "Address change"}
  callbacks:
    abandoned_after_seconds: 20     # a caller who gave up after waiting longer gets a callback
    due_within_minutes: 30          # ... due this long after the call (Shepway: "within 30 mins")
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from callrouter.config.values import Id, Invalid, Label
from callrouter.domain.callbacks import CallbackSettings


@dataclass(frozen=True)
class ReasonCodeOption:
    code: str
    label: str


# Example codes, not from any source: replace them with the municipality's own list.
DEFAULT_REASON_CODES = (
    ReasonCodeOption("general-enquiry", "General enquiry"),
    ReasonCodeOption("put-through", "Put through to a department"),
    ReasonCodeOption("message-taken", "Message taken"),
    ReasonCodeOption("callback-promised", "Callback promised"),
    ReasonCodeOption("complaint", "Complaint"),
    ReasonCodeOption("wrong-number", "Wrong number"),
)


@dataclass(frozen=True)
class PanelSettings:
    reason_codes: tuple[ReasonCodeOption, ...] = DEFAULT_REASON_CODES
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)

    def knows_code(self, code: str) -> bool:
        return any(option.code == code for option in self.reason_codes)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReasonCodeSection(_Section):
    code: Id
    label: Label


class CallbacksSection(_Section):
    abandoned_after_seconds: Annotated[float, Field(strict=True, ge=0, le=3600)] = 20.0
    due_within_minutes: Annotated[float, Field(strict=True, gt=0, le=7 * 24 * 60)] = 30.0


class PanelSection(_Section):
    reason_codes: list[ReasonCodeSection] | None = None  # None: DEFAULT_REASON_CODES
    callbacks: CallbacksSection = CallbacksSection()

    @model_validator(mode="after")
    def _codes_unique(self) -> Self:
        seen: set[str] = set()
        for index, option in enumerate(self.reason_codes or ()):
            if option.code in seen:
                raise Invalid(f"reason code '{option.code}' is used twice", "reason_codes", index)
            seen.add(option.code)
        if self.reason_codes == []:
            raise Invalid("give at least one reason code, or leave reason_codes out")
        return self


def build_panel(section: PanelSection) -> PanelSettings:
    codes = (
        DEFAULT_REASON_CODES
        if section.reason_codes is None
        else tuple(ReasonCodeOption(o.code, o.label) for o in section.reason_codes)
    )
    callbacks = CallbackSettings(
        abandoned_after_seconds=section.callbacks.abandoned_after_seconds,
        due_within_minutes=section.callbacks.due_within_minutes,
    )
    return PanelSettings(codes, callbacks)
