"""Temporary closures registered at runtime: routing honours them from the next event on.

A mixin of Router. A closure's scope is a department id or "switchboard"; cancelling one takes
it out again. Both are logged as controller events, so the log shows when a department was away.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from callrouter.domain import events as ev
from callrouter.domain.commands import Command, RecordControllerEvent
from callrouter.domain.hours import Closure, OpeningHours
from callrouter.domain.model import Switchboard

SWITCHBOARD_SCOPE = "switchboard"


class RuntimeClosures:
    switchboard: Switchboard
    _department_hours: dict[str, OpeningHours]

    def hours_of(self, scope: str) -> OpeningHours | None:
        """The live opening hours (with runtime closures) of a department or the switchboard."""
        if scope == SWITCHBOARD_SCOPE:
            return self.switchboard.hours
        return self._department_hours.get(scope)

    def _closure_changed(
        self, e: ev.ClosureRegistered | ev.ClosureCancelled, out: list[Command]
    ) -> None:
        hours = self.hours_of(e.scope)
        if hours is None:
            detail = f"{e.closure_id}: unknown scope {e.scope!r}; ignored"
            out.append(RecordControllerEvent("closure_refused", e.scope, detail, e.at))
            return
        changed = hours.without_closure(e.closure_id)
        if isinstance(e, ev.ClosureRegistered):
            changed = changed.with_closure(Closure(e.start, e.end, e.note, e.closure_id))
            detail = f"{e.closure_id}: {_span(e.start, e.end, hours)} by {e.by}: {e.note}"
            kind = "closure_registered"
        else:
            detail = f"{e.closure_id}: cancelled by {e.by}"
            kind = "closure_cancelled"
        self._set_hours(e.scope, changed)
        out.append(RecordControllerEvent(kind, e.scope, detail, e.at))

    def _set_hours(self, scope: str, hours: OpeningHours) -> None:
        if scope == SWITCHBOARD_SCOPE:
            self.switchboard = dataclasses.replace(self.switchboard, hours=hours)
        else:
            self._department_hours[scope] = hours


def _span(start: datetime, end: datetime, hours: OpeningHours) -> str:
    local_start, local_end = start.astimezone(hours.tz), end.astimezone(hours.tz)
    return f"{local_start:%Y-%m-%d %H:%M}-{local_end:%Y-%m-%d %H:%M}"
