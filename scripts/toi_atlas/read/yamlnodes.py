"""Reading composed YAML nodes, which keep the line numbers our diagnostics need."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # ids of claims and reading lists

# libyaml's parser, where PyYAML was built with it, keeps the same line marks and reads
# our taxonomy, claims and reading lists about ten times faster than pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _file_error(exc: yaml.YAMLError | UnicodeDecodeError) -> YamlFileError:
    mark = getattr(exc, "problem_mark", None)
    line = (mark.line + 1) if mark else 1
    return YamlFileError(line, str(getattr(exc, "problem", None) or exc))


def compose_file(path: Path) -> yaml.Node | None:
    """The node tree of a YAML file; YamlFileError (with a 1-based line) if it is broken.

    A missing or unreadable file raises OSError as usual.
    """
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _file_error(exc) from exc


def top_level_list(
    path: Path, key: str, what: str
) -> tuple[list[yaml.Node], tuple[int, str] | None]:
    """The items of the file's top-level `key:` list, or (line, problem) saying why not."""
    try:
        root = compose_file(path)
    except YamlFileError as exc:
        return [], (exc.line, f"not valid YAML: {exc.problem}")
    nodes = get(root, key)
    if not isinstance(nodes, yaml.SequenceNode):
        return [], (1, f"expected a top-level `{key}:` with a list of {what}")
    return list(nodes.value), None


def identified_items(
    path: Path,
    key: str,
    noun: str,
    required: str,
    bad: Callable[[int, str], None],
    repeated: Callable[[int, str], None],
) -> Iterator[tuple[yaml.Node, str, str, int]]:
    """Each item of the top-level `key:` list with a well-formed, unique `id` and a
    non-empty `required` field: (node, id, that field's text, line).

    The skeleton the claims and reading-list loaders share. A missing file has no
    items; a broken file, an item without id or `required`, goes to `bad`, a repeated
    id to `repeated`, and reading goes on with the next item.
    """
    if not path.is_file():
        return
    nodes, problem = top_level_list(path, key, f"{noun}s")
    if problem:
        bad(*problem)
        return
    seen: set[str] = set()
    for node in nodes:
        line = line_of(node)
        ident, value = text(get(node, "id")), text(get(node, required))
        if not ID_RE.match(ident) or not value:
            bad(line, f"a {noun} needs an `id` (lower-case words and dashes) and a `{required}`")
            continue
        if ident in seen:
            repeated(line, f"{noun} `{ident}` is declared twice")
            continue
        seen.add(ident)
        yield node, ident, value, line


def load_file(path: Path) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data `yaml.safe_load` gives, read once."""
    root = compose_file(path)
    if root is None:
        return None, None
    loader = yaml.SafeLoader("")
    try:
        return root, loader.construct_document(root)
    except yaml.YAMLError as exc:  # e.g. a !!python/... tag safe_load refuses
        raise _file_error(exc) from exc
    except (ValueError, TypeError, AttributeError) as exc:  # e.g. `!!int abc`
        node = _unconstructible(root)
        line = line_of(node) if node is not None else 1
        raise YamlFileError(line, f"value tagged {_tag(node)} cannot be read ({exc})") from exc
    finally:
        loader.dispose()


def _tag(node: yaml.Node | None) -> str:
    tag = str(node.tag) if node is not None else "?"
    return tag.replace("tag:yaml.org,2002:", "!!")


def _unconstructible(root: yaml.Node) -> yaml.Node | None:
    """The first scalar, in file order, PyYAML fails to build (called once building failed)."""
    loader = yaml.SafeLoader("")
    try:
        for node in _scalars(root):
            try:
                loader.construct_object(node)
            except (yaml.YAMLError, ValueError, TypeError, AttributeError):
                return node
    finally:
        loader.dispose()
    return None


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key)
            yield from _scalars(value)


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


def string_items(node: yaml.Node | None) -> tuple[tuple[str, int], ...]:
    """Like `strings`, with each item's 1-based line, so a finding can point at the item."""
    if isinstance(node, yaml.SequenceNode):
        return tuple((text(n), line_of(n)) for n in node.value if text(n))
    return ((text(node), line_of(node)),) if node is not None and text(node) else ()
