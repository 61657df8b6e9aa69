"""The `web:` section: where the HTTP server listens, and the API tokens per role (hashed).

```yaml
web:
  host: 127.0.0.1          # the default; anything beyond loopback needs tokens
  port: 8080               # 0: any free port (logged)
  tokens:                  # make each with `callrouter hash-token NAME`; only the hash is kept
    - {name: anna, role: supervisor, hash: "scrypt:16384:8:1:...:..."}
    - {name: desk1, role: telephonist, telephonist: tel1, hash: "scrypt:..."}
    - {name: wall, role: read_only, hash: "scrypt:..."}
  tokens_file: web-tokens.yaml   # and/or: a file (relative to this one) holding `tokens: [...]`
```

Token names are unique across both; a telephonist token must name a configured telephonist.
Mistakes in the tokens file are reported as `web-tokens.yaml:LINE: tokens[i].key: ...`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from callrouter.config.types import ConfigError, Lines, Loc, Problem
from callrouter.config.values import Host, Id, Invalid, did_you_mean, path_in_config
from callrouter.config.yaml_lines import problem_at, read_yaml
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


class TokensFile(_Section):
    tokens: Annotated[list[TokenSection], Field(min_length=1)]


class WebSection(_Section):
    host: Host = "127.0.0.1"
    port: Annotated[int, Field(strict=True, ge=0, le=65535)] = 8080
    tokens: list[TokenSection] = []
    tokens_file: Annotated[Path, path_in_config("the tokens file")] | None = None

    @model_validator(mode="after")
    def _auth_beyond_loopback(self) -> Self:
        if not is_loopback(self.host) and not self.tokens and self.tokens_file is None:
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


def build_web(section: WebSection, base: Path) -> WebSettings:
    """The settings; the tokens file (checked by `web_reference_problems`) is read again."""
    tokens = list(section.tokens)
    if section.tokens_file is not None:
        tokens += read_tokens_file(base / section.tokens_file)[0]
    entries = tuple(
        TokenEntry(t.name, t.role, TokenHash.parse(t.hash), t.telephonist) for t in tokens
    )
    return WebSettings(section.host, section.port, entries)


def read_tokens_file(path: Path) -> tuple[list[TokenSection], Lines, list[Problem]]:
    """The tokens in `path`, its line numbers, and its problems (each with the file's line)."""
    from callrouter.config.checks import problem_from_pydantic  # checks imports this module

    file = str(path)
    try:
        raw, lines, problems = read_yaml(path, file)
    except ConfigError as error:
        return [], {}, error.problems
    try:
        return list(TokensFile.model_validate(raw).tokens), lines, problems
    except ValidationError as error:
        invalid = [problem_from_pydantic(file, lines, detail) for detail in error.errors()]
        return [], lines, [*problems, *invalid]


Written = tuple[str, Lines, Loc, list[Any]]  # file, its lines, where the list is, the tokens


def web_reference_problems(document: Mapping[str, Any], file: str, lines: Lines) -> list[Problem]:
    """The tokens file's own problems; every telephonist token names a configured telephonist;
    token names are unique across the config and the tokens file."""
    web, people = document.get("web"), document.get("telephonists")
    if not isinstance(web, dict) or not isinstance(people, list):
        return []
    inline = web.get("tokens")
    written: list[Written] = [
        (file, lines, ("web", "tokens"), inline if isinstance(inline, list) else [])
    ]
    problems: list[Problem] = []
    named_file = web.get("tokens_file")
    if isinstance(named_file, str) and named_file.strip():
        path = Path(file).parent / named_file
        tokens, file_lines, problems = read_tokens_file(path)
        written.append((str(path), file_lines, ("tokens",), [t.model_dump() for t in tokens]))
    known = [p["id"] for p in people if isinstance(p, dict) and isinstance(p.get("id"), str)]
    return problems + _token_references(written, known)


def _token_references(written: list[Written], known: list[str]) -> list[Problem]:
    problems, seen = [], set()
    for where, lines, loc, tokens in written:
        for index, token in enumerate(tokens):
            if not isinstance(token, dict):
                continue  # reported by the schema
            named, name = token.get("telephonist"), token.get("name")
            if isinstance(named, str) and named not in known:
                message = f"there is no telephonist '{named}'{did_you_mean(named, known)}"
                problems.append(problem_at(where, lines, (*loc, index, "telephonist"), message))
            if loc == ("tokens",) and name in seen:
                message = f"token name '{name}' is also in web.tokens"
                problems.append(problem_at(where, lines, (*loc, index, "name"), message))
            seen.add(name)
    return problems
