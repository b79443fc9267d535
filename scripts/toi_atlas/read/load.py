"""Read `.bib` files into raw entries with file:line spans, collecting every defect.

The reading itself is bibsource.py's (the one BibTeX reader, which resumes after
a broken entry at the next line starting with '@'); here its blocks become the
checker's entries (values expanded, field names lower-cased, names parsed) and
its defects become Diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.exceptions import PybtexError

from ..diagnostics import Diagnostic, Span
from .bibsource import (
    Broken,
    Command,
    Piece,
    SourceEntry,
    SourceFile,
    read_source,
    value_of,
)

PERSON_FIELDS = ("author", "editor")


class RawField(NamedTuple):
    """A named tuple, not a frozen dataclass: a 10,000-work corpus holds 190,000 of them,
    and a tuple is made in a fifth of the time."""

    name: str  # lower-cased; BibTeX field names are case-insensitive
    value: str  # as written, macros expanded, whitespace kept
    line: int


@dataclass(frozen=True)
class RawEntry:
    key: str
    entry_type: str  # lower-cased
    fields: dict[str, RawField]
    persons: dict[str, list[Person]]  # role -> parsed names, in order
    span: Span

    def get(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f is not None else None

    def line_of(self, name: str) -> int:
        f = self.fields.get(name)
        return f.line if f is not None else self.span.line


@dataclass(frozen=True)
class BibFile:
    path: str
    text: str
    entries: list[RawEntry]


def to_lf(text: str) -> str:
    """CRLF and lone CR line ends as LF (pybtex counts a lone CR as a line break)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text with LF line ends, or None plus TOI100 for non-UTF-8 input."""

    def refuse(line: int, message: str, hint: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic("TOI100", Span(display, line), message, hint)]

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return refuse(
            1, "file is UTF-16, not UTF-8", "re-save as UTF-8, e.g. iconv -f utf-16 -t utf-8"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark is harmless; drop it
    nul = data.find(b"\x00")
    if nul >= 0:
        return refuse(
            data.count(b"\n", 0, nul) + 1,
            "file contains NUL bytes (binary?)",
            "a .bib file must be plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        # The importer reads such a file (Windows-1252, else Latin-1); say so, or the
        # contributor is left with a file nothing in bib/ can read.
        return refuse(
            line,
            f"byte 0x{bad} is not valid UTF-8",
            f"`toi-atlas import {display}` reads it as Windows-1252 and writes its entries "
            "as UTF-8 to bib/imported.bib (then delete this file); or re-save it as UTF-8, "
            "e.g. iconv -f cp1252 -t utf-8",
        )
    return to_lf(text), []


def parse_text(text: str, display: str) -> tuple[list[RawEntry], list[Diagnostic]]:
    """Parse one file's text; a broken entry is reported and skipped, never fatal."""
    if "\r" in text:  # pybtex counts a lone CR as a line break, our line numbers do not
        text = to_lf(text)
    return entries_of(read_source(text), display)


def entries_of(source: SourceFile, display: str) -> tuple[list[RawEntry], list[Diagnostic]]:
    """The checker's entries and findings, derived from what the reader read."""
    diags: list[Diagnostic] = []
    entries: list[RawEntry] = []
    people: dict[str, Person] = {}
    for block in source.blocks:
        if isinstance(block, SourceEntry):
            for f in block.fields:
                if not all(p.kind != "macro" or p.value is not None for p in f.pieces):
                    diags += _undefined(f.pieces, f.name, display)
            entry, entry_diags = _make_entry(block, display, people)
            diags += entry_diags
            if entry is not None:
                entries.append(entry)
        elif isinstance(block, Command):
            diags += _undefined(block.pieces, block.name or None, display)
        elif isinstance(block, Broken):
            for f in block.fields:
                diags += _undefined(f.pieces, f.name or None, display)
            diags.append(broken_diagnostic(block, display))
    return entries, diags


def broken_diagnostic(block: Broken, display: str) -> Diagnostic:
    return Diagnostic(
        "TOI101",
        Span(display, block.error_line),
        f"{block.message} (entry starting at line {block.line}; it was skipped)",
        block.hint,
    )


def _undefined(pieces: tuple[Piece, ...], field: str | None, display: str) -> Iterator[Diagnostic]:
    for piece in pieces:
        if piece.kind == "macro" and piece.value is None:
            yield Diagnostic(
                "TOI104",
                Span(display, piece.line),
                f"undefined macro `{piece.text}` in field `{field}`",
                "put the value in braces, or define it with @string before use",
            )


def _make_entry(
    block: SourceEntry, display: str, people: dict[str, Person] | None = None
) -> tuple[RawEntry | None, list[Diagnostic]]:
    """`people` memoises parsed names within one file: a name is parsed once however
    many entries list it (pybtex's name parser is most of reading an author list). The
    Person objects are shared, so nothing may change them."""
    kind, key, span = block.entry_type.lower(), block.key, Span(display, block.line)
    diags: list[Diagnostic] = []
    if not key:
        diags.append(
            Diagnostic(
                "TOI101",
                span,
                f"@{kind} entry has no key",
                "write @type{key, field = {value}, ...}",
            )
        )
        return None, diags
    out: dict[str, RawField] = {}
    persons: dict[str, list[Person]] = {}
    memo: dict[str, Person] = {} if people is None else people
    for f in block.fields:
        lname, fline = f.name.lower(), f.line
        if lname in out:
            diags.append(
                Diagnostic(
                    "TOI103",
                    Span(span.file, fline),
                    f"entry `{key}` has a second `{lname}` field (first at line {out[lname].line})",
                    "delete one of the two",
                )
            )
            continue
        value = value_of(f.pieces)
        out[lname] = RawField(lname, value, fline)
        if lname in PERSON_FIELDS:
            try:
                names = split_name_list(" ".join(value.split()))
                persons[lname] = [_person(n, memo) for n in names]
            except PybtexError as exc:  # e.g. "Too many commas in ..."
                diags.append(
                    Diagnostic(
                        "TOI107",
                        Span(span.file, fline),
                        f"cannot read `{lname}`: {exc}",
                        "write names as `Last, First and Last, First`",
                    )
                )
    return RawEntry(key, kind, out, persons, span), diags


def _person(name: str, memo: dict[str, Person]) -> Person:
    person = memo.get(name)
    if person is None:
        person = memo[name] = Person(name)
    return person


def load_file(path: Path, display: str) -> tuple[BibFile | None, list[Diagnostic]]:
    text, diags = decode(path.read_bytes(), display)
    if text is None:
        return None, diags
    entries, parse_diags = parse_text(text, display)
    return BibFile(display, text, entries), diags + parse_diags


def bib_files(bib_dir: Path) -> list[Path]:
    """The corpus files, in a stable order (name), so output never depends on the OS."""
    return sorted(p for p in bib_dir.glob("*.bib") if p.is_file())
