"""The one BibTeX reader: every byte kept, each value's pieces as written, with lines.

pybtex's low-level parser does the tokenising (it is the floor we stand on). We
subclass it to record line numbers, which pybtex does not pass on, and how each
value was written (braces, quotes, a bare @string macro, `#` concatenation), and
we keep going after a broken command: we resume at the next line that starts
with '@', so one typo never hides the rest of a file. pybtex's own strict mode is
a global that stops at the first defect, so we never use it.

`fmt` and `import` rewrite from these blocks without losing anything; the
checker's loader (load.py) derives its entries and findings from them, so all
three always agree on what parses. Nothing here writes files.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal

from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

PieceKind = Literal["braced", "quoted", "number", "macro"]
_COMMAND_NAME = re.compile(r"@\s*([^\s{(]*)")
# Where reading resumes after a broken command: the next line that starts with '@'.
LINE_START_AT = re.compile(r"^[ \t]*@", re.MULTILINE)


@dataclass(frozen=True)
class Piece:
    """One part of a `#` concatenation, as written."""

    kind: PieceKind
    text: str  # inside the delimiters, byte for byte; the bare name for a macro
    value: str | None  # what it stands for; None for a macro nobody defined
    line: int = field(default=0, compare=False)  # where it ends, for findings


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
    name: str = ""  # the macro an @string defines
    pieces: tuple[Piece, ...] = ()


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
    error_line: int  # where to look for the mistake
    message: str  # pybtex's words
    hint: str  # ours: what to look for
    fields: tuple[SourceField, ...] = ()  # read before it broke (their macros are checked)


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


def error_message(error: Exception) -> str:
    """pybtex's message without the "syntax error in line N" its str() adds."""
    return str(error.args[0]) if error.args else str(error)


class _Parser(LowLevelParser):  # type: ignore[misc]
    """pybtex's tokenizer, also noting lines and each value's pieces as written."""

    def __init__(self, text: str, macros: CaseInsensitiveDict) -> None:
        super().__init__(text, macros=macros)
        self.field_line = 1
        self.pieces: list[Piece] = []
        self.fields: list[SourceField] = []

    def handle_error(self, error: Exception) -> None:
        raise error  # stop at the first defect; read_source resumes after it

    def next_command(self) -> tuple[str, object] | None:
        """Parse one command; None for @comment, whose text stays in the gap."""
        self.fields, self.pieces = [], []
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

    def parse_entry_fields(self) -> None:
        while True:
            self.current_field_name = None
            self.current_value = []
            self.parse_field()
            if self.current_field_name and self.current_value:
                self.current_fields.append((self.current_field_name, self.current_value))
                self.fields.append(
                    SourceField(self.current_field_name, tuple(self.pieces), self.field_line)
                )
                self.pieces = []  # taken: a break from here on must not count them twice
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
            piece = Piece("quoted", text, text, self.lineno)
        elif token.pattern is self.LBRACE:
            text = self.flatten_string(self.parse_string(string_end=self.RBRACE))
            piece = Piece("braced", text, text, self.lineno)
        elif token.pattern is self.NUMBER:
            piece = Piece("number", token.value, token.value, self.lineno)
        else:
            piece = Piece("macro", token.value, self.macros.get(token.value), self.lineno)
        self.pieces.append(piece)
        return piece.value or ""


class _Lines:
    """Position -> 1-based line number, for the text between commands."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)


def _broken(parser: _Parser, start: int, line: int, error: PybtexSyntaxError) -> tuple[Broken, int]:
    """The broken command from `start` to the next line starting with '@', worded once."""
    text = parser.text
    nxt = LINE_START_AT.search(text, start + 1)
    end = nxt.start() if nxt else len(text)
    name = _COMMAND_NAME.match(text, start)
    error_line = getattr(error, "lineno", None) or line
    if isinstance(error, PrematureEOF):
        # The end of the file is not where the mistake is: point at the entry.
        error_line, hint = line, "an opening brace or quote in this entry is never closed"
    elif error_line > line and _starts_command(text, error_line):
        # The parser only noticed at the next entry: the mistake is in this one.
        error_line, hint = (
            line,
            "this entry is not closed before the next one starts; check its braces",
        )
    elif error_line > line:
        hint = (
            f"look for a missing comma or brace at the end of line {error_line - 1} or {error_line}"
        )
    else:
        hint = "write @type{key, field = {value}, ...}"
    command = name.group(1).lower() if name else ""
    fields = list(parser.fields)
    if parser.pieces:  # the value it broke in
        field_name = parser.current_field_name or ""
        fields.append(SourceField(field_name, tuple(parser.pieces), parser.field_line))
    message = error_message(error)
    return Broken(command, text[start:end], line, error_line, message, hint, tuple(fields)), end


def _starts_command(text: str, line: int) -> bool:
    lines = text.split("\n", line)
    return len(lines) >= line and lines[line - 1].lstrip().startswith("@")


def _block(parsed: tuple[str, object], parser: _Parser, start: int, line: int) -> Block:
    command, body = parsed
    kind = command.lower()
    if kind in ("string", "preamble"):
        name = str(body[0]) if kind == "string" else ""  # type: ignore[index]
        return Command(kind, parser.text[start : parser.pos], line, name, tuple(parser.pieces))
    key: str = body[0]  # type: ignore[index]
    return SourceEntry(command, key, tuple(parser.fields), line)


def read_source(text: str) -> SourceFile:
    """Split LF-normalised text into blocks; a broken command becomes a `Broken` block."""
    lines = _Lines(text)
    macros = CaseInsensitiveDict(month_names)
    blocks: list[Block] = []
    parser = _Parser(text, macros)
    done = 0  # end of the last command taken out of the text
    while parser.skip_to([parser.AT]):
        start, line = parser.pos - 1, parser.lineno
        try:
            parsed = parser.next_command()
        except PybtexSyntaxError as error:
            broken, done_next = _broken(parser, start, line, error)
            blocks += [Text(text[done:start], lines.at(done)), broken]
            done = done_next
            parser = _Parser(text, macros)
            parser.pos, parser.lineno = done, lines.at(done)
            continue
        if parsed is None:
            continue  # @comment: pybtex skips only the word, the rest is text
        blocks += [Text(text[done:start], lines.at(done)), _block(parsed, parser, start, line)]
        done = parser.pos
    blocks.append(Text(text[done:], lines.at(done)))
    return SourceFile(tuple(b for b in blocks if not (isinstance(b, Text) and not b.text)))
