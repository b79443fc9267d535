"""Each .bib file's parse, kept between builds under a digest of its bytes.

Reading BibTeX is most of loading (about 8 s of a 10,000-work build), and an edit
touches one file. A build asks this cache for every file: a file whose bytes, display
name and reader are those of a file it has parsed before comes back from memory (the
preview, which builds in one process again and again) or from `.toi-atlas/parsed/`
(the next `toi-atlas build`); only the others are parsed. The result is the very list
of entries and findings the reader gives, so the checker cannot tell the difference.

The folder may come back from CI's cache, so a file in it is read as untrusted: any
part of the wrong shape means that .bib file is parsed again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, ClassVar

from pybtex.database import Person

from ..diagnostics import CODES, Diagnostic, Span
from . import load
from .load import RawEntry, RawField

VERSION = 1  # of the files in the folder
_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")
Parsed = tuple[list[RawEntry], list[Diagnostic]]


class ParseCache:
    """Parses .bib files, or remembers them. `folder`: where parses are kept between
    processes (None: memory only). `salt`: a digest of the reader's code and versions,
    so a changed reader parses everything again."""

    # Shared by every cache of the process: the preview's rebuilds each make a new one.
    _memory: ClassVar[dict[str, Parsed]] = {}

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder, self.salt = folder, salt
        self.used: dict[str, Parsed] = {}
        self.new: set[str] = set()
        self.parsed = 0  # files parsed this time, not remembered

    def load(self, path: Path, display: str) -> Parsed:
        data = path.read_bytes()
        key = hashlib.sha256(f"{self.salt}\0{display}\0".encode() + data).hexdigest()
        found = self._memory.get(key) or self._from_disk(key)
        if found is None:
            found = _parse(data, display)
            self.parsed += 1
            self.new.add(key)
        self.used[key] = found
        return found

    def _from_disk(self, key: str) -> Parsed | None:
        if self.folder is None:
            return None
        try:
            return decode_parse(json.loads((self.folder / f"{key}.json").read_bytes()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # absent, or not what `encode_parse` writes: parse the file

    def remember(self) -> None:
        """Keep this build's parses in memory for the next build in this process."""
        type(self)._memory = dict(self.used)

    def save(self) -> None:
        """Keep this build's parses in the folder: new ones written, those no longer used
        deleted, so it does not grow with every edit. After the build's output: the
        preview shows an edited page before this."""
        if self.folder is None:
            return
        from ..write.files import atomic_write

        self.folder.mkdir(parents=True, exist_ok=True)
        for key in self.new:
            encoded = encode_parse(self.used[key])
            if encoded is not None:
                atomic_write(self.folder / f"{key}.json", encoded)
        for name in os.listdir(self.folder):
            if name.removesuffix(".json") not in self.used:
                (self.folder / name).unlink(missing_ok=True)
        self.new.clear()

    @classmethod
    def forget(cls) -> None:
        """Drop what this process remembers (the benchmark's cold runs)."""
        cls._memory = {}


def _parse(data: bytes, display: str) -> Parsed:
    text, diags = load.decode(data, display)
    if text is None:
        return [], diags
    entries, parse_diags = load.parse_text(text, display)
    return entries, diags + parse_diags


# --- on disk ------------------------------------------------------------------------------


def encode_parse(parsed: Parsed) -> bytes | None:
    """JSON for a parse; None for one whose findings carry extra data (never kept)."""
    entries, diags = parsed
    if any(d.data for d in diags):
        return None
    data = {
        "version": VERSION,
        "entries": [
            [
                e.key,
                e.entry_type,
                e.span.file,
                e.span.line,
                [[f.name, f.value, f.line] for f in e.fields.values()],
                {
                    role: [[getattr(p, a) for a in _PARTS] for p in ps]
                    for role, ps in e.persons.items()
                },
            ]
            for e in entries
        ],
        "findings": [[d.code, d.span.file, d.span.line, d.message, d.hint] for d in diags],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def decode_parse(data: Any) -> Parsed:
    """The parse `encode_parse` wrote; ValueError (or a TypeError, KeyError) otherwise."""
    if data["version"] != VERSION:
        raise ValueError("another version")
    entries = [_entry(row) for row in data["entries"]]
    diags = [_finding(row) for row in data["findings"]]
    return entries, diags


def _strings(value: Any) -> list[str]:
    if not (isinstance(value, list) and set(map(type, value)) <= {str}):
        raise TypeError("not a list of strings")
    return value


def _line(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("not a line number")
    return value


def _entry(row: Any) -> RawEntry:
    key, kind, file, line, fields, persons = row
    fields_out: dict[str, RawField] = {}
    for name, value, fline in fields:
        if not (isinstance(name, str) and isinstance(value, str)) or name in fields_out:
            raise TypeError("not a field")
        fields_out[name] = RawField(name, value, _line(fline))
    persons_out: dict[str, list[Person]] = {}
    for role, people in persons.items():
        if role not in fields_out:
            raise ValueError("names of a field the entry does not have")
        persons_out[role] = [_person(parts) for parts in people]
    if not (isinstance(key, str) and isinstance(kind, str) and isinstance(file, str)):
        raise TypeError("not an entry")
    return RawEntry(key, kind, fields_out, persons_out, Span(file, _line(line)))


def _person(parts: Any) -> Person:
    """A name as pybtex parsed it: its five lists of parts. Made without Person.__init__,
    which splits five empty strings per name (a third of reading a kept parse)."""
    if not (isinstance(parts, list) and len(parts) == len(_PARTS)):
        raise TypeError("not a name")
    person = Person.__new__(Person)
    for attr, names in zip(_PARTS, parts, strict=True):
        setattr(person, attr, _strings(names))
    return person


def _finding(row: Any) -> Diagnostic:
    code, file, line, message, hint = row
    if not (
        isinstance(code, str)
        and code in CODES
        and isinstance(file, str)
        and isinstance(message, str)
        and isinstance(hint, str)
    ):
        raise TypeError("not a finding")
    return Diagnostic(code, Span(file, _line(line)), message, hint)
