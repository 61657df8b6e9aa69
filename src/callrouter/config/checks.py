"""Pass 2 (each value against the schema) and pass 3 (references across sections)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from callrouter.config.schema import PBX_SECTIONS, Document, context_for, keys_at
from callrouter.config.types import Lines, Loc, Problem
from callrouter.config.values import ID_PATTERN, SWITCHBOARD, Invalid, did_you_mean
from callrouter.config.web import web_reference_problems
from callrouter.config.yaml_lines import problem_at
from callrouter.domain.kpis import Scope

SCOPES = [scope.value for scope in Scope]

# --- pass 2: each value against the schema --------------------------------------------------


def validate_document(
    raw: object, file: str, lines: Lines
) -> tuple[Document | None, list[Problem]]:
    try:
        return Document.model_validate(raw, context=context_for(raw)), []
    except ValidationError as error:
        return None, [_from_pydantic(file, lines, detail) for detail in error.errors()]


def problem_from_pydantic(file: str, lines: Lines, error: ErrorDetails) -> Problem:
    """One pydantic error as `file:line: where: what` (also used for the web tokens file)."""
    return _from_pydantic(file, lines, error)


def _from_pydantic(file: str, lines: Lines, error: ErrorDetails) -> Problem:
    loc: Loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a bad mapping key: point at the key itself
        loc = loc[:-1]
    pbx_kind = None
    if loc[:1] == ("pbx",) and loc[1:2] and loc[1] in PBX_SECTIONS:  # pydantic adds the union tag
        pbx_kind, loc = str(loc[1]), ("pbx", *loc[2:])
    kind, context, given = error["type"], error.get("ctx") or {}, error["input"]
    if kind == "extra_forbidden" and pbx_kind is not None:
        hint = did_you_mean(loc[-1], list(PBX_SECTIONS[pbx_kind].model_fields))
        return problem_at(file, lines, loc, f"unknown key '{loc[-1]}'{hint}", shown=loc[:-1])
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        kinds = " or ".join(PBX_SECTIONS)
        if kind == "union_tag_not_found":
            return problem_at(file, lines, loc, f"missing required key 'kind' ({kinds})")
        return problem_at(
            file, lines, (*loc, "kind"), f"kind must be {kinds} (got {context.get('tag')!r})"
        )
    if kind == "missing":
        return problem_at(file, lines, loc, f"missing required key '{loc[-1]}'", shown=loc[:-1])
    if kind == "extra_forbidden":
        hint = did_you_mean(loc[-1], keys_at(loc[:-1]))
        return problem_at(file, lines, loc, f"unknown key '{loc[-1]}'{hint}", shown=loc[:-1])
    if kind == "value_error":
        cause = context.get("error")
        at = cause.at if isinstance(cause, Invalid) else ()
        return problem_at(file, lines, (*loc, *at), str(cause))
    message = error["msg"][:1].lower() + error["msg"][1:]
    if kind == "model_type" and not loc:
        message = "the file must be a mapping of keys like 'timezone: Europe/Copenhagen'"
    elif isinstance(given, str | int | float):
        message += f" (got {given!r})"
    return problem_at(file, lines, loc, message)


# --- pass 3: references across sections -----------------------------------------------------


def reference_problems(raw: object, file: str, lines: Lines) -> list[Problem]:
    document = raw if isinstance(raw, dict) else {}
    problems = [
        *_duplicates(file, lines, document, "telephonists", "id", "telephonist id"),
        *_duplicates(file, lines, document, "departments", "id", "department id"),
        *_duplicates(file, lines, document, "entries", "number", "entry number"),
    ]
    departments = [value for _, value in _values(document, "departments", "id")]
    for index, route in _values(document, "entries", "route"):
        if route != SWITCHBOARD:
            loc = ("entries", index, "route")
            problems += _unknown(file, lines, loc, route, departments, [SWITCHBOARD])
    for target_loc in (("routing", "overflow_target"), ("routing", "after_hours", "target")):
        target = _dig(document, target_loc)
        if isinstance(target, dict) and isinstance(target.get("department"), str):
            department_loc = (*target_loc, "department")
            problems += _unknown(file, lines, department_loc, target["department"], departments)
    for index, scope in _values(_dig(document, ("kpis",)), "targets", "scope"):
        if scope not in SCOPES:
            scope_loc = ("kpis", "targets", index, "scope")
            problems += _unknown(file, lines, scope_loc, scope, departments, SCOPES)
    return problems + web_reference_problems(document, file, lines)


def _values(document: object, section: str, key: str) -> list[tuple[int, str]]:
    items = document.get(section) if isinstance(document, dict) else None
    if not isinstance(items, list):
        return []
    return [
        (index, item[key])
        for index, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get(key), str)
    ]


def _duplicates(
    file: str, lines: Lines, document: Mapping[str, object], section: str, key: str, what: str
) -> list[Problem]:
    first_seen: dict[str, int] = {}
    problems = []
    for index, value in _values(document, section, key):
        if value in first_seen:
            first = lines.get((section, first_seen[value], key))
            message = f"{what} '{value}' is used twice (first on line {first})"
            problems.append(problem_at(file, lines, (section, index, key), message))
        first_seen.setdefault(value, index)
    return problems


def _unknown(
    file: str, lines: Lines, loc: Loc, name: str, departments: list[str], also: Iterable[str] = ()
) -> list[Problem]:
    if name in departments or not ID_PATTERN.fullmatch(name):  # bad ids are reported in pass 2
        return []
    hint = did_you_mean(name, [*departments, *also])
    return [problem_at(file, lines, loc, f"there is no department '{name}'{hint}")]


def _dig(document: Mapping[str, object], loc: Loc) -> object:
    value: object = document
    for key in loc:
        value = value.get(key) if isinstance(value, dict) else None
    return value
