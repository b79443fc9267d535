"""Read BibTeX keeping how it was written: value pieces, delimiters, the text between.

The checker's loader (load.py) keeps only each field's expanded value. `fmt` and
`import` also need to know how a value was written (braces, quotes, a bare
@string macro, `#` concatenation) and every byte between entries, so that they
can rewrite a file without losing anything. We extend the loader's own field
parser (load.FieldLineParser), so both always agree on what parses, and we
recover from a broken command the way the loader does: at the next line starting
with '@'. Nothing here writes files.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from pybtex.database.input.bibtex import SkipEntry, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from .load import LINE_START_AT, FieldLineParser, error_message

PieceKind = Literal["braced", "quoted", "number", "macro"]
_COMMAND_NAME = re.compile(r"@\s*([^\s{(]*)")


@dataclass(frozen=True)
class Piece:
    """One part of a `#` concatenation, as written."""

    kind: PieceKind
    text: str  # inside the delimiters, byte for byte; the bare name for a macro
    value: str | None  # what it stands for; None for a macro nobody defined


@dataclass(frozen=True)
class SourceField:
    name: str  # as written (BibTeX field names are case-insensitive)
    pieces: tuple[Piece, ...]
    line: int


@dataclass(frozen=True)
class SourceEntry:
    entry_type: str  # as written
    key: str
    fields: tuple[SourceField, ...]
    line: int


@dataclass(frozen=True)
class Command:
    """An @string or @preamble, kept exactly as written."""

    kind: str  # "string" or "preamble", lower-cased
    text: str
    line: int


@dataclass(frozen=True)
class Text:
    """Whatever lies between commands: %-comments, @comment, free text. BibTeX ignores it."""

    text: str
    line: int


@dataclass(frozen=True)
class Broken:
    """A command that did not parse, from its '@' up to the next line starting with '@'."""

    command: str  # the word after '@', lower-cased ("" when there is none)
    text: str
    line: int  # where the command starts
    error_line: int
    message: str


Block = SourceEntry | Command | Text | Broken


@dataclass(frozen=True)
class SourceFile:
    blocks: tuple[Block, ...]

    @property
    def entries(self) -> list[SourceEntry]:
        return [b for b in self.blocks if isinstance(b, SourceEntry)]

    @property
    def broken(self) -> list[Broken]:
        return [b for b in self.blocks if isinstance(b, Broken)]


def value_of(pieces: tuple[Piece, ...]) -> str:
    """The expanded value; an undefined macro stands for nothing, as in pybtex."""
    return "".join(p.value or "" for p in pieces)


_NOT_BRACE = re.compile(r"[^{}]+")


def braces_balanced(text: str) -> bool:
    """Whether BibTeX would read `{text}` back as one value: every '}' closes an earlier
    '{'. BibTeX counts every brace, escaped or not (`\\{` opens a group too). Only the
    braces are walked, so a long value costs one regex pass."""
    depth = 0
    for char in _NOT_BRACE.sub("", text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


class _PieceParser(FieldLineParser):
    """The loader's field parser, also recording each value's pieces as written."""

    def __init__(self, text: str, macros: CaseInsensitiveDict) -> None:
        super().__init__(text, macros)
        self.pieces: list[Piece] = []
        self.fields: list[SourceField] = []

    def handle_error(self, error: Exception) -> None:
        raise error  # stop at the first defect; read_source resumes after it

    def next_command(self) -> tuple[str, object] | None:
        """Parse one command; None for @comment, whose text stays in the gap."""
        self.fields = []
        try:
            command, body = self.parse_command()
        except SkipEntry:
            return None
        return command, body

    def parse_entry_body(self, body_end: object) -> None:
        # JabRef writes `@Article{,` for an entry without a key. Read it (the importer
        # makes a key) where pybtex would stop; the loader still reports it as TOI101,
        # so fmt leaves such a file alone.
        self.eat_whitespace()
        if self.text.startswith(",", self.pos):
            self.current_entry_key = ""
            self.parse_entry_fields()
            return
        super().parse_entry_body(body_end)

    def field_kept(self, name: str) -> None:
        self.fields.append(SourceField(name, tuple(self.pieces), self.field_line))

    def parse_value(self) -> None:
        self.pieces = []
        parts = [self.parse_value_part()]
        while self.optional([self.HASH]):
            parts.append(self.parse_value_part())
        self.current_value = parts

    def parse_value_part(self) -> str:
        token = self.required(
            [self.QUOTE, self.LBRACE, self.NUMBER, self.NAME], description="field value"
        )
        piece: Piece
        if token.pattern is self.QUOTE:
            text = self.flatten_string(self.parse_string(string_end=self.QUOTE))
            piece = Piece("quoted", text, text)
        elif token.pattern is self.LBRACE:
            text = self.flatten_string(self.parse_string(string_end=self.RBRACE))
            piece = Piece("braced", text, text)
        elif token.pattern is self.NUMBER:
            piece = Piece("number", token.value, token.value)
        else:
            piece = Piece("macro", token.value, self.macros.get(token.value))
        self.pieces.append(piece)
        return piece.value or ""


class _Lines:
    """Position -> 1-based line number, for the text between commands."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)


def _broken(text: str, start: int, line: int, error: PybtexSyntaxError) -> tuple[Broken, int]:
    nxt = LINE_START_AT.search(text, start + 1)
    end = nxt.start() if nxt else len(text)
    name = _COMMAND_NAME.match(text, start)
    message = error_message(error)
    error_line = error.lineno or line
    if isinstance(error, PrematureEOF):
        # The end of the file is not where the mistake is: point at the entry.
        message, error_line = "a brace or quote opened in this entry is never closed", line
    command = name.group(1).lower() if name else ""
    return Broken(command, text[start:end], line, error_line, message), end


def _block(parsed: tuple[str, object], parser: _PieceParser, start: int, line: int) -> Block:
    command, body = parsed
    kind = command.lower()
    if kind in ("string", "preamble"):
        return Command(kind, parser.text[start : parser.pos], line)
    key: str = body[0]  # type: ignore[index]
    return SourceEntry(command, key, tuple(parser.fields), line)


def read_source(text: str) -> SourceFile:
    """Split LF-normalised text into blocks; a broken command becomes a `Broken` block."""
    lines = _Lines(text)
    macros = CaseInsensitiveDict(month_names)
    blocks: list[Block] = []
    parser = _PieceParser(text, macros)
    done = 0  # end of the last command taken out of the text
    while parser.skip_to([parser.AT]):
        start, line = parser.pos - 1, parser.lineno
        try:
            parsed = parser.next_command()
        except PybtexSyntaxError as error:
            broken, done_next = _broken(text, start, line, error)
            blocks += [Text(text[done:start], lines.at(done)), broken]
            done = done_next
            parser = _PieceParser(text, macros)
            parser.pos, parser.lineno = done, lines.at(done)
            continue
        if parsed is None:
            continue  # @comment: pybtex skips only the word, the rest is text
        blocks += [Text(text[done:start], lines.at(done)), _block(parsed, parser, start, line)]
        done = parser.pos
    blocks.append(Text(text[done:], lines.at(done)))
    return SourceFile(tuple(b for b in blocks if not (isinstance(b, Text) and not b.text)))
