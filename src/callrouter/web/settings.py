"""The web server's settings as the application uses them (built from the `web:` section)."""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass

from callrouter.web.tokens import TokenHash


class Role(enum.StrEnum):
    SUPERVISOR = "supervisor"
    TELEPHONIST = "telephonist"
    READ_ONLY = "read_only"


@dataclass(frozen=True)
class TokenEntry:
    name: str
    role: Role
    hash: TokenHash
    telephonist: str | None = None  # the telephonist a telephonist token acts as


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    tokens: tuple[TokenEntry, ...] = ()

    @property
    def auth_required(self) -> bool:
        """With no tokens the server is open, which is allowed on loopback only."""
        return bool(self.tokens)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve beyond loopback
