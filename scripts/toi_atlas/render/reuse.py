"""Which work pages a build may keep as they are: each page's inputs, fingerprinted.

A work page shows its own entry and its formatted citations; a line about each work it
is linked to, either way (or, without links, about its related works); the essay's
title, where its summary names the essay; and what every page shares: the vocabulary,
the claims and reading lists, the site settings, the generator's code and the
formatters' versions. Its fingerprint hashes exactly these, each neighbour by its whole
entry (more than the page shows of it, so an edit to a neighbour may render a page again
that would not have changed: never the other way round). A page whose fingerprint is
the last build's, and whose fragment is still on disk as that build wrote it, is not
rendered again: after one edit at 10,000 works, a build renders the edited work and its
neighbours instead of every page. `build --force` renders every page.

The fingerprints are kept in `.toi-atlas/pages/keys.json`. The file may come back from
CI's cache, so it is read as untrusted: anything of the wrong shape means every page is
rendered, never that a page is kept wrongly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from ..model.corpus import Corpus, Work
from ..write.files import atomic_write
from .essay import ESSAY_KEY
from .markdown import work_path
from .pages import related_works
from .pieces import work_digests

VERSION = 1  # of the keys file
_HEX = re.compile(r"[0-9a-f]{64}")


def neighbours(work: Work, corpus: Corpus) -> set[str]:
    """The works whose lines the page shows: linked either way, else the related ones."""
    keys = {e.target for e in work.edges} | {e.source for e in corpus.incoming.get(work.key, [])}
    if not keys:  # pages.render_work lists related works only then
        keys = {w.key for w in related_works(work, corpus)}
    keys.discard(work.key)
    return keys


def page_keys(
    corpus: Corpus, shared: str, cite_as: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """{work page path: fingerprint}. `shared`: the digest of what every page depends on;
    `cite_as`: the formatted citations (they come from a memo, so they are hashed as
    shown, not trusted to follow from the entry)."""
    digests = work_digests(corpus.works.values())
    essay = corpus.works.get(ESSAY_KEY)
    base = hashlib.sha256(f"toi-atlas page {VERSION}\0{shared}\0".encode())
    if essay is not None:  # its title and address, on every page whose summary names it
        base.update(f"{essay.title}\0{essay.slug}\0".encode())
    keys: dict[str, str] = {}
    for key, work in corpus.works.items():
        h = base.copy()
        h.update(digests[key])
        h.update(json.dumps(cite_as.get(key), sort_keys=True).encode())
        for other in sorted(neighbours(work, corpus)):
            h.update(other.encode() + b"\0" + digests.get(other, b"missing"))
        keys[work_path(work)] = h.hexdigest()
    return keys


Stamp = tuple[str, int, int]  # fingerprint, and the fragment's size and modification time


def load_keys(path: Path) -> dict[str, Stamp]:
    """The last build's fingerprints, or {} when there are none of the expected shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {}
    pages = data.get("pages")
    if not isinstance(pages, dict):
        return {}
    return {
        page: (row[0], row[1], row[2])
        for page, row in pages.items()
        if isinstance(page, str)
        and isinstance(row, list)
        and len(row) == 3
        and isinstance(row[0], str)
        and _HEX.fullmatch(row[0])
        and all(type(n) is int for n in row[1:])
    }


def _stamp(fragment: Path) -> tuple[int, int] | None:
    try:
        st = fragment.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def save_keys(path: Path, keys: Mapping[str, str], fragments: Path) -> None:
    """Record each page's fingerprint with its fragment as written now."""
    from .workhtml import fragment_path

    pages = {}
    for page, key in sorted(keys.items()):
        stamp = _stamp(fragments / fragment_path(page))
        if stamp is not None:
            pages[page] = [key, *stamp]
    data = {"version": VERSION, "pages": pages}
    atomic_write(path, json.dumps(data, separators=(",", ":")).encode())


def kept(keys: Mapping[str, str], last: Mapping[str, Stamp], fragments: Path) -> frozenset[str]:
    """The pages whose fingerprint is unchanged and whose fragment is still there as the
    last build wrote it (a fragment edited or deleted by hand is rendered again)."""
    from .workhtml import fragment_path

    return frozenset(
        page
        for page, key in keys.items()
        if (row := last.get(page)) is not None
        and row[0] == key
        and _stamp(fragments / fragment_path(page)) == row[1:]
    )
