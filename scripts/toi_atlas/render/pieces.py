"""Each work's piece of the whole-corpus outputs, kept from one build to the next.

The lists, topic pages, graph, exports and browse data show every work, so any edit
changes each of those files; but what they say about each unchanged work is what the
last build said. A renderer asks `Pieces.get(output, work, make)` for a work's piece (a
string: its row, node, record or entry) and gets the last build's text when the work's
entry, the inputs every page shares (vocabulary, claims, reading lists, site settings,
the generator's code) and whatever else the renderer names in `also` (e.g. the digests
of linked works, `Pieces.digest`) are unchanged; otherwise `make(work)`, kept for the
next build. After one edit at 10,000 works a renderer makes one piece, not 10,000.

The pieces are kept in `.toi-atlas/pieces.json`, beside the fragments of the work pages,
and are trusted as far as those are: the file may come back from CI's cache, so it is
read as untrusted in its shape (anything unexpected means the piece is made again,
never a failure), and each piece is found only under the digest of the inputs it was
made from. A piece must be a pure function of those inputs; `tests/test_reuse.py`
checks that builds after edits are byte for byte what `build --force` writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model.carried import Carried
from ..model.corpus import Work
from ..write.files import atomic_write

VERSION = 1  # of the file
_HEX = re.compile(r"[0-9a-f]{64}")


def entry_digest(work: Work) -> bytes:
    """A digest of everything a page may show of the work: its entry (key, type and
    fields as read, macros expanded) and its page's address."""
    raw = work.raw
    h = hashlib.sha256(f"{raw.key}\0{raw.entry_type}\0{work.slug}\0".encode())
    for name, f in raw.fields.items():
        h.update(f"{name}\0{f.value}\0".encode())
    return h.digest()


# Each work's digest, carried with the works of unchanged files (model/carried.py).
_DIGESTS: Carried[Work, bytes] = Carried()


def work_digests(works: Iterable[Work]) -> dict[str, bytes]:
    """{work key: entry_digest}, each made once per work object."""
    listed = list(works)
    return dict(zip((w.key for w in listed), _DIGESTS.each(listed, entry_digest), strict=True))


class Pieces:
    """The works' pieces of each output, from the last build (`path`) and this one.

    `shared`: the digest of the inputs every piece depends on besides the work's entry.
    Without a `path` (tests, `check`), pieces are kept for this build only."""

    def __init__(self, path: Path | None, shared: str, digests: dict[str, bytes]) -> None:
        self._path = path
        self._digests = digests
        self._base = hashlib.sha256(f"toi-atlas pieces {VERSION}\0{shared}\0".encode())
        self._last = _load(path) if path is not None else {}
        self._now: dict[str, dict[str, list[str]]] = {}

    def digest(self, key: str) -> bytes:
        """The entry digest of the work `key` (b"missing" for none), for `also`."""
        return self._digests.get(key, b"missing")

    def get(self, output: str, work: Work, make: Callable[[Work], str], *also: bytes) -> str:
        """The work's piece of `output`: the last build's when its inputs are unchanged."""
        h = self._base.copy()
        h.update(f"{output}\0{work.key}\0".encode())
        h.update(self.digest(work.key))
        for part in also:
            h.update(b"\0" + part)
        key = h.hexdigest()
        now = self._now.setdefault(output, {})
        for known in (now, self._last.get(output, {})):
            row = known.get(work.key)
            if row is not None and row[0] == key:
                now[work.key] = row
                return row[1]
        text = make(work)
        now[work.key] = [key, text]
        return text

    def save(self) -> None:
        """Keep this build's pieces (only those: the file does not grow), unless the file
        already holds exactly them."""
        if self._path is None or self._now == self._last:
            return
        data = {"version": VERSION, "outputs": self._now}
        atomic_write(self._path, json.dumps(data, separators=(",", ":")).encode())


def _load(path: Path) -> dict[str, dict[str, list[str]]]:
    """The pieces in `path` of the expected shape; {} for none, a damaged or foreign file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return {}
    outputs = data.get("outputs")
    if not isinstance(outputs, dict):
        return {}
    return {
        output: {
            key: row
            for key, row in pieces.items()
            if isinstance(row, list)
            and len(row) == 2
            and isinstance(row[0], str)
            and _HEX.fullmatch(row[0])
            and isinstance(row[1], str)
        }
        for output, pieces in outputs.items()
        if isinstance(pieces, dict)
    }
