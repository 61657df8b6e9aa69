"""Pass 1: the YAML itself (syntax, duplicate keys), remembering the line of every value."""

from __future__ import annotations

from pathlib import Path

import yaml

from callrouter.config.types import ConfigError, Lines, Loc, Problem


class _Loader(yaml.SafeLoader):
    """A SafeLoader that leaves dates and times as text, so a bad date gets a line number."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MERGE = "tag:yaml.org,2002:merge"


def read_yaml(path: Path, file: str) -> tuple[object, Lines, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise ConfigError([Problem(file, None, "", f"cannot read the file: {reason}")]) from None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # a control character: no mark, only a position
        line = text.count("\n", 0, error.position) + 1
        reason = str(error).partition("\n")[0]
        raise ConfigError([Problem(file, line, "", f"YAML syntax error: {reason}")]) from None
    try:
        return _parse(loader, file)
    except yaml.MarkedYAMLError as error:
        raise ConfigError([_syntaxproblem_at(file, error)]) from None
    finally:
        loader.dispose()


def _parse(loader: _Loader, file: str) -> tuple[object, Lines, list[Problem]]:
    node = loader.get_single_node()
    if node is None:
        raise ConfigError([Problem(file, None, "", "the file is empty")])
    lines, duplicates = _lines_of(node)
    problems = [
        problem_at(file, lines, loc, f"'{loc[-1]}' is given twice (first on line {first})")
        for loc, first in duplicates
    ]
    return loader.construct_document(node), lines, problems


def _syntaxproblem_at(file: str, error: yaml.MarkedYAMLError) -> Problem:
    """'expected ',' or ']', but got '<stream end>' (while parsing a flow sequence from line 2)'."""
    lines = [mark.line + 1 for mark in (error.problem_mark, error.context_mark) if mark]
    reason = (error.problem or "cannot parse").removeprefix("but ")
    if error.context:
        start = f" from line {lines[1]}" if len(set(lines)) == 2 else ""
        reason += f" ({error.context}{start})"
    return Problem(file, lines[0] if lines else None, "", f"YAML syntax error: {reason}")


def _lines_of(root: yaml.Node) -> tuple[dict[Loc, int], list[tuple[Loc, int]]]:
    """The line of every key and list item; and each repeated key with its first line."""
    lines: dict[Loc, int] = {(): root.start_mark.line + 1}
    duplicates: list[tuple[Loc, int]] = []

    seen: set[int] = set()  # an alias repeats a node: walk it once (also ends recursive ones)

    def walk(node: yaml.Node, loc: Loc) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                    continue
                here, line = (*loc, key.value), key.start_mark.line + 1
                if key.value in first_lines:  # the last one counts: forget the earlier lines
                    duplicates.append((here, first_lines[key.value]))
                    for stale in [at for at in lines if at[: len(here)] == here]:
                        del lines[stale]
                first_lines.setdefault(key.value, line)
                lines[here] = line
                walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*loc, index)] = item.start_mark.line + 1
                walk(item, (*loc, index))

    walk(root, ())
    return lines, duplicates


def problem_at(
    file: str, lines: Lines, loc: Loc, message: str, shown: Loc | None = None
) -> Problem:
    """A problem at `loc`, on the line of `loc` or of its nearest parent written in the file."""
    known = loc
    while known and known not in lines:
        known = known[:-1]
    return Problem(file, lines.get(known), _render(loc if shown is None else shown), message)


def _render(loc: Loc) -> str:
    """('departments', 2, 'hours', 'fri') -> 'departments[2].hours.fri'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
