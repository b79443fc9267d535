"""Reading composed YAML nodes, which keep the line numbers our diagnostics need."""

from __future__ import annotations

from pathlib import Path

import yaml


class YamlFileError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def compose_file(path: Path) -> yaml.Node | None:
    """The node tree of a YAML file; YamlFileError (with a 1-based line) if it is broken."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 1) if mark else 1
        raise YamlFileError(line, str(getattr(exc, "problem", exc))) from exc


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of `key` in a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def text(node: yaml.Node | None) -> str:
    """A scalar as one line of text ("" for anything else)."""
    return " ".join(str(node.value).split()) if isinstance(node, yaml.ScalarNode) else ""


def strings(node: yaml.Node | None) -> tuple[str, ...]:
    """A list of scalars (a single scalar counts as a list of one)."""
    if isinstance(node, yaml.SequenceNode):
        return tuple(text(n) for n in node.value if text(n))
    return (text(node),) if text(node) else ()
