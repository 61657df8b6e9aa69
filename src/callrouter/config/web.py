"""The `web:` section: where the HTTP server listens, and the API tokens per role (hashed).

```yaml
web:
  host: 127.0.0.1          # the default; anything beyond loopback needs tokens
  port: 8080               # 0: any free port (logged)
  tokens:                  # make each with `callrouter hash-token NAME`; only the hash is kept
    - {name: anna, role: supervisor, hash: "scrypt:16384:8:1:...:..."}
    - {name: desk1, role: telephonist, telephonist: tel1, hash: "scrypt:..."}
    - {name: wall, role: read_only, hash: "scrypt:..."}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from callrouter.config.types import Lines, Problem
from callrouter.config.values import Host, Id, Invalid, did_you_mean
from callrouter.config.yaml_lines import problem_at
from callrouter.web.settings import Role, TokenEntry, WebSettings, is_loopback
from callrouter.web.tokens import BadHash, TokenHash


def _token_hash(value: str) -> str:
    try:
        TokenHash.parse(value)
    except BadHash as bad:
        raise Invalid(str(bad)) from None
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenSection(_Section):
    name: Id
    role: Role
    hash: Annotated[str, AfterValidator(_token_hash)]
    telephonist: Id | None = None

    @model_validator(mode="after")
    def _telephonist_with_its_role(self) -> Self:
        if self.role is Role.TELEPHONIST and self.telephonist is None:
            raise Invalid("a telephonist token names its telephonist (telephonist: <id>)")
        if self.role is not Role.TELEPHONIST and self.telephonist is not None:
            raise Invalid(f"only a telephonist token names a telephonist (role {self.role})",
                          "telephonist")  # fmt: skip
        return self


class WebSection(_Section):
    host: Host = "127.0.0.1"
    port: Annotated[int, Field(strict=True, ge=0, le=65535)] = 8080
    tokens: list[TokenSection] = []

    @model_validator(mode="after")
    def _auth_beyond_loopback(self) -> Self:
        if not is_loopback(self.host) and not self.tokens:
            raise Invalid(
                f"the server would listen on {self.host} without auth: add tokens "
                "(callrouter hash-token NAME) or listen on 127.0.0.1",
                "host",
            )
        seen: set[str] = set()
        for index, token in enumerate(self.tokens):
            if token.name in seen:
                raise Invalid(f"token name '{token.name}' is used twice", "tokens", index, "name")
            seen.add(token.name)
        return self


def build_web(section: WebSection) -> WebSettings:
    tokens = tuple(
        TokenEntry(t.name, t.role, TokenHash.parse(t.hash), t.telephonist) for t in section.tokens
    )
    return WebSettings(section.host, section.port, tokens)


def web_reference_problems(document: Mapping[str, Any], file: str, lines: Lines) -> list[Problem]:
    """A telephonist token must name a configured telephonist."""
    web, people = document.get("web"), document.get("telephonists")
    tokens = web.get("tokens") if isinstance(web, dict) else None
    if not isinstance(tokens, list) or not isinstance(people, list):
        return []
    known = [p["id"] for p in people if isinstance(p, dict) and isinstance(p.get("id"), str)]
    problems = []
    for index, token in enumerate(tokens):
        named = token.get("telephonist") if isinstance(token, dict) else None
        if isinstance(named, str) and named not in known:
            message = f"there is no telephonist '{named}'{did_you_mean(named, known)}"
            loc = ("web", "tokens", index, "telephonist")
            problems.append(problem_at(file, lines, loc, message))
    return problems
