"""Who is calling: the Bearer token checked against the configured hashes, and the panel's
`Authorize` (roles per access level) built on it.

Every page sends `Authorization: Bearer <token>` from script (the token is typed once and kept in
the tab's sessionStorage); no cookies, so no cross-site request can act with a user's rights.
With no tokens configured (allowed on loopback only) everyone is the local supervisor.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn

from aiohttp import web
from aiohttp.typedefs import Middleware

from callrouter.panel.api import Access
from callrouter.web.settings import Role, TokenEntry
from callrouter.web.tokens import token_name

IDENTITY = web.RequestKey("identity", object)
ACTING_FOR = web.RequestKey("acting_for", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


ALLOWED = {
    Access.READ: frozenset(Role),
    Access.DESK: frozenset({Role.SUPERVISOR, Role.TELEPHONIST}),
    Access.SUPERVISOR: frozenset({Role.SUPERVISOR}),
}


@dataclass(frozen=True)
class Identity:
    role: Role
    name: str
    telephonist: str | None = None

    @property
    def subject(self) -> str:
        """Who the call log says did it: the telephonist's id, else the token's name."""
        return self.telephonist or self.name


LOCAL = Identity(Role.SUPERVISOR, "local")


class TokenBook:
    """The configured tokens; a token that checked out once is remembered (by its SHA-256)."""

    def __init__(self, tokens: tuple[TokenEntry, ...]) -> None:
        self._by_name = {t.name: t for t in tokens}
        self._verified: dict[str, bytes] = {}  # name -> sha256 of the token that matched
        self._checks = asyncio.Semaphore(2)  # scrypt runs in threads, at most two at once

    @property
    def open(self) -> bool:
        return not self._by_name

    async def identify(self, token: str) -> Identity | None:
        name = token_name(token)
        entry = None if name is None else self._by_name.get(name)
        if entry is None:
            return None
        fingerprint = hashlib.sha256(token.encode("utf-8")).digest()
        known = self._verified.get(entry.name)
        if known is None or not hmac.compare_digest(known, fingerprint):
            async with self._checks:
                if not await asyncio.to_thread(entry.hash.matches, token):
                    return None
            self._verified[entry.name] = fingerprint
        return Identity(entry.role, entry.name, entry.telephonist)


def identify_middleware(book: TokenBook) -> Middleware:
    @web.middleware
    async def identify(request: web.Request, handler: Handler) -> web.StreamResponse:
        identity: Identity | None = LOCAL if book.open else None
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if not book.open and scheme.lower() == "bearer":  # the scheme is case-insensitive
            identity = await book.identify(token.strip())
        if identity is not None:
            request[IDENTITY] = identity
            if identity.telephonist is not None and request.method == "POST":
                acting = await _named_telephonist(request)
                if acting is not None:
                    request[ACTING_FOR] = acting
        return await handler(request)

    return identify


async def _named_telephonist(request: web.Request) -> str | None:
    """The `telephonist` a JSON body acts for (claim, close, message), if it names one."""
    if not request.can_read_body or not request.path.startswith("/api/panel/"):
        return None
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None  # the handler answers 400
    named = body.get("telephonist") if isinstance(body, dict) else None
    return named if isinstance(named, str) else None


def authorize(request: web.Request, access: Access) -> str:
    """The panel's `Authorize`: the caller's subject, or 401 (no or bad token) / 403 (role)."""
    identity = request.get(IDENTITY)
    if not isinstance(identity, Identity):
        json_error(
            web.HTTPUnauthorized,
            "a valid token is needed: send Authorization: Bearer <token>",
            {"WWW-Authenticate": 'Bearer realm="callrouter"'},
        )
    if identity.role not in ALLOWED[access]:
        json_error(web.HTTPForbidden, f"the {identity.role} role may not do this")
    own = identity.telephonist
    if access is Access.DESK and own is not None:
        for other in (request.match_info.get("tid"), request.get(ACTING_FOR)):
            if other is not None and other != own:
                json_error(web.HTTPForbidden, f"this token acts for {own} only, not {other}")
    return identity.subject


def identity_of(request: web.Request) -> Identity:
    """The caller after `authorize` let them through."""
    identity = request[IDENTITY]
    assert isinstance(identity, Identity)
    return identity


def json_error(
    status: type[web.HTTPException], message: str, headers: dict[str, str] | None = None
) -> NoReturn:
    raise status(
        text=json.dumps({"error": message}), content_type="application/json", headers=headers
    )
