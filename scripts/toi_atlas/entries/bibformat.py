"""Canonical layout of whole .bib files, so diffs stay clean: the work of `toi-atlas fmt`.

Each entry gets the layout of `bibtext.format_entry`, the one writer of BibTeX
(also used by `add`, `import` and the exports): `@type{key,`, one field per line,
fields in `bibtext.FIELD_ORDER` (unknown ones in their written order, just
before our own fields); between entries, one blank line.

Nothing is lost:

- every value keeps its text; only runs of ASCII whitespace become one space
  and the spaces at the two ends of a value go (BibTeX ignores both);
- a bare macro (`month = aug`, an @string name) and a `#` concatenation stay
  as written; numbers get braces;
- a `"quoted"` value becomes `{braced}` only when its braces balance, which
  pybtex already demands of quoted values, so in practice always; otherwise it
  stays quoted;
- @string, @preamble, @comment, %-comments and any other text between entries
  are kept byte for byte; only the blank lines around them are normalised (one
  at most, and a comment written directly above an entry stays attached).

A file that does not parse is reported and left untouched. As a last guard, the
result is parsed again and must give the same entries, values and findings as
the original; if not, the file is left untouched too.
"""

from __future__ import annotations

import difflib
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..diagnostics import Diagnostic
from ..exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from ..output import LOG, display_path, report
from ..read.bibsource import (
    Command,
    SourceEntry,
    SourceFile,
    Text,
    read_source,
)
from ..read.load import bib_files, decode, entries_of, parse_text
from ..write.bibtext import format_entry
from ..write.files import atomic_write

_BLANK = " \t\f\v\r"


# --- a whole file -----------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    kind: Literal["entry", "command", "comment"]
    text: str
    newlines_before: int  # as written, between the previous chunk and this one


def _split_text(text: str) -> tuple[int, str, int]:
    """(newlines before, content without its outer blank lines, newlines after)."""
    lines = text.split("\n")
    kept = [i for i, line in enumerate(lines) if line.strip(_BLANK)]
    if not kept:
        return text.count("\n"), "", 0
    first, last = kept[0], kept[-1]
    return first, "\n".join(lines[first : last + 1]), len(lines) - 1 - last


def _chunks(source: SourceFile) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    gap = 0  # newlines since the last chunk
    for block in source.blocks:
        if isinstance(block, Text):
            lead, content, trail = _split_text(block.text)
            if content:
                chunks.append(_Chunk("comment", content, gap + lead))
                gap = trail
            else:
                gap += lead
        elif isinstance(block, SourceEntry):
            chunks.append(_Chunk("entry", format_entry(block), gap))
            gap = 0
        elif isinstance(block, Command):
            chunks.append(_Chunk("command", block.text, gap))
            gap = 0
        else:  # callers refuse broken files before laying them out
            raise ValueError(f"cannot lay out a broken command at line {block.line}")
    return chunks


def _separator(prev: _Chunk, chunk: _Chunk) -> str:
    # One blank line after every entry and before every entry, except that a
    # comment written directly above an entry stays attached to it. Elsewhere
    # (runs of @string, comments) keep whether there was a blank line.
    if prev.kind == "entry" or (chunk.kind == "entry" and prev.kind != "comment"):
        return "\n\n"
    return "\n\n" if chunk.newlines_before >= 2 else "\n"


def layout(source: SourceFile) -> str:
    """The canonical text of a parsed file: pure, no I/O."""
    chunks = _chunks(source)
    if not chunks:
        return ""
    out = [chunks[0].text]
    for prev, chunk in itertools.pairwise(chunks):
        out += [_separator(prev, chunk), chunk.text]
    return "".join(out) + "\n"


Meaning = tuple[list[tuple[str, str, dict[str, str]]], list[str]]


def meaning(text: str) -> Meaning:
    """What the checker reads from a text: entries, values up to whitespace, finding codes."""
    entries, diags = parse_text(text, "")
    return (
        [
            (e.entry_type, e.key, {n: " ".join(f.value.split()) for n, f in e.fields.items()})
            for e in entries
        ],
        sorted(d.code for d in diags),
    )


@dataclass(frozen=True)
class Formatted:
    display: str
    data: bytes  # the file as it is
    before: str  # decoded ("" when undecodable)
    after: str | None  # None: the file must stay as it is
    diagnostics: tuple[Diagnostic, ...] = ()
    refusal: str = ""  # set when the guard caught a formatting that changes meaning

    @property
    def ok(self) -> bool:
        return self.after is not None

    @property
    def changed(self) -> bool:
        return self.after is not None and self.after.encode("utf-8") != self.data


def format_bib_text(text: str, display: str) -> tuple[str | None, list[Diagnostic], str]:
    """(canonical text, syntax errors, refusal); text is None when the file must stay."""
    source = read_source(text)
    _, diags = entries_of(source, display)
    syntax = [d for d in diags if d.code == "TOI101"]
    if syntax:
        return None, syntax, ""
    after = layout(source)
    if meaning(after) != meaning(text):
        # Seen only with exotic input, e.g. a key that parses only inside @type(...).
        return None, [], "the canonical layout would change what the file means"
    return after, [], ""


def format_path(path: Path, display: str) -> Formatted:
    data = path.read_bytes()
    text, diags = decode(data, display)
    if text is None:
        return Formatted(display, data, "", None, tuple(diags))
    after, syntax, refusal = format_bib_text(text, display)
    return Formatted(display, data, text, after, tuple(syntax), refusal)


def unified_diff(result: Formatted) -> str:
    assert result.after is not None
    diff = "".join(
        difflib.unified_diff(
            result.before.splitlines(keepends=True),
            result.after.splitlines(keepends=True),
            fromfile=f"a/{result.display}",
            tofile=f"b/{result.display}",
        )
    )
    # decode() already turned CRLF into LF and dropped a BOM, so those show no diff.
    return diff or f"{result.display}: line endings or byte-order mark would change\n"


# --- the steps ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What `toi-atlas fmt` was asked, as plain values."""

    root: Path
    files: tuple[Path, ...] = ()  # default: all of bib/
    check: bool = False  # write nothing; print diffs
    format: str = "text"


def format_files(req: Request) -> int:
    """Format every file (or, with `check`, diff it); report findings; the exit code."""
    paths: list[Path] = list(req.files) or bib_files(req.root / "bib")
    missing = [p for p in paths if not p.is_file()]
    if missing:
        LOG.error(f"toi-atlas fmt: no such file: {missing[0]}")
        return EXIT_USAGE
    # Read and format everything before writing anything.
    results = [format_path(p, display_path(p, req.root)) for p in paths]
    report([d for r in results for d in r.diagnostics], req.format)
    # Beside json the diffs go to stderr, so that stdout stays one document.
    diffs = sys.stderr if req.format == "json" else sys.stdout
    for path, result in zip(paths, results, strict=True):
        LOG.debug(f"{result.display}: {'changes' if result.changed else 'no change'}")
        if result.refusal:
            LOG.error(f"{result.display}: {result.refusal}; left untouched")
        if not result.changed or result.after is None:
            continue
        if req.check:
            diffs.write(unified_diff(result))
        else:
            atomic_write(path, result.after.encode("utf-8"))  # keeps permissions
    LOG.info(_summary(results, req.check))
    failed = any(not r.ok for r in results)
    needs_changes = req.check and any(r.changed for r in results)
    return EXIT_FINDINGS if failed or needs_changes else EXIT_OK


def _summary(results: list[Formatted], check: bool) -> str:
    changed = sum(r.changed for r in results)
    failed = sum(not r.ok for r in results)
    verb = "would be reformatted" if check else "reformatted"
    parts = [f"{changed} file(s) {verb}", f"{len(results) - changed - failed} already formatted"]
    if failed:
        parts.append(f"{failed} left untouched because of errors")
    return ", ".join(parts)
