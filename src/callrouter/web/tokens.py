"""API tokens: how they look, how they are hashed, and how a presented one is checked.

A token reads `<name>.<secret>`: the name (a config id) picks the one hash to check, so a wrong
token costs at most one scrypt. Only the hash is stored in the configuration:

    scrypt:<n>:<r>:<p>:<salt, base64>:<hash, base64>

`callrouter hash-token NAME` makes a fresh token and prints its hash line. Checks compare in
constant time (`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MiB and a few tens of ms per check; verified tokens are cached
_HASH = re.compile(
    r"scrypt:(?P<n>[0-9]{1,8}):(?P<r>[0-9]{1,3}):(?P<p>[0-9]{1,3}):"
    r"(?P<salt>[A-Za-z0-9+/=]{16,88}):(?P<digest>[A-Za-z0-9+/=]{16,88})"
)
_TOKEN = re.compile(r"(?P<name>[a-z0-9][a-z0-9_-]{0,39})\.(?P<secret>[A-Za-z0-9_-]{16,128})")


class BadHash(ValueError):
    """A stored hash is not in the `scrypt:n:r:p:salt:hash` form."""


@dataclass(frozen=True)
class TokenHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> TokenHash:
        match = _HASH.fullmatch(text)
        if match is None:
            raise BadHash(
                "not a token hash; make one with `callrouter hash-token NAME` "
                "(it reads scrypt:n:r:p:salt:hash)"
            )
        n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
        if n < 2**10 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16:
            raise BadHash("scrypt parameters out of range (n a power of 2 >= 1024, r 1-32, p 1-16)")
        try:
            salt, digest = base64.b64decode(match["salt"]), base64.b64decode(match["digest"])
        except ValueError:
            raise BadHash("the salt or the hash is not base64") from None
        return cls(n, r, p, salt, digest)

    def matches(self, token: str) -> bool:
        computed = _scrypt(token, self.salt, self.n, self.r, self.p, len(self.digest))
        return hmac.compare_digest(computed, self.digest)

    def __str__(self) -> str:
        salt, digest = (base64.b64encode(b).decode("ascii") for b in (self.salt, self.digest))
        return f"{SCHEME}:{self.n}:{self.r}:{self.p}:{salt}:{digest}"


def _scrypt(token: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    memory = 128 * r * n * p + 1024 * 1024
    return hashlib.scrypt(
        token.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=length
    )


def hash_token(token: str, n: int = N) -> TokenHash:
    salt = secrets.token_bytes(16)
    return TokenHash(n, R, P, salt, _scrypt(token, salt, n, R, P, 32))


def new_token(name: str) -> str:
    """A fresh random token for `name` (192 bits of secret)."""
    return f"{name}.{secrets.token_urlsafe(24)}"


def token_name(token: str) -> str | None:
    """The name part of a well-formed token, else None."""
    match = _TOKEN.fullmatch(token)
    return None if match is None else match["name"]
