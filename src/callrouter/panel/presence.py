"""What a presence button on the panel means for the router: pure rules."""

from __future__ import annotations

from callrouter.domain.model import Presence
from callrouter.panel.payloads import PresenceAction


class PresenceRefused(Exception):
    """The action does not fit the telephonist's current presence (e.g. resume when not paused)."""


def next_presence(current: Presence, action: PresenceAction) -> Presence:
    match action:
        case PresenceAction.LOG_IN:
            if current is not Presence.LOGGED_OUT:
                raise PresenceRefused(f"already logged in ({current.value})")
            return Presence.AVAILABLE
        case PresenceAction.LOG_OUT:
            if current is Presence.LOGGED_OUT:
                raise PresenceRefused("already logged out")
            return Presence.LOGGED_OUT
        case PresenceAction.PAUSE:
            if current is not Presence.AVAILABLE:
                raise PresenceRefused(f"only an available telephonist can pause ({current.value})")
            return Presence.PAUSED
        case PresenceAction.RESUME:
            if current is not Presence.PAUSED:
                raise PresenceRefused(f"not paused ({current.value})")
            return Presence.AVAILABLE
