"""Importing a reference manager's export into bib/, leniently: the work of `toi-atlas import`.

Exports from Zotero, JabRef or Google Scholar are messier than our corpus:
repeated fields, macros nobody defined, Windows-1252 bytes, broken entries,
keys with spaces. The checker refuses all of that; the importer repairs what it
safely can, reports the rest and never stops at a bad entry. Every entry read
ends up in exactly one of three lists, each with its input line, so that
read = imported + duplicates + rejected:

- imported: written in fmt's canonical layout with its LaTeX as written,
  macros expanded (the target file does not define them; a month macro stays
  bare), our own fields dropped (tags and edges from another bibliography use
  ids that are not ours), `added` set to today and no tags, so the checker then
  says what each entry still needs. The key is kept when it is safe and free,
  else made as `add` makes it (`identity.make_key`, `lastnameYEARfirstword`);
- duplicate: the same work as one already in bib/ (or earlier in the same
  import) by `identity.same_work`, the rule of the checker's TOI401 and TOI402;
- rejected: no title, or the entry does not parse.

Imported entries are appended to the target file in one atomic write; every
byte already in it stays as it was.
"""

from __future__ import annotations

import datetime
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from pybtex.bibtex.utils import split_name_list
from pybtex.database.input.bibtex import month_names

from ..diagnostics import Diagnostic, Span
from ..exits import EXIT_FINDINGS, EXIT_USAGE
from ..model.corpus import latex_to_unicode
from ..model.identity import (
    KEY_RE,
    Facts,
    Reason,
    arxiv_eprint,
    is_organisation,
    make_key,
    unique_key,
    year_of,
)
from ..model.identity import Index as WorkIndex
from ..output import LOG, display_path, report
from ..read.bibsource import (
    Broken,
    Command,
    Piece,
    SourceEntry,
    SourceField,
    braces_balanced,
    read_source,
)
from ..read.load import bib_files, load_file, parse_text, to_lf
from ..wording import counted
from ..write.bibtext import OUR_FIELDS, format_entry
from ..write.files import atomic_write
from .bibappend import append_entries, read_target, verify_append

Status = Literal["imported", "duplicate", "rejected"]

# `file` holds paths on the exporter's own disk: meaningless here, and it leaks
# their home folder into a public corpus.
DROPPED_FIELDS = OUR_FIELDS | {"file"}
NEW_FILE_HEADER = (
    "% Imported with `toi-atlas import`: tag each entry, then move it to the file it belongs in.\n"
)


# --- what we know about a work, for de-duplication ------------------------------------

# Where a work appeared, in the order model.py reads them.
_VENUE_FIELDS = (
    *("journal", "journaltitle", "booktitle", "howpublished"),
    *("publisher", "institution", "school", "organization"),
)


@dataclass(frozen=True)
class Known:
    """A work already there (in bib/ or earlier in this import), for the report."""

    key: str
    where: str  # file:line


def names(value: str) -> tuple[str, ...]:
    """`M{\\"u}ller, J. and {OpenAI} and others` -> (`Müller, J.`, `{OpenAI}`).

    Plain Unicode, with the braces of a name wholly in braces kept: they say it is an
    organisation, which keys treat differently.
    """
    parts = split_name_list(" ".join(value.split()))
    return tuple(
        "{" + latex_to_unicode(p) + "}" if is_organisation(p) else latex_to_unicode(p)
        for p in parts
        if p.strip().lower() != "others"
    )


def facts_of(fields: Mapping[str, str], key: str = "") -> Facts:
    """An entry's fields (BibTeX, LaTeX and all) as identity reads them."""
    venue = next((fields[n] for n in _VENUE_FIELDS if (fields.get(n) or "").strip()), "")
    return Facts(
        title=latex_to_unicode(fields.get("title") or ""),
        names=names(fields.get("author") or fields.get("editor") or ""),
        key=key,
        year=year_of(fields.get("year") or fields.get("date")),
        doi=fields.get("doi"),
        arxiv=arxiv_eprint(
            fields.get("eprint"), fields.get("archiveprefix") or fields.get("eprinttype")
        ),
        url=fields.get("url"),
        venue=latex_to_unicode(venue),
        volume=fields.get("volume") or "",
        number=fields.get("number") or fields.get("issue") or "",
        pages=fields.get("pages") or "",
        edition=fields.get("edition") or "",
    )


@dataclass
class Index:
    """Keys and works already there, to spot clashes and duplicates."""

    keys: dict[str, str] = field(default_factory=dict)  # casefolded key -> where
    works: WorkIndex[Known] = field(default_factory=WorkIndex)

    def add(self, key: str, where: str, facts: Facts) -> None:
        self.keys.setdefault(key.casefold(), where)
        self.works.add(facts, Known(key, where))

    def key_taken(self, key: str) -> bool:
        return key.casefold() in self.keys  # case-only twins are refused too (TOI106)

    def twin(self, facts: Facts) -> tuple[Known, Reason] | None:
        return self.works.find(facts)


def corpus_index(paths: list[Path], root: Path) -> Index:
    """Every entry the loader can read in these files; a broken file adds what it can."""
    index = Index()
    for path in paths:
        bib, _ = load_file(path, display_path(path, root))
        for raw in bib.entries if bib is not None else []:
            values = {name: f.value for name, f in raw.fields.items()}
            index.add(raw.key, f"{raw.span.file}:{raw.span.line}", facts_of(values, raw.key))
    return index


# --- bytes to text ----------------------------------------------------------------


def decode_lenient(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8, else Windows-1252, else Latin-1 (which never fails), with a finding saying so."""

    def other(line: int, message: str) -> list[Diagnostic]:
        return [Diagnostic("TOI814", Span(display, line), message)]

    def unreadable(message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic("TOI100", Span(display, 1), message, "nothing was imported")]

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return to_lf(data.decode("utf-16")), other(1, "file is UTF-16; read as such")
        except UnicodeDecodeError:
            return unreadable("file starts like UTF-16 but does not decode as UTF-16")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in data:
        return unreadable("file contains NUL bytes: it is not a text file")
    try:
        return to_lf(data.decode("utf-8")), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = f"byte 0x{data[exc.start : exc.start + 1].hex()}"
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return to_lf(text), other(
            line, f"not UTF-8 ({bad}); read as {name}: check accented letters"
        )
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


# --- one entry ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    line: int
    key: str  # as written in the input
    status: Status
    reason: str = ""  # why it was not imported
    new_key: str = ""  # its key in bib/ (for a duplicate: the work it duplicates)
    text: str = ""  # canonical BibTeX, for imported entries


@dataclass
class _Draft:
    """An entry on its way in: cleaned fields, expanded values and how month was written."""

    source: SourceEntry
    values: dict[str, str]
    lines: dict[str, int]
    bare_month: str | None
    notes: list[Diagnostic]


def _changed(display: str, line: int, message: str) -> Diagnostic:
    """A finding for something import repaired or left out on the way in."""
    return Diagnostic("TOI813", Span(display, line), message)


def _expand(f: SourceField, notes: list[Diagnostic], display: str) -> str:
    out = []
    for piece in f.pieces:
        if piece.value is None:
            # Keep the word: dropping it would lose data, and the target file
            # cannot define the macro for us.
            message = f"undefined macro `{piece.text}` in `{f.name.lower()}` kept as text"
            notes.append(_changed(display, f.line, message))
        out.append(piece.text if piece.value is None else piece.value)
    return "".join(out)


def _bare_month(f: SourceField) -> str | None:
    [piece, *rest] = f.pieces
    if rest or piece.kind != "macro" or piece.text.lower() not in month_names:
        return None
    return piece.text.lower()


def draft(entry: SourceEntry, display: str) -> _Draft:
    d = _Draft(entry, {}, {}, None, [])
    for f in entry.fields:
        name = f.name.lower()
        if name in DROPPED_FIELDS:
            d.notes.append(_changed(display, f.line, f"field `{name}` dropped"))
            continue
        value = _expand(f, d.notes, display)
        if name in d.values and d.values[name].strip():  # BibTeX keeps the first too
            kept = d.lines[name]
            message = f"repeated `{name}` dropped (kept the one at line {kept})"
            d.notes.append(_changed(display, f.line, message))
            continue
        if name in d.values:  # the first was empty: this one replaces it
            message = f"empty `{name}` dropped (kept line {f.line})"
            d.notes.append(_changed(display, d.lines[name], message))
        d.values[name], d.lines[name] = value, f.line
        if name == "month":
            d.bare_month = _bare_month(f)
    return d


def _render(d: _Draft, key: str, added: str) -> str:
    fields = [
        SourceField(name, (_piece(name, value, d.bare_month),), d.lines[name])
        for name, value in d.values.items()
    ]
    fields.append(SourceField("added", (Piece("braced", added, added),), d.source.line))
    entry = SourceEntry(d.source.entry_type.lower(), key, tuple(fields), d.source.line)
    return format_entry(entry) + "\n"


def _piece(name: str, value: str, bare_month: str | None) -> Piece:
    if name == "month" and bare_month is not None:
        return Piece("macro", bare_month, value)
    return Piece("braced", value, value)


def _unwritable(d: _Draft, text: str) -> str:
    """Why the rendered entry would not read back as one entry, or ""."""
    unbalanced = [n for n, v in d.values.items() if not braces_balanced(v)]
    if unbalanced:
        return f"unbalanced braces in `{unbalanced[0]}`"
    entries, diags = parse_text(text, "")
    broken = [diag.message for diag in diags if diag.code == "TOI101"]
    if broken or len(entries) != 1:
        return "cannot be written as BibTeX that parses" + (f": {broken[0]}" if broken else "")
    return ""


# --- keys -------------------------------------------------------------------------


def choose_key(key: str, facts: Facts, index: Index) -> str:
    """The entry's own key when it is safe and free, else the corpus convention's."""
    if KEY_RE.match(key) and not index.key_taken(key):
        return key
    return unique_key(make_key(facts), index.keys)


# --- a whole file -----------------------------------------------------------------


@dataclass
class ImportResult:
    display: str  # the input file, as findings name it
    outcomes: list[Outcome]
    notes: list[Diagnostic]  # TOI813: what was changed on the way in

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    def findings(self) -> list[Diagnostic]:
        """The notes, and each entry not imported: rejected (TOI811) or a duplicate (TOI812)."""
        codes = {"rejected": "TOI811", "duplicate": "TOI812"}
        return self.notes + [
            Diagnostic(
                codes[o.status],
                Span(self.display, o.line),
                f"`{o.key or '?'}` not imported: {o.reason}",
                data={"key": o.key, "duplicate_of": o.new_key} if o.new_key else {"key": o.key},
            )
            for o in self.outcomes
            if o.status in codes
        ]

    @property
    def imported(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "imported"]


def _broken_outcome(block: Broken, notes: list[Diagnostic], display: str) -> Outcome | None:
    if block.command in ("string", "preamble", "comment"):
        message = f"@{block.command} does not parse and was skipped"
        notes.append(_changed(display, block.line, message))
        return None
    reason = f"unparseable: {block.message} (line {block.error_line}; {block.hint})"
    key = re.match(r"@\s*[^\s{(]*\s*[{(]\s*([^\s,]*)", block.text)
    return Outcome(block.line, key.group(1) if key else "", "rejected", reason)


def _decide(d: _Draft, facts: Facts, index: Index, added: str) -> Outcome:
    entry = d.source
    if not facts.title:
        return Outcome(entry.line, entry.key, "rejected", "no title")
    found = index.twin(facts)
    if found is not None:
        twin, why = found
        reason = f"duplicate of `{twin.key}` at {twin.where} ({why})"
        return Outcome(entry.line, entry.key, "duplicate", reason, new_key=twin.key)
    key = choose_key(entry.key, facts, index)
    text = _render(d, key, added)
    unwritable = _unwritable(d, text)
    if unwritable:
        return Outcome(entry.line, entry.key, "rejected", unwritable)
    return Outcome(entry.line, entry.key, "imported", new_key=key, text=text)


def _remap_crossrefs(drafts: list[_Draft | None], outcomes: list[Outcome], added: str) -> None:
    """Point crossref/xref at the keys the parents got (renamed, or already in bib/)."""
    renamed = {
        o.key.casefold(): o.new_key for o in outcomes if o.key and o.new_key and o.key != o.new_key
    }
    for i, (d, o) in enumerate(zip(drafts, outcomes, strict=True)):
        if d is None or o.status != "imported":
            continue
        hits = [n for n in ("crossref", "xref") if n in d.values]
        hits = [n for n in hits if d.values[n].strip().casefold() in renamed]
        for name in hits:
            d.values[name] = renamed[d.values[name].strip().casefold()]
        if hits:
            outcomes[i] = replace(o, text=_render(d, o.new_key, added))


def import_text(text: str, display: str, index: Index, added: str) -> ImportResult:
    """Decide every entry of one input text; pure apart from updating `index`."""
    source = read_source(text)
    notes: list[Diagnostic] = []
    outcomes: list[Outcome] = []
    drafts: list[_Draft | None] = []  # parallel to outcomes
    for block in source.blocks:
        if isinstance(block, Command) and block.kind == "preamble":
            message = "@preamble not imported: check the LaTeX it defines"
            notes.append(_changed(display, block.line, message))
        elif isinstance(block, Broken):
            broken = _broken_outcome(block, notes, display)
            if broken is not None:
                outcomes.append(broken)
                drafts.append(None)
        elif isinstance(block, SourceEntry):
            d = draft(block, display)
            facts = facts_of(d.values, block.key)
            outcome = _decide(d, facts, index, added)
            if outcome.status == "imported":  # filed under the key it has in bib/ now
                where = f"{display}:{block.line}"
                index.add(outcome.new_key, where, replace(facts, key=outcome.new_key))
            if outcome.new_key != block.key and outcome.status == "imported":
                was = f"key `{block.key}`" if block.key else "no key"
                message = f"{was}: imported as `{outcome.new_key}`"
                d.notes.append(_changed(display, block.line, message))
            notes += d.notes
            outcomes.append(outcome)
            drafts.append(d)
    _remap_crossrefs(drafts, outcomes, added)
    return ImportResult(display, outcomes, sorted(notes, key=Diagnostic.sort_key))


# --- the steps ---------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What `toi-atlas import` was asked, as plain values."""

    file: Path
    root: Path
    into: Path | None = None  # default: bib/imported.bib
    dry_run: bool = False
    format: str = "text"


def import_file(req: Request) -> int:
    """Import one export into the target file; report every finding; the exit code."""
    started = time.perf_counter()
    target: Path = req.into or req.root / "bib" / "imported.bib"
    problem = _usage_error(req.file, target)
    if problem:
        LOG.error(f"toi-atlas import: {problem}")
        return EXIT_USAGE
    display, shown_target = display_path(req.file, req.root), display_path(target, req.root)
    text, read_findings = decode_lenient(req.file.read_bytes(), display)
    existing, target_problems = read_target(target, shown_target)
    if text is None or target_problems:
        report([*read_findings, *target_problems], req.format)
        LOG.error(f"nothing imported into {shown_target}")
        return EXIT_FINDINGS
    index = corpus_index(_corpus_files(req.root, target), req.root)
    result = import_text(text, display, index, datetime.date.today().isoformat())
    for o in result.imported:
        LOG.debug(f"{display}:{o.line}: imported `{o.key or '?'}` as `{o.new_key}`")
    code = report([*read_findings, *result.findings()], req.format)
    texts = [o.text for o in result.imported]
    new = append_entries(existing, texts, NEW_FILE_HEADER)[0] if texts else existing
    if not verify_append(existing, new, len(result.imported)):
        LOG.error(f"{shown_target}: the appended entries would not read back; nothing written")
        return EXIT_FINDINGS
    if req.dry_run:
        # What would be appended; beside json it goes to stderr, so stdout stays one document.
        out = sys.stderr if req.format == "json" else sys.stdout
        out.write(new[len(existing) :].decode("utf-8"))
    elif result.imported:
        atomic_write(target, new)  # keeps permissions
    elapsed = time.perf_counter() - started
    dry = " (dry run: nothing written)" if req.dry_run else ""
    LOG.info(summary_line(result, display, shown_target, elapsed) + dry)
    return code


def summary_line(result: ImportResult, display: str, target: str, seconds: float) -> str:
    return (
        f"read {counted(len(result.outcomes), 'entry', 'entries')} from {display}: "
        f"{result.count('imported')} imported into {target}, "
        f"{result.count('duplicate')} duplicates, {result.count('rejected')} rejected "
        f"({seconds:.2f} s)"
    )


def _corpus_files(root: Path, target: Path) -> list[Path]:
    files = {p.resolve(): p for p in bib_files(root / "bib")}
    if target.exists():
        files.setdefault(target.resolve(), target)
    return sorted(files.values())


def _usage_error(file: Path, target: Path) -> str:
    if not file.is_file():
        return f"no such file: {file}"
    if target.exists() and target.resolve() == file.resolve():
        return "the file to import is the target file"
    return ""
