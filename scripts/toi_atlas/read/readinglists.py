"""Reading lists: curated, ordered paths through the corpus, from bib/readinglists.yaml.

The choice of works and the note on each are hand-written in the YAML; the reading
time of every item comes from the work's own `readingtime` field, never from prose.
Each list is shown by a hand-written page in docs/reading/ that includes the
generated snippet `atlas/reading/<id>.md.txt`. A list says when a curator last
checked it against the corpus (`reviewed`), and may name works to read `then`,
after the path and outside its total (the essay, after the 30-minute start).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..diagnostics import Diagnostic, Span
from .yamlnodes import get, identified_items, line_of, text

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ReadingItem:
    key: str
    note: str
    line: int


@dataclass(frozen=True)
class ReadingList:
    id: str
    title: str
    items: tuple[ReadingItem, ...]
    line: int
    reviewed: dt.date | None = None  # when a curator last checked the list against bib/
    then: tuple[ReadingItem, ...] = ()  # read after the path; not in its total time

    @property
    def every_item(self) -> tuple[ReadingItem, ...]:
        return self.items + self.then


def snippet_path(list_id: str) -> str:
    return f"reading/{list_id}.md.txt"


def load_reading_lists(path: Path, display: str) -> tuple[list[ReadingList], list[Diagnostic]]:
    """Parse the file; a missing file means no lists, a broken one is TOI601."""
    diags: list[Diagnostic] = []

    def bad(line: int, message: str, hint: str = "see docs/data-model.md, Reading lists") -> None:
        diags.append(Diagnostic("TOI601", Span(display, line), message, hint))

    def repeated(line: int, message: str) -> None:
        bad(line, message, "ids must be unique")

    lists: list[ReadingList] = []
    for node, ident, title, line in identified_items(
        path, "lists", "reading list", "title", bad, repeated
    ):
        items = get(node, "items")
        if not isinstance(items, yaml.SequenceNode) or not items.value:
            bad(line, f"reading list `{ident}` has no `items`")
            continue
        then = get(node, "then")
        if then is not None and not isinstance(then, yaml.SequenceNode):
            bad(line_of(then), f"`then` of reading list `{ident}` is not a list")
            then = None
        reviewed, date_diags = _review_date(get(node, "reviewed"), ident, Span(display, line))
        diags += date_diags
        lists.append(
            ReadingList(
                ident,
                title,
                _items(items, bad),
                line,
                reviewed,
                _items(then, bad) if then is not None else (),
            )
        )
    return lists, diags


def _items(node: yaml.SequenceNode, bad: Callable[[int, str], None]) -> tuple[ReadingItem, ...]:
    parsed = []
    for item in node.value:
        key = text(get(item, "key"))
        if not key:
            bad(item.start_mark.line + 1, "an item needs a `key` (and a `note`)")
            continue
        parsed.append(ReadingItem(key, text(get(item, "note")), item.start_mark.line + 1))
    return tuple(parsed)


def _review_date(
    node: yaml.Node | None, ident: str, where: Span
) -> tuple[dt.date | None, list[Diagnostic]]:
    """`reviewed: 2026-12-03`, or the finding: missing (TOI605) or not a date (TOI606)."""
    if node is None:
        hint = "check the list against the corpus, then add reviewed: YYYY-MM-DD"
        return None, [
            Diagnostic("TOI605", where, f"reading list `{ident}` has no `reviewed` date", hint)
        ]
    value = text(node)
    try:
        if DATE_RE.match(value):
            return dt.date.fromisoformat(value), []
    except ValueError:
        pass  # 2026-02-30: the right shape, but no such day
    return None, [
        Diagnostic(
            "TOI606",
            Span(where.file, node.start_mark.line + 1),
            f"`reviewed` of reading list `{ident}` is `{value}`, not a date",
            "write reviewed: YYYY-MM-DD, the day the list was last checked",
        )
    ]
