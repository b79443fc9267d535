"""Read `.bib` files into raw entries with file:line spans, collecting every defect.

pybtex's low-level parser does the tokenising (it is the floor our loader stands
on). We subclass it only to record line numbers, which pybtex does not pass on,
and to keep going after a broken entry: we resume at the next line that starts
with '@', so one typo never hides the rest of a file. pybtex's own strict mode
is a global that stops at the first defect, so we never use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.database.input.bibtex import (
    LowLevelParser,
    SkipEntry,
    UndefinedMacro,
    month_names,
)
from pybtex.exceptions import PybtexError
from pybtex.scanner import PrematureEOF, PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from .diagnostics import Diagnostic, Span

PERSON_FIELDS = ("author", "editor")
# Where reading resumes after a broken command: the next line that starts with '@'.
LINE_START_AT = re.compile(r"^[ \t]*@", re.MULTILINE)


@dataclass(frozen=True)
class RawField:
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


def error_message(error: Exception) -> str:
    """pybtex's message without the "syntax error in line N" its str() adds."""
    return str(error.args[0]) if error.args else str(error)


class FieldLineParser(LowLevelParser):  # type: ignore[misc]
    """pybtex's tokenizer, also noting the line each field starts on.

    The loader and bibsource.py both read fields through this one class, so they
    always agree on what parses; a subclass records more in `field_kept`.
    """

    def __init__(self, text: str, macros: CaseInsensitiveDict) -> None:
        super().__init__(text, macros=macros)
        self.field_line = 1
        self.field_lines: list[int] = []

    def field_kept(self, name: str) -> None:
        """Called after a field named `name` was stored in `current_fields`."""
        self.field_lines.append(self.field_line)

    def parse_entry_fields(self) -> None:
        while True:
            self.current_field_name = None
            self.current_value = []
            self.parse_field()
            if self.current_field_name and self.current_value:
                self.current_fields.append((self.current_field_name, self.current_value))
                self.field_kept(self.current_field_name)
            if not self.optional([self.COMMA]):
                return

    def parse_field(self) -> None:
        name = self.optional([self.NAME])
        if not name:
            return
        self.current_field_name = name.value
        self.field_line = self.lineno
        self.required([self.EQUALS])
        self.parse_value()


class _SpanParser(FieldLineParser):
    """The loader's parser: every defect becomes a Diagnostic, with its line."""

    def __init__(self, text: str, display: str, macros: CaseInsensitiveDict) -> None:
        super().__init__(text, macros)
        self.display = display
        self.diags: list[Diagnostic] = []
        self.failed_at: int | None = None  # position of a command that broke
        self.command_line = 1

    def handle_error(self, error: Exception) -> None:
        line = getattr(error, "lineno", None) or self.lineno
        message = error_message(error)
        if isinstance(error, UndefinedMacro):
            self.diags.append(
                Diagnostic(
                    "TOI104",
                    Span(self.display, line),
                    f"undefined macro `{message}` in field `{self.current_field_name}`",
                    "put the value in braces, or define it with @string before use",
                )
            )
            return
        self.failed_at = self.command_start
        if isinstance(error, PrematureEOF):
            # The end of the file is not where the mistake is: point at the entry.
            line, hint = (
                self.command_line,
                "an opening brace or quote in this entry is never closed",
            )
        elif line > self.command_line and self._line_starts_entry(line):
            # The parser only noticed at the next entry: the mistake is in this one.
            line, hint = (
                self.command_line,
                "this entry is not closed before the next one starts; check its braces",
            )
        elif line > self.command_line:
            hint = f"look for a missing comma or brace at the end of line {line - 1} or {line}"
        else:
            hint = "write @type{key, field = {value}, ...}"
        self.diags.append(
            Diagnostic(
                "TOI101",
                Span(self.display, line),
                f"{message} (entry starting at line {self.command_line}; it was skipped)",
                hint,
            )
        )

    def _line_starts_entry(self, line: int) -> bool:
        lines = self.text.split("\n", line)
        return len(lines) >= line and lines[line - 1].lstrip().startswith("@")

    def parse_bibliography(self) -> Iterator[tuple[str, tuple[object, ...], int, list[int]]]:
        while True:
            if not self.skip_to([self.AT]):
                return
            self.command_start = self.pos - 1
            self.command_line = self.lineno
            self.field_lines = []
            try:
                command, body = tuple(self.parse_command())
            except SkipEntry:
                continue
            except PybtexSyntaxError as error:
                self.handle_error(error)
            if self.failed_at is not None:
                return  # the caller resumes at the next line starting with '@'
            yield command, body, self.command_line, self.field_lines


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
    macros = CaseInsensitiveDict(month_names)
    diags: list[Diagnostic] = []
    entries: list[RawEntry] = []
    pos, line = 0, 1
    while pos < len(text):
        parser = _SpanParser(text, display, macros)
        parser.pos, parser.lineno = pos, line
        for command, body, cmd_line, field_lines in parser:
            kind = command.lower()
            if kind in ("string", "preamble"):
                continue
            key, fields = body
            entry, entry_diags = _make_entry(
                kind, key, fields, field_lines, Span(display, cmd_line)
            )
            diags.extend(entry_diags)
            if entry is not None:
                entries.append(entry)
        diags.extend(parser.diags)
        if parser.failed_at is None:
            break
        # Resume at the next line that starts with '@' after the broken command.
        nxt = LINE_START_AT.search(text, parser.failed_at + 1)
        if nxt is None:
            break
        line += text.count("\n", pos, nxt.start())
        pos = nxt.start()
    return entries, diags


def _make_entry(
    kind: str,
    key: object,
    fields: list[tuple[str, list[str]]],
    field_lines: list[int],
    span: Span,
) -> tuple[RawEntry | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if not isinstance(key, str) or not key:
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
    for (name, parts), fline in zip(fields, field_lines, strict=True):
        lname = name.lower()
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
        value = "".join(parts)
        out[lname] = RawField(lname, value, fline)
        if lname in PERSON_FIELDS:
            try:
                persons[lname] = [Person(n) for n in split_name_list(" ".join(value.split()))]
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


def load_file(path: Path, display: str) -> tuple[BibFile | None, list[Diagnostic]]:
    text, diags = decode(path.read_bytes(), display)
    if text is None:
        return None, diags
    entries, parse_diags = parse_text(text, display)
    return BibFile(display, text, entries), diags + parse_diags


def bib_files(bib_dir: Path) -> list[Path]:
    """The corpus files, in a stable order (name), so output never depends on the OS."""
    return sorted(p for p in bib_dir.glob("*.bib") if p.is_file())
